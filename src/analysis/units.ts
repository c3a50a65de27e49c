// The units the findings' tests compare (src/analysis/inference.ts): one value per independent repetition. In an
// interleaved run the unit is the round, shared by every configuration measured in it, so two models of one round
// are compared as a pair (the round is a block). In a blocked run every observation is its own unit. When a
// configuration was measured in several runs, each run's mean is one unit (a run is the unit when pooling runs).
import type { LoadedRun } from './loadRun.ts';
import type { Observation } from './observations.ts';
import type { CppRow, PacketEventRow } from './cpp.ts';
import type { LaunchTiming } from '../launch/record.ts';
import type { Unit } from './inference.ts';
import type { Component } from '../tools/perf/types.ts';
import type { Scenario } from '../testbed/model.ts';
import { mean } from '../util/stats.ts';

/** One unit's value of a netperf metric. */
export interface PerfUnit extends Unit {
  model: string;
  scenario: Scenario;
  test: string;
  metric: string;
}

/** One profile's CPP of a component (component "total": the model's total CPP in that profile). */
export interface CppUnit extends Unit {
  model: string;
  scenario: Scenario;
  component: Component | 'total';
}

/** One profile's per-packet counts. */
export interface EventUnit extends Unit {
  model: string;
  scenario: Scenario;
  event: 'fib' | 'switches';
}

/** One pod launch (unit: run/launch index), its total time and the share its network phases took. */
export interface LaunchUnit extends Unit {
  backend: string;
  model: string;
  networkShare: number;
}

const interleaved = (run: LoadedRun | undefined) => run?.manifest.plan.schedule?.order === 'interleaved';

/** Collapses a series that spans several runs into one unit per run (its mean); a series of one run stays as it is. */
function poolRuns<T extends { unit: string; value: number; run: string }>(series: readonly T[]): T[] {
  const runs = [...new Set(series.map((s) => s.run))];
  if (runs.length < 2) return [...series];
  return runs.map((run) => {
    const mine = series.filter((s) => s.run === run);
    return { ...mine[0]!, unit: run, value: mean(mine.map((s) => s.value)) };
  });
}

function group<T>(rows: readonly T[], key: (r: T) => string): T[][] {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(key(r), [...(out.get(key(r)) ?? []), r]);
  return [...out.values()];
}

const strip = <T extends { run: string }>(r: T): Omit<T, 'run'> => { const { run: _run, ...rest } = r; return rest; };

export function perfUnitsOf(runs: readonly LoadedRun[], observations: readonly Observation[]): PerfUnit[] {
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const raw = observations.map((o) => ({
    run: o.run, model: o.model, scenario: o.scenario as PerfUnit['scenario'], test: o.test, metric: o.metric, value: o.value,
    unit: interleaved(byId.get(o.run)) ? `${o.run}#r${o.rep}` : `${o.run}#${o.model}/${o.scenario}/${o.test}#${o.rep}`,
  }));
  return group(raw, (r) => `${r.model}|${r.scenario}|${r.test}|${r.metric}`).flatMap((g) => poolRuns(g).map(strip));
}

/** A profile's round (its repetition) in an interleaved run, so profiles of one round pair up; else the profile itself. */
function profileUnit(runs: Map<string, LoadedRun>, run: string, item: string | undefined): string {
  const r = runs.get(run);
  const rec = r?.manifest.items.find((i) => i.id === item);
  return interleaved(r) && rec ? `${run}#r${rec.rep}` : `${run}/${item ?? ''}`;
}

export function cppUnitsOf(runs: readonly LoadedRun[], rows: readonly CppRow[]): CppUnit[] {
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const raw: (CppUnit & { run: string })[] = [];
  for (const r of rows) {
    const unit = profileUnit(byId, r.run, r.item);
    raw.push({ run: r.run, unit, model: r.model, scenario: r.scenario as CppUnit['scenario'], component: r.component, value: r.cpp });
    // Every component row of a profile carries its total: take it once, with the first component.
    if (!raw.some((x) => x.unit === unit && x.model === r.model && x.scenario === r.scenario && x.component === 'total')) {
      raw.push({ run: r.run, unit, model: r.model, scenario: r.scenario as CppUnit['scenario'], component: 'total', value: r.totalCpp });
    }
  }
  return group(raw, (r) => `${r.model}|${r.scenario}|${r.component}`).flatMap((g) => poolRuns(g).map(strip));
}

export function eventUnitsOf(runs: readonly LoadedRun[], rows: readonly PacketEventRow[]): EventUnit[] {
  const byId = new Map(runs.map((r) => [r.runId, r]));
  const raw = rows.flatMap((r) => {
    const unit = profileUnit(byId, r.run, r.item);
    const base = { run: r.run, unit, model: r.model, scenario: r.scenario as EventUnit['scenario'] };
    return [{ ...base, event: 'fib' as const, value: r.fibPer100k }, { ...base, event: 'switches' as const, value: r.contextSwitchesPerPacket }];
  });
  return group(raw, (r) => `${r.model}|${r.scenario}|${r.event}`).flatMap((g) => poolRuns(g).map(strip));
}

/** One unit per launch (launches of one model follow each other; they are not paired with other models'). */
export function launchUnitsOf(timings: readonly (LaunchTiming & { run: string })[]): LaunchUnit[] {
  return timings.map((t) => ({
    unit: `${t.run}/${t.model}/${t.index}`, backend: t.backend, model: t.model, value: t.totalMs,
    networkShare: t.totalMs > 0 ? t.phases.filter((p) => p.network).reduce((s, p) => s + p.ms, 0) / t.totalMs : NaN,
  }));
}
