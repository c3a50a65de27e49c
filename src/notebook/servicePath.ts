// The Service path (beyond the study) in notebooks: which runs measured with a Service datapath installed, and the
// tables behind Figs. 9 and 12. The rows themselves come from src/analysis/servicePath.ts and scaleCycles.ts through
// the report's pipeline.
import { join } from 'node:path';
import type { ServicePathRow, ServiceSyncRow } from '../analysis/servicePath.ts';
import type { ScaleCyclesRow } from '../analysis/scaleCycles.ts';
import { scaleRuns } from './runs.ts';
import type { RunManifest } from '../collect/manifest.ts';
import { NotebookStop } from './guard.ts';

/** Runs with a Service datapath and finished netperf items, newest sweep first, or a stop that says how to collect one. */
export async function serviceRuns(dataDir: string): Promise<string[]> {
  const found = await scaleRuns(dataDir, (m) => (m.plan.proxy ? m.plan.proxy.sweep ?? [] : undefined));
  if (found.length) return found;
  throw new NotebookStop(
    `no run in ${join(dataDir, 'runs')} measured the Service path, so there is no Fig. 9 to show. `
    + 'Collect one as root: "sudo npx cnibench collect --cni flannel,cilium --sweep services=0,1000,10000 --target service --tests tcp_rr,tcp_crr" '
    + '(about half an hour); then run this notebook again from the top.',
  );
}

/** One row per run × model × scenario × test × size: the headline metric with its 95% CI, through a Service or not. */
export function servicePathTable(rows: readonly ServicePathRow[]): Record<string, string | number>[] {
  return rows.filter((r) => r.metric === 'transaction_rate' || r.metric === 'throughput').map((r) => ({
    run: r.run, model: r.label, scenario: r.scenario, test: r.test, 'Service datapath': r.proxy ?? 'none (control)', Services: r.proxy ? r.services : '',
    to: r.target === 'service' ? 'ClusterIP' : 'pod', n: r.n, mean: r.mean, '95% CI': `${r.ci95Low.toFixed(0)} – ${r.ci95High.toFixed(0)}`, unit: r.unit,
  }));
}

/** How much a model's rate at each size keeps of its rate at the smallest size of its run (TCP_CRR by default). */
export function keptAtScale(rows: readonly ServicePathRow[], test = 'tcp_crr'): Record<string, string | number>[] {
  const mine = rows.filter((r) => r.test === test && r.metric === 'transaction_rate' && r.proxy && r.target === 'service');
  return mine.map((r) => {
    const base = mine.filter((o) => o.run === r.run && o.model === r.model && o.scenario === r.scenario).sort((a, b) => a.services - b.services)[0]!;
    return { run: r.run, model: r.label, 'Service datapath': r.proxy!, scenario: r.scenario, Services: r.services, mean: r.mean, [`of ${base.services} Services`]: r.mean / base.mean };
  }).sort((a, b) => String(a.model).localeCompare(String(b.model)) || String(a.scenario).localeCompare(String(b.scenario)) || Number(a.Services) - Number(b.Services));
}

/** Installing the Services on each testbed's nodes: check (or program load) and load (or map fill), ms. */
export function serviceSyncTable(rows: readonly ServiceSyncRow[]): Record<string, string | number>[] {
  return rows.map((r) => ({ run: r.run, model: r.model, 'Service datapath': r.proxy, Services: r.services, node: r.node, 'rules or map entries': r.entries, 'check ms': r.checkMs, 'load ms': r.applyMs }));
}

/**
 * The newest profiled sweep of Services and the newest of policy rules (those that exist), or a stop that says how
 * to collect one: Fig. 12 draws both knobs side by side.
 */
export async function profiledSweepRuns(dataDir: string): Promise<string[]> {
  const newest = async (sweep: (m: RunManifest) => readonly number[] | undefined) => (await scaleRuns(dataDir, (m) => {
    const sizes = sweep(m);
    return m.plan.profile && sizes ? sizes : undefined;
  }, 'profile')).slice(0, 1);
  const found = [...await newest((m) => m.plan.proxy?.sweep), ...await newest((m) => m.plan.policyRules?.sweep)];
  if (found.length) return found;
  throw new NotebookStop(
    `no run in ${join(dataDir, 'runs')} profiled a sweep, so there is no Fig. 12 to show. `
    + 'Collect one as root: "sudo npx cnibench collect --cni flannel,cilium --scenario inter --tests none --proxy iptables,nftables,ebpf '
    + '--sweep services=0,100,1000,10000 --target service --profile --profile-tests tcp_crr --profile-reps 3 --profile-duration 5 --profile-freq 499" '
    + '(about 15 minutes); then run this notebook again from the top.',
  );
}

/** One row per run × model × implementation × scenario × size: mean cycles per connection by part, with its 95% CI. */
export function scaleCyclesTable(rows: readonly ScaleCyclesRow[]): Record<string, string | number>[] {
  return rows.map((r) => ({
    run: r.run, model: r.model, 'Service datapath': r.proxy ?? '', scenario: r.scenario, test: r.test, [r.knob === 'services' ? 'Services' : 'policy rules']: r.size,
    part: r.part, n: r.n, mean: r.mean, '95% CI': r.n > 1 ? `${r.ci95Low.toFixed(0)} – ${r.ci95High.toFixed(0)}` : 'one profile',
  }));
}
