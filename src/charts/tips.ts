// Tooltips for the interactive report (cnibench report --interactive): the text a data mark shows on hover — n, the
// mean, its 95% CI and the repetitions behind it — and the SVG step that turns each mark's accessible label into an
// SVG <title>, which every browser shows natively on hover (no script). The static figures carry none of this: the
// spec builders add a `tip` field and a `description` channel only when they are handed the repetitions.
import { ci95, mean, sd } from '../util/stats.ts';
import { formatNumber } from '../util/formatNumber.ts';

/** What a mark's numbers rest on. */
export interface TipNumbers {
  /** The mean drawn (in the figure's unit). */
  mean: number;
  /** The values the mean is over, in the order they were measured (in the figure's unit). */
  values: readonly number[];
  /** When the values themselves are not at hand: their count and range (a Summary's n, min, max). */
  count?: { n: number; min: number; max: number };
  /** The 95% CI of the mean when the figure has one already (else computed from the values). */
  low?: number;
  high?: number;
}

export interface TipFormat {
  /** Unit after every number ("Gbit/s", "ms"); empty for a count. */
  unit: string;
  /** Decimals. */
  digits: number;
  /** What the values are, plural ("repetitions", "profiles", "launches", "rounds") and for one ("repetition", …). */
  of: string;
  one: string;
}

/** Values listed one by one up to this many; beyond it, their count and range. */
const TIP_MAX_VALUES = 30;
const PER_LINE = 10;

/** A comparator by a list of keys (run, repetition, …): the order values were measured in. */
export function byKeys<T>(key: (x: T) => readonly (string | number)[]): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
    return 0;
  };
}

/** d3's ",.Nf" as text, e.g. 12,345.68 (the formats the figures use). */
export { formatNumber };

/** Decimals of a ",.Nf" d3 format (0 for anything else). */
export function digitsOf(format: string): number {
  const m = /\.(\d)f$/.exec(format);
  return m ? Number(m[1]) : 0;
}

/** The mean, its 95% CI (none below two values) and n of some numbers as text: "8.46 Gbit/s", "8.32 – 8.61 Gbit/s", "10 repetitions". */
export function meanWords(t: TipNumbers, f: TipFormat): { mean: string; ci: string; n: string } {
  const num = (v: number) => `${formatNumber(v, f.digits)}${f.unit ? ` ${f.unit}` : ''}`;
  const n = t.count?.n ?? t.values.length;
  let low = t.low;
  let high = t.high;
  if ((low === undefined || high === undefined) && t.values.length > 1) ({ ci95Low: low, ci95High: high } = ci95(t.values.length, mean(t.values), sd(t.values)));
  return {
    mean: num(t.mean),
    ci: n > 1 && low !== undefined && high !== undefined ? `${formatNumber(low, f.digits)} – ${num(high)}` : `none (${n === 1 ? 'a single value' : 'no values'})`,
    n: `${n} ${n === 1 ? f.one : f.of}`,
  };
}

/**
 * A tooltip, one fact a line: the heading lines (what the mark is), the mean, its 95% CI, n, the values in the order
 * measured (or, when there are many or they are not at hand, their range), then any extra lines.
 */
export function tipText(heading: readonly string[], t: TipNumbers, f: TipFormat, extra: readonly string[] = []): string {
  const w = meanWords(t, f);
  const lines = [...heading, `mean: ${w.mean}`, `95% CI: ${w.ci}`, `n = ${w.n}`];
  if (t.values.length && t.values.length <= TIP_MAX_VALUES) {
    const vs = t.values.map((v) => formatNumber(v, f.digits));
    for (let i = 0; i < vs.length; i += PER_LINE) lines.push(`${i ? '    ' : `${f.of}: `}${vs.slice(i, i + PER_LINE).join(', ')}`);
  } else if (t.count?.n || t.values.length) {
    const min = t.count?.min ?? Math.min(...t.values);
    const max = t.count?.max ?? Math.max(...t.values);
    lines.push(`range of the ${w.n}: ${formatNumber(min, f.digits)} – ${formatNumber(max, f.digits)}${f.unit ? ` ${f.unit}` : ''}`);
  }
  return [...lines, ...extra].join('\n');
}

/** The field each tipped datum carries and the channel that makes it the mark's accessible label. */
const TIP_FIELD = 'tip';
export const TIP_CHANNEL = { description: { field: TIP_FIELD, type: 'nominal' } } as const;

/** The class of a mark that has a tooltip (the interactive page's CSS highlights it on hover). */
export const TIP_CLASS = 'tip';

/**
 * Every data mark of a rendered figure (a self-closing element Vega labels role="graphics-symbol": bars, rules,
 * points, lines — axes and legends are groups, not leaves) gets its aria-label as an SVG <title> child, which
 * browsers show on hover and which is also the element's accessible name. Vega escapes the label as attribute text
 * (&amp; &lt; &gt; &quot;, newlines as &#xA;), which is valid element text as it stands.
 */
export function svgWithTitles(svg: string): string {
  return svg.replace(/<(path|line|rect|circle|ellipse|polygon|polyline)\b([^<>]*?)\s*\/>/g, (all, tag: string, attrs: string) => {
    if (!/\srole="graphics-symbol"/.test(attrs)) return all;
    const label = /\saria-label="([^"]*)"/.exec(attrs);
    if (!label) return all;
    let rest = attrs.replace(label[0], '');
    rest = /\sclass="/.test(rest) ? rest.replace(/\sclass="/, ` class="${TIP_CLASS} `) : ` class="${TIP_CLASS}"${rest}`;
    return `<${tag}${rest}><title>${label[1]}</title></${tag}>`;
  });
}
