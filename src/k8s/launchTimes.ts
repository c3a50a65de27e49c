// Launch time of one Kubernetes pod (study Fig. 7), derived from the pod as kubectl returned it once Ready and from its
// events: the total from creationTimestamp to Ready and its phases in order, as the LaunchTiming both backends share.
//
// Phases (each ends where the next begins, so they add up to the total):
//   scheduling        creationTimestamp → scheduled       (the scheduler's "Scheduled" event, else PodScheduled)
//   sandbox+network   scheduled → pod network ready       (PodReadyToStartContainers, or PodHasNetwork on 1.25–1.28;
//                                                           network: true — the sandbox and the CNI ADD)
//   container-start   network ready → container running   (image check or pull, create, start: the Started event,
//                                                           else the container's state.running.startedAt)
//   readiness         container running → Ready           (netserver answers kubelet's TCP probe over the pod network)
// When a cluster has no PodReadyToStartContainers condition (before 1.29 without the feature gate), the end of the
// sandbox+network phase is taken from kubelet's events instead: kubelet runs the sandbox (RunPodSandbox, which calls
// the CNI ADD) before it looks at the first container's image, so the first "Pulling" or "Pulled" event marks the
// moment the pod's network was up. When neither exists the two phases are merged into one "sandbox+container-start"
// phase, not counted as network.
//
// Resolution: Kubernetes keeps creationTimestamp, condition transitions, container startedAt and the events' first/
// lastTimestamp in whole seconds (RFC 3339, truncated), so every boundary taken from them is known to ±1 s, and a
// phase shorter than a second can read 0 or 1 s. Only events written through events.k8s.io/v1 carry `eventTime` with
// microseconds — in practice the scheduler's "Scheduled" event — and those are used where present. managedFields
// times are whole seconds too and add nothing. A boundary that reads earlier than the one before it (a truncated
// whole second against a microsecond time) is clamped to it, so no phase is negative.
import { type LoadedRun, rawText } from '../analysis/loadRun.ts';
import type { LaunchPhase, LaunchTiming } from '../launch/record.ts';

interface Condition { type: string; status: string; lastTransitionTime?: string | null }
interface ContainerStatus { name: string; state?: { running?: { startedAt?: string } }; lastState?: unknown }
interface PodJson {
  metadata?: { name?: string; uid?: string; creationTimestamp?: string };
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
  /** 1 for whole-second times, 1e-6 for microsecond ones. */
  resolutionS: number;
}

function parseTime(s: string | null | undefined): { ms: number; resolutionS: number } | undefined {
  if (!s) return undefined;
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) return undefined;
  const frac = s.match(/\.(\d+)/)?.[1];
  return { ms: ms + (frac && frac.length > 3 ? Number(`0.${frac.slice(3)}`) : 0), resolutionS: frac ? 10 ** -frac.length : 1 };
}

function mark(source: string, s: string | null | undefined): LaunchMark | undefined {
  const t = parseTime(s);
  return t ? { at: t.ms, source, resolutionS: t.resolutionS } : undefined;
}

/** The time of an event: eventTime (µs) when set, else firstTimestamp (s), else when the Event object was created. */
function eventMark(e: EventJson): LaunchMark | undefined {
  return mark(`event ${e.reason} eventTime`, e.eventTime) ?? mark(`event ${e.reason} firstTimestamp`, e.firstTimestamp) ?? mark(`event ${e.reason} creationTimestamp`, e.metadata?.creationTimestamp);
}

function items(events: unknown): EventJson[] {
  const list = events as { items?: unknown } | undefined;
  if (Array.isArray(list)) return list as EventJson[];
  if (!list || !Array.isArray(list.items)) throw new LaunchDerivationError('the events file is not a list of events (kubectl get events -o json)');
  return list.items as EventJson[];
}

/** The boundaries of one launch, as found in the pod and its events (undefined where the data has none). */
export function launchMarks(pod: unknown, events: unknown): { created: LaunchMark; scheduled?: LaunchMark; network?: LaunchMark; started?: LaunchMark; ready: LaunchMark } {
  const p = pod as PodJson;
  if (!p?.metadata || !p.status) throw new LaunchDerivationError('the pod file is not a Pod (kubectl get pod -o json)');
  const uid = p.metadata.uid;
  const evs = items(events).filter((e) => (!uid || !e.involvedObject?.uid || e.involvedObject.uid === uid) && (e.involvedObject?.kind ?? 'Pod') === 'Pod');
  const firstEvent = (...reasons: string[]) => evs.filter((e) => reasons.includes(e.reason ?? '')).map(eventMark).filter((m): m is LaunchMark => !!m).sort((a, b) => a.at - b.at)[0];
  const cond = (type: string) => {
    const c = p.status!.conditions?.find((x) => x.type === type && x.status === 'True');
    return mark(`condition ${type}`, c?.lastTransitionTime);
  };
  const created = mark('creationTimestamp', p.metadata.creationTimestamp);
  if (!created) throw new LaunchDerivationError(`pod ${p.metadata.name ?? ''} has no creationTimestamp`);
  const ready = cond('Ready');
  if (!ready) throw new LaunchDerivationError(`pod ${p.metadata.name ?? ''} is not Ready: its launch has no end`);
  const running = p.status.containerStatuses?.map((c) => c.state?.running?.startedAt).filter((s): s is string => !!s).sort()[0];
  return {
    created,
    ready,
    scheduled: firstEvent('Scheduled') ?? cond('PodScheduled'),
    network: cond('PodReadyToStartContainers') ?? cond('PodHasNetwork') ?? firstEvent('Pulling', 'Pulled'),
    started: firstEvent('Started') ?? mark('containerStatuses state.running.startedAt', running),
  };
}

/**
 * LaunchTiming of one k8s launch item from its raw files: `pod` is `kubectl get pod -o json` taken once the pod was
 * Ready (raw/<model>/launch/launch-NNN.pod.json), `events` is `kubectl get events --field-selector
 * involvedObject.name=… -o json` (launch-NNN.events.json). Throws LaunchDerivationError when they are not that.
 */
export function deriveK8sLaunch(pod: unknown, events: unknown, meta: { model: string; index: number }): LaunchTiming {
  const m = launchMarks(pod, events);
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
  return { backend: 'k8s', model: meta.model, index: meta.index, totalMs: from - m.created.at, phases };
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
 * launch-NNN.pod.json and launch-NNN.events.json (and launch-NNN.delete.json for the tear-down, when there).
 */
export async function k8sLaunchDeriver(run: Pick<LoadedRun, 'runDir' | 'texts'>, files: string[], meta: { model: string; index: number }): Promise<LaunchTiming> {
  const find = (suffix: string) => files.find((f) => f.endsWith(suffix));
  const podFile = find('.pod.json');
  const eventsFile = find('.events.json');
  if (!podFile || !eventsFile) throw new LaunchDerivationError('a k8s launch item needs its .pod.json and .events.json raw files');
  const read = async (rel: string) => JSON.parse(await rawText(run, rel)) as unknown;
  const timing = deriveK8sLaunch(await read(podFile), await read(eventsFile), meta);
  const deletion = find('.delete.json');
  return deletion ? withK8sTeardown(timing, await read(deletion)) : timing;
}
