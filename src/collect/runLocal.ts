// Runs a collection on the local testbed: per model, bring the testbed up, run every pending netperf item with
// its datapath check, write raw output and the manifest after each item, bring the testbed down. Resumable.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from '../util/exec.ts';
import { errorMessage } from '../util/errors.ts';
import { netperfArgs } from '../tools/netperf/command.ts';
import { netperfOutcome } from '../tools/netperf/outcome.ts';
import { findModel } from '../testbed/models/index.ts';
import { requiredFeatures, type ModelDescription } from '../testbed/model.ts';
import { missingFeatures } from '../testbed/features.ts';
import { testbedDown, testbedUp } from '../testbed/lifecycle.ts';
import { NETSERVER_PORT, endpointsOf, type Testbed } from '../testbed/topology.ts';
import { endCounters, endDeltas, evaluate, probesFor, readProbes } from '../testbed/verify.ts';
import { type CollectPlan, notApplicable, planItems } from './plan.ts';
import { MANIFEST_SCHEMA, type ItemRecord, type RunManifest, beginSession, loadManifest, runDirOf, saveManifest, writeRaw } from './manifest.ts';
import { hostFacts, toolVersions } from './hostFacts.ts';
import { itemOutcomeText, type ProgressSink } from './progress.ts';
import { runProfileItem } from './profile.ts';
import { runLaunchItem } from './launch.ts';
import { fileSha256 } from '../util/atomic.ts';

export interface CollectResult {
  runId: string;
  runDir: string;
  manifest: RunManifest;
  outcome: 'complete' | 'interrupted';
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** A fresh manifest: every item pending, or skipped with its reason when the model or the kernel cannot run it. */
export async function createRun(dataDir: string, plan: CollectPlan, runId = newRunId()): Promise<{ runDir: string; manifest: RunManifest }> {
  const runDir = join(dataDir, 'runs', runId);
  const [host, tools] = await Promise.all([hostFacts(), toolVersions()]);
  const now = new Date().toISOString();
  const items: ItemRecord[] = [];
  for (const item of planItems(plan)) {
    const model = findModel(item.model)!;
    const na = notApplicable(item.model, item.scenario, item.kind);
    const missing = na ? [] : await missingFeatures(requiredFeatures(model, item.scenario));
    const reason = na ?? (missing.length ? missing.map((f) => f.detail).join('; ') : undefined);
    items.push({ ...item, status: reason ? 'skipped' : 'pending', ...(reason ? { reason } : {}), files: [] });
  }
  const manifest: RunManifest = {
    schema: MANIFEST_SCHEMA,
    runId,
    createdAt: now,
    updatedAt: now,
    status: 'running',
    backend: 'local',
    plan,
    host,
    tools,
    emulation: Object.fromEntries(plan.models.map((id) => [id, [...findModel(id)!.emulation]])),
    items,
    files: {},
    sessions: [],
  };
  await mkdir(runDir, { recursive: true });
  await saveManifest(runDir, manifest);
  return { runDir, manifest };
}

/** Items of an earlier session to run again: anything not finished, and finished items whose raw files are gone or changed. */
export async function reopenRun(runDir: string): Promise<RunManifest> {
  const m = await loadManifest(runDir);
  for (const item of m.items) {
    if (item.status !== 'ok') {
      if (item.status === 'failed') { item.status = 'pending'; delete item.reason; item.files = []; }
      continue;
    }
    for (const f of item.files) {
      const rec = m.files[f];
      const now = await fileSha256(join(runDir, f)).catch(() => undefined);
      if (!rec || !now || now.sha256 !== rec.sha256) {
        item.status = 'pending';
        item.files = [];
        break;
      }
    }
  }
  return m;
}

export interface ExecuteOptions {
  progress: ProgressSink;
  signal: AbortSignal;
}

/** Runs every pending item of a manifest, model by model. */
export async function executeRun(runDir: string, m: RunManifest, opts: ExecuteOptions): Promise<CollectResult> {
  const { progress, signal } = opts;
  const session = await beginSession(runDir, m);
  const finished = (i: ItemRecord) => i.status === 'ok' || i.status === 'skipped';
  progress.start(m.items.length, m.items.filter(finished).length);
  for (const modelId of m.plan.models) {
    if (signal.aborted) break;
    const pending = m.items.filter((i) => i.model === modelId && i.status === 'pending');
    if (pending.length === 0) continue;
    const model = findModel(modelId)!;
    const scenarios = [...new Set(pending.map((i) => i.scenario))];
    let tb: Testbed;
    try {
      tb = await testbedUp(model, { scenarios, iptables: m.plan.iptables, calicoRules: m.plan.calicoRules });
    } catch (err) {
      const reason = `testbed did not come up: ${errorMessage(err)}`;
      progress.note(`${modelId}: ${reason}`);
      for (const item of pending) Object.assign(item, { status: 'failed', reason, finishedAt: new Date().toISOString() });
      for (const item of pending) progress.item(item.id, 'failed');
      await saveManifest(runDir, m);
      continue;
    }
    try {
      await writeRaw(runDir, m, `raw/${modelId}/testbed-${tb.prefix}.json`, JSON.stringify(tb, null, 2) + '\n');
      for (const item of pending) {
        if (signal.aborted) break;
        try {
          if (item.kind === 'profile') await runProfileItem(runDir, m, tb, item, signal);
          else if (item.kind === 'launch') await runLaunchItem(runDir, m, model, tb, item, signal);
          else await runItem(runDir, m, model, tb, item, signal);
        } catch (err) {
          // One broken item (a tool that crashed, a counter that vanished) must not end the run.
          Object.assign(item, { status: 'failed', reason: errorMessage(err), finishedAt: new Date().toISOString() });
        }
        if (item.status === 'pending') break; // interrupted mid-item: it stays pending for --resume
        await saveManifest(runDir, m);
        progress.item(item.id, itemOutcomeText(item));
      }
    } finally {
      await testbedDown(tb, model);
    }
  }
  const outcome = signal.aborted ? 'interrupted' : 'complete';
  m.status = outcome;
  session.endedAt = new Date().toISOString();
  session.outcome = outcome;
  await saveManifest(runDir, m);
  progress.end();
  return { runId: m.runId, runDir, manifest: m, outcome };
}

/** One netperf run with counters read around it; raw output always kept, even when the item fails. */
async function runItem(runDir: string, m: RunManifest, model: ModelDescription, tb: Testbed, item: ItemRecord, signal: AbortSignal): Promise<void> {
  const ep = endpointsOf(tb, item.scenario);
  const probes = probesFor(model, tb, item.scenario);
  const ends = endCounters(tb, item.scenario);
  const argv = netperfArgs({ test: item.test, host: ep.serverIp, port: NETSERVER_PORT, durationS: m.plan.durationS });
  item.startedAt = new Date().toISOString();
  item.testbed = tb.prefix;
  const before = await readProbes(tb, probes, ends.links);
  const timeoutS = 2 * m.plan.durationS + 15;
  const res = await run(argv, { ns: ep.clientNs, reject: false, signal, timeoutMs: timeoutS * 1000 });
  if (res.cancelled || signal.aborted) {
    item.status = 'pending';
    delete item.startedAt;
    return;
  }
  const after = await readProbes(tb, probes, ends.links);
  const check = evaluate(model.id, item.scenario, probes, before, after, endDeltas(ends, before, after));
  const base = `raw/${item.model}/${item.scenario}/${item.test}/rep-${String(item.rep).padStart(3, '0')}`;
  const files = [
    await writeRaw(runDir, m, `${base}.netperf.txt`, res.stdout),
    ...(res.stderr ? [await writeRaw(runDir, m, `${base}.netperf.stderr.txt`, res.stderr)] : []),
    await writeRaw(runDir, m, `${base}.datapath.json`, JSON.stringify({ argv: res.argv, exitCode: res.exitCode, elapsedMs: Math.round(res.durationMs), check }, null, 2) + '\n'),
  ];
  item.files = files;
  item.finishedAt = new Date().toISOString();
  item.datapath = check.pass;
  const outcome = netperfOutcome(res, item.test, {
    noAnswer: `netperf did not finish within ${timeoutS} s (no answer from ${ep.serverIp}: is the datapath broken?)`,
    exitWords: 'netperf',
  });
  if (!outcome.ok) {
    Object.assign(item, { status: 'failed', reason: outcome.reason });
    return;
  }
  item.headline = outcome.headline;
  if (!check.pass) {
    const bad = check.probes.filter((p) => !p.pass).map((p) => `${p.id} (${p.what}: Δ${p.delta} against ${p.reference} packets ${p.side}, expected ${p.expect})`);
    Object.assign(item, { status: 'failed', reason: `datapath check failed: ${bad.join('; ') || 'the server received no packets'}` });
    return;
  }
  item.status = 'ok';
}

export async function resumeRun(dataDir: string, runId: string): Promise<{ runDir: string; manifest: RunManifest }> {
  const runDir = runDirOf(dataDir, runId);
  return { runDir, manifest: await reopenRun(runDir) };
}
