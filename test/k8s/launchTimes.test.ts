// Launch-time derivation on recorded pod, event and watch JSON (test/fixtures/k8s/launch/): object timestamps on one
// whole-second grid, the late PodReadyToStartContainers not ending the network phase, without the condition (the
// first image event marks the network), with neither (merged phase), and a launch watched from the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';
import { LaunchDerivationError, deriveK8sLaunch, k8sLaunchDeriver, launchMarks, watchMarks, withK8sTeardown } from '../../src/k8s/launchTimes.ts';
import { checkLaunchTiming } from '../../src/launch/record.ts';

const DIR = join(ROOT, 'test', 'fixtures', 'k8s', 'launch');
const read = async (name: string) => JSON.parse(await readFile(join(DIR, name), 'utf8')) as unknown;
const phases = (t: ReturnType<typeof deriveK8sLaunch>) => t.phases.map((p) => [p.phase, Math.round(p.ms * 1000) / 1000, p.network]);

test('Kubernetes 1.30 pod from object timestamps: every boundary on the whole-second grid, the scheduler\'s microseconds truncated too', async () => {
  const t = deriveK8sLaunch(await read('k130-ready.pod.json'), await read('k130-ready.events.json'), { model: 'flannel', index: 1 });
  assert.equal(t.backend, 'k8s');
  assert.equal(t.model, 'flannel');
  assert.equal(t.index, 1);
  assert.equal(t.clock, 'object-timestamps');
  assert.equal(t.resolutionMs, 1000);
  assert.equal(t.totalMs, 2000); // creationTimestamp 14:02:10 → Ready 14:02:12
  assert.deepEqual(phases(t), [
    // → Scheduled eventTime 14:02:10.418273, truncated to 14:02:10 like creationTimestamp was: mixing a microsecond
    // end with a truncated start read 418 ms here and biased scheduling by +0.5 s (and the next phase by −0.5 s) on average
    ['scheduling', 0, false],
    ['sandbox+network', 1000, true], // → the first image event (Pulled) 14:02:11
    ['container-start', 0, false], // → Started 14:02:11 (whole seconds: the same second)
    ['readiness', 1000, false], // → Ready 14:02:12
  ]);
  assert.equal(checkLaunchTiming(t), undefined);
  assert.equal(t.phases[1]!.startMs, t.phases[0]!.ms);
  const marks = launchMarks(await read('k130-ready.pod.json'), await read('k130-ready.events.json'));
  assert.ok(Object.values(marks).every((m) => m === undefined || (m.at % 1000 === 0 && m.resolutionS === 1)), 'one grid, one resolution');
});

test('the late PodReadyToStartContainers (written on the sync after the containers started) does not end the network phase', async () => {
  // Recorded shape of a 1.30 launch: Pulled at 14:02:11, Started at 14:02:12, and the condition's transition at
  // 14:02:13 — the kubelet's second sync, with the status computed before the first one created the sandbox.
  const pod = await read('k130-late-condition.pod.json');
  const events = await read('k130-late-condition.events.json');
  const marks = launchMarks(pod, events);
  assert.match(marks.network!.source, /event Pulled/);
  const t = deriveK8sLaunch(pod, events, { model: 'flannel', index: 4 });
  assert.deepEqual(phases(t), [
    ['scheduling', 0, false],
    ['sandbox+network', 1000, true], // → Pulled 14:02:11, not the condition at 14:02:13
    ['container-start', 1000, false], // → Started 14:02:12 (was clamped to 0 behind the late condition)
    ['readiness', 1000, false], // → Ready 14:02:13
  ]);
  // Without image events the condition is used only when it comes before the container start; here it does not.
  const noImage = { ...(events as { items: { reason: string }[] }), items: (events as { items: { reason: string }[] }).items.filter((e) => e.reason !== 'Pulled') };
  assert.deepEqual(phases(deriveK8sLaunch(pod, noImage, { model: 'flannel', index: 4 })).map((p) => p[0]), ['scheduling', 'sandbox+container-start', 'readiness']);
});

test('a launch watched from the client: every boundary a notification\'s arrival on one clock, in milliseconds', async () => {
  const pod = await read('k130-late-condition.pod.json');
  const events = await read('k130-late-condition.events.json');
  const watch = await read('k130-late-condition.watch.json');
  const t = deriveK8sLaunch(pod, events, { model: 'flannel', index: 4 }, watch);
  assert.equal(t.clock, 'client-watch');
  assert.equal(t.resolutionMs, 1);
  assert.deepEqual(phases(t), [
    ['scheduling', 12.5, false], // pod ADDED → the MODIFIED with spec.nodeName
    ['sandbox+network', 640.25, true], // → the Pulled event's arrival
    ['container-start', 231.75, false], // → the Started event's arrival
    ['readiness', 1102.5, false], // → the MODIFIED with Ready True
  ]);
  assert.equal(t.totalMs, 1987);
  const marks = watchMarks(watch as never, '1c9f0e2d-3b4a-4c5d-8e6f-7a8b9c0d1e04');
  assert.match(marks!.network!.source, /watch: event Pulled/);
  // A watch never seen open, or one that missed the creation, is not used: the object timestamps are.
  const late = structuredClone(watch) as { establishedAt: Record<string, number> };
  delete late.establishedAt.events;
  assert.equal(deriveK8sLaunch(pod, events, { model: 'flannel', index: 4 }, late).clock, 'object-timestamps');
  const missedAdd = structuredClone(watch) as { arrivals: { type: string }[] };
  missedAdd.arrivals = missedAdd.arrivals.filter((a) => a.type !== 'ADDED' || !('spec' in (a as never as { object: object }).object));
  assert.equal(deriveK8sLaunch(pod, events, { model: 'flannel', index: 4 }, missedAdd).clock, 'object-timestamps');
  // the analysis deriver reads the watch file when the item has one
  const viaFiles = await k8sLaunchDeriver({ runDir: DIR }, ['k130-late-condition.pod.json', 'k130-late-condition.events.json', 'k130-late-condition.watch.json'], { model: 'flannel', index: 4 });
  assert.equal(viaFiles.clock, 'client-watch');
});

test('Kubernetes 1.27 pod without PodReadyToStartContainers: the first Pulling/Pulled event marks the pod network up', async () => {
  const pod = await read('k127-pulled.pod.json');
  const events = await read('k127-pulled.events.json');
  const marks = launchMarks(pod, events);
  assert.match(marks.network!.source, /Pulling/);
  assert.equal(marks.scheduled!.resolutionS, 1, 'a scheduler event without eventTime has whole seconds');
  const t = deriveK8sLaunch(pod, events, { model: 'calico-np', index: 2 });
  assert.equal(t.totalMs, 5000);
  assert.deepEqual(phases(t), [
    ['scheduling', 0, false],
    ['sandbox+network', 1000, true],
    ['container-start', 3000, false], // pulling the image: 14:05:01 → Started 14:05:04
    ['readiness', 1000, false],
  ]);
  assert.equal(checkLaunchTiming(t), undefined);
});

test('no network mark at all: sandbox and container start are one phase, not counted as network; other pods\' events ignored', async () => {
  const t = deriveK8sLaunch(await read('no-network-mark.pod.json'), await read('no-network-mark.events.json'), { model: 'cilium', index: 3 });
  assert.deepEqual(phases(t), [
    ['scheduling', 0, false], // the scheduler's eventTime truncated to its second, as creationTimestamp is
    ['sandbox+container-start', 2000, false], // the Started event of an older pod (other uid, 13:07:31) is not used
    ['readiness', 1000, false],
  ]);
  assert.equal(t.totalMs, 3000);
  assert.equal(checkLaunchTiming(t), undefined);
});

test('the tear-down comes from the timed deletion; a failed deletion adds none', async () => {
  const t = deriveK8sLaunch(await read('k130-ready.pod.json'), await read('k130-ready.events.json'), { model: 'flannel', index: 1 });
  assert.equal(withK8sTeardown(t, { argv: [], startedAt: '', elapsedMs: 1234, exitCode: 0 }).teardownMs, 1234);
  assert.equal(withK8sTeardown(t, { argv: [], startedAt: '', elapsedMs: 1234, exitCode: 1 }).teardownMs, undefined);
});

test('the analysis deriver reads an item\'s raw files', async () => {
  const t = await k8sLaunchDeriver({ runDir: DIR }, ['k130-ready.pod.json', 'k130-ready.events.json'], { model: 'flannel', index: 7 });
  assert.equal(t.index, 7);
  assert.equal(t.totalMs, 2000);
  await assert.rejects(k8sLaunchDeriver({ runDir: DIR }, ['k130-ready.pod.json'], { model: 'flannel', index: 7 }), LaunchDerivationError);
});

test('files that are not a Ready pod and an event list are refused, not guessed at', async () => {
  const pod = (await read('k130-ready.pod.json')) as { status: { conditions: { type: string; status: string }[] } };
  const events = await read('k130-ready.events.json');
  assert.throws(() => deriveK8sLaunch({ kind: 'Pod' }, events, { model: 'x', index: 1 }), /not a Pod/);
  assert.throws(() => deriveK8sLaunch(pod, { kind: 'Event' }, { model: 'x', index: 1 }), /not a list of events/);
  const notReady = structuredClone(pod);
  notReady.status.conditions = notReady.status.conditions.filter((c) => c.type !== 'Ready');
  assert.throws(() => deriveK8sLaunch(notReady, events, { model: 'x', index: 1 }), /not Ready/);
});
