// The Kubernetes backend end to end against the kubectl stand-in: the calls made, pod placement, the manifests
// applied (validated), clean-up on success, failure and interrupt, the run written in the local run format and read
// by the analysis like a local run, resume after an interrupt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubectlStub, stripGlobal, withStub, type StubConfig } from './stub.ts';
import { parseK8sPlan, type K8sPlanInput } from '../../src/k8s/plan.ts';
import { surveyCluster } from '../../src/k8s/survey.ts';
import { checkResumable, createK8sRun, executeK8sRun } from '../../src/k8s/run.ts';
import { reopenRun } from '../../src/collect/backend.ts';
import { silentProgress } from '../../src/collect/progress.ts';
import { validateObject } from '../../src/k8s/manifests.ts';
import { netperfArgs } from '../../src/tools/netperf/command.ts';
import { loadRun } from '../../src/analysis/loadRun.ts';
import { observationsOfRun } from '../../src/analysis/observations.ts';
import { launchTimingsOfRun } from '../../src/analysis/launch.ts';
import { cppTables } from '../../src/analysis/cpp.ts';
import { buildReport } from '../../src/report/build.ts';
import { fileSha256 } from '../../src/util/atomic.ts';
import { UsageError } from '../../src/util/errors.ts';
import type { RunManifest } from '../../src/collect/manifest.ts';

const FAST = { pollMs: 20 };

interface Collected {
  runDir: string;
  manifest: RunManifest;
  outcome?: string;
  error?: Error;
}

/** A k8s collection in this process against the stand-in; `abortWhen` interrupts it once the calls show something. */
async function collect(stub: KubectlStub, input: K8sPlanInput, o: { abortWhen?: (commands: string[]) => boolean } = {}): Promise<Collected> {
  const undo = stub.install();
  const controller = new AbortController();
  let watching = Boolean(o.abortWhen);
  const watcher = (async () => {
    while (watching) {
      if (o.abortWhen!(await stub.commands())) { controller.abort(); return; }
      await sleep(20);
    }
  })();
  try {
    const draft = parseK8sPlan(input);
    const survey = await surveyCluster(draft.target, undefined, { profile: Boolean(draft.plan.profile) });
    const { runDir, manifest } = await createK8sRun(stub.dataDir, draft, survey);
    try {
      const r = await executeK8sRun(runDir, manifest, survey, { progress: silentProgress, signal: controller.signal, ...FAST });
      return { runDir, manifest: r.manifest, outcome: r.outcome };
    } catch (err) {
      return { runDir, manifest, error: err as Error };
    }
  } finally {
    watching = false;
    await watcher;
    undo();
  }
}

async function resume(stub: KubectlStub, runDir: string): Promise<Collected> {
  const undo = stub.install();
  try {
    const m = await reopenRun(runDir);
    const survey = await surveyCluster(m.plan.k8s!, m.runId, { profile: Boolean(m.plan.profile) });
    checkResumable(m, survey);
    const r = await executeK8sRun(runDir, m, survey, { progress: silentProgress, signal: new AbortController().signal, ...FAST });
    return { runDir, manifest: r.manifest, outcome: r.outcome };
  } finally {
    undo();
  }
}

async function assertClusterClean(stub: KubectlStub): Promise<void> {
  const o = await stub.objects();
  assert.deepEqual(Object.keys(o.pods), [], 'no pod of the run left');
  assert.deepEqual(Object.keys(o.daemonsets), [], 'no DaemonSet of the run left');
  assert.deepEqual(Object.keys(o.namespaces), [], 'the namespace the run created is gone');
}

async function assertChecksums(runDir: string, m: RunManifest): Promise<void> {
  assert.ok(Object.keys(m.files).length > 0);
  for (const [rel, rec] of Object.entries(m.files)) assert.equal((await fileSha256(join(runDir, rel))).sha256, rec.sha256, rel);
}

/** Every object applied, parsed from the calls' stdin. */
async function applied(stub: KubectlStub): Promise<{ kind: string; metadata: { name: string; labels: Record<string, string> }; spec: Record<string, unknown> }[]> {
  return (await stub.calls()).filter((c) => stripGlobal(c.argv)[0] === 'apply').flatMap((c) => (JSON.parse(c.stdin!) as { items: never[] }).items);
}

test('a whole run: netperf intra and inter, profiles, launches; placement, validated manifests, clean-up, the run read like a local one', { timeout: 60_000 }, () => withStub({ perf: 'node' }, async (stub) => {
  const r = await collect(stub, { reps: '1', duration: '1', profile: true, profileDuration: '1', launch: '2' });
  assert.equal(r.error, undefined, r.error?.message);
  assert.equal(r.outcome, 'complete');
  const m = r.manifest;
  assert.deepEqual(m.items.filter((i) => i.status !== 'ok').map((i) => `${i.id}: ${i.status} ${i.reason}`), []);
  assert.equal(m.items.length, 3 * 2 + 2 + 2);

  // The survey comes first, nothing is created before it passed.
  const cmds = await stub.commands();
  const firstApply = cmds.findIndex((c) => c.startsWith('apply'));
  for (const c of ['config current-context', 'version -o json', 'get namespace cnibench -o json', 'auth can-i create pods -n cnibench', 'auth can-i create pods --subresource=exec -n cnibench', 'auth can-i create daemonsets.apps -n cnibench', 'get nodes -o json', 'get daemonsets --all-namespaces -o json']) {
    const at = cmds.indexOf(c);
    assert.ok(at >= 0 && at < firstApply, `"${c}" before anything is applied`);
  }
  // Every object applied passes the schema and is labelled as this run's.
  const objs = await applied(stub);
  for (const o of objs) {
    validateObject(o);
    assert.equal(o.metadata.labels['app.kubernetes.io/managed-by'], 'cnibench');
    assert.equal(o.metadata.labels['cnibench/run'], m.runId);
  }
  assert.deepEqual(objs.map((o) => o.kind).sort(), ['DaemonSet', 'DaemonSet', 'Namespace', 'Pod', 'Pod', 'Pod', 'Pod', 'Pod']);
  // Placement: server and client on node A (worker-1), the inter-host server on node B (worker-2), launches on A.
  const placed = Object.fromEntries(objs.filter((o) => o.kind === 'Pod').map((o) => [o.metadata.name.replace(`cnib-${m.runId}-`, ''), (o.spec.nodeSelector as Record<string, string>)['kubernetes.io/hostname']]));
  assert.deepEqual(placed, { 'server-a': 'worker-1', 'client-a': 'worker-1', 'server-b': 'worker-2', 's1-launch-001': 'worker-1', 's1-launch-002': 'worker-1' });
  const profilers = objs.filter((o) => o.kind === 'DaemonSet').map((o) => ((o.spec.template as { spec: { nodeSelector: Record<string, string> } }).spec.nodeSelector['kubernetes.io/hostname']));
  assert.deepEqual(profilers.sort(), ['worker-1', 'worker-2'], 'a profiler on each receiving node (profiles run in the seed\'s order)');
  assert.deepEqual(m.plan.k8s!.nodes, ['worker-1', 'worker-2'], 'the chosen nodes are recorded');

  // The netperf command lines are the local backend's with the data port pinned (-P ,12866, for a NetworkPolicy),
  // run in the client pod against the right server, bounded inside the pod by timeout (2 × 1 s + 20 s, KILL 5 s later).
  const pods = JSON.parse(await readFile(join(r.runDir, 'raw/flannel/k8s/session-1.pods.json'), 'utf8')) as { items: { metadata: { name: string }; status: { podIP: string } }[] };
  const ip = (suffix: string) => pods.items.find((p) => p.metadata.name.endsWith(suffix))!.status.podIP;
  for (const [scenario, server] of [['intra', 'server-a'], ['inter', 'server-b']] as const) {
    for (const t of ['tcp_stream', 'tcp_rr', 'udp_rr'] as const) {
      const expected = `exec -n cnibench cnib-${m.runId}-client-a -c netperf -- timeout -k 5 22 ${netperfArgs({ test: t, host: ip(server), port: 12865, dataPort: 12866, durationS: 1 }).join(' ')}`;
      assert.ok(cmds.includes(expected), `${scenario} ${t}: ${expected}`);
      assert.match(expected, / -- (-r 1,1 )?-P ,12866 -k /);
    }
  }
  assert.notEqual(ip('server-a'), ip('server-b'));
  // The image has no perf: the profiler uses the node's own, in the host's mount namespace; perf's workload says when
  // perf is recording, and the stream starts then.
  assert.ok(cmds.some((c) => /perf-a-\w+ -c perf -- nsenter -t 1 -m -- perf record -a -g -e cpu-clock -F 999 -o \/tmp\/\S+ -- sh -c echo 'cnibench: perf is recording'; exec sleep "\$1" sh 3$/.test(c)));
  // perf script is written and measured in the profiler, then fetched with cat and checked.
  assert.ok(cmds.some((c) => /perf-a-\w+ -c perf -- nsenter -t 1 -m -- sh -c .*sha256sum.* sh \/tmp\/\S+\.perf-script\.txt perf script -i \/tmp\/\S+\.perf\.data$/.test(c)));
  assert.ok(cmds.some((c) => /perf-a-\w+ -c perf -- nsenter -t 1 -m -- cat \/tmp\/\S+\.perf-script\.txt$/.test(c)));

  // Clean-up at the end: everything of the run deleted by label, then the namespace the run created.
  await assertClusterClean(stub);
  assert.match(cmds.at(-1)!, /^delete namespace cnibench /);
  assert.ok(cmds.some((c) => c.startsWith(`delete pods,daemonsets.apps -n cnibench -l app.kubernetes.io/managed-by=cnibench,cnibench/run=${m.runId}`)));

  // The run: same layout and checksums as a local run, plus the cluster's facts.
  assert.equal(m.schema, 'cnibench.run/1');
  assert.equal(m.backend, 'k8s');
  assert.deepEqual(m.plan.models, ['flannel']);
  assert.equal(m.cluster!.cni, 'flannel');
  assert.equal(m.cluster!.cniSource, 'detected');
  assert.equal(m.cluster!.kubernetesVersion, 'v1.30.4');
  assert.deepEqual(m.cluster!.nodes.map((n) => [n.name, n.role, n.kernel, n.cpuMHz]), [['worker-1', 'A', '6.1.0-26-amd64', 2399.998], ['worker-2', 'B', '6.1.0-26-amd64', 2399.998]]);
  assert.equal(m.cluster!.image!.netperfVersion, '2.7.0');
  assert.match(m.cluster!.image!.imageId!, /@sha256:/);
  const tcpRr = m.items.find((i) => i.id === 'flannel/inter/tcp_rr/001')!;
  assert.deepEqual(tcpRr.files, ['raw/flannel/inter/tcp_rr/rep-001.netperf.txt', 'raw/flannel/inter/tcp_rr/rep-001.k8s.json']);
  const launch = m.items.find((i) => i.id === 'flannel/launch/002')!;
  assert.deepEqual(launch.files, ['raw/flannel/launch/launch-002.pod.json', 'raw/flannel/launch/launch-002.events.json', 'raw/flannel/launch/launch-002.watch.json', 'raw/flannel/launch/launch-002.delete.json']);
  assert.ok(m.items.find((i) => i.id === 'flannel/inter/profile/001')!.files.includes('raw/flannel/inter/profile/001/record.perf-script.txt.gz'));
  await assertChecksums(r.runDir, m);

  // The analysis reads it like a local run.
  const loaded = await loadRun(stub.dataDir, m.runId);
  assert.equal(loaded.badFiles.size, 0);
  const obs = await observationsOfRun(loaded);
  assert.ok(obs.length > 0 && obs.every((o) => o.backend === 'k8s' && o.model === 'flannel'));
  assert.deepEqual([...new Set(obs.map((o) => `${o.scenario}/${o.test}`))].sort(), ['inter/tcp_rr', 'inter/tcp_stream', 'inter/udp_rr', 'intra/tcp_rr', 'intra/tcp_stream', 'intra/udp_rr']);
  const launches = await launchTimingsOfRun(loaded);
  assert.deepEqual(launches.problems, []);
  assert.equal(launches.timings.length, 2);
  assert.ok(launches.timings.every((t) => t.backend === 'k8s' && t.phases.some((p) => p.network) && t.teardownMs !== undefined));
  const cpp = await cppTables([loaded]);
  assert.deepEqual(cpp.problems, []);
  assert.ok(cpp.cpp.numRows() > 0);

  // ... and the report treats it like one: its cluster in the setup, its launches in Fig. 7 (Kubernetes).
  const log: string[] = [];
  const report = await buildReport({ dataDir: stub.dataDir, outDir: join(stub.dataDir, 'report'), pdf: false, log: (l) => log.push(l) });
  assert.match(report.html, /ran on a Kubernetes cluster through kubectl/);
  assert.match(report.html, /<td[^>]*>v1\.30\.4<\/td>\s*<td[^>]*>flannel \(detected\)<\/td>/, 'the cluster table');
  assert.match(report.html, /<figure id="fig7-k8s"[^>]*>[\s\S]*?<svg/, 'Fig. 7 for the cluster is drawn');
  assert.match(report.html, /Pod launches on the Kubernetes/);
  assert.deepEqual(log.filter((l) => l.startsWith('warning')), [], 'no warnings about the k8s run');
}));

test('Ctrl-C mid-run: netperf stopped, the cluster cleaned, the run resumable; --resume finishes it', { timeout: 60_000 }, () => withStub({ hangNetperf: true }, async (stub) => {
  const r = await collect(stub, { reps: '2', duration: '1', tests: 'tcp_rr', scenario: 'intra' }, { abortWhen: (c) => c.some((x) => / netperf -H /.test(x)) });
  assert.equal(r.error, undefined, r.error?.message);
  assert.equal(r.outcome, 'interrupted');
  assert.equal(r.manifest.status, 'interrupted');
  assert.deepEqual(r.manifest.items.map((i) => i.status), ['pending', 'pending']);
  await assertClusterClean(stub);
  await stub.configure({});
  const again = await resume(stub, r.runDir);
  assert.equal(again.outcome, 'complete');
  assert.deepEqual(again.manifest.items.map((i) => i.status), ['ok', 'ok']);
  assert.equal(again.manifest.sessions.length, 2);
  assert.equal(again.manifest.sessions[0]!.outcome, 'interrupted');
  await assertClusterClean(stub);
  await assertChecksums(again.runDir, again.manifest);
}));

/** A run that stops with `pattern`: a failed run (not bad input: exit 1) naming the fix and the resume, the cluster clean, the items pending. */
async function expectStopped(config: StubConfig, input: K8sPlanInput, pattern: RegExp): Promise<RunManifest> {
  let manifest: RunManifest | undefined;
  await withStub(config, async (stub) => {
    const t0 = Date.now();
    const r = await collect(stub, { reps: '1', duration: '1', tests: 'tcp_rr', scenario: 'intra', readyTimeout: '1', ...input });
    assert.ok(r.error, 'the run stops');
    assert.ok(r.error instanceof Error && !(r.error instanceof UsageError), `a failed run, not a UsageError: ${r.error.message}`);
    assert.match(r.error.message, pattern);
    assert.match(r.error.message, new RegExp(`Nothing of the run is left in the cluster\\. The run is kept: fix the cause, then resume it with: cnibench collect --resume ${r.manifest.runId}$`));
    assert.ok(Date.now() - t0 < 20_000, 'within a bounded wait');
    await assertClusterClean(stub);
    const saved = JSON.parse(await readFile(join(r.runDir, 'manifest.json'), 'utf8')) as RunManifest;
    assert.equal(saved.status, 'failed');
    assert.match(saved.sessions[0]!.outcome!, /^failed: /);
    manifest = saved;
  });
  return manifest!;
}

test('pods that stay Pending: the scheduler\'s reason, after the --ready-timeout', async () => {
  const m = await expectStopped({ pods: 'pending' }, {}, /not Ready after 1 s: pod cnib-.*-server-a stays Pending: the scheduler says "0\/3 nodes are available: 1 node\(s\) had untolerated taint \{node-role.kubernetes.io\/control-plane: \}, 2 Insufficient cpu\..*--nodes/);
  assert.ok(m.items.every((i) => i.status === 'pending'), 'every item can be resumed');
});

test('CrashLoopBackOff stops at once with the exit code and what to do', () => expectStopped({ pods: 'crashloop' }, { readyTimeout: '60' }, /keeps crashing \(CrashLoopBackOff, last exit code 127 Error\).*--image/).then(() => undefined));

test('an image that cannot be pulled', () => expectStopped({ pods: 'imagepull' }, { image: 'docker.io/nobody/nothing:1', readyTimeout: '60' }, /cannot pull the image docker.io\/nobody\/nothing:1 \(ImagePullBackOff/).then(() => undefined));

test('an image without netperf', () => expectStopped({ netperf: 'missing' }, { image: 'docker.io/library/busybox:1.36' }, /the image docker.io\/library\/busybox:1.36 has no netperf: pass an image that carries netperf 2.7 with --image/).then(() => undefined));

test('launch pods that stop starting end the session; the netperf items before them are kept', async () => {
  const m = await expectStopped({ podsByRole: { launch: 'pending' } }, { launch: '3' }, /s1-launch-001 stays Pending/);
  assert.deepEqual(m.items.map((i) => `${i.id} ${i.status}`), ['flannel/intra/tcp_rr/001 ok', 'flannel/launch/001 failed', 'flannel/launch/002 pending', 'flannel/launch/003 pending']);
});

test('a failing netperf is a failed item with netperf\'s own reason; the run goes on', () => withStub({ netperf: 'fail' }, async (stub) => {
  const r = await collect(stub, { reps: '2', duration: '1', tests: 'tcp_rr', scenario: 'intra' });
  assert.equal(r.outcome, 'complete');
  assert.deepEqual(r.manifest.items.map((i) => i.status), ['failed', 'failed']);
  assert.match(r.manifest.items[0]!.reason!, /establish control|netserver|connect/i);
  assert.ok(r.manifest.items[0]!.files.some((f) => f.endsWith('.netperf.stderr.txt')), 'netperf\'s stderr kept raw');
  await assertClusterClean(stub);
}));

test('a profiler the namespace refuses (PodSecurity) or without perf fails the profiled items only', async () => {
  for (const [config, pattern] of [[{ daemonset: 'forbidden' }, /profiler DaemonSet created no pod: "Error creating: .*violates PodSecurity "baseline:latest".*pod-security.kubernetes.io\/enforce=privileged/], [{ perf: 'none' }, /no perf on node worker-1: .*--profile-image/]] as const) {
    await withStub(config, async (stub) => {
      const r = await collect(stub, { tests: 'none', scenario: 'intra', launch: '1', profile: true, profileDuration: '1', profileReps: '1', readyTimeout: '1' });
      assert.equal(r.outcome, 'complete', r.error?.message);
      const profile = r.manifest.items.find((i) => i.kind === 'profile');
      const launch = r.manifest.items.find((i) => i.kind === 'launch');
      assert.equal(launch!.status, 'ok');
      assert.equal(profile!.status, 'failed');
      assert.match(profile!.reason!, pattern);
      await assertClusterClean(stub);
    });
  }
});

test('a one-node cluster: intra-host runs, inter-host is skipped with the reason (or refused when asked for)', () => withStub({ nodes: 'nodes-one.json' }, async (stub) => {
  const r = await collect(stub, { reps: '1', duration: '1', tests: 'tcp_rr' });
  assert.equal(r.outcome, 'complete');
  assert.deepEqual(r.manifest.items.map((i) => `${i.scenario} ${i.status}`).sort(), ['inter skipped', 'intra ok']);
  assert.match(r.manifest.items.find((i) => i.scenario === 'inter')!.reason!, /only one schedulable node \(solo\)/);
  assert.ok(!(await applied(stub)).some((o) => o.metadata.name.endsWith('server-b')), 'no inter-host server pod');
  await assert.rejects(collect(stub, { reps: '1', duration: '1', scenario: 'inter' }), /inter-host needs two schedulable nodes.*--scenario intra/);
}));

test('an existing namespace is used and kept; --cni overrides detection and is recorded as such', () => withStub({ namespaceExists: true }, async (stub) => {
  const r = await collect(stub, { reps: '1', duration: '1', tests: 'tcp_rr', scenario: 'intra', cni: 'calico-np' });
  assert.equal(r.outcome, 'complete');
  assert.deepEqual(r.manifest.plan.models, ['calico-np']);
  assert.equal(r.manifest.cluster!.cniSource, 'override');
  assert.equal(r.manifest.cluster!.cniDetected, 'flannel');
  const o = await stub.objects();
  assert.deepEqual(Object.keys(o.namespaces), ['cnibench'], 'a namespace the run did not create is kept');
  assert.deepEqual(Object.keys(o.pods), []);
  assert.ok(!(await applied(stub)).some((x) => x.kind === 'Namespace'));
}));

test('resume refuses a cluster that now runs another CNI', () => withStub({ hangNetperf: true }, async (stub) => {
  const r = await collect(stub, { reps: '1', duration: '1', tests: 'tcp_rr', scenario: 'intra' }, { abortWhen: (c) => c.some((x) => / netperf -H /.test(x)) });
  assert.equal(r.outcome, 'interrupted');
  await stub.configure({ daemonsets: 'daemonsets-cilium.json' });
  await assert.rejects(resume(stub, r.runDir), /measured flannel, but the cluster now runs cilium: start a new run/);
}));

test('launch phases on the client\'s clock: the watch opened before the pod, each boundary a notification\'s arrival; the report says so', { timeout: 60_000 }, () => withStub({ launchStepMs: 60 }, async (stub) => {
  const r = await collect(stub, { tests: 'none', scenario: 'intra', launch: '2' });
  assert.equal(r.outcome, 'complete', r.error?.message);
  const cmds = stub.commands();
  const name = `cnib-${r.manifest.runId}-s1-launch-001`;
  const watchPods = cmds.indexOf(`get pods -n cnibench --field-selector metadata.name=${name} --watch-only -o json --output-watch-events -v=6`);
  const watchEvents = cmds.indexOf(`get events -n cnibench --field-selector involvedObject.name=${name} --watch-only -o json --output-watch-events -v=6`);
  const create = cmds.findIndex((c, i) => i > watchPods && c.startsWith('apply') && stub.calls()[i]!.stdin!.includes(name));
  assert.ok(watchPods >= 0 && watchEvents >= 0 && create > Math.max(watchPods, watchEvents), 'both watches run before the pod is created');
  const watch = JSON.parse(await readFile(join(r.runDir, 'raw/flannel/launch/launch-001.watch.json'), 'utf8')) as { clock: string; establishedAt: Record<string, number>; arrivals: { type: string; stream: string }[] };
  assert.equal(watch.clock, 'client');
  assert.ok(watch.establishedAt.pods && watch.establishedAt.events);
  assert.deepEqual(watch.arrivals.filter((a) => a.stream === 'pods').map((a) => a.type).slice(0, 2), ['ADDED', 'MODIFIED']);
  const { timings } = await launchTimingsOfRun(await loadRun(stub.dataDir, r.manifest.runId));
  for (const t of timings) {
    assert.equal(t.clock, 'client-watch');
    const [sched, net, start, ready] = t.phases;
    assert.deepEqual(t.phases.map((p) => p.phase), ['scheduling', 'sandbox+network', 'container-start', 'readiness']);
    // The stand-in's steps are 60 ms apart: bound → Pulled (network) → Started → status sync → Ready. With the late
    // condition as the network mark, container-start would read 0 and the network phase would hold the start.
    assert.ok(net!.ms >= 40 && net!.ms < 1000, `network ${net!.ms}`);
    assert.ok(start!.ms >= 40 && start!.ms < 1000, `container start ${start!.ms}`);
    assert.ok(ready!.ms >= 80, `readiness ${ready!.ms}`);
    assert.ok(sched!.ms >= 0);
  }
  const report = await buildReport({ dataDir: stub.dataDir, outDir: join(stub.dataDir, 'report'), pdf: false, log: () => undefined });
  assert.match(report.html, /Launches timed Flannel: 2 of 2 on the client(’|')s clock from watched pod and event notifications \(millisecond resolution\)/);
}));

test('without a watch (RBAC allows no watch on events) launches fall back to object timestamps, and the report says so', { timeout: 60_000 }, () => withStub({ watch: 'forbidden' }, async (stub) => {
  const r = await collect(stub, { tests: 'none', scenario: 'intra', launch: '1' });
  assert.equal(r.outcome, 'complete', r.error?.message);
  const watch = JSON.parse(await readFile(join(r.runDir, 'raw/flannel/launch/launch-001.watch.json'), 'utf8')) as { problems: string[] };
  assert.match(watch.problems.join('\n'), /events watch (was not seen open|ended with exit code 1: .*cannot watch resource "events")/);
  const { timings } = await launchTimingsOfRun(await loadRun(stub.dataDir, r.manifest.runId));
  assert.equal(timings[0]!.clock, 'object-timestamps');
  assert.equal(timings[0]!.resolutionMs, 1000);
  const report = await buildReport({ dataDir: stub.dataDir, outDir: join(stub.dataDir, 'report'), pdf: false, log: () => undefined });
  assert.match(report.html, /1 of 1 from the objects(’|') own timestamps \(whole seconds/);
}));

test('pod deletion does not wait out the grace period: netserver runs under a shell that exits on SIGTERM', { timeout: 60_000 }, () => withStub({}, async (stub) => {
  const r = await collect(stub, { tests: 'none', scenario: 'intra', launch: '2' });
  assert.equal(r.outcome, 'complete', r.error?.message);
  for (const n of ['001', '002']) {
    const d = JSON.parse(await readFile(join(r.runDir, `raw/flannel/launch/launch-${n}.delete.json`), 'utf8')) as { elapsedMs: number; exitCode: number };
    assert.equal(d.exitCode, 0);
    // The stand-in's kubelet waits terminationGracePeriodSeconds (1 s) for a PID 1 that ignores SIGTERM, as netserver does.
    assert.ok(d.elapsedMs < 900, `deletion took ${d.elapsedMs} ms: a PID 1 that ignores SIGTERM waited out the 1 s grace period`);
  }
}));

test('a netperf that hangs ends in the pod (timeout -k), not only in kubectl: the item fails in time, the run goes on', { timeout: 60_000 }, () => withStub({ hangNetperf: true, timeScale: 0.005 }, async (stub) => {
  const t0 = Date.now();
  const r = await collect(stub, { reps: '1', duration: '1', tests: 'tcp_rr', scenario: 'intra', warmup: '0' });
  assert.equal(r.outcome, 'complete', r.error?.message);
  // timeout's 22 s are 110 ms in the stand-in; without it, only kubectl's own bound would end the exec, much later
  assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
  assert.equal(r.manifest.items[0]!.status, 'failed');
  assert.match(r.manifest.items[0]!.reason!, /netperf did not finish within 22 s/);
  assert.ok(stub.commands().some((c) => / -- timeout -k 5 22 netperf -H /.test(c)));
}));

test('the profiled stream starts when perf says it is recording, however long perf takes to start', { timeout: 60_000 }, () => withStub({ perf: 'image', perfStartMs: 400 }, async (stub) => {
  const r = await collect(stub, { tests: 'none', scenario: 'intra', profile: true, profileDuration: '1', profileReps: '1' });
  assert.equal(r.outcome, 'complete', r.error?.message);
  assert.deepEqual(r.manifest.items.map((i) => i.status), ['ok']);
  const calls = stub.calls();
  const netperfs = calls.filter((c) => / netperf -H /.test(stripGlobal(c.argv).join(' ')));
  assert.equal(stub.recordingAt.length, 2, 'perf record and perf stat each said when they were recording');
  assert.equal(netperfs.length, 2);
  for (const [i, c] of netperfs.entries()) assert.ok(c.t >= stub.recordingAt[i]!, `stream ${i} started ${stub.recordingAt[i]! - c.t} ms before perf was recording`);
}));

test('a namespace being deleted (Terminating) is refused before anything is created', () => withStub({ namespaceTerminating: true }, async (stub) => {
  await assert.rejects(collect(stub, { reps: '1', duration: '1', tests: 'tcp_rr', scenario: 'intra' }), (e: Error) => e instanceof UsageError && /namespace cnibench is being deleted \(Terminating since .*\): nothing can be created in it.*--namespace/.test(e.message));
  assert.ok(!stub.commands().some((c) => c.startsWith('apply')));
}));

test('403s from admission are named for what they are: ResourceQuota, OpenShift SCC', async () => {
  await expectStopped({ admission: 'quota-limits' }, {}, /ResourceQuota "compute-quota" refuses pods that do not declare limits\.cpu/);
  await expectStopped({ admission: 'quota-exceeded' }, {}, /ResourceQuota "compute-quota" is used up/);
  await expectStopped({ admission: 'scc' }, {}, /OpenShift's SecurityContextConstraints refuse our pods/);
});

test('a CPU limit injected at admission (LimitRange default) is warned about and recorded; the report repeats it', { timeout: 60_000 }, () => withStub({ limitRangeCpu: '1' }, async (stub) => {
  const r = await collect(stub, { reps: '1', duration: '1', tests: 'tcp_rr', scenario: 'intra' });
  assert.equal(r.outcome, 'complete', r.error?.message);
  const warnings = r.manifest.cluster!.warnings ?? [];
  assert.equal(warnings.length, 2, 'server and client pod');
  assert.match(warnings[0]!, /was admitted with a CPU limit of 1 that cnibench did not set \(QoS Burstable; .*LimitRange.*\): netperf may be throttled/);
  const applied = (await stub.calls()).filter((c) => stripGlobal(c.argv)[0] === 'apply').flatMap((c) => (JSON.parse(c.stdin!) as { items: { kind: string; spec: { containers: { resources: unknown }[] } }[] }).items).filter((o) => o.kind === 'Pod');
  assert.ok(applied.every((p) => JSON.stringify(p.spec.containers[0]!.resources) === JSON.stringify({ requests: { cpu: '500m', memory: '64Mi' } })), 'we ask for requests, never a limit');
  const report = await buildReport({ dataDir: stub.dataDir, outDir: join(stub.dataDir, 'report'), pdf: false, log: () => undefined });
  assert.match(report.html, /Warnings recorded by the cluster runs/);
  assert.match(report.html, /admitted with a CPU limit of 1/);
}));

test('nodes for the image: an arm64 worker and a Windows node are passed over for an amd64 image', () => withStub({ nodes: 'nodes-arm64.json' }, async (stub) => {
  const r = await collect(stub, { reps: '1', duration: '1', tests: 'tcp_rr' });
  assert.equal(r.outcome, 'complete', r.error?.message);
  assert.deepEqual(r.manifest.plan.k8s!.nodes, ['worker-2', 'worker-3']);
  assert.deepEqual(r.manifest.plan.k8s!.imageArch, ['amd64']);
  const pods = (await applied(stub)).filter((o) => o.kind === 'Pod');
  assert.ok(pods.every((p) => (p.spec.nodeSelector as Record<string, string>)['kubernetes.io/os'] === 'linux'));
}));

test('CNI detection through the survey: Calico CrossSubnet between nodes of one subnet, RKE2 Canal, policy-only Calico on EKS', async () => {
  const cases: [StubConfig, string, RegExp][] = [
    [{ daemonsets: 'daemonsets-calico.json', nodes: 'nodes-calico.json', ippools: 'ippools-crosssubnet.json' }, 'calico-np', /share a subnet: traffic between them is not encapsulated/],
    [{ daemonsets: 'daemonsets-canal-rke2.json' }, 'canal', /rke2-canal/],
    [{ daemonsets: 'daemonsets-calico-policy-only.json', installation: 'installation-eks.json' }, 'calico-policy-only-on-aws-vpc-cni', /spec\.cni\.type=AmazonVPC/],
  ];
  for (const [config, id, evidence] of cases) {
    await withStub(config, async (stub) => {
      const r = await collect(stub, { reps: '1', duration: '1', tests: 'tcp_rr', scenario: 'intra' });
      assert.equal(r.outcome, 'complete', r.error?.message);
      assert.equal(r.manifest.cluster!.cni, id);
      assert.match(r.manifest.cluster!.cniEvidence!.join('\n'), evidence);
      const readPools = stub.commands().some((c) => c.startsWith('get ippools.crd.projectcalico.org'));
      assert.equal(readPools, id.startsWith('calico'), 'Calico\'s pools are read where Calico runs, only');
    });
  }
});
