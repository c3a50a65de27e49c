// Tidy observations from a run's raw netperf output (one row per run × model × scenario × test × rep × metric),
// and their summaries per model × scenario × test × metric: n, mean, sd, 95% CI, median, quartiles, min, max.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as aq from 'arquero';
import { parseNetperfKeyval } from '../tools/netperf/parse.ts';
import { findModel } from '../testbed/models/index.ts';
import { type LoadedRun, soundItems } from './loadRun.ts';

export type Metric = 'throughput' | 'transaction_rate' | 'mean_latency' | 'p50_latency' | 'p90_latency' | 'p99_latency';

/** One measured number. */
export interface Observation {
  run: string;
  backend: string;
  model: string;
  label: string;
  cni: string;
  scenario: string;
  test: string;
  rep: number;
  metric: Metric;
  value: number;
  unit: string;
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
    const rec = parseNetperfKeyval(await readFile(join(run.runDir, rel), 'utf8'), item.test);
    const model = findModel(item.model);
    const base = { run: run.runId, backend: run.manifest.backend, model: item.model, label: model?.label ?? item.model, cni: model?.cni ?? item.model, scenario: item.scenario, test: item.test, rep: item.rep };
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

/** Student's t quantile for a two-sided 95% interval (exact table up to 30 degrees of freedom, normal beyond). */
export function t975(df: number): number {
  const table = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  if (df < 1) return NaN;
  if (df <= 30) return table[df]!;
  if (df <= 60) return 2.042 - ((df - 30) * (2.042 - 2.0)) / 30;
  if (df <= 120) return 2.0 - ((df - 60) * (2.0 - 1.98)) / 60;
  return 1.96;
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
    const half = s.n > 1 ? (t975(s.n - 1) * sd) / Math.sqrt(s.n) : 0;
    return { ...s, sd, ci95Low: s.mean - half, ci95High: s.mean + half };
  });
}
