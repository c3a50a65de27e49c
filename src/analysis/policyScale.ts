// Runs that scaled the network policy (collect --policy-rules N or --sweep policy-rules=…, beyond the study): their
// numbers per model, scenario, test and number of rules added to the policy selecting the netperf pods, and what
// installing each node's rule set took. Like the Service runs, they are kept out of the study's figures and claims.
import { summarize, type Observation, type Summary } from './observations.ts';
import { testbedsOfRun, type LoadedRun } from './loadRun.ts';
import { policyRulesApply } from '../collect/plan.ts';
import { findModel } from '../testbed/models/index.ts';
import { policyForm } from '../testbed/kinds/policy/index.ts';

/** Whether a run added rules to the policies (then it is not one of the study's plan). */
export function isPolicyScaleRun(run: LoadedRun): boolean {
  return run.manifest.plan.policyRules !== undefined;
}

/** One model × scenario × test × metric × size of a policy-scale run. */
export interface PolicyScaleRow extends Summary {
  run: string;
  /** Rules added ahead of the one admitting the test flow; absent for a model the option leaves alone (the controls). */
  policyRules?: number;
}

/** Installing one node's policy rule set, as the testbed recorded it. */
export interface PolicyApplyRow {
  run: string;
  model: string;
  policyRules: number;
  node: string;
  /** What the policy is made of: iptables rules and IP sets, or entries of BPF maps (Cilium's). */
  form: 'iptables' | 'bpf-maps';
  /**
   * iptables rules and IP sets of the node's whole rule set (the CNI's base chains included); for BPF maps, the
   * policy-map entries of the node's endpoints and the ipcache entries, and IP sets 0.
   */
  rules: number;
  ipsets: number;
  ipcacheEntries: number;
  ipsetMs: number;
  checkMs: number;
  loadMs: number;
}

export async function policyScaleOfRun(run: LoadedRun, observations: readonly Observation[]): Promise<{ rows: PolicyScaleRow[]; apply: PolicyApplyRow[] }> {
  const plan = run.manifest.plan;
  const mine = observations.filter((o) => o.run === run.runId);
  const sizes = [...new Set(mine.map((o) => o.policyRules))];
  const rows = sizes.flatMap((size) => summarize(mine.filter((o) => o.policyRules === size)).map((s): PolicyScaleRow => {
    const rules = policyRulesApply(s.model) ? size ?? plan.policyRules!.rules : undefined;
    return { ...s, run: run.runId, ...(rules === undefined ? {} : { policyRules: rules }) };
  }));
  const apply: PolicyApplyRow[] = [];
  for (const tb of await testbedsOfRun(run)) {
    for (const [node, p] of Object.entries(tb.policy ?? {})) {
      if (!p || p.loadMs === undefined || !policyRulesApply(tb.model)) continue;
      const model = findModel(tb.model);
      const form = model ? policyForm(model.policy) : 'iptables';
      apply.push({ run: run.runId, model: tb.model, policyRules: tb.policyRules ?? 0, node, form, rules: p.ruleCount, ipsets: p.ipsets ?? 0, ipcacheEntries: p.ipcacheEntries ?? 0, ipsetMs: p.ipsetMs ?? 0, checkMs: p.checkMs ?? 0, loadMs: p.loadMs });
    }
  }
  apply.sort((a, b) => a.model.localeCompare(b.model) || a.policyRules - b.policyRules || a.node.localeCompare(b.node));
  return { rows, apply };
}
