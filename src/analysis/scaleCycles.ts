// Cycles per transaction against the size of a sweep (beyond the study): the request/response profiles of a run that
// swept Services or policy rules (collect --sweep … --profile --profile-tests tcp_crr), each profile's cycles per
// transaction split into the filtering datapath (netfilter: kube-proxy's rules, conntrack, NAT and the CNI's policy;
// eBPF: the socket load balancer and the pod datapath's programs) and the rest, averaged per model, implementation and
// size with a 95% CI over the profiles. With TCP_CRR a transaction is one new connection, so the numbers are cycles
// per connection: the cost a per-connection lookup adds at each size.
import type { CppTransactionRow } from './cpp.ts';
import type { LoadedRun } from './loadRun.ts';
import { itemProxy } from '../collect/plan.ts';
import type { ServiceProxy } from '../testbed/services/types.ts';
import type { Component } from '../tools/perf/types.ts';
import { ci95, mean, sd } from '../util/stats.ts';
import { isEstimated } from './means.ts';

/** What a sweep varied. */
export type ScaleKnob = 'services' | 'policy-rules';

/** The parts of a transaction's cycles the figure follows. */
export const CYCLE_PARTS = ['netfilter', 'ebpf', 'filtering', 'total'] as const;
export type CyclePart = (typeof CYCLE_PARTS)[number];

/** The components each part adds up (`total`: every component, idle and foreign processes left out as in Fig. 4). */
const PART_COMPONENTS: Record<Exclude<CyclePart, 'total'>, readonly Component[]> = {
  netfilter: ['netfilter'],
  ebpf: ['ebpf'],
  filtering: ['netfilter', 'ebpf'],
};

/** One part of one model's cycles per transaction at one size of a sweep, over its profiles. */
export interface ScaleCyclesRow {
  run: string;
  model: string;
  scenario: string;
  test: string;
  knob: ScaleKnob;
  /** Services installed besides the one under test, or rules added to the policy. */
  size: number;
  /** The Service implementation of the profiled testbed (absent: none installed, as in a policy sweep). */
  proxy?: ServiceProxy;
  part: CyclePart;
  /** Mean cycles per transaction of the profiles, with the 95% CI of that mean (a single profile: no interval). */
  mean: number;
  ci95Low: number;
  ci95High: number;
  /** Each profile's value, in item order. */
  values: number[];
  n: number;
  /** Whether the cycles were estimated from cpu-clock samples (no hardware counter, as on this VM). */
  estimated: boolean;
}

/** A row for a CSV file: each profile's value rounded, space-separated in one cell; no implementation: empty. */
export function scaleCyclesCsvRow({ values, ...r }: ScaleCyclesRow): Record<string, string | number | boolean> {
  return { ...r, proxy: r.proxy ?? '', values: values.map((v) => Math.round(v)).join(' ') };
}

/** Whether a profile row was taken at a size of a sweep, and which knob. */
function knobOf(run: LoadedRun, row: CppTransactionRow): { knob: ScaleKnob; size: number } | undefined {
  const plan = run.manifest.plan;
  if (plan.proxy?.sweep && row.services !== undefined) return { knob: 'services', size: row.services };
  if (plan.policyRules?.sweep && row.policyRules !== undefined) return { knob: 'policy-rules', size: row.policyRules };
  return undefined;
}

/** One profile of a sweep: where it was taken and its cycles per transaction by part. */
interface SweepProfile {
  /** The configuration it belongs to (run, model, scenario, test, knob, size, implementation). */
  key: string;
  run: LoadedRun;
  first: CppTransactionRow;
  knob: ScaleKnob;
  size: number;
  proxy?: ServiceProxy;
  parts: Record<CyclePart, number>;
}

/** The rows of every sweep run's request/response profiles (`rows`: the cycles per transaction of those runs). */
export function scaleCyclesOf(runs: readonly LoadedRun[], rows: readonly CppTransactionRow[]): ScaleCyclesRow[] {
  const byRun = new Map(runs.map((r) => [r.runId, r]));
  // One profile: its rows (one per component) share an item.
  const profiles = new Map<string, SweepProfile>();
  for (const row of rows) {
    const run = byRun.get(row.run);
    const at = run && knobOf(run, row);
    if (!run || !at) continue;
    const id = `${row.run}/${row.item}`;
    let p = profiles.get(id);
    if (!p) {
      const proxy = itemProxy(run.manifest.plan, row);
      const key = [row.run, row.model, row.scenario, row.test, at.knob, at.size, proxy ?? ''].join('|');
      p = { key, run, first: row, ...at, ...(proxy ? { proxy } : {}), parts: { netfilter: 0, ebpf: 0, filtering: 0, total: row.totalPerTransaction } };
      profiles.set(id, p);
    }
    for (const [part, components] of Object.entries(PART_COMPONENTS) as [Exclude<CyclePart, 'total'>, readonly Component[]][]) {
      if (components.includes(row.component)) p.parts[part] += row.cppPerTransaction;
    }
  }
  const groups = new Map<string, SweepProfile[]>();
  for (const p of profiles.values()) groups.set(p.key, [...(groups.get(p.key) ?? []), p]);
  const out: ScaleCyclesRow[] = [];
  for (const members of groups.values()) {
    const { run, first, knob, size, proxy } = members[0]!;
    for (const part of CYCLE_PARTS) {
      const values = members.map((m) => m.parts[part]);
      const m = mean(values);
      out.push({
        run: run.runId, model: first.model, scenario: first.scenario, test: first.test, knob, size, ...(proxy ? { proxy } : {}), part,
        mean: m, ...ci95(values.length, m, sd(values)), values, n: values.length, estimated: members.some((x) => isEstimated(x.first.cycles)),
      });
    }
  }
  return out.sort((a, b) => a.run.localeCompare(b.run) || a.model.localeCompare(b.model) || (a.proxy ?? '').localeCompare(b.proxy ?? '') || a.scenario.localeCompare(b.scenario)
    || a.test.localeCompare(b.test) || a.size - b.size || CYCLE_PARTS.indexOf(a.part) - CYCLE_PARTS.indexOf(b.part));
}
