// Pod launch (Fig. 7) in notebooks: which runs hold launch timings, and the per-model tables behind the figure.
// The timings, summaries and the figure itself come from src/analysis/launch.ts and the report's pipeline.
import { join } from 'node:path';
import type { LaunchRow, LaunchSummary } from '../analysis/launch.ts';
import { runsWith } from './runs.ts';
import { NotebookStop } from './guard.ts';

/** The runs with pod-launch timings, or a stop that says how to collect some. */
export async function launchRuns(dataDir: string): Promise<string[]> {
  const runs = await runsWith('launch', dataDir);
  if (runs.length) return runs;
  throw new NotebookStop(
    `no run in ${join(dataDir, 'runs')} holds pod-launch timings, so there is no Fig. 7 to show. `
    + 'Collect some as root: "sudo npx cnibench collect --tests none --launch" (30 launches per model, about 30 s on the local testbed), '
    + 'or add launch: \'10\' to the plan of notebook 05-collect.ipynb; then run this notebook again from the top.',
  );
}

/** One row per backend × model: launches, mean total with its 95% CI, median, range, network share, tear-down. */
export function launchSummaryRows(summaries: readonly LaunchSummary[]): Record<string, string | number>[] {
  return summaries.map((s) => ({
    backend: s.backend, model: s.label, launches: s.n, 'mean (ms)': s.meanMs, '95% CI (ms)': `${s.ci95Low.toFixed(1)} – ${s.ci95High.toFixed(1)}`,
    'median (ms)': s.medianMs, 'min (ms)': s.minMs, 'max (ms)': s.maxMs, 'network share (%)': s.networkShare * 100,
    'tear-down (ms)': s.teardownMeanMs ?? '',
  }));
}

/** Mean milliseconds of each phase, one row per backend × model, phases as columns in launch order. */
export function launchPhaseRows(summaries: readonly LaunchSummary[]): Record<string, string | number>[] {
  const phases = [...new Set(summaries.flatMap((s) => [...s.phases].sort((a, b) => a.order - b.order).map((p) => p.phase)))];
  return summaries.map((s) => ({
    backend: s.backend, model: s.label,
    ...Object.fromEntries(phases.map((p) => [p, s.phases.find((x) => x.phase === p)?.meanMs ?? 0])),
    total: s.meanMs,
  }));
}

/** Every launch of one model, phases as columns: the rows one bar of Fig. 7 averages. */
export function launchesOf(rows: readonly LaunchRow[], model: string, backend = 'local'): Record<string, string | number>[] {
  const mine = rows.filter((r) => r.model === model && r.backend === backend);
  if (!mine.length) {
    const have = [...new Set(rows.map((r) => `${r.backend}/${r.model}`))].join(', ');
    throw new NotebookStop(`no ${backend} launches of ${model} in these runs${have ? `; launched: ${have}` : ''}.`);
  }
  const phases = [...new Set([...mine].sort((a, b) => a.order - b.order).map((r) => r.phase))];
  const launches = [...new Set(mine.map((r) => `${r.run}\u0000${r.launch}`))];
  return launches.map((key) => {
    const [run, launch] = key.split('\u0000') as [string, string];
    const own = mine.filter((r) => r.run === run && String(r.launch) === launch);
    return { run, launch: Number(launch), ...Object.fromEntries(phases.map((p) => [p, own.find((r) => r.phase === p)?.ms ?? 0])), total: own[0]!.totalMs };
  });
}
