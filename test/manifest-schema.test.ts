// The manifest schema: every manifest cnibench has written (the committed runs, the fixture runs) passes it, and a
// broken one is refused naming the field and what was expected there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest } from '../src/collect/manifest.ts';
import { CURRENT_VERSION, checkManifest, manifestVersion, migrateManifest } from '../src/collect/manifestSchema.ts';
import { UsageError } from '../src/util/errors.ts';

const ROOT = join(import.meta.dirname, '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'runs', '20261126-120831-e600');

async function runDirs(): Promise<string[]> {
  const out: string[] = [];
  for (const base of [join(ROOT, 'data', 'runs'), join(ROOT, 'test', 'fixtures', 'runs')]) {
    for (const d of await readdir(base).catch(() => [] as string[])) if (/^\d{8}-\d{6}-[0-9a-f]{4}$/.test(d)) out.push(join(base, d));
  }
  return out;
}

test('every manifest cnibench wrote passes the schema', async () => {
  const dirs = await runDirs();
  assert.ok(dirs.length >= 2, `runs found: ${dirs.join(', ')}`);
  for (const dir of dirs) {
    const m = await loadManifest(dir);
    assert.ok(m.items.length > 0, `${dir} loads with its items`);
  }
});

test('a broken manifest is refused with the field and what was expected', async () => {
  const json = JSON.parse(await readFile(join(FIXTURE, 'manifest.json'), 'utf8')) as { items: { status: string; rep: unknown }[]; plan: Record<string, unknown>; stops?: unknown };
  const bad = structuredClone(json);
  bad.items[3]!.status = 'done';
  const r = checkManifest(bad);
  assert.ok('problem' in r);
  assert.equal(r.problem, 'items[3].status: expected one of pending, ok, failed, skipped; got "done"');
  const missing = structuredClone(json);
  delete missing.plan.durationS;
  const m = checkManifest(missing);
  assert.ok('problem' in m && m.problem === 'plan.durationS: expected number; got nothing (the field is missing)', JSON.stringify(m));
  const rep = structuredClone(json);
  rep.items[0]!.rep = 'one';
  const p = checkManifest(rep);
  assert.ok('problem' in p && p.problem === 'items[0].rep: expected number; got "one"', JSON.stringify(p));

  // Through the loader: a UsageError (exit 2) naming the file and the field.
  const dir = await mkdtemp(join(tmpdir(), 'cnibench-schema-'));
  try {
    await cp(FIXTURE, dir, { recursive: true });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(bad));
    await assert.rejects(loadManifest(dir), (e: unknown) => e instanceof UsageError && e.message.includes('manifest.json does not match the manifest schema at items[3].status: expected one of pending'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a stop recorded without a CI (JSON null for NaN) loads as NaN; unknown fields are kept', () => {
  const stops = { 'm/intra/tcp_rr': { round: 2, reason: 'failing', halfWidth: null, n: 0 } };
  const json = JSON.parse(JSON.stringify({ ...minimal(), stops, future: { kept: true } })) as object;
  const r = checkManifest(json);
  assert.ok('manifest' in r, JSON.stringify(r));
  assert.ok(Number.isNaN(r.manifest.stops!['m/intra/tcp_rr']!.halfWidth));
  assert.deepEqual((r.manifest as unknown as { future: unknown }).future, { kept: true });
});

function minimal() {
  const t = '2026-11-30T20:32:51.301Z';
  return {
    schema: 'cnibench.run/1', runId: '20261130-203251-c676', createdAt: t, updatedAt: t, status: 'complete', backend: 'local',
    plan: { backend: 'local', models: ['flannel'], scenarios: ['intra'], tests: ['tcp_rr'], reps: 2, durationS: 1, iptables: 'legacy', calicoRules: 500 },
    host: { kernel: '6.1', os: 'Debian', cpuModel: 'x', cpuMHz: 2000, cores: 2, memoryGiB: 24, virtualized: true },
    tools: {}, emulation: {}, items: [], files: {}, sessions: [],
  };
}

test('manifest versions: a newer one is refused with what to do, an older one is migrated step by step', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cnibench-manifest-'));
  const json = JSON.parse(await readFile(join(FIXTURE, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  try {
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...json, schema: 'cnibench.run/2' }));
    await assert.rejects(loadManifest(dir), (err: Error) => err instanceof UsageError && /written by a newer cnibench \(schema cnibench\.run\/2; this one reads up to cnibench\.run\/1\): update this checkout/.test(err.message));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...json, schema: 'something/1' }));
    await assert.rejects(loadManifest(dir), /is not a cnibench run manifest/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(manifestVersion({ schema: 'cnibench.run/1' }), 1);
  assert.equal(manifestVersion({ schema: 'cnibench.run/01' }), undefined);
  assert.equal(CURRENT_VERSION, 1);
  // Two made-up steps: applied in order, each stamping the version it produces.
  const steps = { 1: (m: Record<string, unknown>) => ({ ...m, a: 1 }), 2: (m: Record<string, unknown>) => ({ ...m, b: (m.a as number) + 1 }) };
  assert.deepEqual(migrateManifest({ schema: 'cnibench.run/1' }, 1, { to: 3, migrations: steps }), { schema: 'cnibench.run/3', a: 1, b: 2 });
  assert.throws(() => migrateManifest({ schema: 'cnibench.run/1' }, 1, { to: 3, migrations: { 1: steps[1] } }), /no migration of run manifests from version 2 to 3/);
  assert.deepEqual(migrateManifest(json, 1), json, 'the current version passes unchanged');
});
