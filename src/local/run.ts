// The local backend's runner, on the testbed of network namespaces: every pending item in the manifest's order
// (interleaved rounds by default), each model's testbed kept up while it has items left, a discarded warm-up before each configuration's
// first item on a testbed, the ends pinned as the plan says, idle held as the plan says, the datapath checked and the
// machine's conditions recorded around every netperf run; raw output and the manifest written after each item.
// Adaptive runs add rounds as configurations need them. Resumable at any item.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run, start } from '../util/exec.ts';
import { errorMessage } from '../util/errors.ts';
import { netperfOutcome } from '../tools/netperf/outcome.ts';
import { readCpuidle } from '../tools/proc/cpuidle.ts';
import { speedProbe } from '../tools/proc/speedProbe.ts';
import { findModel } from '../testbed/models/index.ts';
import { type ModelDescription } from '../testbed/model.ts';
import { requiredFeatures } from '../testbed/kinds/index.ts';
import { missingFeatures } from '../testbed/features.ts';
import { clientCgroupOf, endpointsOf, netperfTargetOf, serviceOf, type Testbed } from '../testbed/topology.ts';
import { servicePathFailure, watchServicePath } from '../testbed/services/pathCheck.ts';
import { endCounters, endDeltas, evaluate, probesFor, readProbes } from '../testbed/verify.ts';
import { type CollectPlan, itemProxy, notApplicable, proxyListNotApplicable } from '../collect/plan.ts';
import { proxyFeatures } from '../testbed/build/services.ts';
import { planItems, configKey, sweepSuffix } from '../collect/schedule.ts';
import { extendRounds } from '../collect/stopping.ts';
import { MANIFEST_SCHEMA, type ItemRecord, type MachineFacts, type RunManifest, beginSession, saveManifest, writeRaw } from '../collect/manifest.ts';
import { hostFacts, toolVersions } from '../collect/hostFacts.ts';
import { itemOutcomeText } from '../collect/progress.ts';
import { runProfileItem } from './profile.ts';
import { runLaunchItem } from './launch.ts';
import { TestbedPool } from './testbeds.ts';
import { type EndCpus, type Placement, cpusFor, onlineCpus, placedNetperfArgs, placementsOf } from '../collect/placement.ts';
import { holdIdle, PM_QOS_FILE } from '../collect/idle.ts';
import { type ProcessPlacement, ProcessSampler, childrenOf, conditionFlags, hostSnapshot, itemConditions, namespaceSnapshot } from '../collect/conditions.ts';
import { type CollectResult, type RunControl, newRunId } from '../collect/backend.ts';

/** A fresh manifest: every item pending, or skipped with its reason when the model or the kernel cannot run it. */
export async function createRun(dataDir: string, plan: CollectPlan, runId = newRunId()): Promise<{ runDir: string; manifest: RunManifest }> {
  const runDir = join(dataDir, 'runs', runId);
  const [host, tools, machine] = await Promise.all([hostFacts(), toolVersions(), machineFacts(plan)]);
  const now = new Date().toISOString();
  const items: ItemRecord[] = [];
  const controls = plan.schedule?.controls ?? [];
  for (const item of planItems(plan)) {
    const model = findModel(item.model)!;
    // With kube-proxy on the nodes, a model without a Service datapath is skipped — but a control keeps measuring the
    // machine, pod to pod (its items carry no target).
    const proxy = item.kind === 'launch' ? undefined : itemProxy(plan, item);
    const noProxy = plan.proxy && item.kind !== 'launch' && !controls.includes(item.model) && !proxy ? proxyListNotApplicable(item.model, plan.target, plan.proxy.modes ?? [plan.proxy.mode]) : undefined;
    const na = notApplicable(item.model, item.scenario, item.kind) ?? noProxy;
    const missing = na ? [] : await missingFeatures([...requiredFeatures(model, item.scenario), ...(proxy ? proxyFeatures(model, { mode: proxy }) : [])]);
    const reason = na ?? (missing.length ? missing.map((f) => f.detail).join('; ') : undefined);
    // The item's target (a Service, or the pod) comes with it from the schedule, as it does for added rounds.
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
    machine,
    warmups: [],
  };
  await mkdir(runDir, { recursive: true });
  await saveManifest(runDir, manifest);
  return { runDir, manifest };
}

/** The CPUs online and the idle states, recorded once per run. */
async function machineFacts(plan: CollectPlan): Promise<MachineFacts> {
  const cpuidle = await readCpuidle();
  return {
    cpus: await onlineCpus(),
    cpuidle: { driver: cpuidle.driver, governor: cpuidle.governor, states: cpuidle.states.map(({ name, latencyUs, disabled }) => ({ name, latencyUs, disabled })) },
    idleControl: plan.idle === 'awake' ? `${PM_QOS_FILE} held at 0 µs during every measurement (the governor then polls instead of halting)` : 'none: the cpuidle governor chose idle states as usual',
  };
}

/** Runs every pending item of a manifest in its order, adding rounds to an adaptive run as it goes. */
export async function executeRun(runDir: string, m: RunManifest, opts: RunControl): Promise<CollectResult> {
  const { progress, signal } = opts;
  const session = await beginSession(runDir, m);
  const finished = (i: ItemRecord) => i.status === 'ok' || i.status === 'skipped';
  const cpus = m.machine?.cpus ?? (await onlineCpus());
  m.warmups ??= [];
  const pool = new TestbedPool(m, async (tb) => { await writeRaw(runDir, m, `raw/${tb.model}/testbed-${tb.prefix}.json`, JSON.stringify(tb, null, 2) + '\n'); });
  // Held for the whole session, so plain, warm-up and profiled runs all see the same idle mode.
  const idle = holdIdle(m.plan.idle ?? 'default');
  const leftovers: string[] = [];
  const noteLeftovers = (problems: string[]) => { for (const p of problems) { leftovers.push(p); progress.note(p); } };
  progress.start(m.items.length, m.items.filter(finished).length);
  try {
    for (;;) {
      if (signal.aborted) break;
      const added = extendRounds(m);
      if (added) { await saveManifest(runDir, m); progress.extend(added); }
      noteLeftovers(await pool.releaseIdle());
      const item = m.items.find((i) => i.status === 'pending');
      if (!item) break;
      const model = findModel(item.model)!;
      const got = await pool.get(item);
      if ('failure' in got) {
        Object.assign(item, { status: 'failed', reason: got.failure, finishedAt: new Date().toISOString() });
      } else {
        try {
          if (item.kind !== 'launch') await warmUp(runDir, m, pool, got.tb, item, cpus, signal);
          if (signal.aborted) break;
          if (item.kind === 'profile') await runProfileItem(runDir, m, got.tb, item, signal, endCpusOf(item, cpus));
          else if (item.kind === 'launch') await runLaunchItem(runDir, m, model, got.tb, item, signal);
          else await runItem(runDir, m, model, got.tb, item, signal, cpus);
        } catch (err) {
          // One broken item (a tool that crashed, a counter that vanished) must not end the run.
          Object.assign(item, { status: 'failed', reason: errorMessage(err), finishedAt: new Date().toISOString() });
        }
        if (item.status === 'pending') break; // interrupted mid-item: it stays pending for --resume
      }
      await saveManifest(runDir, m);
      progress.item(item.id, itemOutcomeText(item));
    }
  } finally {
    idle.release();
    noteLeftovers(await pool.closeAll());
  }
  const outcome = signal.aborted ? 'interrupted' : 'complete';
  m.status = outcome;
  session.endedAt = new Date().toISOString();
  session.outcome = outcome;
  await saveManifest(runDir, m);
  progress.end();
  return { runId: m.runId, runDir, manifest: m, outcome, ...(leftovers.length ? { leftovers } : {}) };
}

function endCpusOf(item: ItemRecord, cpus: readonly number[]): EndCpus | undefined {
  return cpusFor(item.placement ?? 'free', cpus);
}

function twoPlacements(m: RunManifest): boolean {
  return placementsOf(m.plan.placement ?? 'free').length > 1;
}

/** Where a configuration's raw files go: raw/<model>/<scenario>/<test>[@placement]/. */
function itemDir(m: RunManifest, item: ItemRecord, test = item.test): string {
  return `raw/${item.model}/${item.scenario}/${test}${twoPlacements(m) && item.placement ? `@${item.placement}` : ''}${sweepSuffix(item)}`;
}

/**
 * Before a configuration's first item on a testbed: one netperf run of the warm-up length, pinned like the item,
 * kept raw and recorded in the manifest as discarded (ARP, conntrack entries, JIT, caches: the first run after a
 * bring-up is not like the others).
 */
async function warmUp(runDir: string, m: RunManifest, pool: TestbedPool, tb: Testbed, item: ItemRecord, cpus: readonly number[], signal: AbortSignal): Promise<void> {
  const seconds = m.plan.schedule?.warmupS ?? 0;
  const { test } = item;
  const config = configKey(item, twoPlacements(m));
  if (seconds <= 0 || !pool.needsWarmup(tb, config)) return;
  const ep = endpointsOf(tb, item.scenario);
  const ends = endCpusOf(item, cpus);
  await pinRelays(tb, ends, cpus);
  const argv = placedNetperfArgs({ test, ...netperfTargetOf(tb, item.scenario, item.target), durationS: seconds }, ends, m.plan.senderNice);
  const startedAt = new Date().toISOString();
  const res = await run(argv, { ns: ep.clientNs, cgroup: clientCgroupOf(tb), reject: false, signal, timeoutMs: (2 * seconds + 15) * 1000 });
  if (res.cancelled || signal.aborted) return;
  const outcome = netperfOutcome(res, test, { noAnswer: `no answer within ${2 * seconds + 15} s`, exitWords: 'netperf' });
  const file = await writeRaw(runDir, m, `${itemDir(m, item, test)}/warmup-${tb.prefix}.netperf.txt`, res.stdout);
  m.warmups!.push({ config, testbed: tb.prefix, startedAt, file, ...(outcome.ok ? { headline: outcome.headline } : { failure: outcome.reason }) });
}

/**
 * Pins the user-space relays (flannel's UDP backend) like the ends they serve: node-a's relay with the client,
 * node-b's with the server; with no placement they may run anywhere again.
 */
async function pinRelays(tb: Testbed, ends: EndCpus | undefined, cpus: readonly number[]): Promise<{ role: 'relay'; pid: number; pinnedTo?: number }[]> {
  const relays = tb.daemons.filter((d) => d.name === 'udp-relay');
  const out: { role: 'relay'; pid: number; pinnedTo?: number }[] = [];
  for (const d of relays) {
    const node = tb.nodes.find((n) => n.ns === d.ns);
    const cpu = ends ? (node?.name === 'node-b' ? ends.server : ends.client) : undefined;
    await run(['taskset', '-a', '-p', '-c', cpu === undefined ? cpus.join(',') : String(cpu), String(d.pid)]);
    out.push({ role: 'relay', pid: d.pid, ...(cpu === undefined ? {} : { pinnedTo: cpu }) });
  }
  return out;
}

/** One netperf run with counters read around it; raw output always kept, even when the item fails. */
async function runItem(runDir: string, m: RunManifest, model: ModelDescription, tb: Testbed, item: ItemRecord, signal: AbortSignal, cpus: readonly number[]): Promise<void> {
  const ep = endpointsOf(tb, item.scenario);
  const probes = probesFor(model, tb, item.scenario);
  const ends = endCounters(tb, item.scenario);
  const placement: Placement = item.placement ?? 'free';
  const pinned = cpusFor(placement, cpus);
  const target = netperfTargetOf(tb, item.scenario, item.target);
  const argv = placedNetperfArgs({ test: item.test, ...target, durationS: m.plan.durationS, serviceDemand: true }, pinned, m.plan.senderNice);
  // Through a Service: conntrack of the client's node forgets the earlier connections to it, so what it lists after
  // the run proves this run's connections were translated to the server (or that they were not).
  const service = item.target === 'service' ? serviceOf(tb, item.scenario) : undefined;
  const servicePathOf = service ? await watchServicePath(tb, item.scenario) : undefined;
  item.startedAt = new Date().toISOString();
  item.testbed = tb.prefix;
  const relays = await pinRelays(tb, pinned, cpus);
  const linkNs = [...new Set([...tb.nodes.map((n) => n.ns), ep.clientNs, ep.serverNs])];
  const snmpNs = [...new Set([ep.clientNs, ep.serverNs])];
  const [before, nsBefore] = await Promise.all([readProbes(tb, probes, ends.links), namespaceSnapshot(linkNs, snmpNs)]);
  const cpuidle = await readCpuidle();
  const timeoutS = 2 * m.plan.durationS + 15;
  const probeBefore = speedProbe();
  const hostBefore = await hostSnapshot();
  const child = start(argv, { ns: ep.clientNs, cgroup: clientCgroupOf(tb), reject: false, signal, timeoutMs: timeoutS * 1000 });
  const processes = await sampleWhileRunning(child.pid, tb, item.scenario, ep.serverNs, pinned, relays, m.plan.durationS, signal);
  const res = await child.result;
  const hostAfter = await hostSnapshot();
  const probeAfter = speedProbe();
  if (res.cancelled || signal.aborted) {
    item.status = 'pending';
    delete item.startedAt;
    return;
  }
  const [after, nsAfter, servicePath] = await Promise.all([readProbes(tb, probes, ends.links), namespaceSnapshot(linkNs, snmpNs),
    servicePathOf?.()]);
  const check = evaluate(model.id, item.scenario, probes, before, after, endDeltas(ends, before, after));
  const conditions = itemConditions({ placement, ...(pinned ? { cpus: pinned } : {}), idle: m.plan.idle ?? 'default', senderNice: m.plan.senderNice, cpuidle, hostBefore, hostAfter, nsBefore, nsAfter, processes, speedProbeMs: { before: probeBefore, after: probeAfter } });
  const base = `${itemDir(m, item)}/rep-${String(item.rep).padStart(3, '0')}`;
  const files = [
    await writeRaw(runDir, m, `${base}.netperf.txt`, res.stdout),
    ...(res.stderr ? [await writeRaw(runDir, m, `${base}.netperf.stderr.txt`, res.stderr)] : []),
    await writeRaw(runDir, m, `${base}.datapath.json`, JSON.stringify({ argv: res.argv, exitCode: res.exitCode, elapsedMs: Math.round(res.durationMs), check, ...(servicePath ? { servicePath } : {}) }, null, 2) + '\n'),
    await writeRaw(runDir, m, `${base}.conditions.json`, JSON.stringify(conditions, null, 1) + '\n'),
  ];
  const flags = conditionFlags(conditions);
  if (flags.length) item.flags = flags;
  item.files = files;
  item.finishedAt = new Date().toISOString();
  item.datapath = check.pass && (servicePath?.pass ?? true);
  const outcome = netperfOutcome(res, item.test, {
    noAnswer: `netperf did not finish within ${timeoutS} s (no answer from ${target.host}${service ? `, the Service of ${ep.serverIp}` : ''}: is the datapath broken?)`,
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
  const serviceFailure = servicePath && servicePathFailure(servicePath);
  if (serviceFailure) {
    Object.assign(item, { status: 'failed', reason: serviceFailure });
    return;
  }
  item.status = 'ok';
}

/**
 * Samples the CPU of netperf, netserver's child for this test and, between nodes, the relays: once as the run starts
 * (CPU times only), then at about 40% and 85% of its length. Reading /proc starts no process, so the sampling barely
 * touches the measurement.
 */
async function sampleWhileRunning(clientPid: number | undefined, tb: Testbed, scenario: ItemRecord['scenario'], serverNs: string, pinned: EndCpus | undefined,
  relays: { role: 'relay'; pid: number; pinnedTo?: number }[], durationS: number, signal: AbortSignal): Promise<ProcessPlacement[]> {
  const sampler = new ProcessSampler();
  const netserver = tb.daemons.find((d) => d.name === 'netserver' && d.ns === serverNs);
  // Relays carry traffic only between nodes; within a node they idle wherever they last ran.
  const onPath = scenario === 'inter' ? relays : [];
  const procs = async () => [
    ...(clientPid ? [{ role: 'client' as const, pid: clientPid, ...(pinned ? { pinnedTo: pinned.client } : {}) }] : []),
    ...(netserver ? await childrenOf(netserver.pid) : []).map((pid) => ({ role: 'server' as const, pid, ...(pinned ? { pinnedTo: pinned.server } : {}) })),
    ...onPath,
  ];
  await sampler.sample(await procs(), false);
  let at = 0;
  for (const next of [0.4, 0.85]) {
    await sleep(durationS * 1000 * (next - at), undefined, { signal }).catch(() => undefined);
    at = next;
    if (signal.aborted) break;
    await sampler.sample(await procs());
  }
  return sampler.placements;
}
