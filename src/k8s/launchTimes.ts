// Launch time of one Kubernetes pod (study Fig. 7), derived from what was recorded of it: the total from its creation
// to Ready and its phases in order, as the LaunchTiming both backends share.
//
// Phases (each ends where the next begins, so they add up to the total):
//   scheduling        created → scheduled                 (the pod bound to a node)
//   sandbox+network   scheduled → pod network ready       (network: true — the sandbox and the CNI ADD)
//   container-start   network ready → container running   (image check or pull, create, start)
//   readiness         container running → Ready           (netserver answers kubelet's TCP probe over the pod network)
//
// The end of the network phase is the kubelet's first image event (Pulling, or Pulled "already present"): in
// kuberuntime's SyncPod the kubelet creates the sandbox — RunPodSandbox, whose network set-up is the CNI ADD —
// and only then starts the containers, each beginning with EnsureImageExists, which records that event. The
// PodReadyToStartContainers condition (PodHasNetwork on 1.25–1.28) would say the same in name, but the kubelet
// writes the pod status it computed at the start of a sync, before that sync created the sandbox, so the condition
// turns True only on the next sync — after the containers started (upstream kubernetes/kubernetes#134660 adds a
// sandbox-ready hook for this). It is used only when no image event exists and it is earlier than the container
// start; otherwise the sandbox and container-start phases are merged, not counted as network.
//
// Two clocks, and every launch says which one it used (LaunchTiming.clock):
//   client-watch       the pod and its events watched from the client while it launched (watch.ts), each boundary the
//                      arrival of the first notification showing it: created (ADDED), scheduled (spec.nodeName set),
//                      network (the image event), started (the Started event, else a status with the container
//                      running), Ready (the Ready condition). One clock, millisecond resolution; each boundary is late
//                      by the API server → kubectl → cnibench delivery, alike for all, and event boundaries also by
//                      the kubelet's asynchronous event recorder.
//   object-timestamps  when a launch has no complete watch: creationTimestamp, the scheduler's event, the kubelet's
//                      events and the Ready condition's transition. Kubernetes writes them in whole seconds (RFC 3339
//                      truncated), except events.k8s.io/v1 events — in practice the scheduler's — whose eventTime has
//                      microseconds. Mixing the two biased scheduling by about +0.5 s and the next phase by about
//                      −0.5 s on average, so every boundary is truncated to its whole second here: all on one grid,
//                      differences unbiased on average, each boundary known to within a second. A phase shorter than a
//                      second reads 0 or 1 s; averages over many launches are meaningful, single phases are not.
// A boundary that reads earlier than the one before it (a notification or second seen out of order) is clamped to it,
// so no phase is negative.
import { type LoadedRun, rawText } from '../analysis/loadRun.ts';
import type { LaunchPhase, LaunchTiming } from '../launch/record.ts';
import type { LaunchWatchRecord } from './watch.ts';

interface Condition { type: string; status: string; lastTransitionTime?: string | null }
interface ContainerStatus { name: string; state?: { running?: { startedAt?: string } }; lastState?: unknown }
interface PodJson {
  metadata?: { name?: string; uid?: string; creationTimestamp?: string };
  spec?: { nodeName?: string };
  status?: { conditions?: Condition[]; containerStatuses?: ContainerStatus[] };
}
interface EventJson {
  reason?: string;
  involvedObject?: { uid?: string; name?: string; kind?: string };
  eventTime?: string | null;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  metadata?: { creationTimestamp?: string };
}

/** A launch's raw files that do not match what a pod and an events list look like. */
export class LaunchDerivationError extends Error {
  override name = 'LaunchDerivationError';
}

/** One boundary of a launch: when, and how precisely it is known. */
export interface LaunchMark {
  at: number;
  /** Where the time came from (for notes and tests). */
  source: string;
  /** 1 for whole-second times, 0.001 for watch arrivals. */
  resolutionS: number;
}

/** The boundaries of one launch (undefined where the data has none). */
export interface LaunchMarks {
  created: LaunchMark;
  scheduled?: LaunchMark;
  network?: LaunchMark;
  started?: LaunchMark;
  ready: LaunchMark;
}

/** The kubelet's events that mark the end of the sandbox and its network: the first container's image check. */
const IMAGE_EVENTS = ['Pulling', 'Pulled'];

/** An object timestamp truncated to its whole second (microsecond eventTimes included: one grid for all). */
function secondMark(source: string, s: string | null | undefined): LaunchMark | undefined {
  if (!s) return undefined;
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) return undefined;
  return { at: Math.floor(ms / 1000) * 1000, source, resolutionS: 1 };
}

/** The time of an event: eventTime when set, else firstTimestamp, else when the Event object was created. */
function eventMark(e: EventJson): LaunchMark | undefined {
  return secondMark(`event ${e.reason} eventTime`, e.eventTime) ?? secondMark(`event ${e.reason} firstTimestamp`, e.firstTimestamp) ?? secondMark(`event ${e.reason} creationTimestamp`, e.metadata?.creationTimestamp);
}

function items(events: unknown): EventJson[] {
  const list = events as { items?: unknown } | undefined;
  if (Array.isArray(list)) return list as EventJson[];
  if (!list || !Array.isArray(list.items)) throw new LaunchDerivationError('the events file is not a list of events (kubectl get events -o json)');
  return list.items as EventJson[];
}

function checkPod(pod: unknown): PodJson {
  const p = pod as PodJson;
  if (!p?.metadata || !p.status) throw new LaunchDerivationError('the pod file is not a Pod (kubectl get pod -o json)');
  return p;
}

const mine = (uid: string | undefined) => (e: EventJson) => (!uid || !e.involvedObject?.uid || e.involvedObject.uid === uid) && (e.involvedObject?.kind ?? 'Pod') === 'Pod';

/** The network mark from the condition, when it can be trusted: before the container start (else it is the late one). */
function conditionNetwork(c: LaunchMark | undefined, started: LaunchMark | undefined): LaunchMark | undefined {
  if (!c) return undefined;
  return started && c.at >= started.at ? undefined : c;
}

/** The boundaries of one launch from the pod's and its events' own timestamps, all truncated to whole seconds. */
export function launchMarks(pod: unknown, events: unknown): LaunchMarks {
  const p = checkPod(pod);
  const evs = items(events).filter(mine(p.metadata!.uid));
  const firstEvent = (...reasons: string[]) => evs.filter((e) => reasons.includes(e.reason ?? '')).map(eventMark).filter((m): m is LaunchMark => !!m).sort((a, b) => a.at - b.at)[0];
  const cond = (type: string) => {
    const c = p.status!.conditions?.find((x) => x.type === type && x.status === 'True');
    return secondMark(`condition ${type}`, c?.lastTransitionTime);
  };
  const created = secondMark('creationTimestamp', p.metadata!.creationTimestamp);
  if (!created) throw new LaunchDerivationError(`pod ${p.metadata!.name ?? ''} has no creationTimestamp`);
  const ready = cond('Ready');
  if (!ready) throw new LaunchDerivationError(`pod ${p.metadata!.name ?? ''} is not Ready: its launch has no end`);
  const running = p.status!.containerStatuses?.map((c) => c.state?.running?.startedAt).filter((s): s is string => !!s).sort()[0];
  const started = firstEvent('Started') ?? secondMark('containerStatuses state.running.startedAt', running);
  return {
    created,
    ready,
    scheduled: firstEvent('Scheduled') ?? cond('PodScheduled'),
    network: firstEvent(...IMAGE_EVENTS) ?? conditionNetwork(cond('PodReadyToStartContainers') ?? cond('PodHasNetwork'), started),
    started,
  };
}

/**
 * The boundaries of one launch from its watch (launch-NNN.watch.json), or undefined when the watch does not hold
 * the whole launch (a watch never seen open, or no notification of the creation or of Ready).
 */
export function watchMarks(w: LaunchWatchRecord, uid: string | undefined): LaunchMarks | undefined {
  if (w.clock !== 'client' || !Array.isArray(w.arrivals)) throw new LaunchDerivationError('the watch file is not a launch watch record (launch-NNN.watch.json)');
  if (w.establishedAt?.pods === undefined || w.establishedAt?.events === undefined) return undefined;
  const res = 0.001;
  const pods = w.arrivals.filter((a) => a.stream === 'pods' && a.type !== 'BOOKMARK' && (!uid || (a.object as PodJson)?.metadata?.uid === uid));
  const events = w.arrivals.filter((a) => a.stream === 'events' && (a.type === 'ADDED' || a.type === 'MODIFIED') && mine(uid)(a.object as EventJson));
  const firstPod = (source: string, test: (p: PodJson) => boolean): LaunchMark | undefined => {
    const a = pods.find((x) => test(x.object as PodJson));
    return a ? { at: a.at, source: `watch: ${source}`, resolutionS: res } : undefined;
  };
  const firstEvent = (...reasons: string[]): LaunchMark | undefined => {
    const a = events.find((x) => reasons.includes((x.object as EventJson).reason ?? ''));
    return a ? { at: a.at, source: `watch: event ${(a.object as EventJson).reason}`, resolutionS: res } : undefined;
  };
  const created = pods[0]?.type === 'ADDED' ? { at: pods[0].at, source: 'watch: pod ADDED', resolutionS: res } : undefined;
  const ready = firstPod('condition Ready', (p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
  if (!created || !ready) return undefined;
  const started = firstEvent('Started') ?? firstPod('container running', (p) => p.status?.containerStatuses?.some((c) => c.state?.running) === true);
  const condition = firstPod('condition PodReadyToStartContainers', (p) => p.status?.conditions?.some((c) => (c.type === 'PodReadyToStartContainers' || c.type === 'PodHasNetwork') && c.status === 'True') === true);
  return {
    created,
    ready,
    scheduled: firstPod('spec.nodeName set', (p) => !!p.spec?.nodeName) ?? firstEvent('Scheduled'),
    network: firstEvent(...IMAGE_EVENTS) ?? conditionNetwork(condition, started),
    started,
  };
}

/**
 * LaunchTiming of one k8s launch item from its raw files: `pod` is `kubectl get pod -o json` taken once the pod was
 * Ready (raw/<model>/launch/launch-NNN.pod.json), `events` is `kubectl get events --field-selector
 * involvedObject.name=… -o json` (launch-NNN.events.json), `watch` the launch's watch (launch-NNN.watch.json), when
 * there is one. The watch's arrivals are used when they hold the whole launch, the objects' timestamps otherwise.
 * Throws LaunchDerivationError when the files are not that.
 */
export function deriveK8sLaunch(pod: unknown, events: unknown, meta: { model: string; index: number }, watch?: unknown): LaunchTiming {
  const fromWatch = watch === undefined ? undefined : watchMarks(watch as LaunchWatchRecord, checkPod(pod).metadata!.uid);
  const m = fromWatch ?? launchMarks(pod, events);
  const clock = fromWatch ? { clock: 'client-watch' as const, resolutionMs: 1 } : { clock: 'object-timestamps' as const, resolutionMs: 1000 };
  const steps: { phase: string; end: LaunchMark | undefined; network: boolean }[] = [
    { phase: 'scheduling', end: m.scheduled, network: false },
    { phase: 'sandbox+network', end: m.network, network: true },
    { phase: 'container-start', end: m.started, network: false },
    { phase: 'readiness', end: m.ready, network: false },
  ];
  const phases: LaunchPhase[] = [];
  let from = m.created.at;
  let merged: string[] = [];
  for (const step of steps) {
    merged.push(step.phase);
    if (!step.end) continue;
    const end = Math.max(from, step.end.at);
    // A phase whose start is unknown is merged into the next one; a merged phase is not counted as network.
    const phase = merged.length === 1 ? step.phase : mergedName(merged);
    phases.push({ phase, startMs: from - m.created.at, ms: end - from, network: merged.length === 1 && step.network });
    from = end;
    merged = [];
  }
  return { backend: 'k8s', model: meta.model, index: meta.index, totalMs: from - m.created.at, phases, ...clock };
}

function mergedName(parts: string[]): string {
  // sandbox+network merged with container-start reads "sandbox+container-start": what is known is its outer bounds.
  return parts.map((p) => p.replace(/\+network$/, '')).join('+');
}

/** The deletion of a launch pod as cnibench timed it (launch-NNN.delete.json): its own clock around `kubectl delete --wait`. */
export interface K8sLaunchDeletion {
  argv: string[];
  startedAt: string;
  /** Milliseconds from issuing the delete to kubectl returning with the pod gone (includes kubectl's own overhead). */
  elapsedMs: number;
  exitCode: number;
}

/** LaunchTiming with the tear-down added from launch-NNN.delete.json, when the deletion finished. */
export function withK8sTeardown(t: LaunchTiming, deletion: unknown): LaunchTiming {
  const d = deletion as Partial<K8sLaunchDeletion> | undefined;
  return d && d.exitCode === 0 && typeof d.elapsedMs === 'number' ? { ...t, teardownMs: d.elapsedMs } : t;
}

/**
 * The k8s launch deriver for src/analysis/launch.ts (same signature as its LaunchDeriver): reads an item's
 * launch-NNN.pod.json and launch-NNN.events.json (and launch-NNN.watch.json for the client-clock boundaries and
 * launch-NNN.delete.json for the tear-down, when there).
 */
export async function k8sLaunchDeriver(run: Pick<LoadedRun, 'runDir' | 'texts'>, files: string[], meta: { model: string; index: number }): Promise<LaunchTiming> {
  const find = (suffix: string) => files.find((f) => f.endsWith(suffix));
  const podFile = find('.pod.json');
  const eventsFile = find('.events.json');
  if (!podFile || !eventsFile) throw new LaunchDerivationError('a k8s launch item needs its .pod.json and .events.json raw files');
  const read = async (rel: string) => JSON.parse(await rawText(run, rel)) as unknown;
  const watchFile = find('.watch.json');
  const timing = deriveK8sLaunch(await read(podFile), await read(eventsFile), meta, watchFile ? await read(watchFile) : undefined);
  const deletion = find('.delete.json');
  return deletion ? withK8sTeardown(timing, await read(deletion)) : timing;
}
