// Waiting for pods of ours to be Ready, within a bounded time, and saying why they are not: the scheduler's reason
// for a Pending pod, the kubelet's for an image that cannot be pulled, a crash loop or a sandbox (CNI) failure.
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../util/errors.ts';
import type { Kubectl } from './kubectl.ts';

export interface PodCondition { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }
export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; reason?: string; message?: string };
}
export interface PodObject {
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; creationTimestamp?: string; deletionTimestamp?: string };
  spec?: { nodeName?: string; nodeSelector?: Record<string, string>; containers?: { name: string; command?: string[]; resources?: { limits?: Record<string, string>; requests?: Record<string, string> } }[] };
  status?: {
    phase?: string;
    qosClass?: string;
    podIP?: string;
    conditions?: PodCondition[];
    containerStatuses?: { name: string; ready?: boolean; restartCount?: number; image?: string; imageID?: string; state?: ContainerState; lastState?: ContainerState }[];
  };
}
export interface EventObject {
  reason?: string;
  message?: string;
  type?: string;
  involvedObject?: { name?: string; uid?: string; kind?: string };
  eventTime?: string | null;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  count?: number;
  metadata?: { creationTimestamp?: string };
}

/** Pods that did not become Ready: the run stops, cleans up and can be resumed once the cause is fixed. */
export class PodsNotReadyError extends UsageError {
  override name = 'PodsNotReadyError';
}

function isReady(p: PodObject): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** A pod that will not get Ready by waiting longer: why, or undefined. */
export function hopeless(p: PodObject, image: string): string | undefined {
  const where = `pod ${p.metadata.name}${p.spec?.nodeName ? ` on node ${p.spec.nodeName}` : ''}`;
  if (p.status?.phase === 'Failed') return `${where} failed (${p.status.conditions?.find((c) => c.message)?.message ?? 'phase Failed'})`;
  for (const c of p.status?.containerStatuses ?? []) {
    const w = c.state?.waiting;
    const last = c.lastState?.terminated ?? c.state?.terminated;
    if (w?.reason === 'CrashLoopBackOff' || (last && (c.restartCount ?? 0) >= 2)) {
      return `${where} keeps crashing (CrashLoopBackOff, last exit code ${last?.exitCode ?? '?'}${last?.reason ? ` ${last.reason}` : ''}${last?.message ? `: ${last.message.trim()}` : ''}): the image ${image} must run "netserver -D -p 12865"; pass an image with netperf 2.7 with --image`;
    }
    if (w?.reason && ['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull'].includes(w.reason)) {
      return `${where} cannot pull the image ${image} (${w.reason}${w.message ? `: ${w.message}` : ''}): check the image name and that the node reaches its registry, or pass another one with --image`;
    }
    if (w?.reason && ['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError'].includes(w.reason)) {
      const noBinary = /executable file not found|no such file or directory/.test(w.message ?? '');
      return `${where} cannot start its container (${w.reason}${w.message ? `: ${w.message}` : ''})${noBinary ? `: the image ${image} has no netserver; pass an image with netperf 2.7 with --image` : ''}`;
    }
  }
  return undefined;
}

function eventTime(e: EventObject): string {
  return e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '';
}

/** Why a pod is still not Ready after the wait, from its conditions and its latest warning events. */
export function pendingReason(p: PodObject, events: EventObject[]): string {
  const where = `pod ${p.metadata.name}`;
  const mine = events.filter((e) => !p.metadata.uid || !e.involvedObject?.uid || e.involvedObject.uid === p.metadata.uid).sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
  const latest = (reason: string) => mine.filter((e) => e.reason === reason).pop();
  const sched = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const failedScheduling = latest('FailedScheduling');
  if (sched?.status === 'False' || failedScheduling) {
    const msg = failedScheduling?.message ?? sched?.message ?? sched?.reason ?? 'not scheduled';
    return `${where} stays Pending: the scheduler says "${msg}". Free resources or untaint the node, or choose other nodes with --nodes`;
  }
  const sandbox = latest('FailedCreatePodSandBox');
  if (sandbox) return `${where} on node ${p.spec?.nodeName ?? '?'} has no sandbox (network) yet: "${sandbox.message}". The CNI is failing on that node: check its pods in kube-system`;
  const probe = latest('Unhealthy');
  if (probe && p.status?.phase === 'Running') return `${where} runs but netserver does not answer its readiness probe: "${probe.message}". Check the image (--image) and that the CNI lets the node reach its pods`;
  const pulling = latest('Pulling');
  if (pulling && !latest('Pulled')) return `${where} is still pulling its image ("${pulling.message}"): wait longer with --ready-timeout, or use an image the nodes already have`;
  const warn = mine.filter((e) => e.type === 'Warning').pop();
  return `${where} is ${p.status?.phase ?? 'not running'}${warn ? `: ${warn.reason} "${warn.message}"` : ''}`;
}

export interface WaitOptions {
  timeoutS: number;
  image: string;
  signal?: AbortSignal;
  pollMs?: number;
}

/** Pods of the run matching `selector`, by name. */
async function listPods(k: Kubectl, namespace: string, selector: string, signal?: AbortSignal): Promise<PodObject[]> {
  const list = await k.getJson<{ items: PodObject[] }>(['pods', '-n', namespace, '-l', selector], { signal });
  return list.items ?? [];
}

async function podEvents(k: Kubectl, namespace: string, name: string, signal?: AbortSignal): Promise<{ items: EventObject[] }> {
  return k.getJson<{ items: EventObject[] }>(['events', '-n', namespace, '--field-selector', `involvedObject.name=${name}`], { signal });
}

/**
 * Waits until every pod in `names` (or, with `names` undefined, at least one pod and every pod matching `selector`)
 * is Ready. Stops at once on a pod that cannot recover; after `timeoutS` says why each one is not Ready.
 * Returns undefined when interrupted through the signal.
 */
export async function waitForReady(k: Kubectl, namespace: string, selector: string, names: string[] | undefined, o: WaitOptions): Promise<PodObject[] | undefined> {
  const deadline = Date.now() + o.timeoutS * 1000;
  for (;;) {
    if (o.signal?.aborted) return undefined;
    const pods = (await listPods(k, namespace, selector, o.signal)).filter((p) => !names || names.includes(p.metadata.name));
    if (o.signal?.aborted) return undefined;
    const stuck = pods.map((p) => hopeless(p, o.image)).filter((s): s is string => !!s);
    if (stuck.length) throw new PodsNotReadyError(stuck.join('; '));
    const complete = names ? names.every((n) => pods.some((p) => p.metadata.name === n)) : pods.length > 0;
    if (complete && pods.every(isReady)) return pods;
    if (Date.now() >= deadline) {
      const reasons: string[] = [];
      for (const n of names ?? []) if (!pods.some((p) => p.metadata.name === n)) reasons.push(`pod ${n} was never created`);
      for (const p of pods.filter((x) => !isReady(x))) reasons.push(pendingReason(p, (await podEvents(k, namespace, p.metadata.name)).items ?? []));
      if (!names && pods.length === 0) reasons.push(`no pod matching ${selector} appeared`);
      throw new PodsNotReadyError(`not Ready after ${o.timeoutS} s: ${reasons.join('; ')}`);
    }
    try {
      await sleep(o.pollMs ?? 1000, undefined, { signal: o.signal });
    } catch {
      return undefined;
    }
  }
}
