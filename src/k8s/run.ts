// The Kubernetes backend's runner: a collection on a cluster, the same plan items and the same run folder as the local backend
// (manifest.json, raw/<model>/<scenario>/<test>/rep-NNN.netperf.txt, profiles, launches), written after each item.
// Every object it creates is labelled as cnibench's and this run's, and removed at the end, on failure and on Ctrl-C;
// the run can then be resumed.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError, errorMessage } from '../util/errors.ts';
import { MANIFEST_SCHEMA, type ItemRecord, type RunManifest, beginSession, saveManifest, writeRaw } from '../collect/manifest.ts';
import type { CollectPlan } from '../collect/plan.ts';
import { configKey, planItems } from '../collect/schedule.ts';
import { extendRounds } from '../collect/stopping.ts';
import { hostFacts } from '../collect/hostFacts.ts';
import { type CollectResult, type RunControl, newRunId } from '../collect/backend.ts';
import { itemOutcomeText } from '../collect/progress.ts';
import type { K8sPlanDraft } from './plan.ts';
import { kubectlFor, type ClusterSurvey } from './survey.ts';
import { KubectlError } from './kubectl.ts';
import { cpuOfCpuinfo, nodeFacts, type NodeObject } from './nodes.ts';
import { CONTAINER, selectorOf } from './labels.ts';
import { PodsNotReadyError } from './pods.ts';
import { checkNetperf, checkTimeout, ensureNamespace, removeRunObjects, startMeasurementPods, type K8sSession } from './session.ts';
import { cpuLimitWarnings } from './admission.ts';
import { runK8sNetperfItem, runK8sWarmup } from './netperf.ts';
import { runK8sLaunchItem } from './launch.ts';
import { runK8sProfileItem, startProfiler, type Profiler } from './profile.ts';
import type { ClusterFacts } from '../collect/clusterRecord.ts';

/** What every k8s run says it measured (shown where local runs show what their model emulates). */
const K8S_EMULATION_NOTE = 'Measured on a real Kubernetes cluster: the CNI\'s own datapath between pods, nothing emulated; no datapath counters are checked (the CNI is not ours to instrument).';

/** A fresh k8s run: the CNI as the model, the nodes chosen and recorded, every item pending (or skipped, with why). */
export async function createK8sRun(dataDir: string, draft: K8sPlanDraft, survey: ClusterSurvey, runId = newRunId()): Promise<{ runDir: string; manifest: RunManifest }> {
  const { choice } = survey;
  if (choice.noInter && draft.plan.scenarios.includes('inter') && draft.scenarioExplicit) {
    throw new UsageError(`inter-host needs two schedulable nodes, but ${choice.noInter}: run --scenario intra, or name two nodes with --nodes A,B (kubectl get nodes).`);
  }
  const cni = draft.target.cniOverride ?? survey.cni.id;
  const plan: CollectPlan = { ...draft.plan, models: [cni], k8s: { ...draft.target, nodes: choice.nodes.map((n) => n.metadata.name) } };
  const items: ItemRecord[] = planItems(plan).map((item) => {
    const reason = item.scenario === 'inter' && item.kind !== 'launch' && choice.noInter ? `no inter-host pair: ${choice.noInter}` : undefined;
    return { ...item, status: reason ? 'skipped' : 'pending', ...(reason ? { reason } : {}), files: [] };
  });
  const cluster: ClusterFacts = {
    kubernetesVersion: survey.serverVersion,
    cni,
    cniSource: draft.target.cniOverride ? 'override' : 'detected',
    ...(draft.target.cniOverride ? { cniDetected: survey.cni.id } : {}),
    cniEvidence: survey.cni.evidence,
    nodes: choice.nodes.map((n, i) => nodeFacts(n, i === 0 ? 'A' : 'B')),
    kubectlVersion: survey.kubectlVersion,
    image: { name: draft.target.image },
  };
  const now = new Date().toISOString();
  const manifest: RunManifest = {
    schema: MANIFEST_SCHEMA, runId, createdAt: now, updatedAt: now, status: 'running', backend: 'k8s', plan,
    host: await hostFacts(),
    tools: { node: process.version, kubectl: survey.kubectlVersion },
    cluster,
    emulation: { [cni]: [K8S_EMULATION_NOTE] },
    items, files: {}, sessions: [],
  };
  const runDir = join(dataDir, 'runs', runId);
  await mkdir(runDir, { recursive: true });
  await writeRaw(runDir, manifest, `raw/${cni}/k8s/version.json`, survey.versionJson);
  await saveManifest(runDir, manifest);
  return { runDir, manifest };
}

/** A k8s run may be resumed on the cluster it measured: the same CNI (unless it was given with --cni). */
export function checkResumable(m: RunManifest, survey: ClusterSurvey): void {
  const c = m.cluster;
  if (!c || m.backend !== 'k8s') throw new UsageError(`run ${m.runId} is not a Kubernetes run.`);
  if (c.cniSource === 'detected' && survey.cni.id !== c.cni) {
    throw new UsageError(`run ${m.runId} measured ${c.cni}, but the cluster now runs ${survey.cni.id}: start a new run instead of resuming this one.`);
  }
}

export interface K8sExecuteOptions extends RunControl {
  /** How often pod states are polled (ms); the measurement itself never depends on it. */
  pollMs?: number;
}

/** Per-session raw files (pods and nodes as kubectl returns them) and the facts only a pod on each node can read. */
async function recordSession(runDir: string, m: RunManifest, s: K8sSession, n: number, netperfVersion: string, signal: AbortSignal): Promise<void> {
  const model = m.plan.models[0]!;
  const pods = await s.k.call(['get', 'pods', '-n', s.namespace, '-l', selectorOf(s.runId), '-o', 'json'], { signal });
  await writeRaw(runDir, m, `raw/${model}/k8s/session-${n}.pods.json`, pods.stdout);
  const nodeNames = [s.nodeA, s.nodeB].filter((x): x is NodeObject => !!x).map((x) => x.metadata.name);
  const nodes = await s.k.call(['get', 'nodes', ...nodeNames, '-o', 'json'], { signal });
  await writeRaw(runDir, m, `raw/${model}/k8s/session-${n}.nodes.json`, nodes.stdout);
  const cluster = m.cluster!;
  for (const [role, pod] of [['A', s.pods?.serverA], ['B', s.pods?.serverB]] as const) {
    const facts = cluster.nodes.find((f) => f.role === role);
    if (!pod || !facts) continue;
    const r = await s.k.exec(s.namespace, pod.metadata.name, CONTAINER, ['cat', '/proc/cpuinfo'], { timeoutMs: 30_000, signal });
    if (r.exitCode === 0) Object.assign(facts, cpuOfCpuinfo(r.stdout));
  }
  const status = s.pods?.clientA.status?.containerStatuses?.[0];
  cluster.image = { name: s.target.image, ...(status?.imageID ? { imageId: status.imageID } : {}), netperfVersion };
  m.tools.netperf = `Netperf version ${netperfVersion} (in ${s.target.image})`;
}

/** Runs every pending item of a k8s run in one session; cleans the cluster up whatever happens. */
export async function executeK8sRun(runDir: string, m: RunManifest, survey: ClusterSurvey, opts: K8sExecuteOptions): Promise<CollectResult> {
  const { progress, signal } = opts;
  const t = m.plan.k8s!;
  const session = await beginSession(runDir, m);
  const finished = (i: ItemRecord) => i.status === 'ok' || i.status === 'skipped';
  progress.start(m.items.length, m.items.filter(finished).length);
  const byName = (name: string | undefined) => survey.nodes.items.find((n) => n.metadata.name === name);
  const s: K8sSession = {
    k: kubectlFor(t), target: t, runId: m.runId, namespace: t.namespace, createdNamespace: survey.namespace.ours,
    nodeA: byName(t.nodes?.[0])!, ...(byName(t.nodes?.[1]) ? { nodeB: byName(t.nodes?.[1])! } : {}),
  };
  const pending = m.items.filter((i) => i.status === 'pending');
  let failure: unknown;
  let cleanupProblems: string[] = [];
  if (pending.length) {
    try {
      await ensureNamespace(s, survey.namespace.exists, Boolean(m.plan.profile), signal);
      const withInter = pending.some((i) => i.scenario === 'inter' && i.kind !== 'launch');
      progress.note(`starting pods in namespace ${s.namespace} on ${s.nodeA.metadata.name}${withInter && s.nodeB ? ` and ${s.nodeB.metadata.name}` : ''} (image ${t.image})…`);
      if (await startMeasurementPods(s, withInter, { signal, pollMs: opts.pollMs })) {
        const version = await checkNetperf(s, signal);
        if (version) await checkTimeout(s, signal);
        if (version && !signal.aborted) {
          if (!version.startsWith('2.7')) progress.note(`note: the image carries netperf ${version}, not 2.7 as the study (recorded in the manifest)`);
          for (const w of cpuLimitWarnings(Object.values(s.pods ?? {}))) {
            progress.note(`warning: ${w}`);
            const known = (m.cluster!.warnings ??= []);
            if (!known.includes(w)) known.push(w);
          }
          await recordSession(runDir, m, s, m.sessions.length, version, signal);
          await saveManifest(runDir, m);
          await runItems(runDir, m, s, opts);
        }
      }
    } catch (err) {
      failure = err;
    } finally {
      progress.note(`removing the run's objects from namespace ${s.namespace}…`);
      cleanupProblems = await removeRunObjects(s);
      for (const p of cleanupProblems) progress.note(`cleanup: ${p}`);
    }
  }
  const outcome = failure ? 'failed' : signal.aborted ? 'interrupted' : 'complete';
  m.status = outcome;
  session.endedAt = new Date().toISOString();
  session.outcome = failure ? `failed: ${errorMessage(failure)}` : outcome;
  await saveManifest(runDir, m);
  progress.end();
  if (failure) {
    const left = cleanupProblems.length ? ` Cleanup was incomplete (${cleanupProblems.join('; ')}): run "cnibench cleanup --backend k8s".` : ' Nothing of the run is left in the cluster.';
    const message = `${errorMessage(failure).replace(/\.?$/, '.')}${left} The run is kept: fix the cause, then resume it with: cnibench collect --resume ${m.runId}`;
    // The run began: whatever stopped it (an API server that went away, pods that never got Ready) is a failed run
    // (exit 1), not bad input, and the run stays resumable.
    throw new Error(message);
  }
  return { runId: m.runId, runDir, manifest: m, outcome: signal.aborted ? 'interrupted' : 'complete' };
}

/** The items of a session, in plan order; a profiler per receiving node, started when first needed. */
async function runItems(runDir: string, m: RunManifest, s: K8sSession, opts: K8sExecuteOptions): Promise<void> {
  const { progress, signal } = opts;
  const profilers = new Map<'a' | 'b', Profiler | Error>();
  const warmed = new Set<string>();
  const session = `session-${m.sessions.length}`;
  for (;;) {
    if (signal.aborted) break;
    // The same schedule as the local backend: rounds in the manifest's order, adaptive runs adding rounds.
    const added = extendRounds(m);
    if (added) { await saveManifest(runDir, m); progress.extend(added); }
    const item = m.items.find((i) => i.status === 'pending');
    if (!item) break;
    try {
      if (item.kind === 'netperf') {
        const config = configKey(item, false);
        if (!warmed.has(config)) {
          warmed.add(config);
          await runK8sWarmup(runDir, m, s, item, config, session, signal);
          if (signal.aborted) break;
        }
        await runK8sNetperfItem(runDir, m, s, item, signal);
      } else if (item.kind === 'profile') {
        const node = item.scenario === 'intra' ? 'a' : 'b';
        if (!profilers.has(node)) {
          try {
            const p = await startProfiler(s, node, signal, { pollMs: opts.pollMs });
            if (!p) break;
            profilers.set(node, p);
          } catch (err) {
            // A profiler that cannot run (no perf, refused privileges) fails the profiled items, not the whole run.
            if (!(err instanceof PodsNotReadyError)) throw err;
            profilers.set(node, err);
          }
        }
        const p = profilers.get(node)!;
        if (p instanceof Error) Object.assign(item, { status: 'failed', reason: p.message, finishedAt: new Date().toISOString() });
        else await runK8sProfileItem(runDir, m, s, p, item, signal);
      } else {
        await runK8sLaunchItem(runDir, m, s, item, signal, { pollMs: opts.pollMs });
      }
    } catch (err) {
      // The cluster went away, RBAC changed, or launch pods stopped starting: stop the session (it stays resumable).
      if (err instanceof KubectlError || err instanceof PodsNotReadyError) {
        if (item.kind === 'launch') Object.assign(item, { status: 'failed', reason: errorMessage(err), finishedAt: new Date().toISOString() });
        await saveManifest(runDir, m);
        throw err;
      }
      // One broken item (unparsable output, a file that would not write) must not end the run.
      Object.assign(item, { status: 'failed', reason: errorMessage(err), finishedAt: new Date().toISOString() });
    }
    if (item.status === 'pending') break; // interrupted mid-item: it stays pending for --resume
    await saveManifest(runDir, m);
    progress.item(item.id, itemOutcomeText(item));
  }
}
