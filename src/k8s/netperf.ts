// One netperf item on a cluster: the local backend's netperf command line, run in the client pod with kubectl exec
// against the server pod on the same node (intra) or on node B (inter); raw output kept exactly as printed.
import { netperfArgs } from '../tools/netperf/command.ts';
import { netperfOutcome } from '../tools/netperf/outcome.ts';
import { writeRaw, type ItemRecord, type RunManifest } from '../collect/manifest.ts';
import { CONTAINER } from './labels.ts';
import { K8S_NETPERF_DATA_PORT, K8S_NETSERVER_PORT } from './manifests.ts';
import type { K8sSession } from './session.ts';
import type { PodObject } from './pods.ts';

/** The client and server pods of an item's scenario. */
export function endsOf(s: K8sSession, scenario: ItemRecord['scenario']): { client: PodObject; server: PodObject } {
  if (!s.pods) throw new Error('the measurement pods are not running');
  const server = scenario === 'intra' ? s.pods.serverA : s.pods.serverB;
  if (!server) throw new Error('there is no inter-host server pod (one schedulable node)');
  return { client: s.pods.clientA, server };
}

/** Seconds `timeout` waits after its TERM before it sends KILL (`timeout -k`). */
const KILL_AFTER_S = 5;

/**
 * netperf bounded inside the pod. netperf hangs past -l when its peer stops answering; a kubectl timeout then kills
 * kubectl but not netperf, which goes on in the pod (the API server closes the exec stream; nothing signals the
 * process), and would skew the next item. So the bound is enforced in the pod by coreutils/busybox `timeout`, and
 * kubectl gets its own, later bound only as a backstop for a stream that never returns: exec start-up plus the
 * in-pod limit plus the kill delay.
 */
export function boundedNetperf(netperf: string[], durationS: number): { command: string[]; inPodS: number; kubectlTimeoutMs: number } {
  const inPodS = 2 * durationS + 20;
  return { command: ['timeout', '-k', String(KILL_AFTER_S), String(inPodS), ...netperf], inPodS, kubectlTimeoutMs: (inPodS + KILL_AFTER_S + 20) * 1000 };
}

/**
 * A netperf that `timeout` ended in the pod counts as one that did not finish: coreutils' and busybox's timeout exit
 * with 124 when the command timed out, 128+9 when it had to be killed after -k (kubectl exec passes the code on).
 */
function withInPodTimeout<T extends { exitCode: number; timedOut: boolean }>(res: T): T {
  return res.exitCode === 124 || res.exitCode === 137 ? { ...res, timedOut: true } : res;
}

/** The item's netperf command line: the local backend's, with the data port pinned so a NetworkPolicy can allow it. */
export function k8sNetperfArgs(test: ItemRecord['test'], server: PodObject, durationS: number): string[] {
  return netperfArgs({ test, host: server.status!.podIP!, port: K8S_NETSERVER_PORT, dataPort: K8S_NETPERF_DATA_PORT, durationS });
}

/** What one k8s netperf item ran where (rep-NNN.k8s.json beside the netperf output). */
export interface K8sExecRecord {
  argv: string[];
  /** The netperf command inside the client pod (the same as the local backend's). */
  netperf: string[];
  client: { pod: string; node?: string; ip?: string };
  server: { pod: string; node?: string; ip?: string };
  exitCode: number;
  elapsedMs: number;
}

export async function runK8sNetperfItem(runDir: string, m: RunManifest, s: K8sSession, item: ItemRecord, signal: AbortSignal): Promise<void> {
  const { client, server } = endsOf(s, item.scenario);
  const netperf = k8sNetperfArgs(item.test, server, m.plan.durationS);
  item.startedAt = new Date().toISOString();
  const bounded = boundedNetperf(netperf, m.plan.durationS);
  const timeoutS = bounded.inPodS;
  const res = withInPodTimeout(await s.k.exec(s.namespace, client.metadata.name, CONTAINER, bounded.command, { timeoutMs: bounded.kubectlTimeoutMs, signal }));
  if (res.cancelled || signal.aborted) {
    item.status = 'pending';
    delete item.startedAt;
    return;
  }
  const base = `raw/${item.model}/${item.scenario}/${item.test}/rep-${String(item.rep).padStart(3, '0')}`;
  const record: K8sExecRecord = {
    argv: res.argv, netperf,
    client: { pod: client.metadata.name, node: client.spec?.nodeName, ip: client.status?.podIP },
    server: { pod: server.metadata.name, node: server.spec?.nodeName, ip: server.status?.podIP },
    exitCode: res.exitCode, elapsedMs: Math.round(res.durationMs),
  };
  item.files = [
    await writeRaw(runDir, m, `${base}.netperf.txt`, res.stdout),
    ...(res.stderr ? [await writeRaw(runDir, m, `${base}.netperf.stderr.txt`, res.stderr)] : []),
    await writeRaw(runDir, m, `${base}.k8s.json`, JSON.stringify(record, null, 2) + '\n'),
  ];
  item.finishedAt = new Date().toISOString();
  const outcome = netperfOutcome(res, item.test, {
    noAnswer: `netperf did not finish within ${timeoutS} s (no answer from ${server.metadata.name} at ${server.status?.podIP}: is the pod network broken?)`,
    exitWords: 'kubectl exec netperf',
    withStderr: true,
  });
  if (!outcome.ok) {
    Object.assign(item, { status: 'failed', reason: outcome.reason });
    return;
  }
  item.headline = outcome.headline;
  item.status = 'ok';
}

/**
 * The discarded warm-up before a configuration's first item of a session (the pods are new: ARP, conntrack and
 * caches are cold), kept raw and recorded in the manifest like the local backend's.
 */
export async function runK8sWarmup(runDir: string, m: RunManifest, s: K8sSession, item: ItemRecord, config: string, session: string, signal: AbortSignal): Promise<void> {
  const seconds = m.plan.schedule?.warmupS ?? 0;
  if (seconds <= 0) return;
  const { client, server } = endsOf(s, item.scenario);
  const netperf = k8sNetperfArgs(item.test, server, seconds);
  const startedAt = new Date().toISOString();
  const bounded = boundedNetperf(netperf, seconds);
  const timeoutS = bounded.inPodS;
  const res = withInPodTimeout(await s.k.exec(s.namespace, client.metadata.name, CONTAINER, bounded.command, { timeoutMs: bounded.kubectlTimeoutMs, signal }));
  if (res.cancelled || signal.aborted) return;
  const outcome = netperfOutcome(res, item.test, { noAnswer: `no answer within ${timeoutS} s`, exitWords: 'kubectl exec netperf', withStderr: true });
  const file = await writeRaw(runDir, m, `raw/${item.model}/${item.scenario}/${item.test}/warmup-${session}.netperf.txt`, res.stdout);
  (m.warmups ??= []).push({ config, testbed: session, startedAt, file, ...(outcome.ok ? { headline: outcome.headline } : { failure: outcome.reason }) });
}
