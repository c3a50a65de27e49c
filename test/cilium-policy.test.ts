// Cilium-wp's policy in BPF maps: the rendered ipcache and policy entries (pure), their bytes as cilium_like.c lays
// them out, the plan's limit from Cilium's policy map size, and — as root — a testbed whose programs drop what its
// policy does not admit and deliver what it does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { HOST_ID, PODS_IDENTITY, WORLD_ID, REMOTE_NODE_ID, ciliumPolicy, endpointIdOf } from '../src/testbed/policy/cilium.ts';
import { scaleRules } from '../src/testbed/policy/scaleRules.ts';
import { POLICY_MAP_ENTRIES, endpointEntry, ipcacheEntry, policyEntry, policyMapCreation, readCounters, applyMapUpdates } from '../src/testbed/bpf/loader.ts';
import { parsePlan } from '../src/collect/plan.ts';
import { UsageError } from '../src/util/errors.ts';
import { testbedUp, testbedDown } from '../src/testbed/lifecycle.ts';
import { findModel } from '../src/testbed/models/index.ts';
import { run } from '../src/util/exec.ts';
import { rootOnly } from './helpers/cli.ts';

const LE = (n: number, bytes: number) => Array.from({ length: bytes }, (_, i) => `0x${((n >>> (8 * i)) & 0xff).toString(16).padStart(2, '0')}`);

test('the policy selects the pods with N ipBlock rules ahead of the rule admitting them; every address the rules name has its own identity', () => {
  const n = 30;
  const p = ciliumPolicy({ podIps: ['10.244.0.10', '10.244.0.11', '10.244.1.12'], nodeIp: '192.168.254.1', otherNodeIps: ['192.168.254.2'], policyRules: n });
  const rules = scaleRules(n);
  assert.equal(p.ingress.length, n + 2, 'reserved:host, the N rules, the pods');
  assert.deepEqual(p.ingress[0], { identity: HOST_ID, protocol: 0, port: 0 });
  assert.deepEqual(p.ingress.at(-1), { identity: PODS_IDENTITY, protocol: 0, port: 0 }, 'the rule admitting the test flow: any port from the pods');
  const cidrIds = p.ingress.slice(1, -1);
  assert.ok(cidrIds.every((e, i) => e.protocol === 6 && e.port === rules[i]!.port && e.identity > 1 << 24), 'a local identity per rule, TCP on its port');
  assert.equal(new Set(cidrIds.map((e) => e.identity)).size, n);
  // The ipcache maps each rule's address to the identity its policy entry names, and the pods to theirs.
  for (const [i, r] of rules.entries()) assert.equal(p.ipcache.find((e) => e.cidr === r.cidr)?.identity, cidrIds[i]!.identity);
  assert.equal(p.ipcache.find((e) => e.cidr === '10.244.1.12/32')?.identity, PODS_IDENTITY);
  assert.equal(p.ipcache.find((e) => e.cidr === '192.168.254.1/32')?.identity, HOST_ID);
  assert.equal(p.ipcache.find((e) => e.cidr === '192.168.254.2/32')?.identity, REMOTE_NODE_ID);
  assert.equal(p.ipcache.find((e) => e.cidr === '0.0.0.0/0')?.identity, WORLD_ID);
  // Without --policy-rules: the same policy with no rule added.
  assert.deepEqual(ciliumPolicy({ podIps: ['10.244.0.10'], nodeIp: '192.168.254.1', otherNodeIps: [] }).ingress.map((e) => e.identity), [HOST_ID, PODS_IDENTITY]);
  assert.equal(endpointIdOf('10.244.1.12'), 12);
  assert.throws(() => endpointIdOf('10.244.1.0'), /no host byte/);
});

test('map entries are laid out as cilium_like.c\'s structs (little-endian host)', () => {
  // policy_key {prefixlen, sec_label, egress, protocol, dport (network order)}; value {proxy_port, deny, lpm_prefix_length, cookie}.
  const l4 = policyEntry({ endpointId: 12, identity: (1 << 24) + 1, protocol: 6, port: 1024, deny: false });
  assert.equal(l4.map, 'policy-12');
  assert.deepEqual(l4.key, [...LE(40 + 24, 4), ...LE((1 << 24) + 1, 4), '0x00', '0x06', '0x04', '0x00']);
  assert.deepEqual(l4.value, ['0x00', '0x00', '0x00', '0x18', '0x00', '0x00', '0x00', '0x00']);
  const any = policyEntry({ endpointId: 12, identity: PODS_IDENTITY, protocol: 0, port: 0, deny: true });
  assert.deepEqual(any.key.slice(0, 4), LE(40, 4), 'protocol and port wildcarded: only identity and direction in the prefix');
  assert.equal(any.value![2], '0x01');
  assert.throws(() => policyEntry({ endpointId: 1, identity: 1, protocol: 0, port: 80, deny: false }), /names no protocol/);
  // ipcache_key {prefixlen = 32 + prefix, cluster_id, pad, family = IPv4, address, 12 bytes of the IPv6 rest}.
  const ic = ipcacheEntry('198.18.0.7/32', 9);
  assert.deepEqual(ic.key, [...LE(64, 4), '0x00', '0x00', '0x00', '0x01', '0xc6', '0x12', '0x00', '0x07', ...Array(12).fill('0x00')]);
  assert.deepEqual(ic.value!.slice(0, 4), LE(9, 4));
  assert.equal(ic.value!.length, 24);
  assert.deepEqual(ipcacheEntry('10.244.3.99/24', 1).key.slice(0, 12), [...LE(56, 4), '0x00', '0x00', '0x00', '0x01', '0x0a', '0xf4', '0x03', '0x00'], 'host bits cleared');
  // endpoint_info gains {lxc_id, flags} only in the policy build.
  const ep = { ifindex: 7, podMac: '02:00:00:00:00:01', lxcMac: '02:00:00:00:00:02' };
  assert.equal(endpointEntry('10.244.0.10', ep).value!.length, 16);
  assert.deepEqual(endpointEntry('10.244.0.10', { ...ep, policy: { endpointId: 10, ingress: true } }).value!.slice(16), [...LE(10, 2), ...LE(1, 2)]);
  assert.match(policyMapCreation('/run/cnibench/bpffs/x/node-a', 10)[0]!, /^map create \/run\/cnibench\/bpffs\/x\/node-a\/maps\/policy-10 type lpm_trie key 12 value 8 entries 16384 name cilium_policy flags 1$/);
  assert.throws(() => policyMapCreation('/x', 5000), /outside 1–4095/);
});

test('--policy-rules on cilium-wp stops at what an endpoint\'s policy map holds, before anything is built', () => {
  assert.equal(POLICY_MAP_ENTRIES, 16_384);
  assert.deepEqual(parsePlan({ cni: 'cilium-wp', policyRules: '16382' }).policyRules, { rules: 16382 });
  for (const input of [{ cni: 'cilium-wp', policyRules: '16383' }, { cni: 'weave,cilium-wp', sweep: 'policy-rules=10,20000' }]) {
    assert.throws(() => parsePlan(input), (e: Error) => e instanceof UsageError && /cilium-wp holds at most 16,382 added rules — an endpoint's policy map holds 16,384 entries \(Cilium's default bpf-policy-map-max\)/.test(e.message), JSON.stringify(input));
  }
  assert.deepEqual(parsePlan({ cni: 'weave', policyRules: '20000' }).policyRules, { rules: 20000 }, 'the iptables models keep their own limit');
});

test('a cilium-wp testbed delivers what its policy admits and drops what it does not', { ...rootOnly(), timeout: 120_000 }, async () => {
  const tb = await testbedUp(findModel('cilium-wp')!, { policyRules: 100, netservers: false });
  try {
    const pod = (name: string) => tb.pods.find((p) => p.name === name)!;
    const [a1, b1] = [pod('a1'), pod('b1')];
    const ping = async () => (await run(['ping', '-c', '1', '-W', '1', b1.ip!], { ns: a1.ns, reject: false })).exitCode;
    const pinDir = join(tb.bpffs!, 'node-b');
    const before = await readCounters(pinDir);
    assert.equal(await ping(), 0, 'the pods admit each other');
    const admitted = await readCounters(pinDir);
    assert.ok(admitted.policyAllow > before.policyAllow, `node-b's policy counted the ping (${before.policyAllow} → ${admitted.policyAllow})`);
    // Take the rule admitting the pods out of b1's policy: the same ping is dropped by the map, and counted as such.
    const admit = policyEntry({ endpointId: endpointIdOf(b1.ip!), identity: PODS_IDENTITY, protocol: 0, port: 0, deny: false });
    await applyMapUpdates(pinDir, [{ map: admit.map, key: admit.key }]);
    assert.notEqual(await ping(), 0, 'no entry for the pods: dropped');
    const denied = await readCounters(pinDir);
    assert.ok(denied.policyDeny > admitted.policyDeny, `node-b counted the drop (${admitted.policyDeny} → ${denied.policyDeny})`);
    assert.equal(tb.policy?.['node-b']?.ruleCount, 102, 'one endpoint on node-b: the 100 rules, reserved:host and the pods');
    assert.ok((tb.policy?.['node-b']?.ipcacheEntries ?? 0) >= 100 + 3);
  } finally {
    await testbedDown(tb);
  }
});
