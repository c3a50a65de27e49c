// As root: every model's testbed comes up with the devices its description promises, pods reach each other,
// and down/cleanup leave nothing behind (namespaces, processes, BPF mounts, state).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { run } from '../src/util/exec.ts';
import { MODELS, findModel } from '../src/testbed/models/index.ts';
import { requiredFeatures, type Scenario } from '../src/testbed/model.ts';
import { missingFeatures } from '../src/testbed/features.ts';
import { testbedDown, testbedUp } from '../src/testbed/lifecycle.ts';
import { endpointsOf } from '../src/testbed/topology.ts';
import { cleanup, ourNamespaces } from '../src/testbed/cleanup.ts';
import { listStates } from '../src/testbed/state.ts';
import { cli, rootOnly } from './helpers/cli.ts';

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
  const clean = await cli(['testbed', 'cleanup']);
  assert.equal(clean.exitCode, 0, clean.stderr);
  assert.match(clean.stdout, /removed 1 testbed/);
  assert.deepEqual(await ourNamespaces(), []);
  assert.deepEqual(await listStates(), []);
  assert.deepEqual(await bpfMounts(), []);
  const ps = await run(['ps', '-eo', 'args=']);
  assert.ok(!/netserver -D -p 12865/.test(ps.stdout), 'netservers of the crashed testbed stopped');
});
