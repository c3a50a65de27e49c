// CPP tables from the fixture run's real profiles: Eq. III.1 arithmetic, estimated cycles said on every row,
// and a profile with zero packets is an error naming its file, never a zero or NaN in the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRun } from '../src/analysis/loadRun.ts';
import { cppOfItem, cppTables, type CppRow, type PacketEventRow } from '../src/analysis/cpp.ts';
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
  const busy = a.samples - a.idleSamples;
  const expectedTotal = ((busy / item.profile!.freqHz) * run.manifest.host.cpuMHz * 1e6) / (counters.rxBytes / (counters.serverMtu + 14));
  for (const r of rows) {
    assert.ok(Math.abs(r.totalCpp - expectedTotal) < 1e-6 * expectedTotal);
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
  assert.equal(rows.length, profiles.length * 11);
  assert.equal((packetEvents.objects() as PacketEventRow[]).length, profiles.length);
  assert.ok(rows.every((r) => Number.isFinite(r.cpp)));
  assert.ok(problems.some((p) => /baseline\/inter\/profile: skipped/.test(p.item + ': ' + p.reason)));
});

test('a profile whose receiving pod counted no packets is an error naming the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cnibench-cpp-'));
  try {
    await cp(join(FIXTURES, 'runs', RUN), join(dir, 'runs', RUN), { recursive: true });
    const run = await loadRun(dir, RUN);
    const item = run.manifest.items.find((i) => i.kind === 'profile' && i.status === 'ok')!;
    const rel = item.files.find((f) => f.endsWith('record.counters.json'))!;
    const c = JSON.parse(await readFile(join(run.runDir, rel), 'utf8'));
    await writeFile(join(run.runDir, rel), JSON.stringify({ ...c, rxPackets: 0 }));
    await assert.rejects(cppOfItem(run, item), new RegExp(`no packets \\(${rel.replace(/[.]/g, '\\.')}\\)`));
    // Through the table builder the same file is refused for its checksum, and reported.
    const { problems, cpp } = await cppTables([await loadRun(dir, RUN)]);
    assert.ok(problems.some((p) => p.reason.includes(rel)));
    assert.ok(!(cpp.objects() as CppRow[]).some((r) => r.model === item.model && r.scenario === item.scenario));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
