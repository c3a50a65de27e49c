// Synthetic rows of a policy-rules sweep for the chart tests (Fig. 10).
import type { PolicyApplyRow, PolicyScaleRow } from '../../src/analysis/policyScale.ts';
import type { ServiceSyncRow } from '../../src/analysis/servicePath.ts';
import { CYCLE_PARTS, type ScaleCyclesRow } from '../../src/analysis/scaleCycles.ts';

/** A synthetic policy sweep: three models, three sizes, two tests, and a control without a size. */
export function policySweepRows(): PolicyScaleRow[] {
  const row = (model: string, label: string, test: 'tcp_rr' | 'tcp_crr', policyRules?: number): PolicyScaleRow => ({
    run: 'r', model, label, scenario: 'intra', test, metric: 'transaction_rate', unit: 'transactions/s', n: 5, mean: 9000 - (policyRules ?? 0) / 2, sd: 100,
    ci95Low: 8800 - (policyRules ?? 0) / 2, ci95High: 9200 - (policyRules ?? 0) / 2, median: 9000, q1: 8900, q3: 9100, min: 8700, max: 9300, ...(policyRules === undefined ? {} : { policyRules }),
  });
  return [
    ...[['calico-wp', 'Calico-wp'], ['weave', 'Weave'], ['kube-router', 'Kube-router']].flatMap(([m, l]) => [10, 1000, 10000].flatMap((n) => (['tcp_rr', 'tcp_crr'] as const).map((t) => row(m!, l!, t, n)))),
    row('baseline', 'Baseline', 'tcp_crr'),
  ];
}

/** Synthetic load times (Fig. 11): three policy sizes on one node per model, and two Service sizes on two nodes. */
export function loadRows(): { apply: PolicyApplyRow[]; sync: ServiceSyncRow[] } {
  const apply = (['calico-wp', 'kube-router'] as const).flatMap((model) => [10, 1000, 10000].map((policyRules): PolicyApplyRow => ({
    run: 'p', model, policyRules, node: 'node-a', form: 'iptables', rules: 500 + 2 * policyRules, ipsets: policyRules, ipcacheEntries: 0, ipsetMs: policyRules / 100, checkMs: 5 + policyRules / 50, loadMs: 5 + policyRules / 40,
  })));
  const sync = (['iptables', 'nftables'] as const).flatMap((proxy) => [0, 10000].flatMap((services) => ['node-a', 'node-b'].map((node): ServiceSyncRow => ({
    run: 's', model: 'flannel', proxy, services, node, entries: 10 + services * 8, checkMs: 3 + services / 1000, applyMs: 4 + services / (proxy === 'nftables' ? 5000 : 500),
  }))));
  return { apply, sync };
}

/** A synthetic profiled Services sweep (Fig. 12): kube-proxy iptables and the eBPF load balancer at 0 and 1,000. */
export function scaleCycleRows(): ScaleCyclesRow[] {
  return (['iptables', 'ebpf'] as const).flatMap((proxy) => [0, 1000].flatMap((size) => CYCLE_PARTS.map((part): ScaleCyclesRow => {
    const m = (part === 'total' ? 60_000 : 10_000) + (proxy === 'iptables' ? size * 20 : size);
    return { run: 'c', model: proxy === 'ebpf' ? 'cilium' : 'flannel', scenario: 'inter', test: 'tcp_crr', knob: 'services', size, proxy, part, mean: m, ci95Low: m - 900, ci95High: m + 900, values: [m - 300, m + 300], n: 2, estimated: true };
  })));
}
