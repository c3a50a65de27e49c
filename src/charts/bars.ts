// One horizontal bar per model, reference points grey and dashed, optional 95% CI error bars, value at the bar end:
// the shape shared by Fig. 3 and Fig. 6.
import type { TopLevelSpec } from 'vega-lite';
import { MODELS } from '../testbed/models/index.ts';
import type { Layer } from './spec.ts';
import { title } from './spec.ts';
import { BAR_STEP, BAR_WIDTH, CONFIG, INK, MODEL_COLOR, MUTED, REFERENCE_COLOR, REFERENCE_STROKE } from './theme.ts';
import { isReference, orderModels } from './order.ts';
import { TIP_CHANNEL } from './tips.ts';

const KIND_CNI = 'CNI model';
const KIND_REFERENCE = 'Reference (not a CNI)';

/** One bar: a model's value, its interval if any, and extra fields shown in the tooltip. */
export interface BarDatum {
  model: string;
  label: string;
  value: number;
  low?: number;
  high?: number;
  /** Extra tooltip fields, e.g. n and sd; their names are the tooltip's labels. */
  details?: Record<string, number | string>;
  /** The interactive page's hover text (src/charts/tips.ts); static figures have none. */
  tip?: string;
}

export interface BarChartOptions {
  /** Figure id, used in error messages and as the spec's name. */
  name: string;
  title: string;
  subtitle: readonly string[];
  /** Value axis title, with its unit. */
  axisTitle: string;
  /** d3-format of values (labels, tooltip). */
  format: string;
  errorBars: boolean;
}

type Row = Record<string, number | string> & { model: string; label: string; kind: string; value: number; low: number; high: number; text: string };

function fmt(value: number, format: string): string {
  // The figures only use ",.Nf" formats; toLocaleString gives the same text without a d3-format dependency.
  const m = /^,\.(\d)f$/.exec(format);
  const digits = m ? Number(m[1]) : 0;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The subtitle line that explains grey bars, from the registry's own descriptions of the references present. */
export function referenceNote(modelIds: readonly string[]): string | undefined {
  const refs = MODELS.filter((m) => isReference(m.id) && modelIds.includes(m.id));
  if (!refs.length) return undefined;
  const about = (s: string) => s.charAt(0).toLowerCase() + s.slice(1).replace(/\.$/, '');
  return `Grey, dashed: reference points, not CNIs — ${refs.map((m) => `${m.label} (${about(m.summary)})`).join('; ')}.`;
}

export function barChart(data: readonly BarDatum[], opts: BarChartOptions): TopLevelSpec {
  const order = orderModels(data.map((d) => d.model));
  const rows: Row[] = order.map((id) => {
    const d = data.find((x) => x.model === id)!;
    return {
      ...d.details,
      model: d.model,
      label: d.label,
      kind: isReference(d.model) ? KIND_REFERENCE : KIND_CNI,
      value: d.value,
      low: d.low ?? d.value,
      high: d.high ?? d.value,
      text: fmt(d.value, opts.format),
      ...(d.tip === undefined ? {} : { tip: d.tip }),
    };
  });
  // Interactive: the bar and its whisker are labelled with the tip, which becomes their SVG <title>.
  const tips = data.some((d) => d.tip !== undefined) ? TIP_CHANNEL : {};
  const labels = rows.map((r) => r.label);
  const detailFields = [...new Set(data.flatMap((d) => Object.keys(d.details ?? {})))];
  const y = { field: 'label', type: 'nominal' as const, sort: labels, title: null, axis: { labelFontSize: 11.5, ticks: false, domain: false, labelPadding: 6 } };
  const references = rows.filter((r) => r.kind === KIND_REFERENCE);
  const layers: Layer[] = [];
  if (references.length) {
    // A dashed rule through the whole plot at each reference value, so every CNI bar can be compared with it.
    layers.push({
      data: { values: references },
      mark: { type: 'rule', aria: false, strokeDash: [5, 4], color: REFERENCE_STROKE, strokeWidth: 1.2 },
      encoding: { x: { field: 'value', type: 'quantitative', title: opts.axisTitle } },
    });
  }
  layers.push({
    mark: { type: 'bar', height: { band: 0.72 }, strokeWidth: 1.2 },
    encoding: {
      y,
      x: { field: 'value', type: 'quantitative', title: opts.axisTitle, scale: { zero: true, nice: true }, axis: { grid: true, format: ',~f' } },
      // The legend only earns its place when there is something grey to explain.
      fill: { field: 'kind', type: 'nominal', title: null, scale: { domain: [KIND_CNI, KIND_REFERENCE], range: [MODEL_COLOR, REFERENCE_COLOR] }, legend: references.length ? { orient: 'top', direction: 'horizontal', symbolType: 'square' } : null },
      stroke: { field: 'kind', type: 'nominal', scale: { domain: [KIND_CNI, KIND_REFERENCE], range: [MODEL_COLOR, REFERENCE_STROKE] }, ...(references.length ? {} : { legend: null }) },
      strokeDash: { field: 'kind', type: 'nominal', scale: { domain: [KIND_CNI, KIND_REFERENCE], range: [[1, 0], [4, 2]] }, ...(references.length ? {} : { legend: null }) },
      tooltip: [
        { field: 'label', type: 'nominal', title: 'model' },
        { field: 'value', type: 'quantitative', title: 'value', format: opts.format },
        ...(opts.errorBars ? [
          { field: 'low', type: 'quantitative' as const, title: '95% CI low', format: opts.format },
          { field: 'high', type: 'quantitative' as const, title: '95% CI high', format: opts.format },
        ] : []),
        ...detailFields.map((f) => ({ field: f, type: 'nominal' as const, title: f })),
      ],
      ...tips,
    },
  });
  if (opts.errorBars) {
    layers.push({
      mark: { type: 'errorbar', ticks: true, color: INK, thickness: 1.2 },
      encoding: { y, x: { field: 'low', type: 'quantitative', title: opts.axisTitle }, x2: { field: 'high' }, ...tips },
    });
  }
  layers.push({
    mark: { type: 'text', aria: false, align: 'left', baseline: 'middle', dx: 5, fontSize: 10, color: MUTED },
    encoding: { y, x: { field: 'high', type: 'quantitative', title: opts.axisTitle }, text: { field: 'text', type: 'nominal' } },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    name: opts.name,
    title: title(opts.title, opts.subtitle),
    config: CONFIG,
    width: BAR_WIDTH,
    height: { step: BAR_STEP },
    data: { values: rows },
    layer: layers,
  };
}
