// Tidy observations from a run's raw netperf output (one row per run × model × scenario × test × rep × metric),
// and their summaries per model × scenario × test × metric: n, mean, sd, 95% CI, median, quartiles, min, max.
import type { ServiceProxy } from '../testbed/services/types.ts';
import * as aq from 'arquero';
import { parseNetperfKeyval } from '../tools/netperf/parse.ts';
import { findModel } from '../testbed/models/index.ts';
import { type LoadedRun, rawText, soundItems } from './loadRun.ts';
import { ci95 } from '../util/stats.ts';
import type { Placement } from '../collect/placement.ts';

export type Metric = 'throughput' | 'transaction_rate' | 'mean_latency' | 'p50_latency' | 'p90_latency' | 'p99_latency' | 'service_demand';

/** One measured number. */
export interface Observation {
  run: string;
  backend: string;
  model: string;
  label: string;
  cni: string;
  scenario: string;
  test: string;
  /** Repetition; in interleaved runs the round. */
  rep: number;
  /** Where the ends ran ("free" in runs that did not pin them). */
  placement: Placement;
  /** In a --sweep services=… run: how many Services its testbed had besides the ones under test. */
  services?: number;
  /** In a --sweep policy-rules=… run: how many rules its testbed's policy had ahead of the test flow's. */
  policyRules?: number;
  /** In a run comparing Service implementations (--proxy A,B): its testbed's. */
  proxy?: ServiceProxy;
  metric: Metric;
  value: number;
  unit: string;
}

/** The headline metric of a test: what stability, stopping and the control ratio are judged on. */
export function headlineMetric(test: string): Metric {
  return test === 'tcp_stream' ? 'throughput' : 'transaction_rate';
}

/**
 * The placement a run's figures show: its only one, or the first of "both" (same). Runs that measured two
 * placements compare them in the stability table; every other table and figure reads one placement per run.
 */
export function primaryPlacement(run: LoadedRun): Placement {
  const p = run.manifest.plan.placement;
  return p === undefined ? 'free' : p === 'both' ? 'same' : p;
}

/** Summary statistics of one model × scenario × test × metric (over repetitions, and runs if several). */
export interface Summary {
  model: string;
  label: string;
  scenario: string;
  test: string;
  metric: Metric;
  unit: string;
  n: number;
  mean: number;
  sd: number;
  ci95Low: number;
  ci95High: number;
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
}

export async function observationsOfRun(run: LoadedRun): Promise<Observation[]> {
  const out: Observation[] = [];
  for (const item of soundItems(run, 'netperf')) {
    const rel = item.files.find((f) => f.endsWith('.netperf.txt'));
    if (!rel) continue;
    const rec = parseNetperfKeyval(await rawText(run, rel), item.test);
    const model = findModel(item.model);
    const base = { run: run.runId, backend: run.manifest.backend, model: item.model, label: model?.label ?? item.model, cni: model?.cni ?? item.model, scenario: item.scenario, test: item.test, rep: item.rep, placement: item.placement ?? 'free', ...(item.services === undefined ? {} : { services: item.services }), ...(item.policyRules === undefined ? {} : { policyRules: item.policyRules }), ...(item.proxy === undefined ? {} : { proxy: item.proxy }) };
    // CPU time of the whole machine per KB or per transaction (netperf -c -C; runs before it was asked for lack it).
    const demand = rec.serviceDemand;
    if (demand) out.push({ ...base, metric: 'service_demand', value: demand.local, unit: demand.units === 'usec/KB' ? 'µs/KB' : 'µs/transaction' });
    if (item.test === 'tcp_stream') {
      out.push({ ...base, metric: 'throughput', value: rec.throughput, unit: 'Mbit/s' });
    } else {
      const add = (metric: Metric, value: number | undefined, unit: string) => { if (value !== undefined) out.push({ ...base, metric, value, unit }); };
      add('transaction_rate', rec.transactionRate ?? rec.throughput, 'transactions/s');
      add('mean_latency', rec.meanLatencyUs, 'µs');
      add('p50_latency', rec.p50LatencyUs, 'µs');
      add('p90_latency', rec.p90LatencyUs, 'µs');
      add('p99_latency', rec.p99LatencyUs, 'µs');
    }
  }
  return out;
}

export function summarize(observations: Observation[]): Summary[] {
  if (observations.length === 0) return [];
  const t = aq
    .from(observations)
    .groupby('model', 'label', 'scenario', 'test', 'metric', 'unit')
    .rollup({
      n: aq.op.count(),
      mean: aq.op.mean('value'),
      sd: aq.op.stdev('value'),
      median: aq.op.median('value'),
      q1: aq.op.quantile('value', 0.25),
      q3: aq.op.quantile('value', 0.75),
      min: aq.op.min('value'),
      max: aq.op.max('value'),
    });
  return (t.objects() as Omit<Summary, 'ci95Low' | 'ci95High'>[]).map((s) => {
    const sd = s.n > 1 ? s.sd : 0;
    return { ...s, sd, ...ci95(s.n, s.mean, sd) };
  });
}
