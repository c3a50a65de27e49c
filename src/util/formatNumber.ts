// Numbers as the report, the claims' evidence and the figures' tooltips print them (d3's ",.Nf"): 12,345.68.

export function formatNumber(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
