// Drill-down into one profile: which kernel functions decided where the cycles of one model and scenario went —
// the same attribution (src/tools/perf) that splits CPP into the components of Figs. 4–5.
import { join } from 'node:path';
import { soundItems, type LoadedRun } from '../analysis/loadRun.ts';
import { attributeProfile, readPerfScript, type Component } from '../tools/perf/index.ts';
import { COMPONENT_NAMES } from '../charts/index.ts';
import { NotebookStop } from './guard.ts';

export interface TopFunction {
  rank: number;
  /** The frame that decided the sample's component (for 'stack'/'user': the leaf). */
  symbol: string;
  component: Component;
  componentName: string;
  samples: number;
  /** Share of the profile's non-idle samples, percent. */
  busyPct: number;
}

export interface ProfileDrillDown {
  run: string;
  model: string;
  scenario: string;
  event: string;
  samples: number;
  idleSamples: number;
  /** Busy samples of processes outside the measured path (left out of the cycles). */
  foreignSamples: number;
  byComponent: Record<Component, number>;
  top: TopFunction[];
}

/** The top deciding kernel functions of one model's profile, from the first of the runs with a sound one. */
export async function topFunctions(runs: readonly LoadedRun[], model: string, scenario: string, n = 15): Promise<ProfileDrillDown> {
  const found = runs.flatMap((run) => soundItems(run, 'profile').filter((i) => i.test === 'tcp_stream' && i.model === model && i.scenario === scenario).map((item) => ({ run, item })))[0];
  if (!found) {
    const have = runs.flatMap((r) => soundItems(r, 'profile').map((i) => `${i.model} ${i.scenario}`));
    throw new NotebookStop(`no usable profile of ${model} ${scenario}-host in ${runs.map((r) => r.runId).join(', ')}${have.length ? `; profiled: ${have.join(', ')}` : ' (collect with --profile)'}.`);
  }
  const { run, item } = found;
  const rel = item.files.find((f) => f.endsWith('record.perf-script.txt.gz'));
  if (!rel) throw new NotebookStop(`${item.id} has no perf script file among its raw files.`);
  const path = join(run.runDir, rel);
  // Enough symbols per component that the overall top n is exact.
  const a = await attributeProfile(readPerfScript(path, { name: path }), { topN: n });
  const busy = a.samples - a.idleSamples - a.foreignSamples;
  const all = (Object.entries(a.topSymbols) as [Component, { symbol: string; samples: number }[]][])
    .flatMap(([component, list]) => list.map((s) => ({ ...s, component })));
  all.sort((x, y) => y.samples - x.samples || x.symbol.localeCompare(y.symbol));
  return {
    run: run.runId, model, scenario, event: a.events[0] ?? '', samples: a.samples, idleSamples: a.idleSamples, foreignSamples: a.foreignSamples, byComponent: a.byComponent,
    top: all.slice(0, n).map((s, i) => ({ rank: i + 1, symbol: s.symbol, component: s.component, componentName: COMPONENT_NAMES[s.component], samples: s.samples, busyPct: busy > 0 ? (s.samples / busy) * 100 : 0 })),
  };
}
