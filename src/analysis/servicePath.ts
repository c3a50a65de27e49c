// Runs that measured the Service path (collect --proxy/--services/--target, beyond the study): their numbers per
// model, scenario and test with the Service implementation, the number of Services and where the tests went, and
// what installing the Services cost on each node. They are kept out of the study's figures and claims, which compare
// plugins pod to pod with no Service datapath installed.
import { summarize, type Observation, type Summary } from './observations.ts';
import { testbedsOfRun, type LoadedRun } from './loadRun.ts';
import { itemProxy, itemTarget } from '../collect/plan.ts';
import type { ServiceProxy } from '../testbed/services/types.ts';
import type { Target } from '../testbed/topology.ts';

/** Whether a run measured with a Service datapath installed (then it is not one of the study's plan). */
export function isServiceRun(run: LoadedRun): boolean {
  return run.manifest.plan.proxy !== undefined;
}

/** One model × scenario × test × metric of a Service run. */
export interface ServicePathRow extends Summary {
  run: string;
  /** The model's Service implementation; absent for a control, which runs pod to pod without one. */
  proxy?: ServiceProxy;
  services: number;
  target: Target;
}

/** Checking (or loading programs) and loading the rules (or filling maps) on one node of one testbed, ms. */
export interface ServiceSyncRow {
  run: string;
  model: string;
  proxy: ServiceProxy;
  services: number;
  node: string;
  /** Rules (iptables lines, nft rules) or map entries (ebpf) per node. */
  entries: number;
  checkMs: number;
  applyMs: number;
}

/** The rows of one Service run: its observations summarised per configuration, and each testbed's sync timing. */
export async function servicePathOfRun(run: LoadedRun, observations: readonly Observation[]): Promise<{ rows: ServicePathRow[]; sync: ServiceSyncRow[] }> {
  const plan = run.manifest.plan;
  const proxy = plan.proxy!;
  const mine = observations.filter((o) => o.run === run.runId);
  // A sweep's sizes are summarised apart (each item carries its size). Which models had a Service datapath and where
  // their tests went is what the schedule decided for every item (itemTarget): the controls had none and went to the pod.
  // A run comparing implementations (--proxy A,B) also summarises each implementation apart (each item carries its own).
  const points = [...new Map(mine.map((o) => [`${o.proxy ?? ''} ${o.services ?? ''}`, { proxy: o.proxy, services: o.services }])).values()];
  const rows = points.flatMap((p) => summarize(mine.filter((o) => o.proxy === p.proxy && o.services === p.services)).map((s): ServicePathRow => {
    const mode = itemProxy(plan, { model: s.model, ...(p.proxy ? { proxy: p.proxy } : {}) });
    return { ...s, run: run.runId, ...(mode ? { proxy: mode } : {}), services: mode ? p.services ?? proxy.services : 0, target: itemTarget(plan, s.model) ?? 'pod' };
  }));
  const sync: ServiceSyncRow[] = [];
  for (const tb of await testbedsOfRun(run)) {
    if (!tb.services) continue;
    for (const [node, t] of Object.entries(tb.services.apply)) {
      if (t) sync.push({ run: run.runId, model: tb.model, proxy: tb.services.mode, services: tb.services.extra, node, entries: tb.services.ruleCount, checkMs: t.checkMs, applyMs: t.applyMs });
    }
  }
  return { rows, sync };
}
