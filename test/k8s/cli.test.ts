// `cnibench collect --backend k8s` and `cnibench cleanup --backend k8s` through the real CLI, against the kubectl
// stand-in: a run, Ctrl-C and --resume, and every kind of bad input — one clear line naming cause and fix, exit 2,
// nothing created before the cluster was found fit, and nothing left in it afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { BIN, ROOT, cli } from '../helpers/cli.ts';
import { KubectlStub, withStub, type StubConfig } from './stub.ts';
import type { RunManifest } from '../../src/collect/manifest.ts';

const QUICK = ['--tests', 'tcp_rr', '--reps', '1', '--duration', '1', '--scenario', 'intra'];

function assertClean(stub: KubectlStub): void {
  const o = stub.objects();
  assert.deepEqual([...Object.keys(o.pods), ...Object.keys(o.daemonsets), ...Object.keys(o.namespaces)], [], 'nothing of the run left in the cluster');
}

test('collect --backend k8s: a run through the CLI, its path on stdout, the cluster described on stderr', () => withStub({}, async (stub) => {
  const r = await cli(['collect', '--backend', 'k8s', ...QUICK, '--data-dir', stub.dataDir], { env: stub.env() });
  assert.equal(r.exitCode, 0, r.stderr);
  const runDir = r.stdout.trim();
  const m = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
  assert.equal(m.backend, 'k8s');
  assert.equal(m.items[0]!.status, 'ok');
  assert.match(r.stderr, /cluster: Kubernetes v1\.30\.4, CNI flannel \(detected\), nodes worker-1 \+ worker-2/);
  assert.match(r.stderr, /run \S+ complete: ok 1, failed 0, skipped 0, pending 0/);
  assertClean(stub);
}));

test('Ctrl-C through the CLI: exit 1 (interrupted), the cluster cleaned, then --resume finishes the run', { timeout: 60_000 }, () => withStub({ hangNetperf: true }, async (stub) => {
  const child = execa(process.execPath, [BIN, 'collect', '--backend', 'k8s', ...QUICK, '--data-dir', stub.dataDir], { reject: false, cwd: ROOT, env: stub.env(), timeout: 50_000 });
  const deadline = Date.now() + 30_000;
  while (!stub.commands().some((c) => / netperf -H /.test(c)) && Date.now() < deadline) await sleep(25);
  child.kill('SIGINT');
  const r = await child;
  assert.equal(r.exitCode, 1, String(r.stderr));
  assert.match(String(r.stderr), /interrupted \(ok 0, failed 0, skipped 0, pending 1\); the run's pods are removed from the cluster\. Resume with: cnibench collect --resume (\S+)/);
  assertClean(stub);
  const runId = String(r.stderr).match(/--resume (\S+)/)![1]!;
  stub.configure({});
  const again = await cli(['collect', '--resume', runId, '--data-dir', stub.dataDir], { env: stub.env() });
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stderr, /complete: ok 1, failed 0/);
  assertClean(stub);
  const bad = await cli(['collect', '--resume', runId, '--image', 'x', '--data-dir', stub.dataDir], { env: stub.env() });
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr, /--resume continues a run with its own plan, on the cluster, namespace, nodes and image it recorded; drop --image/);
}));

/** Bad input found before anything is created: exit 2, one line, no run folder, no object in the cluster. */
async function expectRefused(config: StubConfig, args: string[], pattern: RegExp, env: (stub: KubectlStub) => Record<string, string> = (s) => s.env()): Promise<void> {
  await withStub(config, async (stub) => {
    const r = await cli(['collect', '--backend', 'k8s', ...args, '--data-dir', stub.dataDir], { env: env(stub) });
    assert.equal(r.exitCode, 2, `exit code: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
    assert.match(lines[0]!, pattern);
    assert.deepEqual(await readdir(stub.dataDir), [], 'no run created');
    assert.ok(!stub.commands().some((c) => /^(apply|delete|exec)\b/.test(c)), 'nothing applied, deleted or run in the cluster');
  });
}

test('no kubectl on PATH', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'cnibench-nopath-'));
  try {
    await expectRefused({}, QUICK, /^cnibench: kubectl is not on PATH: install it .*kubectl version/, () => ({ PATH: empty }));
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});
test('an unreachable cluster', () => expectRefused({ unreachable: true }, QUICK, /the cluster of the current context is unreachable \(The connection to the server localhost:8080 was refused.*\): check that it is running and reachable \("kubectl cluster-info"\), or pick another --context\.$/));
test('a context that does not exist', () => expectRefused({ contexts: ['kind-cnibench', 'prod'] }, [...QUICK, '--context', 'nope'], /kubectl has no context "nope"; known contexts: kind-cnibench, prod\. Pass one of them with --context\.$/));
test('no current context', () => expectRefused({ currentContext: null }, QUICK, /kubectl has no current context: pass --context \(kubectl config get-contexts\) or set one with "kubectl config use-context NAME"\.$/));
test('inter-host asked for on a one-node cluster', () => expectRefused({ nodes: 'nodes-one.json' }, ['--scenario', 'inter', '--reps', '1'], /inter-host needs two schedulable nodes, but the cluster has only one schedulable node \(solo\); inter-host needs two: run --scenario intra, or name two nodes with --nodes A,B/));
test('a node that does not exist', () => expectRefused({}, [...QUICK, '--nodes', 'worker-9'], /node "worker-9" does not exist in the cluster; its nodes are: cp-1, worker-1, worker-2/));
test('a tainted node named with --nodes', () => expectRefused({}, [...QUICK, '--nodes', 'cp-1'], /node "cp-1" cannot take our pods: it is tainted node-role.kubernetes.io\/control-plane:NoSchedule/));
test('RBAC forbids exec', () => expectRefused({ forbid: ['create pods/exec'] }, QUICK, /RBAC forbids what the run needs: create pods --subresource=exec in namespace cnibench \(to run netperf in them \(kubectl exec\)\)\. Ask a cluster admin to apply the Role and ClusterRole of docs\/kubernetes\.md/));
test('RBAC forbids creating the namespace', () => expectRefused({ forbid: ['create namespaces'] }, QUICK, /RBAC forbids what the run needs: create namespaces \(to create the namespace cnibench\)/));
test('--cni lists two CNIs on a cluster', () => expectRefused({}, ['--cni', 'flannel,cilium'], /--cni with --backend k8s names the one CNI the cluster runs/));
test('testbed options on a cluster', () => expectRefused({}, ['--calico-rules', '10'], /--calico-rules configures the local testbed's emulated datapath/));

test('pods stuck Pending through the CLI: exit 1 (the run began and failed), the scheduler\'s reason and how to resume on the last line, the cluster clean', () => withStub({ pods: 'pending' }, async (stub) => {
  const r = await cli(['collect', '--backend', 'k8s', ...QUICK, '--ready-timeout', '1', '--data-dir', stub.dataDir], { env: stub.env() });
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr.trim().split('\n').pop()!, /^cnibench: not Ready after 1 s: pod \S+ stays Pending: the scheduler says "0\/3 nodes are available: .*Insufficient cpu.*Nothing of the run is left in the cluster\. The run is kept: fix the cause, then resume it with: cnibench collect --resume \S+$/);
  assertClean(stub);
  assert.equal((await readdir(join(stub.dataDir, 'runs'))).length, 1, 'the run is kept for --resume');
}));

test('k8s options without --backend k8s are refused', async () => {
  const r = await cli(['collect', '--nodes', 'a,b', '--image', 'x']);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /--nodes, --image apply only with --backend k8s/);
  const c = await cli(['cleanup', '--backend', 'local', '--context', 'x']);
  assert.equal(c.exitCode, 2);
  assert.match(c.stderr, /--context applies only with --backend k8s/);
});

test('cleanup --backend k8s removes what a killed run left, by label, and nothing else', () => withStub({}, async (stub) => {
  const ours = { 'app.kubernetes.io/managed-by': 'cnibench', 'cnibench/run': '20261126-101010-dead' };
  const pod = (ns: string, name: string, labels: Record<string, string>) => ({ metadata: { name, namespace: ns, labels, uid: name }, spec: {}, status: {}, _events: [], _eventsAt: '' });
  stub.seed({
    namespaces: {
      cnibench: { metadata: { name: 'cnibench', labels: ours } },
      shared: { metadata: { name: 'shared', labels: ours } },
      default: { metadata: { name: 'default', labels: {} } },
    },
    pods: {
      'cnibench/cnib-x-server-a': pod('cnibench', 'cnib-x-server-a', { ...ours, 'cnibench/role': 'server' }),
      'shared/cnib-x-client-a': pod('shared', 'cnib-x-client-a', ours),
      'shared/someone-elses': pod('shared', 'someone-elses', { app: 'web' }),
      'default/web': pod('default', 'web', { app: 'web' }),
    },
    daemonsets: { 'cnibench/cnib-x-perf-a': { metadata: { name: 'cnib-x-perf-a', namespace: 'cnibench', labels: ours } } },
  });
  const r = await cli(['cleanup', '--backend', 'k8s', '--context', 'kind-cnibench'], { env: stub.env() });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /deleted pod\/cnib-x-server-a\ndeleted pod\/cnib-x-client-a\ndeleted daemonset.apps\/cnib-x-perf-a\ndeleted namespace\/cnibench\nkept namespace shared \(holds 1 pod\(s\) that are not cnibench's\)\nremoved 4 object\(s\) of cnibench \(all namespaces\)/);
  const left = stub.objects();
  assert.deepEqual(Object.keys(left.pods).sort(), ['default/web', 'shared/someone-elses']);
  assert.deepEqual(Object.keys(left.namespaces).sort(), ['default', 'shared']);
  assert.ok(stub.commands().every((c) => !c.startsWith('delete') || c.includes('app.kubernetes.io/managed-by=cnibench') || c.startsWith('delete namespace cnibench')), 'deletes only by our label or our namespace');
  const again = await cli(['cleanup', '--backend', 'k8s'], { env: stub.env() });
  assert.match(again.stdout, /nothing of cnibench in the cluster/);
}));
