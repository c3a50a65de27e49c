// Figs. 4–5: CPU cycles per packet, stacked by kernel component, one bar per model, total at the bar's end —
// and a plain statement whenever the cycles are an estimate rather than a hardware count.
import type { TopLevelSpec } from 'vega-lite';
import type { CppRow } from '../analysis/cpp.ts';
import { isEstimated, type CppMean } from '../analysis/means.ts';
import type { Scenario } from '../testbed/model.ts';
import { MSG } from './messages.ts';
import { modelLabel, orderModels } from './order.ts';
import type { Layer } from './spec.ts';
import { NOTE_WIDTH, title, wrap } from './spec.ts';
import { BAR_STEP, BAR_WIDTH, COMPONENT_COLORS, COMPONENT_NAMES, COMPONENT_ORDER, CONFIG, INK } from './theme.ts';
import { TIP_CHANNEL, byKeys, formatNumber, meanWords, tipText } from './tips.ts';

/** One stacked segment: a model's mean CPP in one component over the profiles that measured it. */
interface Segment {
  model: string;
  label: string;
  component: string;
  order: number;
  cpp: number;
  share: number;
  /** The interactive page's hover text. */
  tip?: string;
}

interface Total {
  model: string;
  label: string;
  total: number;
  text: string;
  runs: number;
}

/** The means as bar segments in the figures' component order, with each bar's total (a model profiled several times, in one run or several, has one bar). */
function bars(means: readonly CppMean[], labelOf: (model: string) => string): { segments: Segment[]; totals: Total[] } {
  const segments: Segment[] = [];
  const totals: Total[] = [];
  for (const model of orderModels(means.map((r) => r.model))) {
    const mine = means.filter((r) => r.model === model);
    const total = mine.reduce((s, r) => s + r.cpp, 0);
    for (const [order, component] of COMPONENT_ORDER.entries()) {
      const cpp = mine.find((r) => r.component === component)?.cpp ?? 0;
      // Zero-width segments would only add invisible marks (and noise in the SVG's descriptions).
      if (cpp > 0) segments.push({ model, label: labelOf(model), component: COMPONENT_NAMES[component], order, cpp, share: total > 0 ? cpp / total : 0 });
    }
    totals.push({ model, label: labelOf(model), total, text: Math.round(total).toLocaleString('en-US'), runs: mine[0]!.runs });
  }
  return { segments, totals };
}

/** Each segment's hover text from the per-profile rows: n profiles, the mean, its 95% CI, each profile's value, and the same for the whole bar. */
function withTips(segments: readonly Segment[], means: readonly CppMean[], rows: readonly CppRow[], words: string): Segment[] {
  const f = { unit: '', digits: 0, of: 'profiles', one: 'profile' };
  return segments.map((sg) => {
    const mean = means.find((m) => m.model === sg.model && COMPONENT_NAMES[m.component] === sg.component)!;
    const mine = rows.filter((r) => r.model === mean.model && r.scenario === mean.scenario).sort(byKeys((r) => [r.run, r.item ?? '']));
    const values = mine.filter((r) => r.component === mean.component).map((r) => r.cpp);
    const totals = [...new Map(mine.map((r) => [`${r.run}/${r.item ?? ''}`, r.totalCpp])).values()];
    const total = meanWords({ mean: mean.totalCpp, values: totals }, f);
    return {
      ...sg,
      tip: tipText([sg.label, `${sg.component}: ${mean.estimated ? 'estimated ' : ''}CPU cycles per packet, ${words}`], { mean: sg.cpp, values }, f, [
        `share of the bar: ${formatNumber(100 * sg.share, 1)}%`,
        `whole bar: mean ${total.mean}, 95% CI ${total.ci}`,
      ]),
    };
  });
}

/** Axis title and notes for how cycles were obtained; mixed inputs mark the estimated models with an asterisk. */
function cyclesWording(means: readonly CppMean[]): { axis: string; notes: string[]; starred: Set<string> } {
  const how = [...new Set(means.flatMap((r) => r.cycles))];
  const estimated = how.filter(isEstimated);
  const measured = how.filter((c) => !isEstimated(c));
  if (!estimated.length) {
    return { axis: 'CPU cycles per packet', notes: [`Cycles per packet from perf (${measured.join('; ')}), split by each component's share of perf samples.`], starred: new Set() };
  }
  const words = `Estimated CPU cycles: hardware cycles were not available, so cycles = perf cpu-clock samples × nominal clock (${estimated.join('; ')}).`;
  if (!measured.length) return { axis: 'Estimated CPU cycles per packet', notes: [words, 'Split by each component\'s share of perf samples.'], starred: new Set() };
  const starred = new Set(means.filter((r) => r.estimated).map((r) => r.model));
  return { axis: 'CPU cycles per packet (* = Estimated)', notes: [`* ${words}`, `Other models: ${measured.join('; ')}.`], starred };
}

const FIGURE: Record<Scenario, { id: string; number: number; words: string }> = {
  intra: { id: 'fig4', number: 4, words: 'intra-host' },
  inter: { id: 'fig5', number: 5, words: 'inter-host' },
};

/**
 * Figs. 4–5 from the per-model means of the derive stage (src/analysis/means.ts). `repetitions`: the per-profile rows
 * behind the means; given, every segment gets a hover tip (the interactive page).
 */
export function cppSpec(means: readonly CppMean[], scenario: Scenario, repetitions?: readonly CppRow[]): TopLevelSpec {
  const fig = FIGURE[scenario];
  const mine = means.filter((r) => r.scenario === scenario);
  if (!mine.length) throw new Error(MSG.noRows(fig.id, `${scenario} CPP rows`));
  const { axis, notes, starred } = cyclesWording(mine);
  const drawn = bars(mine, (m) => modelLabel(m) + (starred.has(m) ? ' *' : ''));
  const totals = drawn.totals;
  const segments = repetitions ? withTips(drawn.segments, mine, repetitions, fig.words) : drawn.segments;
  const labels = totals.map((t) => t.label);
  const present = new Set(segments.map((sg) => sg.component));
  const shown = COMPONENT_ORDER.filter((c) => present.has(COMPONENT_NAMES[c]));
  const y = { field: 'label', type: 'nominal' as const, sort: labels, title: null, axis: { labelFontSize: 11.5, ticks: false, domain: false, labelPadding: 6 } };
  const layers: Layer[] = [
    {
      data: { values: segments },
      mark: { type: 'bar', height: { band: 0.72 }, stroke: 'white', strokeWidth: 0.6 },
      encoding: {
        y,
        x: { field: 'cpp', type: 'quantitative', stack: 'zero', title: axis, axis: { grid: true, format: ',~f' } },
        color: {
          field: 'component', type: 'nominal', title: 'Component',
          // Only the components some model spent cycles in: the legend lists what the bars show.
          scale: { domain: shown.map((c) => COMPONENT_NAMES[c]), range: shown.map((c) => COMPONENT_COLORS[c]) },
          legend: { orient: 'bottom', direction: 'horizontal', columns: 4, symbolType: 'square', symbolStrokeColor: '#888888', symbolStrokeWidth: 0.5 },
        },
        order: { field: 'order', type: 'quantitative' },
        tooltip: [
          { field: 'label', type: 'nominal', title: 'model' },
          { field: 'component', type: 'nominal' },
          { field: 'cpp', type: 'quantitative', title: 'cycles per packet', format: ',.0f' },
          { field: 'share', type: 'quantitative', title: 'share', format: '.1%' },
        ],
        ...(repetitions ? TIP_CHANNEL : {}),
      },
    },
    {
      data: { values: totals },
      mark: { type: 'text', aria: false, align: 'left', baseline: 'middle', dx: 5, fontSize: 10.5, fontWeight: 'bold', color: INK },
      encoding: { y, x: { field: 'total', type: 'quantitative', title: axis }, text: { field: 'text', type: 'nominal' } },
    },
  ];
  const note = notes.flatMap((n) => wrap(n, NOTE_WIDTH));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    name: fig.id,
    title: title(`Fig. ${fig.number} — CPU cycles per packet by component, ${fig.words}`, [...note, 'Total cycles per packet at the end of each bar.']),
    config: CONFIG,
    width: BAR_WIDTH,
    height: { step: BAR_STEP },
    layer: layers,
  };
}
