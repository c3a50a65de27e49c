// What a claim's test reads: summaries for the evidence text, and the units behind them for the statistics — per
// netperf metric, per CPP component, per packet-event count and per pod launch. A unit is what varies independently
// (see src/analysis/inference.ts): an interleaved run's round (A and B of one round are paired), a run (its mean,
// when a configuration was measured in several runs), or a single observation of an older, blocked run.
import type { DerivedTables, MissingData } from '../analysis/derive.ts';
import type { Summary } from '../analysis/observations.ts';
import type { LaunchSummary } from '../analysis/launch.ts';
import type { Unit } from '../analysis/inference.ts';
import type { CppMean, PacketEventMean } from '../analysis/means.ts';
import type { CppUnit, EventUnit, LaunchUnit, PerfUnit } from '../analysis/units.ts';
import type { Component } from '../tools/perf/types.ts';
import type { Scenario } from '../testbed/model.ts';

/** Everything a claim's test may look at. */
export interface ClaimTables {
  summaries: readonly Summary[];
  cpp: readonly CppMean[];
  packetEvents: readonly PacketEventMean[];
  missing: readonly MissingData[];
  /** Pod-launch summaries per backend × model. */
  launches: readonly LaunchSummary[];
  perfUnits: readonly PerfUnit[];
  cppUnits: readonly CppUnit[];
  eventUnits: readonly EventUnit[];
  launchUnits: readonly LaunchUnit[];
}

/** The tables of the derive stage a claim reads. */
export function claimTables(d: DerivedTables): ClaimTables {
  return { summaries: d.summaries, cpp: d.cppMeans, packetEvents: d.packetEventMeans, missing: d.missing, launches: d.launches, ...d.units };
}

export function perfUnits(t: ClaimTables, model: string, scenario: Scenario, test: string, metric: string): Unit[] {
  return t.perfUnits.filter((u) => u.model === model && u.scenario === scenario && u.test === test && u.metric === metric);
}

/**
 * The smallest CPP a profile resolves: about one sample's share at this project's sampling rates. A component with
 * no samples in a profile counts as this much, so that "none" compares on a log scale (as "below one sample").
 */
const CPP_FLOOR = 1;

export function cppUnits(t: ClaimTables, model: string, scenario: Scenario, component: Component | 'total'): Unit[] {
  return t.cppUnits
    .filter((u) => u.model === model && u.scenario === scenario && u.component === component)
    .map((u) => ({ unit: u.unit, value: Math.max(CPP_FLOOR, u.value) }));
}

export function eventUnits(t: ClaimTables, model: string, scenario: Scenario, event: EventUnit['event']): Unit[] {
  return t.eventUnits.filter((u) => u.model === model && u.scenario === scenario && u.event === event);
}

/** Sums, unit by unit, of several series measured on the same units (FIB + IP forwarding of one profile). */
export function sumUnits(...series: readonly Unit[][]): Unit[] {
  const [first, ...rest] = series;
  if (!first) return [];
  return first.flatMap((u) => {
    const others = rest.map((s) => s.find((x) => x.unit === u.unit));
    return others.every(Boolean) ? [{ unit: u.unit, value: u.value + others.reduce((a, o) => a + o!.value, 0) }] : [];
  });
}
