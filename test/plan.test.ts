// Plan parsing and the model catalogue: the study's defaults, ordering, skips recorded (never dropped), and
// every model description consistent with the features and scenarios it declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { itemProxy, parsePlan, notApplicable, policyRulesApply, proxyListNotApplicable, proxyModesOf, proxyNotApplicable, proxyOf, STUDY_DEFAULTS } from '../src/collect/plan.ts';
import { configKey, configsOf, planItems, roundItems } from '../src/collect/schedule.ts';
import { profileRawDir } from '../src/collect/profileRecord.ts';
import { testbedKey } from '../src/local/testbeds.ts';
import { MODELS, MODEL_IDS, findModel } from '../src/testbed/models/index.ts';
import { requiredFeatures } from '../src/testbed/kinds/index.ts';
import { planTopology } from '../src/testbed/topology.ts';
import { UsageError } from '../src/util/errors.ts';

test('defaults follow the study: all models, both scenarios, three tests, 50 × 10 s (as 50 interleaved rounds)', () => {
  const p = parsePlan({});
  assert.deepEqual(p.models, MODEL_IDS);
  assert.deepEqual(p.scenarios, ['intra', 'inter']);
  assert.deepEqual(p.tests, ['tcp_stream', 'tcp_rr', 'udp_rr']);
  assert.equal(p.reps, STUDY_DEFAULTS.reps);
  assert.equal(p.reps, 50);
  assert.equal(p.durationS, 10);
  assert.equal(p.iptables, 'legacy');
});

test('models keep the catalogue order whatever order they were typed in, duplicates dropped', () => {
  const p = parsePlan({ cni: 'kube-router, cilium,flannel,cilium', noControl: true });
  assert.deepEqual(p.models, ['flannel', 'cilium', 'kube-router']);
});

test('bad values are UsageErrors naming the fix', () => {
  assert.throws(() => parsePlan({ reps: '0' }), UsageError);
  assert.throws(() => parsePlan({ reps: '2.5' }), /whole number/);
  assert.throws(() => parsePlan({ duration: '-1' }), /at least 1/);
  assert.throws(() => parsePlan({ cni: '' }), /empty list/);
  assert.throws(() => parsePlan({ iptables: 'ebtables' }), /choose from: legacy, nft/);
});

test('items: one per model × scenario × test × rep (round), ids sortable', () => {
  const items = planItems(parsePlan({ cni: 'flannel,baseline', reps: '2', tests: 'tcp_rr', noControl: true, order: 'blocked' }));
  assert.equal(items.length, 2 * 2 * 1 * 2);
  assert.equal(items[0]!.id, 'baseline/intra/tcp_rr/001');
  const rounds = planItems(parsePlan({ cni: 'flannel,baseline', reps: '2', tests: 'tcp_rr', noControl: true }));
  assert.deepEqual(rounds.map((i) => i.id).sort(), items.map((i) => i.id).sort(), 'the same items, interleaved');
});

test('combinations a model does not have are explained, not dropped', () => {
  assert.match(notApplicable('baseline', 'inter')!, /no inter-host path/);
  assert.match(notApplicable('calico-wp-ipip', 'intra')!, /measured as calico-wp/);
  assert.equal(notApplicable('flannel', 'inter'), undefined);
});

test('every model description is consistent', () => {
  const ids = new Set<string>();
  for (const m of MODELS) {
    assert.ok(!ids.has(m.id), `unique id ${m.id}`);
    ids.add(m.id);
    assert.equal(findModel(m.id), m);
    assert.ok(m.scenarios.length > 0);
    if (m.scenarios.includes('inter')) assert.ok(m.interHost, `${m.id} has an inter-host path`);
    assert.ok(m.podMtu <= 1500 && m.podMtu >= 1280);
    if (m.interHost?.kind === 'vxlan' || m.interHost?.kind === 'vxlan-bpf') assert.ok(m.podMtu <= 1450, `${m.id} leaves room for VXLAN`);
    for (const s of m.scenarios) assert.ok(requiredFeatures(m, s).includes('veth'));
    if (m.cni !== 'reference') assert.ok(m.emulation.length > 0, `${m.id} says what it emulates`);
  }
  assert.ok(requiredFeatures(findModel('calico-np-ipip')!, 'inter').includes('ipip'));
  assert.ok(requiredFeatures(findModel('cilium')!, 'intra').includes('tc-bpf'));
  assert.ok(requiredFeatures(findModel('weave')!, 'intra').includes('br-netfilter'));
});

test('topology: intra needs one node and two pods; inter adds node-b and b1; names carry the prefix', () => {
  const flannel = findModel('flannel')!;
  const intra = planTopology(flannel, ['intra'], 'cnib000000');
  assert.deepEqual(intra.nodes.map((n) => n.name), ['node-a']);
  assert.deepEqual(intra.pods.map((p) => p.name), ['a1', 'a2']);
  const both = planTopology(flannel, ['intra', 'inter'], 'cnib000000');
  assert.deepEqual(both.pods.map((p) => `${p.name}@${p.node}`), ['a1@node-a', 'a2@node-a', 'b1@node-b']);
  assert.ok([...both.nodes, ...both.pods].every((x) => x.ns.startsWith('cnib000000-')));
  assert.equal(both.nodes[1]!.podCidr, '10.244.1.0/24');
  assert.equal(planTopology(findModel('weave')!, ['inter'], 'cnib000000').nodes[1]!.podCidr, '10.32.0.0/12');
  assert.deepEqual(planTopology(findModel('host')!, ['inter'], 'cnib000000').pods, []);
  assert.deepEqual(planTopology(findModel('baseline')!, ['intra'], 'cnib000000').nodes, []);
});

test('Services: --proxy, --services and --target join the plan; tcp_crr only when asked; no proxy means the study\'s pod-to-pod plan', () => {
  const p = parsePlan({ cni: 'flannel', proxy: 'nftables', services: '1000', target: 'service', tests: 'tcp_rr,tcp_crr' });
  assert.deepEqual(p.proxy, { mode: 'nftables', services: 1000 });
  assert.equal(p.target, 'service');
  assert.deepEqual(p.tests, ['tcp_rr', 'tcp_crr']);
  assert.deepEqual(p.models, ['baseline', 'host', 'flannel'], 'the controls still join: they run pod to pod');
  // Without a target the rules are installed and the tests still go to the pods (what a big rule set costs them).
  const q = parsePlan({ cni: 'calico-np', proxy: 'iptables' });
  assert.deepEqual(q.proxy, { mode: 'iptables', services: 0 });
  assert.equal(q.target, undefined);
  const none = parsePlan({});
  assert.equal(none.proxy, undefined);
  assert.equal(none.target, undefined);
  assert.ok(!none.tests.includes('tcp_crr'), 'the default tests are the study\'s three');
  // Every model by default: the ones without a Service datapath are kept (and skipped by the run, with why).
  assert.ok(parsePlan({ proxy: 'iptables' }).models.includes('cilium'));
  assert.throws(() => parsePlan({ cni: 'cilium', proxy: 'iptables' }), (e: Error) => e instanceof UsageError && /cilium redirects pod traffic in eBPF/.test(e.message));
  assert.throws(() => parsePlan({ proxy: 'iptables', services: '2.5' }), UsageError);
});

test('Services: each model its own implementation by default; ebpf goes with Cilium only, kube-proxy with the others', () => {
  // --services (or --target service) without --proxy: the default, resolved per model.
  const p = parsePlan({ cni: 'flannel,cilium', services: '100', target: 'service' });
  assert.deepEqual(p.proxy, { mode: 'default', services: 100 });
  assert.deepEqual(['flannel', 'cilium', 'calico-wp'].map((m) => proxyOf('default', m)), ['iptables', 'ebpf', 'iptables']);
  assert.equal(proxyOf('nftables', 'flannel'), 'nftables');
  assert.deepEqual(parsePlan({ cni: 'cilium', proxy: 'ebpf' }).proxy, { mode: 'ebpf', services: 0 });
  assert.equal(proxyNotApplicable('cilium', 'service', 'default'), undefined);
  assert.match(proxyNotApplicable('flannel', 'service', 'ebpf')!, /flannel's CNI runs beside kube-proxy/);
  assert.throws(() => parsePlan({ cni: 'flannel', proxy: 'ebpf' }), (e: Error) => e instanceof UsageError && /--proxy ebpf: flannel's CNI runs beside kube-proxy.*Leave flannel out of --cni/.test(e.message));
  // Still the study's plan when nothing asks for Services.
  assert.equal(parsePlan({ cni: 'cilium' }).proxy, undefined);
  // A list: a model is left out only when none combines, and then every distinct reason is given, once.
  assert.equal(proxyListNotApplicable('cilium', 'pod', ['iptables', 'ebpf']), undefined);
  assert.equal(proxyListNotApplicable('cilium', 'pod', ['iptables', 'nftables']), proxyNotApplicable('cilium', 'pod', 'iptables'));
  assert.equal(proxyListNotApplicable('baseline', 'pod', ['iptables', 'ebpf']), proxyNotApplicable('baseline', 'pod', 'ebpf'));
});

test('--sweep services=…: every model but the controls at each size, interleaved; the sizes name configurations, items and testbeds', () => {
  const p = parsePlan({ cni: 'flannel,cilium', tests: 'tcp_crr', reps: '2', seed: '7', sweep: 'services=1000, 1,0', target: 'service' });
  assert.deepEqual(p.proxy, { mode: 'default', services: 1000, sweep: [0, 1, 1000] });
  const configs = configsOf(p);
  assert.equal(configs.filter((c) => c.model === 'flannel').length, 2 * 3, 'two scenarios × three sizes');
  assert.ok(configs.filter((c) => c.model === 'baseline' || c.model === 'host').every((c) => c.services === undefined), 'the controls run once, without Services');
  assert.equal(configKey({ model: 'flannel', scenario: 'intra', test: 'tcp_crr', services: 1000 }, false), 'flannel/intra/tcp_crr@svc1000');
  const items = planItems(p);
  assert.ok(items.some((i) => i.id === 'cilium/inter/tcp_crr@svc0/002' && i.services === 0));
  // Round 1 holds every configuration once, sizes mixed with each other and with the controls.
  assert.equal(items.filter((i) => i.rep === 1).length, configs.length);
  assert.deepEqual([testbedKey({ model: 'flannel', services: 1 }), testbedKey({ model: 'host' })], ['flannel@svc1', 'host']);
  // Every item through a Service says so — also those of a round added later by adaptive stopping (a round 7 here):
  // the models with a Service datapath go to the ClusterIP, the controls to their pod.
  for (const i of [...items, ...roundItems(p, 7, configs)]) assert.equal(i.target, i.model === 'baseline' || i.model === 'host' ? undefined : 'service', i.id);
  for (const [input, why] of [
    [{ sweep: 'services=1,100', services: '5' }, /drop --services/],
    [{ sweep: 'nodes=1,2' }, /--sweep takes services=N,N,… or policy-rules=N,N/],
    [{ sweep: 'services=100' }, /at least two sizes/],
    [{ sweep: 'services=1,x' }, /each size of --sweep .* \(got "x"\)/],
    [{ sweep: 'services=1,100', proxy: 'none' }, /--sweep services=… installs Services .* drop --proxy none/],
  ] as const) assert.throws(() => parsePlan({ cni: 'flannel', ...input }), (e: Error) => e instanceof UsageError && why.test(e.message), JSON.stringify(input));
});

test('--profile in a sweep: every implementation and size profiled, each profile in its own folder; a profiles-only sweep has no controls', () => {
  const p = parsePlan({ cni: 'flannel,cilium', scenario: 'inter', tests: 'none', proxy: 'iptables,ebpf', sweep: 'services=0,1000', target: 'service', profile: true, profileTests: 'tcp_crr', profileReps: '2', seed: '9' });
  assert.deepEqual(p.schedule?.controls, [], 'nothing pod to pod to compare with');
  const items = planItems(p);
  assert.ok(items.every((i) => i.kind === 'profile' && i.test === 'tcp_crr' && i.target === 'service'));
  const ids = items.map((i) => i.id).sort();
  assert.deepEqual(ids, [
    'cilium/inter/profile-tcp_crr@ebpf@svc0/001', 'cilium/inter/profile-tcp_crr@ebpf@svc0/002', 'cilium/inter/profile-tcp_crr@ebpf@svc1000/001', 'cilium/inter/profile-tcp_crr@ebpf@svc1000/002',
    'flannel/inter/profile-tcp_crr@iptables@svc0/001', 'flannel/inter/profile-tcp_crr@iptables@svc0/002', 'flannel/inter/profile-tcp_crr@iptables@svc1000/001', 'flannel/inter/profile-tcp_crr@iptables@svc1000/002',
  ]);
  const one = items.find((i) => i.id === 'flannel/inter/profile-tcp_crr@iptables@svc1000/002')!;
  assert.deepEqual([one.proxy, one.services, one.rep], ['iptables', 1000, 2]);
  assert.equal(profileRawDir(one), 'raw/flannel/inter/profile-tcp_crr@iptables@svc1000/002');
  // Outside a comparison the folder is as before.
  assert.equal(profileRawDir({ model: 'flannel', scenario: 'intra', test: 'tcp_stream', rep: 3 }), 'raw/flannel/intra/profile/003');
  // With netperf rounds too, profile k joins round k at each size; the policy sweep profiles its policy models at each size.
  const q = parsePlan({ cni: 'weave', scenario: 'intra', tests: 'tcp_crr', reps: '2', sweep: 'policy-rules=10,100', profile: true, profileTests: 'tcp_crr', profileReps: '1', seed: '2' });
  const profiles = planItems(q).filter((i) => i.kind === 'profile');
  assert.deepEqual(profiles.map((i) => `${i.model}:${i.policyRules}`).sort(), ['weave:10', 'weave:100'], 'the control is not profiled: no size to draw it against');
  for (const [input, why] of [
    [{ cni: 'weave', sweep: 'policy-rules=10,100', profile: true }, /add --profile-tests tcp_crr/],
    [{ cni: 'flannel', proxy: 'iptables,nftables', services: '10', profile: true, profileTests: 'tcp_crr' }, /add --sweep services=N,N,… \(or profile one implementation, --proxy iptables\)/],
  ] as const) assert.throws(() => parsePlan(input), (e: Error) => e instanceof UsageError && why.test(e.message), JSON.stringify(input));
});

test('--policy-rules N and --sweep policy-rules=…: the policy models at each size, the others once; refused where nothing scales', () => {
  assert.deepEqual(parsePlan({ cni: 'weave', policyRules: '100' }).policyRules, { rules: 100 });
  assert.equal(parsePlan({ cni: 'weave' }).policyRules, undefined, 'the study\'s plan without the option');
  assert.deepEqual([policyRulesApply('calico-wp'), policyRulesApply('weave'), policyRulesApply('kube-router'), policyRulesApply('calico-np'), policyRulesApply('flannel')], [true, true, true, false, false]);
  const p = parsePlan({ cni: 'calico-wp,kube-router', scenario: 'intra', tests: 'tcp_crr', reps: '2', seed: '3', sweep: 'policy-rules=1000,10' });
  assert.deepEqual(p.policyRules, { rules: 1000, sweep: [10, 1000] });
  assert.equal(p.proxy, undefined, 'a policy sweep installs no Services');
  const configs = configsOf(p);
  assert.deepEqual(configs.filter((c) => c.model === 'kube-router').map((c) => c.policyRules), [10, 1000]);
  assert.ok(configs.filter((c) => c.model === 'baseline').every((c) => c.policyRules === undefined), 'the control runs once');
  const items = planItems(p);
  assert.ok(items.some((i) => i.id === 'calico-wp/intra/tcp_crr@rules1000/002' && i.policyRules === 1000));
  assert.equal(testbedKey({ model: 'weave', policyRules: 10 }), 'weave@rules10');
  for (const [input, why] of [
    [{ cni: 'flannel', policyRules: '10' }, /--policy-rules: none of the models \(flannel\) has a network policy it scales; name one of weave, cilium-wp, calico-wp/],
    [{ cni: 'weave', policyRules: '-1' }, /--policy-rules is how many rules .* from 0 to 20000 \(got "-1"\)/],
    [{ cni: 'weave', policyRules: 'ten' }, /\(got "ten"\)/],
    [{ cni: 'weave', policyRules: '20001' }, /from 0 to 20000 .* a namespace holds at most 65,534/],
    [{ cni: 'weave,flannel', sweep: 'policy-rules=1,10' }, /flannel has no network policy to scale; leave it out of --cni/],
    [{ cni: 'weave', sweep: 'policy-rules=1,10', policyRules: '5' }, /drop --policy-rules/],
    [{ cni: 'weave', sweep: 'policy-rules=10' }, /at least two sizes/],
    [{ cni: 'weave', sweep: 'policy-rules=1,10', launch: '' }, /--sweep does not take --launch: a pod launch does not go through Services or the netperf pods' policy/],
  ] as const) assert.throws(() => parsePlan(input), (e: Error) => e instanceof UsageError && why.test(e.message), JSON.stringify(input));
});

test('--proxy A,B: each model with every implementation it combines with, interleaved; items, keys and testbeds name it', () => {
  const p = parsePlan({ cni: 'flannel,cilium', scenario: 'intra', tests: 'tcp_crr', reps: '2', seed: '5', proxy: 'iptables,nftables,ebpf', sweep: 'services=0,1000', target: 'service' });
  assert.deepEqual(p.proxy, { mode: 'iptables', modes: ['iptables', 'nftables', 'ebpf'], services: 1000, sweep: [0, 1000] });
  assert.deepEqual(proxyModesOf(p, 'flannel'), ['iptables', 'nftables']);
  assert.deepEqual(proxyModesOf(p, 'cilium'), ['ebpf']);
  assert.deepEqual(proxyModesOf(p, 'baseline'), []);
  const configs = configsOf(p);
  assert.deepEqual(configs.filter((c) => c.model === 'flannel').map((c) => `${c.proxy}@${c.services}`), ['iptables@0', 'iptables@1000', 'nftables@0', 'nftables@1000']);
  assert.deepEqual(configs.filter((c) => c.model === 'cilium').map((c) => `${c.proxy}@${c.services}`), ['ebpf@0', 'ebpf@1000']);
  assert.ok(configs.filter((c) => c.model === 'baseline').every((c) => c.proxy === undefined && c.services === undefined), 'the control runs once, pod to pod');
  const items = planItems(p);
  assert.ok(items.some((i) => i.id === 'flannel/intra/tcp_crr@nftables@svc1000/002' && i.proxy === 'nftables' && i.target === 'service'));
  assert.equal(testbedKey({ model: 'flannel', proxy: 'nftables', services: 0 }), 'flannel@nftables@svc0');
  assert.equal(itemProxy(p, { model: 'flannel', proxy: 'nftables' }), 'nftables');
  assert.equal(itemProxy(p, { model: 'baseline' }), undefined);
  // One implementation: items carry none, the model's own applies.
  const one = parsePlan({ cni: 'flannel', proxy: 'nftables', services: '10' });
  assert.equal(one.proxy?.modes, undefined);
  assert.equal(itemProxy(one, { model: 'flannel' }), 'nftables');
  for (const [input, why] of [
    [{ cni: 'flannel', proxy: 'iptables,none' }, /a list compares named implementations .* none cannot be one of them/],
    [{ cni: 'flannel', proxy: 'default,nftables' }, /default cannot be one of them/],
    [{ cni: 'flannel', proxy: 'iptables,ipvs' }, /--proxy ipvs/],
    [{ cni: 'weave', proxy: 'ebpf,nftables', target: 'service' }, /Leave weave out of --cni/],
  ] as const) assert.throws(() => parsePlan(input), (e: Error) => e instanceof UsageError && why.test(e.message), JSON.stringify(input));
});
