// Fig. 7: pod launch time per CNI, stacked by phase (the study's 7a total and 7b breakdown in one chart), the 95%
// CI of the total as a whisker, and a plain statement of what a launch contains on the backend it was measured on.
import type { TopLevelSpec } from 'vega-lite';
import type { LaunchRow, LaunchSummary } from '../analysis/launch.ts';
import { MSG } from './messages.ts';
import { orderModels } from './order.ts';
import type { Layer } from './spec.ts';
import { NOTE_WIDTH, title, wrap } from './spec.ts';
import { BAR_STEP, BAR_WIDTH, CONFIG, INK } from './theme.ts';
import { TIP_CHANNEL, byKeys, digitsOf, formatNumber, tipText } from './tips.ts';

/** Phase names and colours (Okabe–Ito): network set-up phases in saturated hues, the rest in greys and sky blue. */
const PHASES: readonly { phase: string; name: string; color: string }[] = [
  { phase: 'scheduling', name: 'Scheduling', color: '#BBBBBB' },
  { phase: 'sandbox', name: 'Sandbox (network namespace)', color: '#56B4E9' },
  { phase: 'sandbox+network', name: 'Sandbox + CNI ADD', color: '#E69F00' },
  { phase: 'cni-add', name: 'CNI ADD', color: '#E69F00' },
  { phase: 'bpf-endpoint', name: 'BPF endpoint', color: '#CC79A7' },
  { phase: 'policy', name: 'Policy sync', color: '#D55E00' },
  { phase: 'container-start', name: 'Container start', color: '#009E73' },
  { phase: 'readiness', name: 'Readiness', color: '#777777' },
];
const FALLBACK = ['#0072B2', '#F0E442', '#999933', '#882255'];

const NOTES: Record<string, string[]> = {
  local: [
    'Local testbed: no API server, scheduler, kubelet or container runtime, so a launch here is the CNI\'s own part — the pod\'s network namespace, CNI ADD (the reference bridge plugin, or the veth and routes a routed CNI makes), the BPF endpoint or policy re-sync where the model has them — and readiness: the first netperf TCP_RR transaction answered.',
    'The study found this network part to be ≈4.5% of a Kubernetes pod start-up: compare it with that slice, not with the study\'s totals.',
  ],
  k8s: [
    'Kubernetes: from the pod\'s creation to Ready, split at its condition transitions and events (1-second resolution where the API gives no finer time).',
  ],
};

export const LAUNCH_BACKEND_WORDS: Record<string, string> = { local: 'local testbed', k8s: 'Kubernetes' };

/** Milliseconds below 2 s, seconds above: the unit that keeps the axis readable. */
function unitOf(summaries: readonly LaunchSummary[]): { unit: 'ms' | 's'; scale: number; format: string } {
  return Math.max(...summaries.map((s) => s.ci95High)) >= 2000 ? { unit: 's', scale: 1000, format: ',.2f' } : { unit: 'ms', scale: 1, format: ',.1f' };
}

/** Per launch of one backend × model (run by run, in order): each phase's time (0 where a launch lacks it) and the total, ms. */
function launchesOf(rows: readonly LaunchRow[], s: LaunchSummary): { phases: Map<string, number>; totalMs: number }[] {
  const launches = new Map<string, { phases: Map<string, number>; totalMs: number }>();
  for (const r of rows.filter((x) => x.backend === s.backend && x.model === s.model).sort(byKeys((x) => [x.run, x.launch, x.order]))) {
    const key = `${r.run}\0${r.launch}`;
    const l = launches.get(key) ?? { phases: new Map<string, number>(), totalMs: r.totalMs };
    l.phases.set(r.phase, (l.phases.get(r.phase) ?? 0) + r.ms);
    launches.set(key, l);
  }
  return [...launches.values()];
}

/**
 * `repetitions`: the per-launch rows behind the summaries; given, every segment and whisker gets a hover tip with the
 * launches' values (the interactive page).
 */
export function launchSpec(summaries: readonly LaunchSummary[], backend: string, repetitions?: readonly LaunchRow[]): TopLevelSpec {
  const name = backend === 'local' ? 'fig7' : `fig7-${backend}`;
  const mine = summaries.filter((s) => s.backend === backend);
  if (!mine.length) throw new Error(MSG.noRows(name, `${backend} launch timings`));
  const { unit, scale, format } = unitOf(mine);
  const order = orderModels(mine.map((s) => s.model));
  const byModel = order.map((m) => mine.find((s) => s.model === m)!);
  const labels = byModel.map((s) => s.label);
  // Known phases in launch order (a model without one of them simply has no segment), unknown ones after.
  const rank = (p: string) => { const i = PHASES.findIndex((x) => x.phase === p); return i < 0 ? PHASES.length : i; };
  const phaseNames = [...new Set(byModel.flatMap((s) => [...s.phases].sort((a, b) => a.order - b.order).map((p) => p.phase)))]
    .map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map((x) => x.p);
  const known = (p: string) => PHASES.find((x) => x.phase === p);
  const legend = phaseNames.map((p, i) => ({ phase: p, name: known(p)?.name ?? p, color: known(p)?.color ?? FALLBACK[i % FALLBACK.length]! }));
  const f = { unit, digits: digitsOf(format), of: 'launches', one: 'launch' };
  const launches = new Map(byModel.map((s) => [s.model, repetitions ? launchesOf(repetitions, s) : []]));
  const segments = byModel.flatMap((s) => s.phases.filter((p) => p.meanMs > 0).map((p) => ({
    label: s.label, phase: legend.find((l) => l.phase === p.phase)!.name, order: phaseNames.indexOf(p.phase),
    value: p.meanMs / scale, share: s.meanMs > 0 ? p.meanMs / s.meanMs : 0, network: p.network ? 'yes' : 'no',
    ...(repetitions ? {
      tip: tipText([s.label, `${legend.find((l) => l.phase === p.phase)!.name}${p.network ? ' (network set-up)' : ''}`],
        { mean: p.meanMs / scale, values: launches.get(s.model)!.map((l) => (l.phases.get(p.phase) ?? 0) / scale) }, f,
        [`share of the launch: ${formatNumber(100 * (s.meanMs > 0 ? p.meanMs / s.meanMs : 0), 1)}%`]),
    } : {}),
  })));
  const totals = byModel.map((s) => ({
    label: s.label, total: s.meanMs / scale, low: s.ci95Low / scale, high: s.ci95High / scale, n: s.n,
    text: (s.meanMs / scale).toLocaleString('en-US', { minimumFractionDigits: unit === 's' ? 2 : 1, maximumFractionDigits: unit === 's' ? 2 : 1 }),
    network: s.networkShare,
    ...(repetitions ? {
      tip: tipText([s.label, 'Whole launch (the whisker: 95% CI of the mean)'],
        { mean: s.meanMs / scale, low: s.ci95Low / scale, high: s.ci95High / scale, values: launches.get(s.model)!.map((l) => l.totalMs / scale) }, f,
        [`network set-up: ${formatNumber(100 * s.networkShare, 1)}% of the launch, on average`]),
    } : {}),
  }));
  const axis = `Pod launch time (${unit}), mean of launches`;
  const y = { field: 'label', type: 'nominal' as const, sort: labels, title: null, axis: { labelFontSize: 11.5, ticks: false, domain: false, labelPadding: 6 } };
  const layers: Layer[] = [
    {
      data: { values: segments },
      mark: { type: 'bar', height: { band: 0.72 }, stroke: 'white', strokeWidth: 0.6 },
      encoding: {
        y,
        x: { field: 'value', type: 'quantitative', stack: 'zero', title: axis, axis: { grid: true, format: ',~f' } },
        color: {
          field: 'phase', type: 'nominal', title: 'Phase',
          scale: { domain: legend.map((l) => l.name), range: legend.map((l) => l.color) },
          legend: { orient: 'bottom', direction: 'horizontal', columns: 3, symbolType: 'square', symbolStrokeColor: '#888888', symbolStrokeWidth: 0.5 },
        },
        order: { field: 'order', type: 'quantitative' },
        tooltip: [
          { field: 'label', type: 'nominal', title: 'model' },
          { field: 'phase', type: 'nominal' },
          { field: 'value', type: 'quantitative', title: `mean (${unit})`, format },
          { field: 'share', type: 'quantitative', title: 'share of launch', format: '.1%' },
          { field: 'network', type: 'nominal', title: 'network set-up' },
        ],
        ...(repetitions ? TIP_CHANNEL : {}),
      },
    },
    {
      data: { values: totals },
      mark: { type: 'rule', color: INK, strokeWidth: 1.1 },
      encoding: {
        y,
        x: { field: 'low', type: 'quantitative', title: axis },
        x2: { field: 'high' },
        tooltip: [
          { field: 'label', type: 'nominal', title: 'model' },
          { field: 'total', type: 'quantitative', title: `mean total (${unit})`, format },
          { field: 'low', type: 'quantitative', title: '95% CI low', format },
          { field: 'high', type: 'quantitative', title: '95% CI high', format },
          { field: 'n', type: 'quantitative', title: 'launches' },
          { field: 'network', type: 'quantitative', title: 'network set-up share', format: '.1%' },
        ],
        ...(repetitions ? TIP_CHANNEL : {}),
      },
    },
    {
      data: { values: totals },
      mark: { type: 'text', aria: false, align: 'left', baseline: 'middle', dx: 5, fontSize: 10.5, fontWeight: 'bold', color: INK },
      encoding: { y, x: { field: 'high', type: 'quantitative', title: axis }, text: { field: 'text', type: 'nominal' } },
    },
  ];
  const notes = (NOTES[backend] ?? []).flatMap((n) => wrap(n, NOTE_WIDTH));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    name,
    title: title(`Fig. 7 — Pod launch time by phase, ${LAUNCH_BACKEND_WORDS[backend] ?? backend}`, [...notes, 'Bars: mean time of each phase; whisker: 95% CI of the total; number: the mean total.']),
    config: CONFIG,
    width: BAR_WIDTH,
    height: { step: BAR_STEP },
    layer: layers,
  };
}
