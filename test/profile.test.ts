// As root: short profiled runs must show what each datapath is made of — bridge cycles only where there is a
// bridge, eBPF only where BPF is attached, VXLAN only on VXLAN overlays between hosts, more netfilter with Calico's
// per-workload policy, more FIB lookups with kube-router's extra routing table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, rootOnly } from './helpers/cli.ts';
import { sweepLeftovers } from './helpers/leftovers.ts';
import { loadRun } from '../src/analysis/loadRun.ts';
import { cppTables, type CppRow, type CppTransactionRow, type PacketEventRow } from '../src/analysis/cpp.ts';
import { parseNetperfKeyval } from '../src/tools/netperf/parse.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { findModel } from '../src/testbed/models/index.ts';
import { testbedDown, testbedUp } from '../src/testbed/lifecycle.ts';
import { endpointsOf } from '../src/testbed/topology.ts';
import { linkStats } from '../src/testbed/verify.ts';
import { run } from '../src/util/exec.ts';
import { ensureTracefs } from '../src/tools/perf/command.ts';
import { parsePerfStatCsv } from '../src/tools/perf/stat.ts';
import { ourNamespaces } from '../src/testbed/cleanup.ts';

test('profiled runs: the components each datapath is made of show up, and only there', { ...rootOnly(), timeout: 900_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-prof-'));
  try {
    const models = 'flannel,cilium,calico-np,calico-wp,kube-router';
    const r = await cli(['collect', '--cni', models, '--tests', 'tcp_stream', '--reps', '1', '--duration', '1', '--profile', '--profile-duration', '3', '--no-control', '--data-dir', dataDir], { timeoutMs: 880_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(await ourNamespaces(), []);
    const [runId] = await readdir(join(dataDir, 'runs'));
    const run = await loadRun(dataDir, runId!);
    const profiles = run.manifest.items.filter((i) => i.kind === 'profile');
    assert.equal(profiles.length, 10);
    for (const p of profiles) {
      assert.equal(p.status, 'ok', `${p.id}: ${p.reason}`);
      assert.ok(p.profile?.event === 'cycles' || p.profile?.event === 'cpu-clock', 'the event used is recorded');
    }
    const { cpp, packetEvents, problems } = await cppTables([run]);
    assert.deepEqual(problems, []);
    const rows = cpp.objects() as CppRow[];
    const cppOf = (model: string, scenario: string, component: string) => {
      const row = rows.find((x) => x.model === model && x.scenario === scenario && x.component === component);
      assert.ok(row, `${model} ${scenario} ${component}`);
      return row.cpp;
    };
    const total = (model: string, scenario: string) => rows.find((x) => x.model === model && x.scenario === scenario)!.totalCpp;
    const negligible = (model: string, scenario: string, component: string) =>
      assert.ok(cppOf(model, scenario, component) <= 0.02 * total(model, scenario), `${model} ${scenario}: ${component} CPP ${cppOf(model, scenario, component).toFixed(0)} should be ≈ 0 (total ${total(model, scenario).toFixed(0)})`);

    for (const s of ['intra', 'inter']) {
      assert.ok(cppOf('flannel', s, 'bridge') > 0, `flannel ${s} has bridge cycles`);
      assert.ok(cppOf('kube-router', s, 'bridge') > 0, `kube-router ${s} has bridge cycles`);
      negligible('cilium', s, 'bridge');
      negligible('calico-np', s, 'bridge');
      negligible('calico-wp', s, 'bridge');
      assert.ok(cppOf('cilium', s, 'ebpf') > 0, `cilium ${s} has eBPF cycles`);
      for (const m of ['flannel', 'calico-np', 'calico-wp', 'kube-router']) negligible(m, s, 'ebpf');
      negligible('cilium', s, 'netfilter');
      // Felix accepts ESTABLISHED packets at the top of every cali-fw-*/cali-tw-* chain, so per-workload policy adds
      // only the dispatch levels to a long flow's per-packet path (the policy itself runs for new connections).
      // Both variants pay for netfilter; whether wp pays measurably more is a finding, reported, not assumed.
      assert.ok(cppOf('calico-np', s, 'netfilter') > 0 && cppOf('calico-wp', s, 'netfilter') > 0, `calico ${s} pays for netfilter`);
      console.log(`# calico ${s} netfilter CPP: np ${cppOf('calico-np', s, 'netfilter').toFixed(0)}, wp ${cppOf('calico-wp', s, 'netfilter').toFixed(0)}`);
    }
    assert.ok(cppOf('flannel', 'inter', 'vxlan') > 0, 'flannel inter has VXLAN cycles');
    assert.ok(cppOf('cilium', 'inter', 'vxlan') > 0, 'cilium inter has VXLAN cycles');
    for (const m of ['flannel', 'cilium', 'calico-np', 'calico-wp', 'kube-router']) negligible(m, 'intra', 'vxlan');
    for (const m of ['calico-np', 'calico-wp', 'kube-router']) negligible(m, 'inter', 'vxlan');

    const events = packetEvents.objects() as PacketEventRow[];
    const fib = (m: string) => events.find((e) => e.model === m && e.scenario === 'inter')!.fibPer100k;
    assert.ok(fib('kube-router') > fib('calico-np'), `kube-router FIB lookups per 100k packets (${fib('kube-router').toFixed(0)}) above calico-np's (${fib('calico-np').toFixed(0)})`);
    for (const row of rows) assert.ok(Number.isFinite(row.cpp) && row.cpp >= 0, `${row.model} ${row.component} CPP is a number`);
    if (rows.some((x) => x.cycles.startsWith('estimated'))) assert.ok(rows.every((x) => x.cycles.startsWith('estimated')), 'every row says the cycles are estimated');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await sweepLeftovers();
  }
});

test('request/response profiles: cycles per transaction, divided by netperf\'s own count, apart from the stream table', { ...rootOnly(), timeout: 300_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-prof-rr-'));
  try {
    const r = await cli(['collect', '--cni', 'cilium', '--scenario', 'intra', '--tests', 'none', '--profile', '--profile-tests', 'tcp_rr,udp_rr', '--profile-reps', '1', '--profile-duration', '2', '--data-dir', dataDir], { timeoutMs: 280_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(await ourNamespaces(), []);
    const [runId] = await readdir(join(dataDir, 'runs'));
    const run = await loadRun(dataDir, runId!);
    const profiles = run.manifest.items.filter((i) => i.kind === 'profile');
    assert.deepEqual(profiles.map((p) => `${p.id} ${p.test} ${p.status}`).sort(), ['cilium/intra/profile-tcp_rr/001 tcp_rr ok', 'cilium/intra/profile-udp_rr/001 udp_rr ok']);
    assert.ok(profiles.every((p) => p.files.every((f) => f.startsWith(`raw/cilium/intra/profile-${p.test}/001/`))), 'raw files under profile-<test>/');
    const { cpp, transactions, problems } = await cppTables([run]);
    assert.deepEqual(problems, []);
    assert.equal(cpp.numRows(), 0, 'no stream profile, no stream rows');
    const rows = transactions.objects() as CppTransactionRow[];
    for (const test of ['tcp_rr', 'udp_rr']) {
      const of = rows.filter((x) => x.test === test);
      assert.ok(of.length > 0, `${test} rows`);
      const netperf = parseNetperfKeyval(await readFile(join(run.runDir, `raw/cilium/intra/profile-${test}/001/record.netperf.txt`), 'utf8'), test as 'tcp_rr');
      assert.ok(Math.abs(of[0]!.transactions - netperf.transactionRate! * netperf.elapsedS) < 1, 'transactions = rate × elapsed');
      // Each request reaches the server pod's interface as a packet of its own (a one-byte payload is never merged).
      assert.ok(of[0]!.devicePackets >= 0.9 * of[0]!.transactions, `${test}: ${of[0]!.devicePackets} packets for ${of[0]!.transactions.toFixed(0)} transactions`);
      const sum = of.reduce((n, x) => n + x.cppPerTransaction, 0);
      assert.ok(Math.abs(sum - of[0]!.totalPerTransaction) < 1e-6 * sum, 'components add up to the total');
      assert.ok(of.find((x) => x.component === 'ebpf')!.cppPerTransaction > 0, `cilium ${test} has eBPF cycles`);
      assert.equal(of.find((x) => x.component === 'bridge')!.cppPerTransaction, 0, `cilium ${test} has no bridge`);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await sweepLeftovers();
  }
});

test('per skb is per packet as a veth counts it: rx_packets moves exactly with net:netif_receive_skb on that device', { ...rootOnly(), timeout: 120_000 }, async () => {
  // A GSO stream between two pods of one node; the client pod's host-side veth has a name no other device has,
  // so the tracepoint can be filtered to it. The CPP tables' "per skb" divides by the same counter of a veth.
  const model = findModel('flannel')!;
  const tb = await testbedUp(model, { scenarios: ['intra'] });
  const work = await mkdtemp(join(tmpdir(), 'cnibench-skb-'));
  try {
    await ensureTracefs();
    const node = tb.nodes[0]!;
    const dev = tb.pods.find((p) => p.name === 'a1')!.hostIf!;
    const out = join(work, 'stat.csv');
    const perf = execa('perf', ['stat', '-a', '-x,', '-o', out, '-e', 'net:netif_receive_skb', '--filter', `name == "${dev}"`, '--', 'sleep', '5'], { reject: false });
    await sleep(1000);
    const before = (await linkStats(node.ns)).get(dev)!;
    const ep = endpointsOf(tb, 'intra');
    await run(['netperf', '-H', ep.serverIp, '-l', '2', '-t', 'TCP_STREAM', '-P', '0'], { ns: ep.clientNs });
    const after = (await linkStats(node.ns)).get(dev)!;
    const done = await perf;
    assert.equal(done.exitCode, 0, String(done.stderr));
    const events = parsePerfStatCsv(await readFile(out, 'utf8'), { expect: ['net:netif_receive_skb'], file: out })['net:netif_receive_skb']!.value!;
    const counted = after.rx - before.rx;
    const bytes = after.rxBytes - before.rxBytes;
    assert.ok(bytes / counted > 3000, `a GSO stream: ${(bytes / counted).toFixed(0)} bytes per skb`);
    console.log(`# ${dev}: rx_packets +${counted}, netif_receive_skb ${events}, ${(bytes / counted).toFixed(0)} bytes per skb`);
    // Outside the counters' window only the connection's last packets can fall (its close, after netperf returns).
    assert.ok(events >= counted && events <= counted + 10, `${events} netif_receive_skb events on ${dev} against rx_packets +${counted}`);
  } finally {
    await testbedDown(tb, model);
    await rm(work, { recursive: true, force: true });
    await sweepLeftovers();
  }
});
