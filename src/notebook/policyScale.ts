// Policy at scale (beyond the study) in notebooks: which runs added rules to the pods' network policy, and the tables
// behind Fig. 10. The rows themselves come from src/analysis/policyScale.ts through the report's pipeline.
import { join } from 'node:path';
import type { PolicyApplyRow, PolicyScaleRow } from '../analysis/policyScale.ts';
import { scaleRuns } from './runs.ts';
import { NotebookStop } from './guard.ts';

/** Runs that scaled the policies and have finished netperf items, newest sweep first, or a stop that says how to collect one. */
export async function policyRuns(dataDir: string): Promise<string[]> {
  const found = await scaleRuns(dataDir, (m) => (m.plan.policyRules ? m.plan.policyRules.sweep ?? [] : undefined));
  if (found.length) return found;
  throw new NotebookStop(
    `no run in ${join(dataDir, 'runs')} added rules to the network policies, so there is no Fig. 10 to show. `
    + 'Collect one as root: "sudo npx cnibench collect --cni calico-wp,weave,kube-router,cilium-wp --scenario intra --tests tcp_crr,tcp_rr --sweep policy-rules=10,100,1000,10000" '
    + '(about 40 minutes); then run this notebook again from the top.',
  );
}

/** One row per run × model × scenario × test × size: the headline metric with its 95% CI. */
export function policyScaleTable(rows: readonly PolicyScaleRow[]): Record<string, string | number>[] {
  return rows.filter((r) => r.metric === 'transaction_rate' || r.metric === 'throughput').map((r) => ({
    run: r.run, model: r.label, scenario: r.scenario, test: r.test, 'policy rules': r.policyRules ?? '– (control)',
    n: r.n, mean: r.mean, '95% CI': `${r.ci95Low.toFixed(0)} – ${r.ci95High.toFixed(0)}`, unit: r.unit,
  }));
}

/** How much a model's rate at each size keeps of its rate at the smallest size of its run (TCP_CRR by default). */
export function policyKeptAtScale(rows: readonly PolicyScaleRow[], test = 'tcp_crr'): Record<string, string | number>[] {
  const mine = rows.filter((r) => r.test === test && r.metric === 'transaction_rate' && r.policyRules !== undefined);
  return mine.map((r) => {
    const base = mine.filter((o) => o.run === r.run && o.model === r.model && o.scenario === r.scenario).sort((a, b) => a.policyRules! - b.policyRules!)[0]!;
    return { run: r.run, model: r.label, scenario: r.scenario, 'policy rules': r.policyRules!, mean: r.mean, [`of ${base.policyRules} rules`]: r.mean / base.mean };
  }).sort((a, b) => String(a.model).localeCompare(String(b.model)) || String(a.scenario).localeCompare(String(b.scenario)) || Number(a['policy rules']) - Number(b['policy rules']));
}

/** Loading each testbed node's policy rule set: sets restored, rules checked, rules loaded, ms. */
export function policyApplyTable(rows: readonly PolicyApplyRow[]): Record<string, string | number>[] {
  return rows.map((r) => ({ run: r.run, model: r.model, 'policy rules': r.policyRules, node: r.node, form: r.form, 'rules or map entries': r.rules, 'IP sets': r.ipsets, 'ipcache entries': r.ipcacheEntries, 'sets ms': r.ipsetMs, 'check ms': r.checkMs, 'load ms': r.loadMs }));
}
