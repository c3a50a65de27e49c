// Launch-time derivation on recorded pod and event JSON (test/fixtures/k8s/launch/): with PodReadyToStartContainers,
// without it (the first image event marks the network), and with neither (merged phase).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';
import { LaunchDerivationError, deriveK8sLaunch, k8sLaunchDeriver, launchMarks, withK8sTeardown } from '../../src/k8s/launchTimes.ts';
import { checkLaunchTiming } from '../../src/launch/record.ts';

const DIR = join(ROOT, 'test', 'fixtures', 'k8s', 'launch');
const read = async (name: string) => JSON.parse(await readFile(join(DIR, name), 'utf8')) as unknown;
const phases = (t: ReturnType<typeof deriveK8sLaunch>) => t.phases.map((p) => [p.phase, Math.round(p.ms * 1000) / 1000, p.network]);

test('Kubernetes 1.30 pod: PodReadyToStartContainers ends the network phase; the scheduler event has microseconds', async () => {
  const t = deriveK8sLaunch(await read('k130-ready.pod.json'), await read('k130-ready.events.json'), { model: 'flannel', index: 1 });
  assert.equal(t.backend, 'k8s');
  assert.equal(t.model, 'flannel');
  assert.equal(t.index, 1);
  assert.equal(t.totalMs, 2000); // creationTimestamp 14:02:10 → Ready 14:02:12
  assert.deepEqual(phases(t), [
    ['scheduling', 418.273, false], // → Scheduled eventTime 14:02:10.418273
    ['sandbox+network', 581.727, true], // → PodReadyToStartContainers 14:02:11
    ['container-start', 0, false], // → Started 14:02:11 (whole seconds: the same second)
    ['readiness', 1000, false], // → Ready 14:02:12
  ]);
  assert.equal(checkLaunchTiming(t), undefined);
  assert.equal(t.phases[1]!.startMs, t.phases[0]!.ms);
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
    ['scheduling', 51.92, false],
    ['sandbox+container-start', 1948.08, false], // the Started event of an older pod (other uid, 13:07:31) is not used
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
