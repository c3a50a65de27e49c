// Cycles per connection against a sweep's size (Fig. 12): profiles grouped by model, implementation and size, the
// parts added from their components, a mean and 95% CI over the profiles; profiles outside a sweep are not drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CppTransactionRow } from '../src/analysis/cpp.ts';
import type { LoadedRun } from '../src/analysis/loadRun.ts';
import { scaleCyclesOf } from '../src/analysis/scaleCycles.ts';
import { hasCycleSweep, scaleCycleRows, scaleCyclesSpec } from '../src/charts/fig12ScaleCycles.ts';
import type { CollectPlan } from '../src/collect/plan.ts';
import { ci95, mean, sd } from '../src/util/stats.ts';
import { COMPONENTS } from '../src/tools/perf/types.ts';
import { tableOf } from '../src/util/table.ts';

function runOf(runId: string, plan: Partial<CollectPlan>): LoadedRun {
  return { runId, runDir: `/nowhere/${runId}`, badFiles: new Map(), manifest: { runId, plan: { models: [], scenarios: ['inter'], tests: [], ...plan } } } as unknown as LoadedRun;
}

/** One profile's rows: netfilter, ebpf and tcp cycles per transaction as given, every other component 0. */
function profile(run: string, item: string, point: { proxy?: 'iptables' | 'nftables' | 'ebpf'; services?: number; policyRules?: number }, model: string, c: { netfilter: number; ebpf: number; tcp: number }): CppTransactionRow[] {
  const total = c.netfilter + c.ebpf + c.tcp;
  return COMPONENTS.map((component) => {
    const v = component === 'netfilter' ? c.netfilter : component === 'ebpf' ? c.ebpf : component === 'tcp' ? c.tcp : 0;
    return {
      run, item, model, scenario: 'inter', test: 'tcp_crr', ...point, component, samples: v / 100, share: v / total, cppPerTransaction: v, totalPerTransaction: total,
      transactions: 50_000, devicePackets: 300_000, cycles: 'estimated: cpu-clock × 2000 MHz', foreignShare: 0,
    };
  });
}

const sweepPlan: Partial<CollectPlan> = { proxy: { mode: 'iptables', modes: ['iptables', 'ebpf'], services: 1000, sweep: [0, 1000] }, target: 'service' };

function sweepRows(): CppTransactionRow[] {
  return [
    ...profile('s', 'flannel/inter/profile-tcp_crr@iptables@svc0/001', { proxy: 'iptables', services: 0 }, 'flannel', { netfilter: 10_000, ebpf: 0, tcp: 40_000 }),
    ...profile('s', 'flannel/inter/profile-tcp_crr@iptables@svc0/002', { proxy: 'iptables', services: 0 }, 'flannel', { netfilter: 12_000, ebpf: 0, tcp: 42_000 }),
    ...profile('s', 'flannel/inter/profile-tcp_crr@iptables@svc1000/001', { proxy: 'iptables', services: 1000 }, 'flannel', { netfilter: 30_000, ebpf: 0, tcp: 40_000 }),
    ...profile('s', 'flannel/inter/profile-tcp_crr@iptables@svc1000/002', { proxy: 'iptables', services: 1000 }, 'flannel', { netfilter: 34_000, ebpf: 0, tcp: 41_000 }),
    ...profile('s', 'cilium/inter/profile-tcp_crr@ebpf@svc0/001', { proxy: 'ebpf', services: 0 }, 'cilium', { netfilter: 2_000, ebpf: 5_000, tcp: 38_000 }),
    ...profile('s', 'cilium/inter/profile-tcp_crr@ebpf@svc1000/001', { proxy: 'ebpf', services: 1000 }, 'cilium', { netfilter: 2_000, ebpf: 5_500, tcp: 38_000 }),
  ];
}

test('scaleCyclesOf: a row per model, implementation, size and part over its profiles, with the 95% CI of the mean', () => {
  const rows = scaleCyclesOf([runOf('s', sweepPlan)], sweepRows());
  const at = (model: string, size: number, part: string) => rows.find((r) => r.model === model && r.size === size && r.part === part)!;
  const nf = at('flannel', 1000, 'netfilter');
  assert.deepEqual([nf.knob, nf.proxy, nf.n, nf.values], ['services', 'iptables', 2, [30_000, 34_000]]);
  assert.equal(nf.mean, 32_000);
  assert.deepEqual({ ci95Low: nf.ci95Low, ci95High: nf.ci95High }, ci95(2, 32_000, sd([30_000, 34_000])));
  assert.equal(at('cilium', 1000, 'filtering').mean, 7_500, 'netfilter and eBPF added');
  assert.equal(at('cilium', 0, 'ebpf').mean, 5_000);
  assert.equal(at('flannel', 0, 'total').mean, mean([50_000, 54_000]), 'the profile\'s total, every component');
  assert.equal(at('cilium', 0, 'total').n, 1);
  assert.equal(at('cilium', 0, 'total').ci95Low, at('cilium', 0, 'total').mean, 'one profile: no interval');
  assert.ok(rows.every((r) => r.estimated));
  assert.equal(rows.length, 4 * 4, 'four lines-and-sizes × four parts');
  // A run without a sweep (one size, one implementation) is not a line against N.
  const single = scaleCyclesOf([runOf('p', { proxy: { mode: 'iptables', services: 1000 } })], profile('p', 'flannel/inter/profile-tcp_crr/001', {}, 'flannel', { netfilter: 1, ebpf: 0, tcp: 1 }));
  assert.deepEqual(single, []);
  // A policy sweep: sized by its rules, no Service implementation.
  const policy = scaleCyclesOf([runOf('q', { policyRules: { rules: 100, sweep: [10, 100] } })], [
    ...profile('q', 'weave/inter/profile-tcp_crr@rules10/001', { policyRules: 10 }, 'weave', { netfilter: 8_000, ebpf: 0, tcp: 40_000 }),
    ...profile('q', 'weave/inter/profile-tcp_crr@rules100/001', { policyRules: 100 }, 'weave', { netfilter: 9_000, ebpf: 0, tcp: 40_000 }),
  ]);
  assert.deepEqual(policy.filter((r) => r.part === 'netfilter').map((r) => [r.knob, r.size, r.proxy, r.mean]), [['policy-rules', 10, undefined, 8_000], ['policy-rules', 100, undefined, 9_000]]);
});

test('Fig. 12: a line per model and implementation, a panel per scenario and part drawn, the profiles\' mean and CI; nothing to draw without a sweep', () => {
  const rows = scaleCyclesOf([runOf('s', sweepPlan)], sweepRows());
  assert.equal(hasCycleSweep(rows), true);
  assert.equal(hasCycleSweep(rows.filter((r) => r.size === 0)), false);
  assert.deepEqual([...new Set(scaleCycleRows(rows).map((r) => r.part))], ['filtering', 'total'], 'netfilter and eBPF alone are in the CSV, not drawn');
  const spec = scaleCyclesSpec(rows) as unknown as { name: string; data: { values: { line: string; panel: string; size: number; mean: number; n: number }[] }; facet: { sort: string[] }; spec: { layer: { encoding: { color: { scale: { domain: string[] } }; y: { title: string } } }[] } };
  assert.equal(spec.name, 'fig12');
  assert.deepEqual(spec.spec.layer[0]!.encoding.color.scale.domain, ['Flannel — kube-proxy, iptables', 'Cilium — eBPF socket LB']);
  assert.deepEqual(spec.facet.sort, ['Services, inter-host: netfilter + eBPF', 'Services, inter-host: every component']);
  // Every mean above 0: a log axis; an interval that reaches below 0 (two profiles far apart) has its whisker cut at
  // the foot of its panel, and the notes say so.
  assert.equal(spec.spec.layer[0]!.encoding.y.title, 'Cycles per connection (log)');
  const lows = (spec as unknown as { data: { values: { low: number }[] } }).data.values.map((v) => v.low);
  assert.ok(rows.some((r) => r.ci95Low <= 0) && lows.every((l) => l > 0), 'no whisker below the log axis');
  assert.match(JSON.stringify(spec), /cut at the foot of its panel/);
  const positive = scaleCyclesSpec(rows.map((r) => ({ ...r, ci95Low: r.mean * 0.9 }))) as unknown as typeof spec;
  assert.equal(positive.spec.layer[0]!.encoding.y.title, 'Cycles per connection (log)');
  assert.doesNotMatch(JSON.stringify(positive), /cut at the foot/, 'nothing cut, nothing said');
  const drawn = rows.findIndex((r) => r.part === 'filtering');
  const zero = scaleCyclesSpec(rows.map((r, i) => (i === drawn ? { ...r, mean: 0, ci95Low: 0, ci95High: 0 } : r))) as unknown as typeof spec;
  assert.equal(zero.spec.layer[0]!.encoding.y.title, 'Cycles per connection', 'a mean of 0 cannot sit on a log axis: linear');
  const point = spec.data.values.find((v) => v.line.startsWith('Flannel') && v.size === 1000 && v.panel.endsWith('netfilter + eBPF'))!;
  assert.deepEqual([point.mean, point.n], [32_000, 2]);
  assert.match(JSON.stringify(spec), /estimated from cpu-clock samples/);
  assert.throws(() => scaleCyclesSpec(rows.filter((r) => r.test !== 'tcp_crr')), /fig12: no TCP_CRR profiles of a sweep/);
});

test('tableOf keeps a column only later rows have (aq.from takes the first row\'s keys: a policy sweep\'s sizes behind a Services sweep\'s rows were lost)', () => {
  const rows = [{ run: 's', services: 0 }, { run: 'p', policyRules: 10 }];
  assert.deepEqual(tableOf(rows).columnNames(), ['run', 'services', 'policyRules']);
  assert.deepEqual(tableOf(rows).objects()[1], { run: 'p', services: undefined, policyRules: 10 });
});
