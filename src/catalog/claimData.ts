// What a claim's test reads: summaries for the evidence text, and the units behind them for the statistics — per
// netperf metric, per CPP component, per packet-event count and per pod launch. A unit is what varies independently
// (see src/analysis/inference.ts): an interleaved run's round (A and B of one round are paired), a run (its mean,
// when a configuration was measured in several runs), or a single observation of an older, blocked run.
import type { Summary } from '../analysis/observations.ts';
import type { LaunchSummary } from '../analysis/launch.ts';
import type { Unit } from '../analysis/inference.ts';
import type { Component } from '../tools/perf/types.ts';
import type { Scenario } from '../testbed/model.ts';

/** A model's mean CPP in one component, over the profiles that measured it. */
export interface CppMean {
  model: string;
  scenario: Scenario;
  component: Component;
  /** Cycles per wire frame. */
  cpp: number;
  totalCpp: number;
  /** The same cycles per skb and per KB received (CppRow). */
  cppPerSkb: number;
  cppPerKB: number;
  /** Share of the busy samples. */
  share: number;
  /** Share of all busy samples that came from processes outside the measured path (left out). */
  foreignShare: number;
  /** Cycles estimated from cpu-clock samples × nominal MHz (no hardware counter). */
  estimated: boolean;
  /** Profiles averaged. */
  runs: number;
}

/** A model's mean per-packet counts from perf stat, over the profiles that measured it. */
export interface PacketEventMean {
  model: string;
  scenario: Scenario;
  fibPer100k: number;
  contextSwitchesPerPacket: number;
  runs: number;
}

/** Why a model × scenario has no usable data of a kind (skipped, failed, damaged raw files, or never planned). */
export interface MissingData {
  model: string;
  scenario: Scenario;
  kind: 'netperf' | 'profile' | 'launch';
  /** The netperf test, for netperf items. */
  test?: string;
  reason: string;
}

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

export function perfUnits(t: ClaimTables, model: string, scenario: Scenario, test: string, metric: string): Unit[] {
  return t.perfUnits.filter((u) => u.model === model && u.scenario === scenario && u.test === test && u.metric === metric);
}

/**
 * The smallest CPP a profile resolves: about one sample's share at this project's sampling rates. A component with
 * no samples in a profile counts as this much, so that "none" compares on a log scale (as "below one sample").
 */
export const CPP_FLOOR = 1;

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
