// The chart behind the "against N" figures (Fig. 9: Services, Fig. 10: policy rules, Fig. 12: cycles per connection): one line per model (and
// implementation), one panel per scenario and test, the mean of each size with its 95% CI as a whisker, on a
// symmetric-log x axis so that 0 sits beside 1, 100 and 10,000.
import type { TopLevelSpec } from 'vega-lite';
import { title } from './spec.ts';
import { CONFIG, INK, lineColor } from './theme.ts';
import { TIP_CHANNEL, formatNumber } from './tips.ts';


/** One mean at one size. */
export interface ScalePoint {
  line: string;
  panel: string;
  size: number;
  mean: number;
  low: number;
  high: number;
  n: number;
  run: string;
  /** The interactive page: the point's hover text, and its line's. */
  tip?: string;
  lineTip?: string;
}

export interface ScaleChart {
  name: string;
  title: string;
  /** Wrapped note lines under the title. */
  notes: string[];
  /** Lines and panels in the order they are drawn. */
  lines: string[];
  panels: string[];
  xTitle: string;
  /** The tooltip title of the line field, e.g. "model, Service datapath". */
  lineTitle: string;
  /** The tooltip title of the size, e.g. "Services". */
  sizeTitle: string;
  tips: boolean;
  /** A log y axis (the caller checks every whisker is above 0): for rates that fall by orders of magnitude. */
  yLog?: boolean;
  /** What the y axis measures (default "Transactions/s"); " (log)" is added on a log axis. */
  yTitle?: string;
  /** What each point averages, for its tooltip (default "rounds"). */
  nTitle?: string;
}

/**
 * A line's hover text on the interactive page: its name and panel, then every size with its mean, 95% CI and count
 * ("1,000: 7,380 (5,283 – 9,478), n = 4"), sizes ascending. `what` names the mean ("transactions/s").
 */
export function lineTipText(line: string, panel: string, what: string, sizeWords: string, points: readonly { size: number; mean: number; ci95Low: number; ci95High: number; n: number }[]): string {
  const sorted = [...points].sort((a, b) => a.size - b.size);
  return [line, panel, `mean ${what} (95% CI) by ${sizeWords}:`,
    ...sorted.map((x) => `${formatNumber(x.size, 0)}: ${formatNumber(x.mean, 0)} (${formatNumber(x.ci95Low, 0)} – ${formatNumber(x.ci95High, 0)}), n = ${x.n}`)].join('\n');
}

export function scaleLinesSpec(points: readonly ScalePoint[], c: ScaleChart): TopLevelSpec {
  // Sizes from 1 up sit on a log axis; a 0 among them needs the symmetric log, linear near 0.
  const xScale = points.every((p) => p.size > 0) ? { type: 'log' as const } : { type: 'symlog' as const, constant: 1 };
  const yScale = c.yLog ? { type: 'log' as const } : { zero: false };
  const yTitle = `${c.yTitle ?? 'Transactions/s'}${c.yLog ? ' (log)' : ''}`;
  const x = { field: 'size', type: 'quantitative' as const, scale: xScale, title: c.xTitle, axis: { values: [...new Set(points.map((p) => p.size))].sort((a, b) => a - b), format: ',~d', grid: true } };
  const color = lineColor(c.lines);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    name: c.name,
    title: title(c.title, c.notes),
    config: CONFIG,
    data: { values: points.map((p) => ({ ...p })) },
    facet: { field: 'panel', type: 'nominal', title: null, sort: c.panels, header: { labelFontSize: 11.5, labelColor: INK } },
    columns: 2,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 230,
      height: 150,
      layer: [
        {
          mark: { type: 'line', point: true, strokeWidth: 1.6 },
          encoding: {
            // Two runs with the same line name (two sweeps of one knob) are drawn as two lines, never joined.
            x, color, detail: { field: 'run', type: 'nominal' },
            y: { field: 'mean', type: 'quantitative', title: yTitle, axis: { format: ',~s' }, scale: yScale },
            // Interactive: the line (and the points drawn with it) says every size; the hover targets below, one point.
            ...(c.tips ? { description: { field: 'lineTip', type: 'nominal' as const } } : {}),
            tooltip: [
              { field: 'line', type: 'nominal', title: c.lineTitle },
              { field: 'size', type: 'quantitative', title: c.sizeTitle, format: ',d' },
              { field: 'mean', type: 'quantitative', title: 'mean', format: ',.0f' },
              { field: 'low', type: 'quantitative', title: '95% CI low', format: ',.0f' },
              { field: 'high', type: 'quantitative', title: '95% CI high', format: ',.0f' },
              { field: 'n', type: 'quantitative', title: c.nTitle ?? 'rounds' },
            ],
          },
        },
        {
          mark: { type: 'rule', strokeWidth: 1.1 },
          encoding: { x, color, y: { field: 'low', type: 'quantitative', title: yTitle }, y2: { field: 'high' }, ...(c.tips ? TIP_CHANNEL : {}) },
        },
        // Interactive: invisible points over the drawn ones, larger than they are, each with its point's tip.
        ...(c.tips ? [{
          mark: { type: 'point' as const, filled: true, size: 150, opacity: 0 },
          encoding: { x, y: { field: 'mean', type: 'quantitative' as const, title: yTitle }, ...TIP_CHANNEL },
        }] : []),
      ],
    },
  };
}
