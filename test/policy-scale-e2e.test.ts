// As root: --sweep policy-rules=… end to end on the four models whose policy scales (Calico with workload policy,
// Weave, kube-router in iptables; Cilium-wp in BPF maps): every item passes its datapath probes at each size, each
// testbed records the rules it was asked for with the time to restore its sets, check and load its rules (or write its
// map entries), the report draws Fig. 10 and keeps the run out of the study's figures, and nothing is left behind.
// Short runs: what is checked is the path, not the numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, rootOnly } from './helpers/cli.ts';
import { sweepLeftovers } from './helpers/leftovers.ts';
import { ourNamespaces } from '../src/testbed/cleanup.ts';
import type { RunManifest } from '../src/collect/manifest.ts';
import type { Testbed } from '../src/testbed/topology.ts';

test('--sweep policy-rules=1,200: each policy model at both sizes, interleaved; rule sets checked, loaded and timed; Fig. 10 drawn; nothing left behind', { ...rootOnly(), timeout: 300_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-policy-'));
  const nsBefore = await ourNamespaces();
  try {
    const args = ['--cni', 'calico-wp,weave,kube-router,cilium-wp', '--scenario', 'intra', '--tests', 'tcp_crr', '--reps', '1', '--duration', '1', '--warmup', '0', '--no-control', '--sweep', 'policy-rules=1,200'];
    const r = await cli(['collect', ...args, '--data-dir', dataDir], { timeoutMs: 280_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    const [runId] = await readdir(join(dataDir, 'runs'));
    const runDir = join(dataDir, 'runs', runId!);
    const m = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
    assert.deepEqual(m.plan.policyRules, { rules: 200, sweep: [1, 200] });
    assert.deepEqual(m.items.map((i) => `${i.model}@${i.policyRules}`).sort(), ['calico-wp@1', 'calico-wp@200', 'cilium-wp@1', 'cilium-wp@200', 'kube-router@1', 'kube-router@200', 'weave@1', 'weave@200']);
    for (const item of m.items) {
      assert.equal(item.status, 'ok', `${item.id}: ${item.reason}`);
      assert.equal(item.datapath, true, `${item.id}: its packets took the model's path`);
    }
    const testbeds = await Promise.all(Object.keys(m.files).filter((f) => /^raw\/[^/]+\/testbed-/.test(f)).map(async (f) => JSON.parse(await readFile(join(runDir, f), 'utf8')) as Testbed));
    assert.equal(testbeds.length, 8, 'a testbed per model and size');
    for (const tb of testbeds) {
      const p = tb.policy?.['node-a'];
      assert.ok(tb.policyRules === 1 || tb.policyRules === 200, `${tb.model}: ${tb.policyRules}`);
      if (tb.model === 'cilium-wp') assert.ok(p && p.loadMs! > 0 && p.ipcacheEntries! > tb.policyRules!, `${tb.model}@${tb.policyRules}: map writes timed, an ipcache entry per rule (${JSON.stringify(p)})`);
      else assert.ok(p && p.checkMs! > 0 && p.loadMs! > 0 && p.ipsetMs! >= 0, `${tb.model}@${tb.policyRules}: sets, check and load timed (${JSON.stringify(p)})`);
    }
    // Cilium-wp's probe counted the packets its policy map admitted: the policy is on the path.
    const ciliumChecks = await Promise.all(Object.keys(m.files).filter((f) => f.startsWith('raw/cilium-wp/') && f.endsWith('.datapath.json')).map(async (f) => (JSON.parse(await readFile(join(runDir, f), 'utf8')) as { check: { probes: { id: string; delta: number; pass: boolean }[] } }).check));
    assert.equal(ciliumChecks.length, 2);
    for (const c of ciliumChecks) assert.ok(c.probes.some((p) => p.id === 'node-a:bpf:policy' && p.pass && p.delta > 0), JSON.stringify(c.probes));
    // 199 more rules: at least 199 more iptables rules on the node for each model (Felix and kube-router: two each), or
    // for Cilium-wp 199 more entries in each endpoint's policy map.
    for (const model of ['calico-wp', 'weave', 'kube-router', 'cilium-wp']) {
      const [small, big] = [1, 200].map((n) => testbeds.find((t) => t.model === model && t.policyRules === n)!.policy!['node-a']!.ruleCount);
      assert.ok(big! - small! >= 199, `${model}: ${small} → ${big} rules`);
    }
    assert.deepEqual(await ourNamespaces(), nsBefore, 'no namespace left behind');
    const out = join(dataDir, 'report');
    const rep = await cli(['report', '--data-dir', dataDir, '--out', out, '--no-pdf'], { timeoutMs: 120_000 });
    assert.equal(rep.exitCode, 0, rep.stderr);
    assert.match(await readFile(join(out, 'tables', 'policy-scale.csv'), 'utf8'), /weave,intra,tcp_crr,200,transaction_rate/);
    assert.match(await readFile(join(out, 'tables', 'policy-apply.csv'), 'utf8'), /kube-router,200,node-a,/);
    assert.match(await readFile(join(out, 'tables', 'fig10.csv'), 'utf8'), /calico-wp/, 'Fig. 10 draws the sweep');
    assert.doesNotMatch(await readFile(join(out, 'tables', 'fig3b.csv'), 'utf8').catch(() => ''), /^(weave|calico-wp|kube-router),/m, 'no policy-scale number in the study\'s figures');
    assert.match(await readFile(join(out, 'index.html'), 'utf8'), /Beyond the study: policy at scale/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await sweepLeftovers();
  }
});
