// As root: a 1-second run of every test, intra and inter, on every model through the real CLI; each item's
// datapath check passes; nothing of the run is left. Then a SIGINT mid-run and a --resume that finishes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { BIN, ROOT, cli, rootOnly } from './helpers/cli.ts';
import { sweepLeftovers } from './helpers/leftovers.ts';
import { ourNamespaces } from '../src/testbed/cleanup.ts';
import { perfWorkOwner } from '../src/testbed/names.ts';
import { listStates } from '../src/testbed/state.ts';
import { MODELS } from '../src/testbed/models/index.ts';
import { probeFeatures } from '../src/testbed/features.ts';
import { fileSha256 } from '../src/util/atomic.ts';
import type { RunManifest } from '../src/collect/manifest.ts';

async function onlyRunDir(dataDir: string): Promise<string> {
  const runs = await readdir(join(dataDir, 'runs'));
  assert.equal(runs.length, 1, `one run folder, got ${runs.join(', ')}`);
  return join(dataDir, 'runs', runs[0]!);
}

async function readManifest(runDir: string): Promise<RunManifest> {
  return JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
}

async function perfWorkFolders(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((n) => perfWorkOwner(n) !== undefined);
}

async function assertNothingLeft(said = ''): Promise<void> {
  // What collect said of a testbed it could not remove comes first: a CI log shows the start of a long message.
  const teardown = said.split('\n').filter((l) => /did not come down|left behind/.test(l));
  assert.deepEqual(await ourNamespaces(), [], `no cnib* namespace left; collect said of tear-downs: ${teardown.join(' | ') || 'nothing'}; its last words:\n${said.slice(-1500)}`);
  assert.deepEqual(await perfWorkFolders(), [], 'no perf working folder left in the temp directory');
  assert.deepEqual(await listStates(), [], 'no testbed state left');
  const ps = await execa('ps', ['-eo', 'pid=,args=']);
  const ours = ps.stdout.split('\n').filter((l) => /\b(netserver -D -p 12865|socat -b 65536 TUN)/.test(l));
  assert.deepEqual(ours, [], 'no netserver or relay of a run left');
}

async function assertChecksums(runDir: string, m: RunManifest): Promise<void> {
  for (const [rel, rec] of Object.entries(m.files)) {
    const now = await fileSha256(join(runDir, rel));
    assert.equal(now.sha256, rec.sha256, `checksum of ${rel}`);
  }
}

test('every model, every test, intra and inter: ok with its datapath verified, or skipped for a missing kernel feature', { ...rootOnly(), timeout: 600_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-e2e-'));
  try {
    const r = await cli(['collect', '--reps', '1', '--duration', '1', '--warmup', '0', '--data-dir', dataDir], { timeoutMs: 580_000 });
    const runDir = await onlyRunDir(dataDir);
    const m = await readManifest(runDir);
    const failed = m.items.filter((i) => i.status === 'failed');
    assert.deepEqual(failed.map((i) => `${i.id}: ${i.reason}`), [], `no failed item; collect said:\n${r.stderr.slice(-3000)}`);
    assert.equal(r.exitCode, 0, `exit code; collect ended with:\n${r.stderr.split('\n').filter((l) => !l.startsWith('[')).slice(-20).join('\n')}`);
    assert.equal(m.status, 'complete');
    const features = await probeFeatures();
    for (const model of MODELS) {
      for (const scenario of model.scenarios) {
        const items = m.items.filter((i) => i.model === model.id && i.scenario === scenario);
        assert.equal(items.length, 3, `${model.id} ${scenario}: three tests`);
        for (const item of items) {
          if (item.status === 'skipped') {
            // Only a feature the kernel really lacks may skip an applicable item.
            const missing = features.filter((f) => !f.ok).map((f) => f.feature);
            assert.ok(missing.some((f) => item.reason?.includes(`lacks ${f}`)), `${item.id} skipped: ${item.reason}`);
            continue;
          }
          assert.equal(item.status, 'ok', item.id);
          assert.equal(item.datapath, true, `${item.id} datapath check`);
          const check = JSON.parse(await readFile(join(runDir, item.files.find((f) => f.endsWith('.datapath.json'))!), 'utf8'));
          assert.ok(check.check.referencePackets > 0, `${item.id} server received packets`);
          if (model.id !== 'host' && model.id !== 'baseline') assert.ok(check.check.probes.length >= 2, `${item.id} has datapath probes`);
          assert.ok(item.headline && item.headline.value > 0, `${item.id} positive result`);
        }
      }
    }
    // Not-applicable combinations are recorded, not dropped.
    const baselineInter = m.items.filter((i) => i.model === 'baseline' && i.scenario === 'inter');
    assert.ok(baselineInter.every((i) => i.status === 'skipped' && /no inter-host path/.test(i.reason ?? '')));
    await assertChecksums(runDir, m);
    await assertNothingLeft(r.stderr);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await sweepLeftovers();
  }
});

test('SIGINT mid-run tears down and leaves a resumable run; --resume completes it without redoing finished items', { ...rootOnly(), timeout: 300_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-int-'));
  try {
    const child = execa(process.execPath, [BIN, 'collect', '--cni', 'flannel,calico-np', '--tests', 'tcp_rr', '--reps', '3', '--duration', '1', '--data-dir', dataDir], { cwd: ROOT, reject: false });
    // Wait until at least two items are done, then interrupt while the third runs.
    let runDir: string | undefined;
    for (let i = 0; i < 600; i++) {
      await sleep(100);
      try {
        runDir ??= await onlyRunDir(dataDir);
        const m = await readManifest(runDir);
        if (m.items.filter((x) => x.status === 'ok').length >= 2) break;
      } catch { /* not yet written */ }
    }
    assert.ok(runDir, 'the run folder appeared');
    await sleep(300);
    child.kill('SIGINT');
    const r = await child;
    assert.equal(r.exitCode, 1, `interrupted is exit 1: ${String(r.stderr)}`);
    assert.match(String(r.stderr), /interrupted \(ok \d+, failed 0, skipped \d+, pending \d+\); the testbed is removed\. Resume with: cnibench collect --resume /);
    await assertNothingLeft();
    const interrupted = await readManifest(runDir);
    assert.equal(interrupted.status, 'interrupted');
    const order = interrupted.items.map((i) => i.id);
    const done = interrupted.items.filter((i) => i.status === 'ok');
    assert.ok(done.length >= 2 && done.length < interrupted.items.length, `some but not all done (${done.length})`);
    const statuses = interrupted.items.map((i) => `${i.id} ${i.status}${i.reason ? `: ${i.reason}` : ''}`);
    // baseline, the intra-host control, has no inter-host path: its inter items are skipped from the start.
    assert.ok(interrupted.items.every((i) => i.status === 'ok' || i.status === 'pending' || (i.status === 'skipped' && i.model === 'baseline')), `unfinished items are pending, not failed: ${statuses.join('; ')}`);

    const resumed = await cli(['collect', '--resume', runDir, '--data-dir', dataDir], { timeoutMs: 280_000 });
    assert.equal(resumed.exitCode, 0, resumed.stderr);
    const final = await readManifest(runDir);
    assert.equal(final.status, 'complete');
    const measured = final.items.filter((i) => i.status !== 'skipped');
    assert.ok(measured.every((i) => i.status === 'ok'), 'all items ok after resume');
    assert.deepEqual(final.items.map((i) => i.id), order, 'the resumed run kept its order');
    const ran = measured.slice().sort((a, b) => a.finishedAt!.localeCompare(b.finishedAt!)).map((i) => i.id);
    assert.deepEqual(ran, order.filter((id) => measured.some((i) => i.id === id)), 'items finished in the planned order, across the interruption');
    for (const d of done) {
      const after = final.items.find((i) => i.id === d.id)!;
      assert.equal(after.finishedAt, d.finishedAt, `${d.id} was not redone`);
      assert.equal(after.testbed, d.testbed, `${d.id} kept its testbed`);
    }
    assert.equal(final.sessions.length, 2);
    await assertChecksums(runDir, final);
    await assertNothingLeft();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await sweepLeftovers();
  }
});

test('SIGKILL during a profiled item: testbed cleanup removes the namespaces, the processes and perf\'s working folder', { ...rootOnly(), timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-kill-'));
  try {
    const child = execa(process.execPath, [BIN, 'collect', '--cni', 'flannel', '--scenario', 'intra', '--tests', 'none', '--profile', '--profile-duration', '5', '--profile-reps', '1',
      '--data-dir', dataDir], { cwd: ROOT, reject: false });
    let seen: string[] = [];
    for (let i = 0; i < 600 && !seen.length; i++) {
      await sleep(100);
      seen = await perfWorkFolders();
    }
    assert.ok(seen.length, 'the profiled item made its working folder');
    await sleep(1000); // perf record is running
    child.kill('SIGKILL');
    await child;
    assert.ok((await perfWorkFolders()).length, 'a killed collector cannot remove it itself');
    const clean = await cli(['testbed', 'cleanup']);
    assert.equal(clean.exitCode, 0, clean.stderr);
    assert.match(clean.stdout, /1 perf working folders/);
    // perf record runs outside the namespaces and ends with its workload, netperf, which cleanup stopped.
    const perfRunning = async () => /^perf (record|stat) .*cnib/m.test((await execa('ps', ['-eo', 'args='])).stdout);
    for (let i = 0; i < 100 && (await perfRunning()); i++) await sleep(100);
    assert.equal(await perfRunning(), false, 'perf ended');
    await assertNothingLeft();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await sweepLeftovers();
  }
});
