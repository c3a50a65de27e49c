// CPP tables from the fixture run's real profiles: Eq. III.1 arithmetic, estimated cycles said on every row,
// and a profile with zero packets is an error naming its file, never a zero or NaN in the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRun } from '../src/analysis/loadRun.ts';
import { COMPONENTS, cppOfItem, cppTables, cpuSplitOfItem, wirePackets, type CppRow, type CppTransactionRow, type PacketEventRow } from '../src/analysis/cpp.ts';
import { transactionCsvs, transactionTable } from '../src/report/cycles.ts';
import { attributeProfile, readPerfScript } from '../src/tools/perf/index.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const RUN = (await readdir(join(FIXTURES, 'runs'))).find((n) => /^\d{8}-/.test(n))!;

test('CPP follows Eq. III.1: busy samples / freq × MHz / packets, split by component share', async () => {
  const run = await loadRun(FIXTURES, RUN);
  const item = run.manifest.items.find((i) => i.kind === 'profile' && i.model === 'cilium' && i.scenario === 'intra')!;
  const rows = await cppOfItem(run, item);
  const script = join(run.runDir, item.files.find((f) => f.endsWith('.perf-script.txt.gz'))!);
  const a = await attributeProfile(readPerfScript(script));
  const counters = JSON.parse(await readFile(join(run.runDir, item.files.find((f) => f.endsWith('record.counters.json'))!), 'utf8'));
  const busy = a.samples - a.idleSamples - a.foreignSamples;
  const cycles = (busy / item.profile!.freqHz) * run.manifest.host.cpuMHz * 1e6;
  assert.ok(counters.serverMtu <= 1500, 'a pod interface: its own MTU is the frame size');
  const expectedTotal = cycles / (counters.rxBytes / (counters.serverMtu + 14));
  for (const r of rows) {
    assert.ok(Math.abs(r.totalCpp - expectedTotal) < 1e-6 * expectedTotal);
    // The same cycles over the other two denominators: skbs as the receiving interface counted them, KB received.
    const share = (a.byComponent[r.component] ?? 0) / busy;
    assert.ok(Math.abs(r.cppPerSkb - (cycles / counters.rxPackets) * share) < 1e-6 * expectedTotal);
    assert.ok(Math.abs(r.cppPerKB - (cycles / (counters.rxBytes / 1024)) * share) < 1e-6 * expectedTotal);
    assert.equal(r.devicePackets, counters.rxPackets);
    assert.ok(Math.abs(r.cpp - expectedTotal * ((a.byComponent[r.component] ?? 0) / busy)) < 1e-6 * expectedTotal);
    assert.match(r.cycles, /^estimated: cpu-clock × \d+ MHz$/);
  }
  assert.ok(Math.abs(rows.reduce((s, r) => s + r.share, 0) - 1) < 1e-9, 'shares add up to 1');
  assert.ok(rows.find((r) => r.component === 'ebpf')!.cpp > 0, 'cilium spends cycles in eBPF');
});

test('tables for the whole run: one row per component, per-packet events, skipped profiles reported', async () => {
  const run = await loadRun(FIXTURES, RUN);
  const { cpp, packetEvents, problems } = await cppTables([run]);
  const rows = cpp.objects() as CppRow[];
  const profiles = run.manifest.items.filter((i) => i.kind === 'profile' && i.status === 'ok');
  assert.equal(rows.length, profiles.length * COMPONENTS.length);
  assert.equal((packetEvents.objects() as PacketEventRow[]).length, profiles.length);
  assert.ok(rows.every((r) => Number.isFinite(r.cpp)));
  assert.ok(problems.some((p) => /baseline\/inter\/profile: skipped/.test(p.item + ': ' + p.reason)));
  // Folded stacks per model and scenario: every busy sample once, under its component's pseudo-frame.
  const { folded } = await cppTables([run]);
  for (const f of folded) {
    const mine = rows.filter((r) => r.model === f.model && r.scenario === f.scenario);
    for (const c of COMPONENTS) {
      const inStacks = [...f.stacks].filter(([k]) => k.startsWith(`[${c}];`)).reduce((n, [, v]) => n + v, 0);
      assert.equal(inStacks, mine.filter((r) => r.component === c).reduce((n, r) => n + r.samples, 0), `${f.model} ${f.scenario} ${c}`);
    }
  }
  assert.equal(folded.length, new Set(rows.map((r) => `${r.model}/${r.scenario}`)).size);
});

test('one frame size for every model: the MTU, never above a wire\'s 1,500 bytes (loopback has 65,536)', () => {
  assert.equal(wirePackets({ rxBytes: 1514 * 10, serverMtu: 1500 }), 10);
  assert.equal(wirePackets({ rxBytes: 1464 * 10, serverMtu: 1450 }), 10);
  assert.equal(wirePackets({ rxBytes: 1514 * 10, serverMtu: 65536 }), 10);
});

test('a profile whose receiving pod counted no packets is an error naming the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cnibench-cpp-'));
  try {
    await cp(join(FIXTURES, 'runs', RUN), join(dir, 'runs', RUN), { recursive: true });
    const before = await loadRun(dir, RUN);
    const item = before.manifest.items.find((i) => i.kind === 'profile' && i.status === 'ok')!;
    const rel = item.files.find((f) => f.endsWith('record.counters.json'))!;
    const c = JSON.parse(await readFile(join(before.runDir, rel), 'utf8'));
    await writeFile(join(before.runDir, rel), JSON.stringify({ ...c, rxPackets: 0 }));
    // A run loaded before the edit goes on with the bytes it checked; one loaded after reads the edited file.
    assert.ok((await cppOfItem(before, item)).length > 0);
    const run = await loadRun(dir, RUN);
    await assert.rejects(cppOfItem(run, item), new RegExp(`no packets \\(${rel.replace(/[.]/g, '\\.')}\\)`));
    // Through the table builder the same file is refused for its checksum, and reported.
    const { problems, cpp } = await cppTables([await loadRun(dir, RUN)]);
    assert.ok(problems.some((p) => p.reason.includes(rel)));
    assert.ok(!(cpp.objects() as CppRow[]).some((r) => r.model === item.model && r.scenario === item.scenario));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the report\'s cycles-per-transaction table: mean and 95% CI over profiles, components grouped, estimated cycles marked', () => {
  const row = (item: string, test: 'tcp_rr' | 'udp_rr', component: CppTransactionRow['component'], cppPerTransaction: number, total: number): CppTransactionRow => ({
    run: 'r', item, model: 'cilium', scenario: 'intra', test, component, samples: 1, share: cppPerTransaction / total, cppPerTransaction, totalPerTransaction: total,
    transactions: 1000, devicePackets: 1000, cycles: 'estimated: cpu-clock × 2596 MHz', foreignShare: 0,
  });
  const rows = [
    row('a', 'tcp_rr', 'ebpf', 2000, 50_000), row('a', 'tcp_rr', 'tcp', 40_000, 50_000), row('a', 'tcp_rr', 'user', 8000, 50_000),
    row('b', 'tcp_rr', 'ebpf', 2200, 54_000), row('b', 'tcp_rr', 'tcp', 43_800, 54_000), row('b', 'tcp_rr', 'user', 8000, 54_000),
    row('c', 'udp_rr', 'ebpf', 1000, 40_000), row('c', 'udp_rr', 'udp', 39_000, 40_000),
  ];
  const t = transactionTable(rows);
  assert.equal(t.length, 2);
  assert.deepEqual(Object.values(t[0]!), ['Cilium *', 'intra-host', 'TCP\\_RR', '**52,000**', '±25,412 (n = 2)', '2,100', '41,900', '8,000']);
  assert.equal(t[1]!['95% CI over profiles'], '', 'one profile: no CI');
  assert.equal(transactionCsvs([]).length, 0, 'no request/response profiles, no CSV');
  assert.match(transactionCsvs(rows)[0]!.csv, /^run,item,model,scenario,test,component,/);
});

test('by CPU: every busy sample of a profile is on one CPU or another, and each group\'s shares add up to one', async () => {
  const run = await loadRun(FIXTURES, RUN);
  const item = run.manifest.items.find((i) => i.kind === 'profile' && i.status === 'ok')!;
  const rows = await cpuSplitOfItem(run, item);
  assert.ok(rows.length >= 1);
  for (const k of ['busy', 'datapath', 'restOfKernel', 'user'] as const) {
    const sum = rows.reduce((n, r) => n + r[k], 0);
    assert.ok(sum === 0 || Math.abs(sum - 1) < 1e-9, `${k} shares add up to ${sum}`);
  }
  const profile = (await cppOfItem(run, item)).reduce((n, r) => n + r.samples, 0);
  const attribution = await attributeProfile(readPerfScript(join(run.runDir, item.files.find((f) => f.endsWith('.perf-script.txt.gz'))!)));
  assert.equal(Object.values(attribution.byCpu!).reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0), profile, 'byCpu holds exactly the busy samples of the measured path');
});

test('hardware cycles: perf stat -a counts everything, so the measured path\'s cycles are its share of the busy samples (foreign ones left out)', async () => {
  const run = await loadRun(FIXTURES, RUN);
  // A profile that caught some foreign work, turned into one with a hardware counter: the item says so, and its
  // counted run read 9,000,000,000 cycles (in memory: rawText reads the checked texts first).
  let chosen: { item: (typeof run.manifest.items)[number]; busy: number; foreign: number } | undefined;
  for (const item of run.manifest.items.filter((i) => i.kind === 'profile' && i.status === 'ok' && i.test === 'tcp_stream')) {
    const a = await attributeProfile(readPerfScript(join(run.runDir, item.files.find((f) => f.endsWith('.perf-script.txt.gz'))!)));
    if (a.foreignSamples > 0) { chosen = { item, busy: a.samples - a.idleSamples - a.foreignSamples, foreign: a.foreignSamples }; break; }
  }
  assert.ok(chosen, 'the fixture has a profile with foreign samples');
  const { item, busy, foreign } = chosen;
  item.profile = { ...item.profile!, event: 'cycles', estimatedCycles: false };
  const statRel = item.files.find((f) => f.endsWith('stat.perf-stat.csv'))!;
  run.texts!.set(statRel, Buffer.from('9000000000,,cycles,4000000000,100.00,,\n102692,,context-switches,4000000000,100.00,,\n150,,fib:fib_table_lookup,4000000000,100.00,,\n'));
  const stat = JSON.parse(await readFile(join(run.runDir, item.files.find((f) => f.endsWith('stat.counters.json'))!), 'utf8'));
  const rows = await cppOfItem(run, item);
  const expected = (9e9 / wirePackets(stat)) * (busy / (busy + foreign));
  assert.ok(Math.abs(rows[0]!.totalCpp - expected) < 1e-6 * expected, `${rows[0]!.totalCpp} against ${expected}`);
  assert.equal(rows[0]!.cycles, 'measured: hardware cycles');
});
