// Fig. 3a–f: TCP throughput and TCP/UDP round-trip latency per model, intra- and inter-host, with 95% CIs.
import type { TopLevelSpec } from 'vega-lite';
import type { Metric, Observation, Summary } from '../analysis/observations.ts';
import type { Scenario } from '../testbed/model.ts';
import { NETPERF_TEST_NAME } from '../tools/netperf/types.ts';
import { barChart, referenceNote, type BarDatum } from './bars.ts';
import { MSG } from './messages.ts';
import { NOTE_WIDTH, wrap } from './spec.ts';
import { byKeys, digitsOf, formatNumber, tipText } from './tips.ts';

export type PerfTest = 'tcp_stream' | 'tcp_rr' | 'udp_rr';

export interface PerformanceOptions {
  scenario: Scenario;
  test: PerfTest;
  /** Default: throughput for tcp_stream, mean latency for the RR tests (the study's panels). */
  metric?: Metric;
  /** The observations behind the summaries: given, every bar gets a hover tip with them (the interactive page). */
  repetitions?: readonly Observation[];
}

export type Fig3PanelId = 'fig3a' | 'fig3b' | 'fig3c' | 'fig3d' | 'fig3e' | 'fig3f';

/** One panel of Fig. 3: what it plots and its caption title. */
export interface Fig3Panel {
  id: Fig3PanelId;
  panel: 'a' | 'b' | 'c' | 'd' | 'e' | 'f';
  scenario: Scenario;
  test: PerfTest;
  metric: Metric;
  title: string;
}

const SCENARIO_WORDS: Record<Scenario, string> = { intra: 'Intra-host', inter: 'Inter-host' };
const PROTOCOL: Record<PerfTest, string> = { tcp_stream: 'TCP', tcp_rr: 'TCP', udp_rr: 'UDP' };

const METRIC_WORDS: Record<Metric, { what: string; better: 'higher' | 'lower' }> = {
  throughput: { what: 'Throughput', better: 'higher' },
  transaction_rate: { what: 'Transaction rate', better: 'higher' },
  mean_latency: { what: 'Mean round-trip latency', better: 'lower' },
  p50_latency: { what: 'Median round-trip latency', better: 'lower' },
  p90_latency: { what: '90th-percentile round-trip latency', better: 'lower' },
  p99_latency: { what: '99th-percentile round-trip latency', better: 'lower' },
  service_demand: { what: 'CPU time per unit of work (service demand)', better: 'lower' },
};

export function defaultMetric(test: PerfTest): Metric {
  return test === 'tcp_stream' ? 'throughput' : 'mean_latency';
}

function panelTitle(scenario: Scenario, test: PerfTest, metric: Metric): string {
  const what = metric === 'throughput' ? 'throughput' : METRIC_WORDS[metric].what.toLowerCase();
  return `${SCENARIO_WORDS[scenario]} ${PROTOCOL[test]} ${what} (${NETPERF_TEST_NAME[test]})`;
}

/** The six panels of Fig. 3: a–c intra-host, d–f inter-host; TCP throughput, TCP RR and UDP RR latency. */
export function fig3Panels(): Fig3Panel[] {
  const letters = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
  const panels: Fig3Panel[] = [];
  for (const scenario of ['intra', 'inter'] as const) {
    for (const test of ['tcp_stream', 'tcp_rr', 'udp_rr'] as const) {
      const panel = letters[panels.length]!;
      const metric = defaultMetric(test);
      panels.push({ id: `fig3${panel}`, panel, scenario, test, metric, title: `(${panel}) ${panelTitle(scenario, test, metric)}` });
    }
  }
  return panels;
}

/** Throughput in Gbit/s once any bar reaches 1 Gbit/s (fewer digits to read), else Mbit/s; other units as measured. */
function displayUnit(rows: readonly Summary[], metric: Metric): { unit: string; scale: number; format: string } {
  const unit = rows[0]!.unit;
  if (metric === 'throughput' && unit === 'Mbit/s' && Math.max(...rows.map((r) => r.ci95High)) >= 1000) return { unit: 'Gbit/s', scale: 1e-3, format: ',.2f' };
  if (metric === 'transaction_rate') return { unit, scale: 1, format: ',.0f' };
  return { unit, scale: 1, format: metric === 'throughput' ? ',.0f' : ',.1f' };
}

function nNote(rows: readonly Summary[]): string {
  const ns = rows.map((r) => r.n);
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  return `n = ${lo === hi ? lo : `${lo}–${hi}`} repetition${hi === 1 ? '' : 's'} per bar`;
}

/** A bar's hover text: n, mean, 95% CI and every repetition (run by run, in order), in the figure's unit. */
function barTip(s: Summary, observations: readonly Observation[], what: string, u: { unit: string; scale: number; format: string }): string {
  const values = observations
    .filter((o) => o.model === s.model && o.scenario === s.scenario && o.test === s.test && o.metric === s.metric)
    .sort(byKeys((o) => [o.run, o.rep]))
    .map((o) => o.value * u.scale);
  const digits = digitsOf(u.format);
  return tipText([s.label, `${what} (${NETPERF_TEST_NAME[s.test as PerfTest] ?? s.test}, ${s.scenario}-host)`],
    { mean: s.mean * u.scale, low: s.ci95Low * u.scale, high: s.ci95High * u.scale, values },
    { unit: u.unit, digits, of: 'repetitions', one: 'repetition' },
    [`median: ${formatNumber(s.median * u.scale, digits)} ${u.unit}, sd ${formatNumber(s.sd * u.scale, digits)}`]);
}

export function performanceSpec(summaries: readonly Summary[], opts: PerformanceOptions): TopLevelSpec {
  const metric = opts.metric ?? defaultMetric(opts.test);
  const panel = fig3Panels().find((p) => p.scenario === opts.scenario && p.test === opts.test && p.metric === metric);
  const name = panel?.id ?? `fig3-${opts.scenario}-${opts.test}-${metric}`;
  const rows = summaries.filter((s) => s.scenario === opts.scenario && s.test === opts.test && s.metric === metric);
  if (!rows.length) throw new Error(MSG.noRows(name, `${opts.scenario} ${opts.test} ${metric} summaries`));
  const { unit, scale, format } = displayUnit(rows, metric);
  const words = METRIC_WORDS[metric];
  const data: BarDatum[] = rows.map((s) => ({
    model: s.model,
    label: s.label,
    value: s.mean * scale,
    low: s.ci95Low * scale,
    high: s.ci95High * scale,
    details: { n: s.n, sd: Number((s.sd * scale).toPrecision(3)), median: Number((s.median * scale).toPrecision(4)), unit },
    ...(opts.repetitions ? { tip: barTip(s, opts.repetitions, words.what, { unit, scale, format }) } : {}),
  }));
  const subtitle = [
    `Bars: mean (${words.better} is better); error bars: 95% confidence interval of the mean; ${nNote(rows)}.`,
    ...wrap(referenceNote(rows.map((r) => r.model)) ?? '', NOTE_WIDTH),
  ];
  const heading = panel ? `Fig. 3${panel.panel} — ${panelTitle(opts.scenario, opts.test, metric)}` : panelTitle(opts.scenario, opts.test, metric);
  return barChart(data, { name, title: heading, subtitle, axisTitle: `${words.what} (${unit})`, format, errorBars: true });
}
