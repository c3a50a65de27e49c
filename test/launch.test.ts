// Pod launch (study Fig. 7) on the local testbed: as root, every model that launches pods does so step by step and
// tears them down without a trace (namespace, veth, route, BPF endpoint, iptables chains, IP-set members); the policy
// re-sync is checked as text; timings are summarized with a CI and the claims read them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../src/util/exec.ts';
import { MODELS } from '../src/testbed/models/index.ts';
import { requiredFeatures } from '../src/testbed/kinds/index.ts';
import { missingFeatures } from '../src/testbed/features.ts';
import { testbedDown, testbedUp } from '../src/testbed/lifecycle.ts';
import { ourNamespaces } from '../src/testbed/cleanup.ts';
import { launchPod } from '../src/launch/local.ts';
import { checkLaunchTiming, type LaunchTiming } from '../src/launch/record.ts';
import { policyUpdate } from '../src/testbed/policy/resync.ts';
import { RestoreBuilder, renderIpsets } from '../src/testbed/policy/restore.ts';
import type { Ruleset } from '../src/testbed/policy/types.ts';
import { summarizeLaunches } from '../src/analysis/launch.ts';
import { notApplicable, parsePlan } from '../src/collect/plan.ts';
import { planItems } from '../src/collect/schedule.ts';
import { rootOnly } from './helpers/cli.ts';

/**
 * The node's policy and addressing state with counters and the launched pod's own lines left out of nothing; with a
 * BPF datapath (`bpfDir`, the node's pins), its endpoint, ipcache and policy maps and the maps pinned.
 */
async function nodeState(ns: string, iptables: 'legacy' | 'nft', bpfDir?: string): Promise<string> {
  const save = await run([`iptables-${iptables}-save`], { ns });
  const ipsets = await run(['ipset', 'save'], { ns, reject: false });
  const links = await run(['ip', '-o', 'link', 'show'], { ns });
  const routes = await run(['ip', 'route', 'show'], { ns });
  const strip = (s: string) => s.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/g, '')).join('\n');
  // Link lines carry counters of nothing but their names and flags once the index is dropped.
  const linkNames = links.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[1]!.trim().split('@')[0]).sort().join(' ');
  const bpf: string[] = [];
  if (bpfDir) {
    const maps = (await readdir(join(bpfDir, 'maps'))).sort();
    bpf.push(maps.join(' '));
    for (const m of ['endpoints', 'ipcache', 'policy'].filter((x) => maps.includes(x))) {
      // Keys only: the policy array's values are map ids, new for every endpoint.
      const dump = JSON.parse((await run(['bpftool', '--nomount', '-j', 'map', 'dump', 'pinned', join(bpfDir, 'maps', m)])).stdout) as { key: string[] }[];
      bpf.push(`${m}: ${dump.map((e) => e.key.join('')).sort().join(' ')}`);
    }
  }
  return [strip(save.stdout), ipsets.stdout, linkNames, routes.stdout, ...bpf].join('\n----\n');
}

const LAUNCHING = MODELS.filter((m) => !notApplicable(m.id, 'intra', 'launch'));

test('the models that launch pods: every CNI model with an intra-host path; references and tunnel variants are skipped with a reason', () => {
  assert.deepEqual(LAUNCHING.map((m) => m.id), ['flannel', 'flannel-udp', 'weave', 'cilium', 'cilium-wp', 'calico-np', 'calico-wp', 'kube-router']);
  assert.match(notApplicable('host', 'intra', 'launch')!, /reference point/);
  assert.match(notApplicable('calico-wp-vxlan', 'intra', 'launch')!, /measured there/);
});

for (const model of LAUNCHING) {
  test(`launch ${model.id}: two pods, each timed phase by phase, answered, and deleted without a trace`, rootOnly(), async () => {
    assert.deepEqual(await missingFeatures(requiredFeatures(model, 'intra')), [], `${model.id} intra needs nothing this kernel lacks`);
    const tb = await testbedUp(model, { scenarios: ['intra'] });
    const node = tb.nodes[0]!;
    try {
      const bpfDir = tb.bpffs ? join(tb.bpffs, node.name) : undefined;
      const before = await nodeState(node.ns, tb.iptables, bpfDir);
      for (const index of [1, 2]) {
        const rec = await launchPod(model, tb, index);
        const timing: LaunchTiming = { backend: 'local', model: model.id, index, totalMs: rec.totalMs, phases: rec.phases };
        assert.equal(checkLaunchTiming(timing), undefined, 'phases add up to the total');
        const phases = rec.phases.map((p) => p.phase);
        const expected = ['sandbox', 'cni-add', ...(model.attach.kind === 'bpf-veth' ? ['bpf-endpoint'] : []), ...(model.policy.kind !== 'none' ? ['policy'] : []), 'readiness'];
        assert.deepEqual(phases, expected);
        assert.ok(rec.totalMs > 0 && rec.phases.every((p) => p.ms > 0), `every phase took time: ${JSON.stringify(rec.phases)}`);
        assert.ok(rec.readiness.attempts >= 1 && rec.pod.ip, 'the pod got an address and answered');
        assert.ok(rec.steps.length > 0, 'command-level steps recorded');
        assert.deepEqual(rec.teardown.map((p) => p.phase), [...(model.policy.kind !== 'none' ? ['policy'] : []), ...(model.attach.kind === 'bpf-veth' ? ['bpf-endpoint'] : []), 'cni-del', 'sandbox']);
        const netns = await run(['ip', 'netns', 'list']);
        assert.ok(!netns.stdout.includes(rec.pod.ns), `${rec.pod.ns} removed`);
        assert.equal(await nodeState(node.ns, tb.iptables, bpfDir), before, 'the node is as before the launch: links, routes, chains, IP sets, BPF maps');
        assert.equal(tb.pods.length, 2, 'only the test pods remain');
      }
    } finally {
      await testbedDown(tb, model);
    }
    assert.deepEqual((await ourNamespaces()).filter((ns) => ns.startsWith(tb.prefix)), [], 'testbed removed');
  });
}

test('policy re-sync: user chains re-declared, built-in hooks left alone, chains and IP-set members of a pod that left are deleted', () => {
  const rs = (pods: string[]): Ruleset => {
    const b = new RestoreBuilder();
    b.chain('filter', 'DISPATCH');
    b.insert('filter', 'FORWARD', ['-j', 'DISPATCH']);
    for (const p of pods) {
      b.chain('filter', `POD-${p}`);
      b.append('filter', 'DISPATCH', ['-o', `veth${p}`, '-j', `POD-${p}`]);
      b.append('filter', `POD-${p}`, ['-j', 'ACCEPT']);
    }
    return { iptables: b.render(), ipsets: renderIpsets([{ name: 'pods', type: 'hash:ip', members: pods.map((p) => [`10.0.0.${p}`]) }]), ruleCount: b.ruleCount, perPacketChains: [] };
  };
  const add = policyUpdate(rs(['1']), rs(['1', '2']));
  assert.doesNotMatch(add.iptables, /FORWARD/, 'the hook in FORWARD is not inserted again');
  assert.match(add.iptables, /^:POD-2 - \[0:0\]$/m);
  assert.match(add.iptables, /^-A DISPATCH -o veth2 -j POD-2$/m);
  assert.match(add.ipsets, /^add pods 10\.0\.0\.2$/m);
  const del = policyUpdate(rs(['1', '2']), rs(['1']));
  assert.match(del.iptables, /^-F POD-2\n-X POD-2\nCOMMIT$/m, 'the chain of the pod that left is flushed, then deleted, after the dispatch chain no longer jumps to it');
  assert.doesNotMatch(del.iptables, /veth2/);
  assert.match(del.ipsets, /^del pods 10\.0\.0\.2$/m);
  assert.doesNotMatch(del.ipsets, /del pods 10\.0\.0\.1/);
});

const timing = (model: string, index: number, phases: [string, number, boolean][]): LaunchTiming => {
  let start = 0;
  const ps = phases.map(([phase, ms, network]) => { const p = { phase, startMs: start, ms, network }; start += ms; return p; });
  return { backend: 'local', model, index, totalMs: start, phases: ps };
};

test('launch summaries: mean, 95% CI with Student t, phase means that add up to the mean total, network share', () => {
  const ts = [10, 12, 14].map((x, i) => timing('flannel', i + 1, [['sandbox', 2, false], ['cni-add', x, true], ['readiness', 4, false]]));
  const [s] = summarizeLaunches(ts);
  assert.equal(s!.n, 3);
  assert.equal(s!.meanMs, 18);
  // sd of 16, 18, 20 is 2; t(0.975, 2) = 4.3026527297 (scipy.stats.t.ppf); half-width t × 2 / √3
  assert.ok(Math.abs(s!.ci95High - 18 - (4.3026527297 * 2) / Math.sqrt(3)) < 1e-8);
  assert.equal(s!.phases.reduce((a, p) => a + p.meanMs, 0), s!.meanMs);
  assert.ok(Math.abs(s!.networkShare - (10 / 16 + 12 / 18 + 14 / 20) / 3) < 1e-12);
  assert.match(checkLaunchTiming({ ...ts[0]!, totalMs: 99 })!, /add up to/);
});

test('plan: --launch adds N launch items per model after its netperf items; --tests none leaves only them', () => {
  const plan = parsePlan({ cni: 'flannel', scenario: 'intra', tests: 'none', launch: '' });
  assert.deepEqual(plan.launch, { count: 30 });
  const items = planItems(plan);
  assert.equal(items.length, 30);
  assert.deepEqual(items[0], { id: 'flannel/launch/001', kind: 'launch', model: 'flannel', scenario: 'intra', test: 'tcp_rr', rep: 1 });
  const mixed = planItems(parsePlan({ cni: 'flannel', scenario: 'intra', tests: 'tcp_rr', reps: '2', launch: '3', noControl: true }));
  assert.deepEqual(mixed.map((i) => i.kind), ['netperf', 'netperf', 'launch', 'launch', 'launch']);
  assert.throws(() => parsePlan({ tests: 'none' }), /leaves nothing to do/);
  assert.throws(() => parsePlan({ launch: '0' }), /--launch/);
});
