// Parses /proc/net/softnet_stat: per CPU, packets the network softirq processed, dropped (backlog full) and
// "time squeezes" (the softirq ran out of budget with work left). Columns are hexadecimal.

export interface SoftnetCpu {
  /** CPU number: the 13th column where the kernel prints it (4.20+), else the line's position. */
  cpu: number;
  processed: number;
  dropped: number;
  timeSqueeze: number;
}

export function parseSoftnet(text: string): SoftnetCpu[] {
  return text.split('\n').filter((l) => l.trim()).map((line, i) => {
    const cols = line.trim().split(/\s+/).map((h) => Number.parseInt(h, 16));
    if (cols.length < 3 || cols.some((c) => !Number.isFinite(c))) throw new Error(`/proc/net/softnet_stat: unreadable line "${line}"`);
    return { cpu: cols.length >= 13 ? cols[12]! : i, processed: cols[0]!, dropped: cols[1]!, timeSqueeze: cols[2]! };
  });
}
