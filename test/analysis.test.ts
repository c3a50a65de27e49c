// Analysis on a real fixture run: observations equal the raw netperf numbers, summaries equal hand computations,
// and a raw file edited after collection is reported and never used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRun } from '../src/analysis/loadRun.ts';
import { observationsOfRun, summarize } from '../src/analysis/observations.ts';
import { t975 } from '../src/util/stats.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const RUN = (await readdir(join(FIXTURES, 'runs'))).find((n) => /^\d{8}-/.test(n))!;

test('the fixture run loads with every checksum intact', async () => {
  const run = await loadRun(FIXTURES, RUN);
  assert.equal(run.badFiles.size, 0);
  assert.ok(run.manifest.items.length > 0);
});

test('observations carry the numbers netperf printed', async () => {
  const run = await loadRun(FIXTURES, RUN);
  const obs = await observationsOfRun(run);
  const streams = run.manifest.items.filter((i) => i.kind === 'netperf' && i.status === 'ok' && i.test === 'tcp_stream');
  for (const item of streams) {
    const text = await readFile(join(run.runDir, item.files.find((f) => f.endsWith('.netperf.txt'))!), 'utf8');
    const expected = Number(/^THROUGHPUT=(.+)$/m.exec(text)![1]);
    const o = obs.find((x) => x.model === item.model && x.scenario === item.scenario && x.test === 'tcp_stream' && x.rep === item.rep && x.metric === 'throughput');
    assert.ok(o, item.id);
    assert.equal(o.value, expected, item.id);
    assert.equal(o.unit, 'Mbit/s');
  }
  const rr = run.manifest.items.find((i) => i.kind === 'netperf' && i.status === 'ok' && i.test === 'udp_rr')!;
  const text = await readFile(join(run.runDir, rr.files.find((f) => f.endsWith('.netperf.txt'))!), 'utf8');
  const lat = obs.find((x) => x.model === rr.model && x.scenario === rr.scenario && x.test === 'udp_rr' && x.rep === rr.rep && x.metric === 'mean_latency')!;
  assert.equal(lat.value, Number(/^MEAN_LATENCY=(.+)$/m.exec(text)![1]));
});

test('summaries: n, mean, sd, 95% CI and quartiles as computed by hand', async () => {
  const run = await loadRun(FIXTURES, RUN);
  const obs = await observationsOfRun(run);
  const sums = summarize(obs);
  const s = sums.find((x) => x.model === 'flannel' && x.scenario === 'intra' && x.metric === 'throughput')!;
  const xs = obs.filter((o) => o.model === 'flannel' && o.scenario === 'intra' && o.metric === 'throughput').map((o) => o.value);
  assert.equal(s.n, xs.length);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  assert.ok(Math.abs(s.mean - mean) < 1e-9);
  assert.ok(Math.abs(s.sd - sd) < 1e-9);
  const half = (t975(xs.length - 1) * sd) / Math.sqrt(xs.length);
  assert.ok(Math.abs(s.ci95High - (mean + half)) < 1e-9 && Math.abs(s.ci95Low - (mean - half)) < 1e-9);
  const sorted = [...xs].sort((a, b) => a - b);
  assert.equal(s.min, sorted[0]);
  assert.equal(s.max, sorted.at(-1));
  assert.equal(s.median, sorted[Math.floor(sorted.length / 2)]);
  // scipy.stats.t.ppf(0.975, df) for df = 1, 49, 1000: 12.706205, 2.009575, 1.962339
  assert.ok(Math.abs(t975(1) - 12.706205) < 1e-6);
  assert.ok(Math.abs(t975(49) - 2.009575) < 1e-6);
  assert.ok(Math.abs(t975(1000) - 1.962339) < 1e-6);
});

test('a raw file edited after collection is reported and its item left out', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cnibench-tamper-'));
  try {
    await cp(join(FIXTURES, 'runs', RUN), join(dir, 'runs', RUN), { recursive: true });
    const run0 = await loadRun(dir, RUN);
    const victim = run0.manifest.items.find((i) => i.kind === 'netperf' && i.status === 'ok' && i.test === 'tcp_stream')!;
    const rel = victim.files.find((f) => f.endsWith('.netperf.txt'))!;
    const path = join(dir, 'runs', RUN, rel);
    await writeFile(path, (await readFile(path, 'utf8')).replace(/^THROUGHPUT=.*$/m, 'THROUGHPUT=99999.99'));
    const run = await loadRun(dir, RUN);
    assert.match(run.badFiles.get(rel) ?? '', /checksum mismatch/);
    const obs = await observationsOfRun(run);
    assert.ok(!obs.some((o) => o.model === victim.model && o.scenario === victim.scenario && o.test === victim.test && o.rep === victim.rep), 'the edited item is not used');
    assert.ok(!obs.some((o) => o.value === 99999.99));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
