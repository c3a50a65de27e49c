// Throughput and latency in notebooks: the tidy observations as an Arquero table, filtered by model, scenario, test
// and metric, their summaries, and a per-repetition view (every repetition a dot, the mean a tick).
import * as aq from 'arquero';
import type { TopLevelSpec } from 'vega-lite';
import { loadRun } from '../analysis/loadRun.ts';
import { observationsOfRun, summarize, type Observation, type Summary } from '../analysis/observations.ts';
import { isReference, modelLabel, orderModels } from '../charts/index.ts';
import { BAR_STEP, BAR_WIDTH, CONFIG, INK, MODEL_COLOR, REFERENCE_STROKE } from '../charts/theme.ts';
import { title } from '../charts/spec.ts';
import { NotebookStop } from './guard.ts';

/** Which rows to keep; each field one value or a list (absent: all). */
export interface RowFilter {
  run?: string | readonly string[];
  model?: string | readonly string[];
  scenario?: string | readonly string[];
  test?: string | readonly string[];
  metric?: string | readonly string[];
}

type Keyed = { [K in keyof RowFilter]?: string };

function matches<T extends Keyed>(row: T, filter: RowFilter): boolean {
  return (Object.keys(filter) as (keyof RowFilter)[]).every((k) => {
    const want = filter[k];
    if (want === undefined) return true;
    return typeof want === 'string' ? row[k] === want : want.includes(row[k] ?? '');
  });
}

/** Rows of observations or summaries that match the filter, in their order. */
export function pick<T extends Keyed>(rows: readonly T[], filter: RowFilter): T[] {
  return rows.filter((r) => matches(r, filter));
}

/** The tidy observations as an Arquero table (one row per run × model × scenario × test × repetition × metric). */
export function observationTable(rows: readonly Observation[], filter: RowFilter = {}): aq.ColumnTable {
  return aq.from(pick(rows, filter));
}

export interface RepetitionOptions {
  scenario: string;
  test: string;
  /** Default: throughput for tcp_stream, mean latency for the RR tests (as Fig. 3). */
  metric?: string;
}

/** Every repetition of one scenario × test × metric as a dot per model, the mean as a tick: spread, drift, outliers. */
export function repetitionSpec(observations: readonly Observation[], opts: RepetitionOptions): TopLevelSpec {
  const metric = opts.metric ?? (opts.test === 'tcp_stream' ? 'throughput' : 'mean_latency');
  const rows = pick(observations, { scenario: opts.scenario, test: opts.test, metric });
  if (!rows.length) throw new NotebookStop(`no ${opts.scenario}-host ${opts.test} ${metric} observations in these runs; pick a scenario, test and metric the run measured.`);
  const order = orderModels(rows.map((r) => r.model));
  const labels = order.map(modelLabel);
  const values = rows.map((r) => ({ model: r.model, label: modelLabel(r.model), run: r.run, rep: r.rep, value: r.value, kind: isReference(r.model) ? 'reference' : 'CNI' }));
  const y = { field: 'label', type: 'nominal' as const, sort: labels, title: null, axis: { ticks: false, domain: false, labelPadding: 6 } };
  const x = { field: 'value', type: 'quantitative' as const, title: `${metric.replace(/_/g, ' ')} (${rows[0]!.unit})`, scale: { zero: false, nice: true }, axis: { grid: true, format: ',~f' } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    name: `repetitions-${opts.scenario}-${opts.test}-${metric}`,
    title: title(`Every repetition: ${opts.scenario}-host ${opts.test} ${metric.replace(/_/g, ' ')}`, ['One dot per repetition, the tick is the mean; grey: reference points (not CNIs).']),
    config: CONFIG,
    width: BAR_WIDTH,
    height: { step: BAR_STEP },
    data: { values },
    layer: [
      {
        mark: { type: 'circle', size: 36, opacity: 0.6 },
        encoding: {
          y, x,
          color: { field: 'kind', type: 'nominal', scale: { domain: ['CNI', 'reference'], range: [MODEL_COLOR, REFERENCE_STROKE] }, legend: null },
          tooltip: [{ field: 'label', title: 'model' }, { field: 'run' }, { field: 'rep', title: 'repetition' }, { field: 'value', format: ',.2f' }],
        },
      },
      {
        mark: { type: 'tick', color: INK, thickness: 2, size: 16 },
        encoding: { y, x: { aggregate: 'mean', field: 'value', type: 'quantitative', title: x.title } },
      },
    ],
  };
}

/** Summaries of one run's netperf results (mean, sd, 95% CI per model × scenario × test × metric). */
export async function summariesOfRun(runId: string, dataDir: string): Promise<Summary[]> {
  return summarize(await observationsOfRun(await loadRun(dataDir, runId)));
}

/** One line of a two-run comparison: each run's mean and 95% CI, the relative change, and whether the CIs overlap. */
export interface RunComparison {
  model: string;
  scenario: string;
  test: string;
  metric: string;
  unit: string;
  meanA: number;
  ciA: string;
  meanB: number;
  ciB: string;
  /** (B − A) / A, percent. */
  changePct: number;
  /** "overlap" when the two 95% CIs overlap (no clear difference at this n), else "apart". */
  intervals: 'overlap' | 'apart';
}

const ci = (s: Summary) => `${s.ci95Low.toFixed(2)} – ${s.ci95High.toFixed(2)}`;

/** Summaries of run A and run B side by side, for every model × scenario × test × metric both measured. */
export function compareSummaries(a: readonly Summary[], b: readonly Summary[]): RunComparison[] {
  const key = (s: Summary) => `${s.model}|${s.scenario}|${s.test}|${s.metric}`;
  const byKey = new Map(b.map((s) => [key(s), s]));
  return a.flatMap((sa) => {
    const sb = byKey.get(key(sa));
    if (!sb) return [];
    const apart = sa.ci95High < sb.ci95Low || sb.ci95High < sa.ci95Low;
    return [{
      model: sa.model, scenario: sa.scenario, test: sa.test, metric: sa.metric, unit: sa.unit,
      meanA: sa.mean, ciA: ci(sa), meanB: sb.mean, ciB: ci(sb), changePct: ((sb.mean - sa.mean) / sa.mean) * 100,
      intervals: apart ? 'apart' : 'overlap',
    }];
  });
}
