// As root: every model's testbed comes up with the devices its description promises, pods reach each other,
// and down/cleanup leave nothing behind (namespaces, processes, BPF mounts, state).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../src/util/exec.ts';
import { MODELS, findModel } from '../src/testbed/models/index.ts';
import { type Scenario } from '../src/testbed/model.ts';
import { requiredFeatures } from '../src/testbed/kinds/index.ts';
import { missingFeatures } from '../src/testbed/features.ts';
import { testbedDown, testbedUp } from '../src/testbed/lifecycle.ts';
import { endpointsOf } from '../src/testbed/topology.ts';
import { cleanup, ourNamespaces } from '../src/testbed/cleanup.ts';
import { listStates } from '../src/testbed/state.ts';
import { perfWorkPrefix } from '../src/testbed/names.ts';
import { cli, rootOnly } from './helpers/cli.ts';
import { linkStats } from '../src/testbed/verify.ts';
import { aggregatingOn, offloadsOffArgs, parseFeatures } from '../src/tools/ethtool/features.ts';

async function links(ns: string): Promise<{ ifname: string; link_type?: string; linkinfo?: { info_kind?: string }; master?: string }[]> {
  return JSON.parse((await run(['ip', '-n', ns, '-d', '-j', 'link', 'show'])).stdout);
}

async function bpfMounts(): Promise<string[]> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes('/run/cnibench/bpffs/'));
}

for (const model of MODELS) {
  test(`testbed ${model.id}: up, reachable, its devices present, down leaves nothing`, rootOnly(), async () => {
    const scenarios: Scenario[] = [];
    for (const s of model.scenarios) if ((await missingFeatures(requiredFeatures(model, s))).length === 0) scenarios.push(s);
    if (scenarios.length === 0) {
      // The kernel lacks what this model needs: up must refuse rather than build something else.
      return;
    }
    const tb = await testbedUp(model, { scenarios, netservers: false });
    try {
      for (const s of scenarios) {
        const ep = endpointsOf(tb, s);
        const ping = await run(['ping', '-c', '2', '-i', '0.2', '-W', '2', ep.serverIp], { ns: ep.clientNs, reject: false });
        assert.equal(ping.exitCode, 0, `${model.id} ${s}: ping ${ep.serverIp}: ${ping.stdout}${ping.stderr}`);
      }
      const nodeA = tb.nodes.find((n) => n.name === 'node-a');
      if (nodeA) {
        const ls = await links(nodeA.ns);
        const names = ls.map((l) => l.ifname);
        if (model.attach.kind === 'bridge') assert.ok(names.includes(model.attach.bridge), `${model.attach.bridge} bridge exists`);
        if (model.attach.kind === 'routed-veth') assert.ok(names.filter((n) => n.startsWith('cali')).length >= 2, 'cali veths');
        if (model.attach.kind === 'bpf-veth') {
          const lxc = names.find((n) => n.startsWith('lxc'))!;
          const filters = await run(['tc', '-n', nodeA.ns, 'filter', 'show', 'dev', lxc, 'ingress']);
          assert.match(filters.stdout, /bpf .*direct-action/, 'BPF program attached to the lxc veth');
        }
        if (scenarios.includes('inter') && model.interHost && 'device' in model.interHost) {
          assert.ok(names.includes(model.interHost.device), `${model.interHost.device} exists on node-a`);
        }
        if (model.policyRouting) {
          const rules = await run(['ip', '-n', nodeA.ns, 'rule', 'show']);
          assert.match(rules.stdout, new RegExp(`lookup ${model.policyRouting.table}`));
        }
      }
      if (model.policy.kind !== 'none') assert.ok((tb.policy?.['node-a']?.ruleCount ?? 0) > 0, 'policy rules installed');
      if (model.id === 'calico-wp') assert.ok(tb.policy!['node-a']!.ruleCount > 300, 'calico-wp has hundreds of rules');
    } finally {
      await testbedDown(tb, model);
    }
    assert.deepEqual(await ourNamespaces(tb.prefix), []);
    assert.deepEqual((await listStates()).filter((s) => s.prefix === tb.prefix), []);
    assert.deepEqual(await bpfMounts(), []);
  });
}

// A namespace file mounted over itself makes `ip netns del` fail with EBUSY (it takes one mount off per call): tear-down
// tries again and removes it; one held past every try is an error naming it and how often it is mounted.
test('tear-down removes a namespace that ip netns del refuses once, and names one it cannot remove', rootOnly(), async () => {
  const baseline = findModel('baseline')!;
  // Private, so each lazy unmount by `ip netns del` takes off exactly one (a shared one would take its copies along).
  const stack = async (file: string, times: number) => {
    for (let i = 0; i < times; i++) { await run(['mount', '--bind', file, file]); await run(['mount', '--make-private', file]); }
  };
  const once = await testbedUp(baseline, { netservers: false });
  await stack(`/run/netns/${once.pods[0]!.ns}`, 2);
  await testbedDown(once, baseline);
  assert.deepEqual(await ourNamespaces(once.prefix), [], 'removed on a later try');

  const held = await testbedUp(baseline, { netservers: false });
  const ns = held.pods[0]!.ns;
  const file = `/run/netns/${ns}`;
  await stack(file, 6);
  try {
    await assert.rejects(testbedDown(held, baseline), new RegExp(`namespaces not removed after 4 tries: ${ns} \\(.*busy.*mounted \\d+ time\\(s\\) here\\)`, 'i'));
  } finally {
    for (let i = 0; i < 8; i++) await run(['umount', file], { reject: false });
    await cleanup(held.prefix);
  }
  assert.deepEqual(await ourNamespaces(held.prefix), []);
});

test('a model the kernel cannot build is refused with the reason', rootOnly(), async () => {
  const ipip = findModel('calico-np-ipip')!;
  const missing = await missingFeatures(requiredFeatures(ipip, 'inter'));
  const r = await cli(['testbed', 'up', 'calico-np-ipip']);
  if (missing.length) {
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /kernel lacks ipip/);
  } else {
    assert.equal(r.exitCode, 0, r.stderr);
    await cleanup();
  }
  assert.deepEqual(await ourNamespaces(), []);
});

test('CLI: testbed up, list, down; and cleanup after a crash', rootOnly(), async () => {
  const up = await cli(['testbed', 'up', 'flannel']);
  assert.equal(up.exitCode, 0, up.stderr);
  const prefix = up.stdout.match(/testbed (cnib[0-9a-f]{6})/)?.[1];
  assert.ok(prefix, up.stdout);
  assert.match(up.stdout, /ip netns exec .* netperf -H /);
  const list = await cli(['testbed', 'list']);
  assert.match(list.stdout, new RegExp(`${prefix}\\s+flannel`));
  const down = await cli(['testbed', 'down', prefix]);
  assert.equal(down.exitCode, 0, down.stderr);
  assert.deepEqual(await ourNamespaces(prefix), []);

  // A crashed run: the testbed's process is gone but its namespaces, netservers and state remain.
  const crashed = await cli(['testbed', 'up', 'cilium']);
  assert.equal(crashed.exitCode, 0, crashed.stderr);
  assert.ok((await ourNamespaces()).length > 0);
  // A profiled item killed mid-run leaves perf's working folder (megabytes of perf.data); a folder of the same look
  // that is not a testbed's stays.
  const crashedPrefix = crashed.stdout.match(/testbed (cnib[0-9a-f]{6})/)![1]!;
  const perfWork = await mkdtemp(join(tmpdir(), perfWorkPrefix(crashedPrefix)));
  await writeFile(join(perfWork, 'perf.data'), 'x');
  const notOurs = await mkdtemp(join(tmpdir(), 'cnibench-perf-someone-'));
  const clean = await cli(['testbed', 'cleanup']);
  assert.equal(clean.exitCode, 0, clean.stderr);
  assert.match(clean.stdout, /removed 1 testbed\(s\): \d+ namespaces, \d+ processes, 1 perf working folders/);
  await assert.rejects(access(perfWork), 'perf\'s working folder removed');
  await access(notOurs);
  await rm(notOurs, { recursive: true });
  assert.deepEqual(await ourNamespaces(), []);
  assert.deepEqual(await listStates(), []);
  assert.deepEqual(await bpfMounts(), []);
  const ps = await run(['ps', '-eo', 'args=']);
  assert.ok(!/netserver -D -p 12865/.test(ps.stdout), 'netservers of the crashed testbed stopped');
});

test('--wire nic: every offload off on both nodes\' eth0, and a stream between nodes crosses the wire frame by frame', { ...rootOnly(), timeout: 120_000 }, async () => {
  // Native routing (calico-np) and a VXLAN overlay (flannel: the tunnel's own segmentation offload must go too).
  for (const id of ['calico-np', 'flannel']) {
    const model = findModel(id)!;
    const perPacket: Record<string, { wire: number; pod: number }> = {};
    for (const wire of ['veth', 'nic'] as const) {
      const tb = await testbedUp(model, { scenarios: ['inter'], wire });
      try {
        assert.equal(tb.wire, wire);
        for (const node of tb.nodes) {
          const on = aggregatingOn(parseFeatures((await run(['ethtool', '-k', 'eth0'], { ns: node.ns })).stdout));
          if (wire === 'nic') {
            assert.deepEqual(on, [], `${id} ${node.name}: nothing aggregates`);
            assert.ok(tb.wireOffloadsOff?.[node.name]?.includes('generic-segmentation-offload'), 'what was turned off is recorded');
          } else {
            assert.ok(on.includes('tcp-segmentation-offload'), `${id} ${node.name}: a plain veth keeps TSO`);
          }
        }
        const ep = endpointsOf(tb, 'inter');
        const nodeB = tb.nodes.find((n) => n.name === 'node-b')!;
        const counters = async () => ({ wire: (await linkStats(nodeB.ns)).get('eth0')!, pod: (await linkStats(ep.serverNs)).get(ep.serverIf)! });
        const before = await counters();
        const np = await run(['netperf', '-H', ep.serverIp, '-l', '2', '-t', 'TCP_STREAM', '-P', '0'], { ns: ep.clientNs });
        assert.match(np.stdout, /\d/);
        const after = await counters();
        const bytes = (k: 'wire' | 'pod') => (after[k].rxBytes - before[k].rxBytes) / (after[k].rx - before[k].rx);
        perPacket[wire] = { wire: bytes('wire'), pod: bytes('pod') };
      } finally {
        await testbedDown(tb, model);
      }
    }
    // A frame on the wire is at most 1,514 bytes (MTU 1,500 + Ethernet header); through a veth with offloads, skbs
    // carry many. Behind a VXLAN device the receiving node's GRO may merge frames again before the pod, as the
    // kernel does behind a NIC too, so the pod side is checked for native routing only.
    assert.ok(perPacket.nic!.wire <= 1514, `${id} nic: ${perPacket.nic!.wire.toFixed(0)} bytes per packet on the wire`);
    assert.ok(perPacket.veth!.wire > 3000, `${id} veth: ${perPacket.veth!.wire.toFixed(0)} bytes per packet on the wire`);
    if (id === 'calico-np') assert.ok(perPacket.nic!.pod <= 1514, `${id} nic: ${perPacket.nic!.pod.toFixed(0)} bytes per packet at the server pod`);
  }
});

test('ethtool -k: features parsed, fixed ones known, the off arguments name every tunnel segmentation still on', async () => {
  const f = parseFeatures(await readFile(join(import.meta.dirname, 'fixtures/ethtool/veth-k.txt'), 'utf8'));
  assert.deepEqual(f.find((x) => x.name === 'rx-gro-hw'), { name: 'rx-gro-hw', on: false, fixed: true });
  assert.ok(aggregatingOn(f).includes('tx-udp_tnl-segmentation'));
  const args = offloadsOffArgs(f);
  for (const name of ['gso', 'tso', 'gro', 'tx-udp_tnl-segmentation', 'tx-udp_tnl-csum-segmentation']) assert.equal(args[args.indexOf(name) + 1], 'off', name);
  assert.ok(!args.includes('tx-fcoe-segmentation'), 'a fixed feature is not asked to change');
  assert.throws(() => parseFeatures('no features here'), /not ethtool -k output/);
});
