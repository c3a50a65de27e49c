// As root: the tests through a Service (collect --proxy … --target service), on a bridge model (flannel) and a routed
// one (calico-np), within a node and between nodes, with kube-proxy's iptables and nftables rules compared in one run: every item reaches
// the server through the ClusterIP and proves it with conntrack's translated entries; the rules' load time is kept;
// nothing is left behind; and each model with its own Service datapath (Cilium's eBPF socket load balancer). Short
// runs: what is checked is the path, not the numbers.
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
import type { ServicePathCheck } from '../src/testbed/services/apply.ts';
import { leftoverCgroups } from '../src/testbed/services/ebpfSocketLb.ts';

test('through a Service, kube-proxy\'s iptables and nftables modes compared in one run (--proxy iptables,nftables, 200 other Services): every item translated to its server by its own mode, a testbed per model and mode, the rules\' load time kept, the report a line each', { ...rootOnly(), timeout: 300_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-svc-'));
  const nsBefore = await ourNamespaces();
  try {
    const args = ['--cni', 'flannel,calico-np', '--tests', 'tcp_rr,tcp_crr,udp_rr', '--reps', '1', '--duration', '1', '--warmup', '0', '--no-control',
      '--proxy', 'iptables,nftables', '--services', '200', '--target', 'service'];
    const r = await cli(['collect', ...args, '--data-dir', dataDir], { timeoutMs: 280_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    const [runId] = await readdir(join(dataDir, 'runs'));
    const runDir = join(dataDir, 'runs', runId!);
    const m = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
    assert.deepEqual(m.plan.proxy, { mode: 'iptables', modes: ['iptables', 'nftables'], services: 200 });
    assert.equal(m.plan.target, 'service');
    assert.equal(m.items.length, 24, 'two models × two modes × two scenarios × three tests');
    for (const item of m.items) {
      assert.equal(item.status, 'ok', `${item.id}: ${item.reason}`);
      assert.equal(item.target, 'service', `${item.id} went through the Service`);
      assert.ok(item.proxy === 'iptables' || item.proxy === 'nftables', `${item.id} names its mode`);
      const rel = item.files.find((f) => f.endsWith('.datapath.json'))!;
      const d = JSON.parse(await readFile(join(runDir, rel), 'utf8')) as { argv: string[]; servicePath: ServicePathCheck };
      assert.ok(d.argv.includes(d.servicePath.clusterIP), `${item.id}: netperf was pointed at the ClusterIP`);
      assert.match(d.servicePath.clusterIP, /^10\.(9[6-9]|10\d|11[01])\./, 'a ClusterIP of 10.96.0.0/12');
      assert.ok(d.servicePath.toServer >= 2, `${item.id}: control and data connections translated (${JSON.stringify(d.servicePath)})`);
      // TCP_CRR opens a connection per transaction: many more than two went through the DNAT.
      if (item.test === 'tcp_crr') assert.ok(d.servicePath.toServer > 100, `${item.id}: ${d.servicePath.toServer} connections`);
    }
    for (const model of ['flannel', 'calico-np']) {
      const testbeds = await Promise.all(Object.keys(m.files).filter((f) => f.startsWith(`raw/${model}/testbed-`)).map(async (f) => JSON.parse(await readFile(join(runDir, f), 'utf8')) as Testbed));
      assert.deepEqual(testbeds.map((t) => t.services?.mode).sort(), ['iptables', 'nftables'], `${model}: a testbed per mode`);
      for (const tb of testbeds) {
        assert.equal(tb.services?.extra, 200);
        assert.ok((tb.services?.ruleCount ?? 0) > 200, `${model}: the rules of 200 Services and the test ones`);
        for (const node of tb.nodes) {
          const t = tb.services?.apply[node.name];
          assert.ok(t && t.applyMs > 0 && t.checkMs > 0, `${model} ${tb.services?.mode} ${node.name}: check and load timed`);
        }
        assert.notEqual(tb.services?.underTest.intra?.clusterIP, tb.services?.underTest.inter?.clusterIP, 'one Service per scenario');
      }
    }
    assert.deepEqual(await ourNamespaces(), nsBefore, 'no namespace left behind');
    const out = join(dataDir, 'report');
    const rep = await cli(['report', '--data-dir', dataDir, '--out', out, '--no-pdf'], { timeoutMs: 120_000 });
    assert.equal(rep.exitCode, 0, rep.stderr);
    const csv = await readFile(join(out, 'tables', 'service-path.csv'), 'utf8');
    for (const mode of ['iptables', 'nftables']) assert.match(csv, new RegExp(`flannel,inter,tcp_crr,${mode},200,service,transaction_rate`));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await sweepLeftovers();
  }
});

test('through a Service, each model its own implementation (a --sweep without --proxy): Cilium by its eBPF socket load balancer, Flannel by kube-proxy, at 0 and 200 other Services interleaved; nothing left behind', { ...rootOnly(), timeout: 300_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-svc-'));
  const nsBefore = await ourNamespaces();
  const cgroupsBefore = await leftoverCgroups();
  try {
    const args = ['--cni', 'flannel,cilium', '--tests', 'tcp_rr,tcp_crr,udp_rr', '--reps', '1', '--duration', '1', '--warmup', '0', '--no-control', '--sweep', 'services=0,200', '--target', 'service'];
    const r = await cli(['collect', ...args, '--data-dir', dataDir], { timeoutMs: 280_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    const [runId] = await readdir(join(dataDir, 'runs'));
    const runDir = join(dataDir, 'runs', runId!);
    const m = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
    assert.deepEqual(m.plan.proxy, { mode: 'default', services: 200, sweep: [0, 200] });
    assert.equal(m.items.length, 24, 'two models × two scenarios × three tests × two sizes');
    const testbedsOf = async (model: string) => Promise.all(Object.keys(m.files).filter((f) => f.startsWith(`raw/${model}/testbed-`)).map(async (f) => JSON.parse(await readFile(join(runDir, f), 'utf8')) as Testbed));
    const cilium = await testbedsOf('cilium');
    assert.deepEqual(cilium.map((t) => t.services?.extra).sort(), [0, 200], 'one testbed per size');
    for (const item of m.items) {
      assert.equal(item.status, 'ok', `${item.id}: ${item.reason}`);
      const rel = item.files.find((f) => f.endsWith('.datapath.json'))!;
      const d = JSON.parse(await readFile(join(runDir, rel), 'utf8')) as { argv: string[]; servicePath: ServicePathCheck };
      assert.ok(d.argv.includes(d.servicePath.clusterIP), `${item.id}: netperf was pointed at the ClusterIP`);
      assert.equal(d.servicePath.via, item.model === 'cilium' ? 'socket-lb' : 'conntrack', item.id);
      assert.match(item.id, /@svc(0|200)\//, `${item.id}: its size is part of its id`);
      if (item.model === 'cilium') assert.deepEqual([d.argv[0], d.argv[3]], ['sh', cilium.find((t) => t.prefix === item.testbed)?.services?.socketLb?.cgroup], `${item.id}: netperf joined its load balancer's cgroup first`);
      assert.ok(d.servicePath.toServer >= 2, `${item.id}: ${JSON.stringify(d.servicePath)}`);
      // TCP_CRR: a translation per connection; UDP_RR: netperf sends unconnected datagrams, each translated by sendmsg4
      // (conntrack has one flow for them).
      if (item.test === 'tcp_crr' || (item.test === 'udp_rr' && item.model === 'cilium')) assert.ok(d.servicePath.toServer > 100, `${item.id}: ${d.servicePath.toServer} translations`);
    }
    const big = cilium.find((t) => t.services?.extra === 200)!;
    assert.equal(big.services?.mode, 'ebpf');
    assert.ok((big.services?.servicePorts ?? 0) > 200, 'the 200 Services and the test ones are in the maps');
    const t = Object.values(big.services?.apply ?? {})[0];
    assert.ok(t && t.checkMs > 0 && t.applyMs > 0, 'program load and map fill timed');
    assert.ok((await testbedsOf('flannel')).every((x) => x.services?.mode === 'iptables'));
    assert.deepEqual(await ourNamespaces(), nsBefore, 'no namespace left behind');
    assert.deepEqual(await leftoverCgroups(), cgroupsBefore, 'the load balancer\'s cgroup is removed');
    // The report keeps the run out of the study's figures and summarises it in its own section.
    const out = join(dataDir, 'report');
    const rep = await cli(['report', '--data-dir', dataDir, '--out', out, '--no-pdf'], { timeoutMs: 120_000 });
    assert.equal(rep.exitCode, 0, rep.stderr);
    const csv = await readFile(join(out, 'tables', 'service-path.csv'), 'utf8');
    assert.match(csv, /cilium,intra,tcp_crr,ebpf,200,service,transaction_rate/);
    assert.match(csv, /flannel,inter,tcp_rr,iptables,200,service,transaction_rate/);
    assert.match(await readFile(join(out, 'tables', 'service-sync.csv'), 'utf8'), /cilium,ebpf,200,node-a,/);
    assert.doesNotMatch(await readFile(join(out, 'tables', 'fig3b.csv'), 'utf8').catch(() => ''), /^(flannel|cilium),/m, 'no Service-path number in the study\'s figures');
    const html = await readFile(join(out, 'index.html'), 'utf8');
    assert.match(html, /Beyond the study: the Service path/);
    assert.match(html, /eBPF socket LB/);
    assert.match(await readFile(join(out, 'tables', 'fig9.csv'), 'utf8'), /cilium/, 'Fig. 9 draws the sweep');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await sweepLeftovers();
  }
});

test('a profiled sweep (--sweep services=0,200 --profile --profile-tests tcp_crr, profiles only): a profile per implementation and size, each proven translated by its Service, in its own folder; Fig. 12 drawn from them', { ...rootOnly(), timeout: 300_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-svc-'));
  const nsBefore = await ourNamespaces();
  try {
    const args = ['--cni', 'flannel,cilium', '--scenario', 'inter', '--tests', 'none', '--proxy', 'iptables,ebpf', '--sweep', 'services=0,200', '--target', 'service',
      '--profile', '--profile-tests', 'tcp_crr', '--profile-reps', '1', '--profile-duration', '1', '--profile-freq', '199', '--warmup', '0'];
    const r = await cli(['collect', ...args, '--data-dir', dataDir], { timeoutMs: 280_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    const [runId] = await readdir(join(dataDir, 'runs'));
    const runDir = join(dataDir, 'runs', runId!);
    const m = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
    assert.deepEqual(m.items.map((i) => i.id).sort(), [
      'cilium/inter/profile-tcp_crr@ebpf@svc0/001', 'cilium/inter/profile-tcp_crr@ebpf@svc200/001',
      'flannel/inter/profile-tcp_crr@iptables@svc0/001', 'flannel/inter/profile-tcp_crr@iptables@svc200/001',
    ]);
    for (const item of m.items) {
      assert.equal(item.status, 'ok', `${item.id}: ${item.reason}`);
      const dir = `raw/${item.model}/inter/profile-tcp_crr@${item.proxy}@svc${item.services}/001`;
      assert.ok(item.files.includes(`${dir}/record.perf-script.txt.gz`), `${item.id}: its profile in ${dir}`);
      for (const run of ['record', 'stat']) {
        const c = JSON.parse(await readFile(join(runDir, dir, `${run}.counters.json`), 'utf8')) as { servicePath: ServicePathCheck };
        assert.equal(c.servicePath.via, item.model === 'cilium' ? 'socket-lb' : 'conntrack', `${item.id} ${run}`);
        assert.ok(c.servicePath.pass && c.servicePath.toServer > 100, `${item.id} ${run}: a translation per connection (${JSON.stringify(c.servicePath)})`);
      }
    }
    assert.deepEqual(await ourNamespaces(), nsBefore, 'no namespace left behind');
    const out = join(dataDir, 'report');
    const rep = await cli(['report', '--data-dir', dataDir, '--out', out, '--no-pdf'], { timeoutMs: 120_000 });
    assert.equal(rep.exitCode, 0, rep.stderr);
    const csv = await readFile(join(out, 'tables', 'fig12.csv'), 'utf8');
    for (const line of ['flannel,inter,tcp_crr,services,0,iptables,filtering', 'flannel,inter,tcp_crr,services,200,iptables,total', 'cilium,inter,tcp_crr,services,200,ebpf,filtering']) assert.match(csv, new RegExp(line), line);
    assert.match(await readFile(join(out, 'tables', 'scale-cycles.csv'), 'utf8'), /cilium,inter,tcp_crr,services,0,ebpf,ebpf,/, 'every part in the full table');
    assert.match(await readFile(join(out, 'index.html'), 'utf8'), /Fig\. 12/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await sweepLeftovers();
  }
});
