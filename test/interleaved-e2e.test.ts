// As root: short real runs of the method — interleaved rounds in the seed's order with controls and warm-ups, the
// ends pinned and recorded, idle held awake where the kernel allows it, conditions kept beside every item — and an
// adaptive run that stops configurations between rounds; `cnibench summary` reads both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, rootOnly } from './helpers/cli.ts';
import { sweepLeftovers } from './helpers/leftovers.ts';
import { ourNamespaces } from '../src/testbed/cleanup.ts';
import { parsePlan } from '../src/collect/plan.ts';
import { planItems } from '../src/collect/schedule.ts';
import { readCpuidle } from '../src/tools/proc/cpuidle.ts';
import { awakeUnsupported } from '../src/collect/idle.ts';
import type { RunManifest } from '../src/collect/manifest.ts';
import type { ItemConditions } from '../src/collect/conditions.ts';
import { relativeHalfWidth } from '../src/util/stats.ts';

async function onlyRun(dataDir: string): Promise<{ runDir: string; m: RunManifest }> {
  const runs = await readdir(join(dataDir, 'runs'));
  assert.equal(runs.length, 1);
  const runDir = join(dataDir, 'runs', runs[0]!);
  return { runDir, m: JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as RunManifest };
}

test('interleaved rounds: the seed\'s order, controls in every round, one warm-up per configuration, pinned ends and conditions recorded', { ...rootOnly(), timeout: 300_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-rounds-'));
  const awake = awakeUnsupported(await readCpuidle()) === undefined;
  const idle = awake ? 'awake' : 'default';
  try {
    const args = ['--cni', 'flannel,cilium', '--scenario', 'intra', '--tests', 'tcp_rr,udp_rr', '--reps', '3', '--duration', '1', '--seed', '7', '--placement', 'same', '--idle', idle];
    const r = await cli(['collect', ...args, '--data-dir', dataDir], { timeoutMs: 280_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    const { runDir, m } = await onlyRun(dataDir);
    assert.equal(m.plan.schedule?.seed, 7);
    assert.equal(m.plan.schedule?.order, 'interleaved');
    assert.equal(m.plan.placement, 'same');
    assert.equal(m.plan.idle, idle);
    assert.equal(m.plan.senderNice, 10, 'netperf runs below netserver by default');
    assert.ok(m.machine && m.machine.cpus.length >= 1 && m.machine.cpuidle.driver, 'machine facts recorded');
    // The manifest's order is the seed's order, and that is the order the items ran in.
    const expected = planItems(parsePlan({ cni: 'flannel,cilium', scenario: 'intra', tests: 'tcp_rr,udp_rr', reps: '3', duration: '1', seed: '7', placement: 'same', idle })).map((i) => i.id);
    assert.deepEqual(m.items.map((i) => i.id), expected);
    const ran = m.items.slice().sort((a, b) => a.startedAt!.localeCompare(b.startedAt!)).map((i) => i.model);
    const sameAsPrevious = ran.filter((model, k) => k > 0 && ran[k - 1] === model).length;
    assert.ok(sameAsPrevious < ran.length / 2, `consecutive items are not grouped by model (${ran.join(' ')})`);
    assert.deepEqual([...new Set(m.items.map((i) => i.model))].sort(), ['baseline', 'cilium', 'flannel'], 'the control joined');
    for (let round = 1; round <= 3; round++) assert.equal(m.items.filter((i) => i.rep === round).length, 6, `round ${round}: six configurations`);
    // One discarded warm-up per configuration and testbed, kept raw.
    assert.equal(m.warmups?.length, 6);
    for (const w of m.warmups!) assert.ok(w.file && m.files[w.file] && w.headline, `${w.config} warm-up kept`);
    // A model's testbed is removed after its last item, before the others' last ones: the run waited for the machine
    // to go quiet each time and said so (the last testbed is removed at the end, with nothing left to measure).
    assert.ok((m.settles ?? []).length >= 1, `waits recorded: ${JSON.stringify(m.settles)}`);
    for (const w of m.settles!) assert.ok(w.after.length >= 1 && w.ms >= 0 && w.ms <= 6000 && typeof w.quiet === 'boolean', JSON.stringify(w));
    for (const item of m.items) {
      assert.equal(item.status, 'ok', `${item.id}: ${item.reason}`);
      const rel = item.files.find((f) => f.endsWith('.conditions.json'));
      assert.ok(rel, `${item.id} has conditions`);
      const c = JSON.parse(await readFile(join(runDir, rel), 'utf8')) as ItemConditions;
      assert.equal(c.placement, 'same');
      assert.deepEqual(c.cpus, { client: 0, server: 0 });
      const client = c.processes.find((p) => p.role === 'client');
      const server = c.processes.find((p) => p.role === 'server');
      assert.ok(client && client.comm === 'netperf' && client.cpus.every((x) => x === 0), `${item.id}: netperf sampled on CPU 0`);
      assert.ok(server && server.comm === 'netserver' && server.allowed.join() === '0', `${item.id}: netserver's child pinned to CPU 0`);
      assert.equal(c.senderNice, 10);
      assert.equal(client.nice, 10, `${item.id}: netperf ran at nice 10`);
      assert.equal(server.nice, 0, `${item.id}: netserver's child at nice 0`);
      // Where the kernel groups by session, netperf's session group carries the nice value (see atSenderNice).
      if (server.autogroupNice !== undefined) assert.deepEqual([client.autogroupNice, server.autogroupNice], [10, 0], `${item.id}: autogroups`);
      assert.ok(c.wallMs >= 900, 'the host snapshots bracket the run');
      assert.ok(c.speedProbeMs && c.speedProbeMs.before > 0 && c.speedProbeMs.after > 0 && c.speedProbeMs.after < 1000, `${item.id}: machine-speed probe timed before and after (${JSON.stringify(c.speedProbeMs)})`);
      if (idle === 'awake') assert.ok(!(item.flags ?? []).some((f) => /halted/.test(f)), `${item.id}: no halts while awake (${item.flags})`);
      const netperf = await readFile(join(runDir, item.files.find((f) => f.endsWith('.netperf.txt'))!), 'utf8');
      assert.match(netperf, /LOCAL_SD=/, 'service demand asked for');
      assert.match(netperf, /LOCAL_CPU_BIND=0\nREMOTE_CPU_BIND=0/);
    }
    const summary = await cli(['summary', m.runId, '--data-dir', dataDir]);
    assert.equal(summary.exitCode, 0, summary.stderr);
    assert.match(summary.stdout, /interleaved \(seed 7\), placement same/);
    assert.match(summary.stdout, /flannel\/intra\/tcp_rr/);
    assert.match(summary.stdout, /stable \(CV ≤ 5% and max\/min ≤ 1\.3\): \d+ of 6 configurations/);
    assert.match(summary.stdout, /\|\d+\.\d{3} ±\d+(\.\d)?%\|/, 'ratios to the round\'s control (either side of 1: the machine decides which)');
    assert.deepEqual(await ourNamespaces(), [], 'every testbed removed');
    // The report states the method, the conditions and every configuration's stability.
    const out = join(dataDir, 'report');
    const rep = await cli(['report', '--data-dir', dataDir, '--out', out, '--no-pdf']);
    assert.equal(rep.exitCode, 0, rep.stderr);
    const html = await readFile(join(out, 'index.html'), 'utf8');
    assert.match(html, /Method and machine conditions/);
    assert.match(html, /interleaved \(seed 7\), placement same/);
    assert.match(html, /Appendix D\. Stability of every configuration/);
    const csv = (await readFile(join(out, 'tables', 'stability.csv'), 'utf8')).trim().split('\n');
    assert.equal(csv.length, 1 + 6, 'a header and six configurations');
    const conditions = (await readFile(join(out, 'tables', 'conditions.csv'), 'utf8')).trim().split('\n');
    assert.equal(conditions.length, 1 + m.items.length, 'a row per measured item');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await sweepLeftovers();
  }
});

test('adaptive stopping: configurations stop between rounds and the manifest says why', { ...rootOnly(), timeout: 300_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-adaptive-'));
  try {
    const r = await cli(['collect', '--cni', 'flannel', '--scenario', 'intra', '--tests', 'tcp_rr,tcp_stream', '--duration', '1', '--warmup', '0', '--precision', '0.5', '--min-rounds', '2', '--max-rounds', '4', '--seed', '11', '--data-dir', dataDir], { timeoutMs: 280_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    const { m } = await onlyRun(dataDir);
    assert.deepEqual(m.plan.schedule?.stopping, { precision: 0.5, minRounds: 2 });
    assert.equal(m.plan.reps, 4);
    const stops = m.stops ?? {};
    assert.deepEqual(Object.keys(stops).sort(), ['baseline/intra/tcp_rr', 'baseline/intra/tcp_stream', 'flannel/intra/tcp_rr', 'flannel/intra/tcp_stream']);
    for (const [config, stop] of Object.entries(stops)) {
      const values = m.items
        .filter((i) => `${i.model}/${i.scenario}/${i.test}` === config && i.status === 'ok')
        .sort((a, b) => a.rep - b.rep)
        .map((i) => i.headline!.value);
      assert.equal(stop.n, values.length, `${config}: stop record counts its items`);
      assert.ok(stop.round >= 2 && stop.round <= 4, `${config}: ${JSON.stringify(stop)}`);
      // The rule, replayed on the recorded values: it stopped at the first round from the second on whose CI was
      // within ±50%, or at the most rounds; a control goes on while its model does.
      const reached = (r: number) => relativeHalfWidth(values.slice(0, r)) <= 0.5;
      for (let r = 2; r < stop.round; r++) if (!config.startsWith('baseline')) assert.ok(!reached(r), `${config} went on after reaching ±50% in round ${r}`);
      if (stop.reason === 'precision') assert.ok(reached(stop.round) && stop.halfWidth <= 0.5, `${config}: ${JSON.stringify(stop)}`);
      else if (config.startsWith('baseline')) assert.ok(stop.reason === 'control' || stop.reason === 'max-rounds', `${config}: ${JSON.stringify(stop)}`);
      else assert.equal(stop.reason, 'max-rounds', `${config}: ${JSON.stringify(stop)}`);
    }
    // ±50% needs a CV under about 30% by the fourth round: at least one model configuration gets there.
    const precise = Object.entries(stops).filter(([c, s]) => !c.startsWith('baseline') && s.reason === 'precision');
    assert.ok(precise.length > 0, JSON.stringify(stops));
    const summary = await cli(['summary', '--data-dir', dataDir]);
    assert.equal(summary.exitCode, 0, summary.stderr);
    assert.match(summary.stdout, /adaptive to ±50\.0% \(2–4 rounds\)/);
    assert.match(summary.stdout, new RegExp(`precision reached \\(±[\\d.]+%\\) after ${precise[0]![1].round} rounds`));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await sweepLeftovers();
  }
});
