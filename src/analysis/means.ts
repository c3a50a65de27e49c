// Means per model over the profiles that measured it — cycles per packet by component, and per-packet counts — the
// one place profiles are averaged: the figures, tables, notebooks and claims all read these.
import * as aq from 'arquero';
import type { Component } from '../tools/perf/types.ts';
import type { Scenario } from '../testbed/model.ts';
import type { CppRow, PacketEventRow } from './cpp.ts';

/** How a profile's cycles were obtained, as its rows say ("measured: …" or "estimated: …"). */
export function isEstimated(cycles: string): boolean {
  return cycles.startsWith('estimated');
}

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
  /** Cycles estimated from cpu-clock samples × nominal MHz (no hardware counter) in at least one profile. */
  estimated: boolean;
  /** How cycles were obtained, each distinct wording of the profiles once, in first-seen order. */
  cycles: string[];
  /** Profiles averaged. */
  runs: number;
}

/** A model's mean per-packet counts from perf stat, over the profiles that measured it. */
export interface PacketEventMean {
  model: string;
  scenario: Scenario;
  fibPer100k: number;
  contextSwitchesPerPacket: number;
  /** Packets received over all the profiles averaged. */
  packets: number;
  runs: number;
}

/**
 * Per model × scenario × component, the mean over profiles. Every profile has a row for every component (zero where
 * no sample fell), so a mean over rows is the mean over profiles.
 */
export function cppMeans(rows: readonly CppRow[]): CppMean[] {
  if (!rows.length) return [];
  const t = aq.from(rows as CppRow[])
    .groupby('model', 'scenario', 'component')
    .rollup({
      cpp: aq.op.mean('cpp'),
      totalCpp: aq.op.mean('totalCpp'),
      cppPerSkb: aq.op.mean('cppPerSkb'),
      cppPerKB: aq.op.mean('cppPerKB'),
      share: aq.op.mean('share'),
      foreignShare: aq.op.mean('foreignShare'),
      cycles: aq.op.array_agg_distinct('cycles'),
      runs: aq.op.count(),
    });
  return (t.objects() as Omit<CppMean, 'estimated'>[]).map((m) => ({ ...m, estimated: m.cycles.some(isEstimated) }));
}

/** Per model × scenario, the mean FIB lookups per 100,000 packets and context switches per packet over profiles. */
export function packetEventMeans(rows: readonly PacketEventRow[]): PacketEventMean[] {
  if (!rows.length) return [];
  const t = aq.from(rows as PacketEventRow[])
    .groupby('model', 'scenario')
    .rollup({
      fibPer100k: aq.op.mean('fibPer100k'),
      contextSwitchesPerPacket: aq.op.mean('contextSwitchesPerPacket'),
      packets: aq.op.sum('packets'),
      runs: aq.op.count(),
    });
  return t.objects() as PacketEventMean[];
}
