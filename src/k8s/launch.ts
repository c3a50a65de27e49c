// One timed pod launch on a cluster (study Fig. 7): watch the pod and its events from here (watch.ts), create a
// netserver pod on node A, wait until it is Ready (it answers kubelet's TCP probe over the pod network), keep the
// watch's arrivals and the pod and its events exactly as kubectl prints them, then delete it and time the deletion.
// The timing itself is derived from those raw files (launchTimes.ts).
import { checkLaunchTiming } from '../launch/record.ts';
import { writeRaw, type ItemRecord, type RunManifest } from '../collect/manifest.ts';
import { ROLE_LABEL, names, selectorOf } from './labels.ts';
import { netperfPodManifest } from './manifests.ts';
import { hostnameOf } from './nodes.ts';
import { waitForReady } from './pods.ts';
import { deriveK8sLaunch, type K8sLaunchDeletion } from './launchTimes.ts';
import type { K8sSession } from './session.ts';
import { LaunchWatch, type LaunchWatchRecord } from './watch.ts';

/**
 * How long a launch waits for its watches to open before it creates the pod anyway (the launch then falls back to
 * object timestamps). kubectl lists and then opens the watch: two API round trips, and a kubectl start-up.
 */
const WATCH_OPEN_MS = 10_000;
/** How long, once the pod was seen Ready, the watches get to deliver the Ready notification and the Started event. */
const WATCH_CATCH_UP_MS = 5_000;

function watchHolds(w: LaunchWatchRecord, name: string): boolean {
  const pod = (a: LaunchWatchRecord['arrivals'][number]) => a.object as { metadata?: { name?: string }; status?: { conditions?: { type: string; status: string }[] } };
  const ready = w.arrivals.some((a) => a.stream === 'pods' && pod(a).metadata?.name === name && pod(a).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const started = w.arrivals.some((a) => a.stream === 'events' && (a.object as { reason?: string }).reason === 'Started');
  return ready && started;
}

/** Raw files of launch NNN of a model: the pod once Ready, its events, and the timed deletion. */
function launchFiles(model: string, index: number): { pod: string; events: string; watch: string; deletion: string } {
  const base = `raw/${model}/launch/launch-${String(index).padStart(3, '0')}`;
  return { pod: `${base}.pod.json`, events: `${base}.events.json`, watch: `${base}.watch.json`, deletion: `${base}.delete.json` };
}

async function deletePod(s: K8sSession, name: string): Promise<K8sLaunchDeletion> {
  const startedAt = new Date().toISOString();
  const r = await s.k.raw(['delete', 'pod', name, '-n', s.namespace, '--ignore-not-found', '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
  return { argv: r.argv, startedAt, elapsedMs: Math.round(r.durationMs), exitCode: r.exitCode };
}

export async function runK8sLaunchItem(runDir: string, m: RunManifest, s: K8sSession, item: ItemRecord, signal: AbortSignal, o: { pollMs?: number; watchOpenMs?: number } = {}): Promise<void> {
  const name = names.launch(s.runId, item.rep, m.sessions.length);
  const manifest = netperfPodManifest({ runId: s.runId, namespace: s.namespace, name, role: 'launch', image: s.target.image, nodeHostname: hostnameOf(s.nodeA), launch: item.rep });
  item.startedAt = new Date().toISOString();
  let deleted = false;
  let watch: LaunchWatch | undefined;
  try {
    watch = await LaunchWatch.start(s.k, s.namespace, name, { establishMs: o.watchOpenMs ?? WATCH_OPEN_MS, signal });
    watch.markApply();
    await s.k.apply([manifest], { signal });
    const ready = await waitForReady(s.k, s.namespace, `${selectorOf(s.runId)},${ROLE_LABEL}=launch`, [name], {
      timeoutS: s.target.readyTimeoutS ?? 300, image: s.target.image, signal, pollMs: o.pollMs ?? 200,
    });
    if (!ready || signal.aborted) {
      item.status = 'pending';
      delete item.startedAt;
      return;
    }
    await watch.until(() => watchHolds(watch!.record, name), WATCH_CATCH_UP_MS);
    const watched = await watch.stop();
    watch = undefined;
    const pod = await s.k.call(['get', 'pod', name, '-n', s.namespace, '-o', 'json']);
    const events = await s.k.call(['get', 'events', '-n', s.namespace, '--field-selector', `involvedObject.name=${name}`, '-o', 'json']);
    const files = launchFiles(item.model, item.rep);
    item.files = [
      await writeRaw(runDir, m, files.pod, pod.stdout),
      await writeRaw(runDir, m, files.events, events.stdout),
      await writeRaw(runDir, m, files.watch, JSON.stringify(watched, null, 1) + '\n'),
    ];
    const deletion = await deletePod(s, name);
    deleted = deletion.exitCode === 0;
    item.files.push(await writeRaw(runDir, m, files.deletion, JSON.stringify(deletion, null, 2) + '\n'));
    item.finishedAt = new Date().toISOString();
    const timing = deriveK8sLaunch(JSON.parse(pod.stdout), JSON.parse(events.stdout), { model: item.model, index: item.rep }, watched);
    const bad = checkLaunchTiming(timing);
    if (bad) {
      Object.assign(item, { status: 'failed', reason: `launch timing does not add up: ${bad}` });
      return;
    }
    item.headline = { value: timing.totalMs, units: 'ms to Ready' };
    item.status = 'ok';
  } finally {
    await watch?.stop();
    // On failure or interrupt the pod goes too (the session's clean-up would remove it anyway, later).
    if (!deleted) await s.k.raw(['delete', 'pod', name, '-n', s.namespace, '--ignore-not-found', '--wait=false'], { timeoutMs: 45_000 });
  }
}
