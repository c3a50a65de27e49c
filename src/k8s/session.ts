// One session of a run on a cluster: the namespace (created if absent), the netserver pods on node A (server and
// client) and node B (inter-host server), Ready and checked to carry netperf; and their removal, whatever happened.
import { UsageError } from '../util/errors.ts';
import type { Kubectl } from './kubectl.ts';
import { CONTAINER, MANAGED_BY, RUN_LABEL, names, selectorOf } from './labels.ts';
import { namespaceManifest, netperfPodManifest } from './manifests.ts';
import { hostnameOf, type NodeObject } from './nodes.ts';
import { waitForReady, type PodObject } from './pods.ts';
import type { K8sTarget } from '../collect/clusterRecord.ts';
import { DEFAULT_K8S_IMAGE } from './plan.ts';

export interface MeasurementPods {
  clientA: PodObject;
  serverA: PodObject;
  serverB?: PodObject;
}

export interface K8sSession {
  k: Kubectl;
  target: K8sTarget;
  runId: string;
  namespace: string;
  /** Whether this run created the namespace (then it deletes it at the end, unless another run has pods there). */
  createdNamespace: boolean;
  nodeA: NodeObject;
  nodeB?: NodeObject;
  pods?: MeasurementPods;
}

/** Creates the namespace when it does not exist (labelled as ours and as this run's). */
export async function ensureNamespace(s: K8sSession, exists: boolean, privileged: boolean, signal?: AbortSignal): Promise<void> {
  if (exists) return;
  await s.k.apply([namespaceManifest(s.namespace, s.runId, privileged)], { signal });
  s.createdNamespace = true;
}

/** The pods every netperf and profile item uses; node B's server only when inter-host items are to run. */
export async function startMeasurementPods(s: K8sSession, withInter: boolean, o: { signal: AbortSignal; pollMs?: number }): Promise<MeasurementPods | undefined> {
  const spec = (name: string, role: 'server' | 'client', node: NodeObject) =>
    netperfPodManifest({ runId: s.runId, namespace: s.namespace, name, role, image: s.target.image, nodeHostname: hostnameOf(node) });
  const wanted = [
    spec(names.server(s.runId, 'a'), 'server', s.nodeA),
    spec(names.client(s.runId), 'client', s.nodeA),
    ...(withInter && s.nodeB ? [spec(names.server(s.runId, 'b'), 'server', s.nodeB)] : []),
  ];
  await s.k.apply(wanted, { signal: o.signal });
  const pods = await waitForReady(s.k, s.namespace, selectorOf(s.runId), wanted.map((p) => p.metadata!.name!), {
    timeoutS: s.target.readyTimeoutS ?? 300, image: s.target.image, signal: o.signal, pollMs: o.pollMs,
  });
  if (!pods) return undefined;
  const byName = (n: string) => pods.find((p) => p.metadata.name === n)!;
  const serverB = withInter && s.nodeB ? byName(names.server(s.runId, 'b')) : undefined;
  s.pods = { clientA: byName(names.client(s.runId)), serverA: byName(names.server(s.runId, 'a')), ...(serverB ? { serverB } : {}) };
  for (const p of Object.values(s.pods) as PodObject[]) {
    if (!p.status?.podIP) throw new Error(`pod ${p.metadata.name} is Ready but has no IP address (status.podIP)`);
  }
  return s.pods;
}

/** `netperf -V` in the client pod: the image must carry netperf (2.7 as the study); returns what it printed. */
export async function checkNetperf(s: K8sSession, signal: AbortSignal): Promise<string | undefined> {
  const r = await s.k.exec(s.namespace, names.client(s.runId), CONTAINER, ['netperf', '-V'], { timeoutMs: 30_000, signal });
  if (r.cancelled) return undefined;
  const text = `${r.stdout}\n${r.stderr}`;
  const version = text.match(/Netperf version ([\w.\-]+)/i)?.[1];
  if (r.exitCode !== 0 || !version) {
    const why = /executable file not found|not found in \$PATH|no such file/i.test(text) ? 'has no netperf' : `did not run "netperf -V" (exit ${r.exitCode}: ${text.trim().split('\n').pop()})`;
    throw new UsageError(`the image ${s.target.image} ${why}: pass an image that carries netperf 2.7 with --image (default ${DEFAULT_K8S_IMAGE}).`);
  }
  return version;
}

/**
 * `timeout -k` in the client pod: netperf runs under it (netperf.ts), so an image without it (or with a busybox too old
 * for -k) is refused here, before any item, rather than failing every item.
 */
export async function checkTimeout(s: K8sSession, signal: AbortSignal): Promise<void> {
  const r = await s.k.exec(s.namespace, names.client(s.runId), CONTAINER, ['timeout', '-k', '1', '10', 'true'], { timeoutMs: 30_000, signal });
  if (r.cancelled || r.exitCode === 0) return;
  const text = `${r.stdout}\n${r.stderr}`.trim().split('\n').pop();
  throw new UsageError(`the image ${s.target.image} cannot run "timeout -k 1 10 true" (exit ${r.exitCode}: ${text}): netperf runs under timeout so that a hung test ends in the pod too; pass an image with coreutils' or a recent busybox's timeout with --image (default ${DEFAULT_K8S_IMAGE}).`);
}

/**
 * Removes everything of this run: its pods and DaemonSets (waiting until they are gone, within a bound), and the
 * namespace if the run created it and no other run's objects live there. Never throws: it reports what it could not do.
 */
export async function removeRunObjects(s: Pick<K8sSession, 'k' | 'namespace' | 'runId' | 'createdNamespace'>): Promise<string[]> {
  const problems: string[] = [];
  const del = await s.k.raw(['delete', 'pods,daemonsets.apps', '-n', s.namespace, '-l', selectorOf(s.runId), '--ignore-not-found', '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
  if (del.exitCode !== 0) problems.push(`deleting the run's pods: ${(del.stderr || del.stdout).trim().split('\n').pop()}`);
  if (s.createdNamespace) {
    const others = await s.k.raw(['get', 'pods', '-n', s.namespace, '-l', `${MANAGED_BY},${RUN_LABEL}!=${s.runId}`, '-o', 'name'], { timeoutMs: 45_000 });
    if (others.exitCode === 0 && others.stdout.trim()) {
      problems.push(`namespace ${s.namespace} kept: another run has pods there`);
    } else {
      const ns = await s.k.raw(['delete', 'namespace', s.namespace, '--ignore-not-found', '--wait=true', '--timeout=120s'], { timeoutMs: 150_000 });
      if (ns.exitCode !== 0) problems.push(`deleting namespace ${s.namespace}: ${(ns.stderr || ns.stdout).trim().split('\n').pop()}`);
    }
  }
  return problems;
}
