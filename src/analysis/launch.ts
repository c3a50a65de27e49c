// Pod-launch timings of a run (study Fig. 7), whichever backend took them: each sound launch item becomes one
// LaunchTiming; tidy rows (one per launch × phase) and summaries per backend × model (total with 95% CI, mean of
// each phase, the network set-up share) follow.
import * as aq from 'arquero';
import { findModel } from '../testbed/models/index.ts';
import { localLaunchTiming } from '../launch/local.ts';
import { parseLocalLaunch } from '../collect/rawSchemas.ts';
import { k8sLaunchDeriver } from '../k8s/launchTimes.ts';
import { type LaunchTiming, checkLaunchTiming } from '../launch/record.ts';
import { type LoadedRun, rawText, soundItems } from './loadRun.ts';
import { ci95 } from '../util/stats.ts';

/** One phase of one launch. */
export interface LaunchRow {
  run: string;
  backend: string;
  model: string;
  label: string;
  launch: number;
  phase: string;
  /** Position of the phase in its launch (0 first), for ordering stacks. */
  order: number;
  startMs: number;
  ms: number;
  network: boolean;
  totalMs: number;
}

export interface LaunchPhaseMean {
  phase: string;
  order: number;
  meanMs: number;
  network: boolean;
}

/** Launch time of one backend × model over its launches (and runs). */
export interface LaunchSummary {
  backend: string;
  model: string;
  label: string;
  n: number;
  meanMs: number;
  sdMs: number;
  ci95Low: number;
  ci95High: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  phases: LaunchPhaseMean[];
  /** Mean share of the total spent in phases that set up the network (0–1). */
  networkShare: number;
  /** Mean tear-down time where it was timed. */
  teardownMeanMs?: number;
  /** k8s: how many launches were timed on each clock (LaunchTiming.clock: client-watch or object-timestamps). */
  clocks?: Record<string, number>;
}

/** A launch item whose raw data could not be turned into a timing, and why. */
export interface LaunchProblem {
  item: string;
  reason: string;
}

export type LaunchDeriver = (run: LoadedRun, files: string[], meta: { model: string; index: number }) => Promise<LaunchTiming>;

const deriveLocal: LaunchDeriver = async (run, files) => {
  const rel = files.find((f) => f.endsWith('.json'));
  if (!rel) throw new Error('no launch record among its files');
  return localLaunchTiming(parseLocalLaunch(await rawText(run, rel), rel));
};

/** How each backend's launch items become timings: the testbed's own records, or a pod and its events (src/k8s). */
const DERIVERS = new Map<string, LaunchDeriver>([['local', deriveLocal], ['k8s', k8sLaunchDeriver]]);

/** Timings of a run's sound launch items, and the items that could not be read. */
export async function launchTimingsOfRun(run: LoadedRun): Promise<{ timings: LaunchTiming[]; problems: LaunchProblem[] }> {
  const timings: LaunchTiming[] = [];
  const problems: LaunchProblem[] = [];
  const derive = DERIVERS.get(run.manifest.backend);
  for (const item of soundItems(run, 'launch')) {
    const id = `${run.runId}/${item.id}`;
    if (!derive) { problems.push({ item: id, reason: `no launch analysis for the ${run.manifest.backend} backend` }); continue; }
    try {
      const t = await derive(run, item.files, { model: item.model, index: item.rep });
      const bad = checkLaunchTiming(t);
      if (bad) problems.push({ item: id, reason: bad });
      else timings.push(t);
    } catch (err) {
      problems.push({ item: id, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return { timings, problems };
}

export function launchRows(runId: string, timings: readonly LaunchTiming[]): LaunchRow[] {
  return timings.flatMap((t) => t.phases.map((p, order): LaunchRow => ({
    run: runId, backend: t.backend, model: t.model, label: findModel(t.model)?.label ?? t.model, launch: t.index,
    phase: p.phase, order, startMs: p.startMs, ms: p.ms, network: p.network, totalMs: t.totalMs,
  })));
}

/** Summaries per backend × model, in the order first seen. */
export function summarizeLaunches(timings: readonly LaunchTiming[]): LaunchSummary[] {
  const groups = new Map<string, LaunchTiming[]>();
  for (const t of timings) {
    const key = `${t.backend}\u0000${t.model}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0]!;
    const totals = aq.from(g.map((t) => ({ v: t.totalMs }))).rollup({
      n: aq.op.count(), mean: aq.op.mean('v'), sd: aq.op.stdev('v'), median: aq.op.median('v'), min: aq.op.min('v'), max: aq.op.max('v'),
    }).object() as { n: number; mean: number; sd: number | null; median: number; min: number; max: number };
    const sd = totals.sd ?? 0;
    const ci = ci95(totals.n, totals.mean, sd);
    const phaseOrder: LaunchPhaseMean[] = [];
    for (const t of g) {
      t.phases.forEach((p, order) => {
        if (!phaseOrder.some((x) => x.phase === p.phase)) phaseOrder.push({ phase: p.phase, order, meanMs: 0, network: p.network });
      });
    }
    // A phase missing from a launch counts as 0 ms there, so the phase means add up to the mean total.
    for (const pm of phaseOrder) pm.meanMs = g.reduce((s, t) => s + (t.phases.find((p) => p.phase === pm.phase)?.ms ?? 0), 0) / g.length;
    const share = g.reduce((s, t) => s + (t.totalMs > 0 ? t.phases.filter((p) => p.network).reduce((a, p) => a + p.ms, 0) / t.totalMs : 0), 0) / g.length;
    const teardowns = g.map((t) => t.teardownMs).filter((x): x is number => x !== undefined);
    const clocks: Record<string, number> = {};
    for (const t of g) if (t.clock) clocks[t.clock] = (clocks[t.clock] ?? 0) + 1;
    return {
      backend: first.backend, model: first.model, label: findModel(first.model)?.label ?? first.model,
      n: totals.n, meanMs: totals.mean, sdMs: sd, ci95Low: ci.ci95Low, ci95High: ci.ci95High,
      medianMs: totals.median, minMs: totals.min, maxMs: totals.max,
      phases: phaseOrder, networkShare: share,
      ...(teardowns.length ? { teardownMeanMs: teardowns.reduce((a, b) => a + b, 0) / teardowns.length } : {}),
      ...(Object.keys(clocks).length ? { clocks } : {}),
    };
  });
}
