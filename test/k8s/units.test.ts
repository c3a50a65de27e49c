// The pieces of the Kubernetes backend without a cluster: every manifest it can produce validated against the
// Kubernetes API schema (kubernetes-models), CNI detection, node choice, kubectl's failures explained, options parsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ROOT } from '../helpers/cli.ts';
import { ManifestError, namespaceManifest, netperfPodManifest, profilerDaemonSetManifest, validateObject, validated } from '../../src/k8s/manifests.ts';
import { detectCni, type DaemonSetObject } from '../../src/k8s/cni.ts';
import { chooseNodes, cpuOfCpuinfo, type NodeList } from '../../src/k8s/nodes.ts';
import { explainKubectlFailure } from '../../src/k8s/kubectl.ts';
import { parseK8sPlan, DEFAULT_K8S_IMAGE } from '../../src/k8s/plan.ts';
import { parseNetDev } from '../../src/k8s/profile.ts';
import { hopeless, pendingReason, type PodObject } from '../../src/k8s/pods.ts';
import { UsageError } from '../../src/util/errors.ts';

const FIX = join(ROOT, 'test', 'fixtures', 'k8s');
const json = async <T>(...p: string[]) => JSON.parse(await readFile(join(FIX, ...p), 'utf8')) as T;
const RUN = '20261126-140158-7c1e';

/** Every manifest the backend produces: namespaces (with and without --profile), each pod role, the profiler on A and B. */
function everyManifest(image = DEFAULT_K8S_IMAGE): object[] {
  return [
    namespaceManifest('cnibench', RUN, false),
    namespaceManifest('cnibench', RUN, true),
    ...(['server', 'client'] as const).map((role) => netperfPodManifest({ runId: RUN, namespace: 'cnibench', name: `cnib-${RUN}-${role}-a`, role, image, nodeHostname: 'worker-1' })),
    netperfPodManifest({ runId: RUN, namespace: 'cnibench', name: `cnib-${RUN}-launch-030`, role: 'launch', image, nodeHostname: 'worker-1', launch: 30 }),
    ...(['a', 'b'] as const).map((node) => profilerDaemonSetManifest({ runId: RUN, namespace: 'cnibench', image, nodeHostname: node === 'a' ? 'worker-1' : 'worker-2', node })),
  ];
}

test('every manifest the backend can produce passes the Kubernetes API schema and carries our labels', () => {
  const all = everyManifest();
  assert.equal(all.length, 7);
  for (const m of all) {
    validateObject(m); // again from plain JSON, as kubectl receives it
    const meta = (m as { metadata: { labels: Record<string, string> } }).metadata;
    assert.equal(meta.labels['app.kubernetes.io/managed-by'], 'cnibench');
    assert.equal(meta.labels['cnibench/run'], RUN);
  }
  const ds = all[6] as { spec: { template: { spec: { hostPID: boolean; hostNetwork: boolean; containers: { securityContext: { privileged: boolean } }[]; volumes: { hostPath: { path: string } }[] } } } };
  assert.equal(ds.spec.template.spec.hostPID, true);
  assert.equal(ds.spec.template.spec.hostNetwork, true);
  assert.equal(ds.spec.template.spec.containers[0]!.securityContext.privileged, true);
  assert.deepEqual(ds.spec.template.spec.volumes.map((v) => v.hostPath.path), ['/sys', '/proc']);
  const pod = all[2] as { spec: { nodeSelector: Record<string, string>; containers: { command: string[]; resources: unknown; ports: { containerPort: number; protocol: string }[] }[] } };
  assert.deepEqual(pod.spec.nodeSelector, { 'kubernetes.io/hostname': 'worker-1', 'kubernetes.io/os': 'linux' });
  // netserver under a shell that ends on SIGTERM (netserver as PID 1 ignores it; deletions then wait out the grace period)
  assert.deepEqual(pod.spec.containers[0]!.command, ['sh', '-c', "trap 'exit 0' TERM INT; netserver -D -p 12865 & wait $!"]);
  // requests (Burstable, not BestEffort) and no limit (no CFS quota on netperf)
  assert.deepEqual(pod.spec.containers[0]!.resources, { requests: { cpu: '500m', memory: '64Mi' } });
  assert.deepEqual(pod.spec.containers[0]!.ports.map((p) => `${p.containerPort}/${p.protocol}`), ['12865/TCP', '12866/TCP', '12866/UDP']);
  assert.deepEqual((all[6] as { spec: { template: { spec: { containers: { command: string[] }[] } } } }).spec.template.spec.containers[0]!.command, ['sh', '-c', "trap 'exit 0' TERM INT; sleep 2147483647 & wait $!"]);
  // Only the profiler is privileged; the namespace admits it only with --profile.
  assert.equal((all[0] as { metadata: { labels: Record<string, string> } }).metadata.labels['pod-security.kubernetes.io/enforce'], 'baseline');
  assert.equal((all[1] as { metadata: { labels: Record<string, string> } }).metadata.labels['pod-security.kubernetes.io/enforce'], 'privileged');
});

test('what the schema or the API would refuse is refused before kubectl sees it', () => {
  const bad = new Pod({ metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 'http' as unknown as number }] }] } });
  assert.throws(() => validated(bad), (e: Error) => e instanceof ManifestError && /does not match the Kubernetes API schema: .*containerPort must be integer/.test(e.message));
  assert.throws(() => netperfPodManifest({ runId: RUN, namespace: 'cnibench', name: 'Bad_Name', role: 'server', image: 'i', nodeHostname: 'n' }), /not a valid object name/);
  assert.throws(() => netperfPodManifest({ runId: 'not a label value!', namespace: 'cnibench', name: 'ok', role: 'server', image: 'i', nodeHostname: 'n' }), /not a valid label value/);
  assert.throws(() => validateObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } }), /never applies a Service/);
});

test('CNI detection from DaemonSets and node annotations, mapped to the local model ids', async () => {
  const nodes = await json<NodeList>('nodes.json');
  const ds = async (f: string) => (await json<{ items: DaemonSetObject[] }>(f)).items;
  assert.equal(detectCni(await ds('daemonsets-flannel.json'), nodes.items).id, 'flannel');
  assert.equal(detectCni(await ds('daemonsets-cilium.json'), []).id, 'cilium');
  const calico = detectCni(await ds('daemonsets-calico.json'), []);
  assert.equal(calico.id, 'calico-np-ipip'); // CALICO_IPV4POOL_IPIP=Always
  assert.ok(calico.evidence.some((e) => /calico-node/.test(e)));
  assert.equal(detectCni(await ds('daemonsets-kindnet.json'), []).id, 'kindnet');
  // k3s: flannel inside the k3s agent, no DaemonSet; only the node annotation says so
  assert.equal(detectCni(await ds('daemonsets-none.json'), nodes.items).id, 'flannel');
  const udp = structuredClone(nodes.items);
  for (const n of udp) n.metadata.annotations!['flannel.alpha.coreos.com/backend-type'] = 'udp';
  assert.equal(detectCni(await ds('daemonsets-none.json'), udp).id, 'flannel-udp');
  const none = detectCni(await ds('daemonsets-none.json'), []);
  assert.equal(none.id, 'unknown-cni');
  assert.match(none.evidence.join(' '), /no known CNI/);
});

test('node choice: two schedulable workers by default, control-plane only when nothing else; --nodes checked', async () => {
  const nodes = await json<NodeList>('nodes.json');
  assert.deepEqual(chooseNodes(nodes, undefined).nodes.map((n) => n.metadata.name), ['worker-1', 'worker-2']);
  const one = await json<NodeList>('nodes-one.json');
  const solo = chooseNodes(one, undefined);
  assert.deepEqual(solo.nodes.map((n) => n.metadata.name), ['solo']);
  assert.match(solo.noInter!, /only one schedulable node/);
  assert.throws(() => chooseNodes(nodes, ['worker-9']), (e: Error) => e instanceof UsageError && /node "worker-9" does not exist.*cp-1, worker-1, worker-2/.test(e.message));
  assert.throws(() => chooseNodes(nodes, ['cp-1']), /cannot take our pods: it is tainted node-role.kubernetes.io\/control-plane:NoSchedule/);
  assert.throws(() => chooseNodes(nodes, ['worker-1', 'worker-1']), /the same node twice/);
  assert.deepEqual(chooseNodes(nodes, ['worker-2', 'worker-1']).nodes.map((n) => n.metadata.name), ['worker-2', 'worker-1']);
  assert.deepEqual(cpuOfCpuinfo('model name\t: Intel(R) Xeon(R) CPU E5-2640 v4 @ 2.40GHz\ncpu MHz\t\t: 2399.998\n'), { cpuModel: 'Intel(R) Xeon(R) CPU E5-2640 v4 @ 2.40GHz', cpuMHz: 2399.998 });
});

test('kubectl failures explained with cause and fix (stderr captured from a real kubectl where one can be had without a cluster)', async () => {
  const err = (f: string) => readFile(join(FIX, 'errors', f), 'utf8');
  assert.match(explainKubectlFailure(await err('context-not-found.stderr'))!, /no context "nope".*--context/);
  assert.match(explainKubectlFailure(await err('current-context-not-set.stderr'))!, /no cluster configured.*--context/);
  assert.match(explainKubectlFailure(await err('connection-refused.stderr'))!, /unreachable \(The connection to the server localhost:8080 was refused.*kubectl cluster-info/);
  assert.match(explainKubectlFailure(await err('unable-to-connect.stderr'))!, /unreachable/);
  assert.match(explainKubectlFailure(await err('kubeconfig-missing.stderr'), { kubeconfig: '/nonexistent/kubeconfig' })!, /kubeconfig \/nonexistent\/kubeconfig does not exist/);
  assert.match(explainKubectlFailure(await err('forbidden.stderr'))!, /RBAC forbids it: user "alice" may not create pods in namespace cnibench.*docs\/kubernetes.md/);
  assert.match(explainKubectlFailure('Error from server (Forbidden): error when creating "STDIN": pods "cnib-x-server-a" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "netperf" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or container "netperf" must set securityContext.runAsNonRoot=true)')!, /Pod Security level \(restricted:latest\) refuses our pods: .*enforce=baseline/);
  assert.equal(explainKubectlFailure('something else entirely'), undefined);
});

test('pods that will not become Ready say why', () => {
  const base: PodObject = { metadata: { name: 'p', uid: 'u' }, spec: { nodeName: 'worker-1' }, status: { phase: 'Pending' } };
  const crash = { ...base, status: { phase: 'Running', containerStatuses: [{ name: 'netperf', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 127, reason: 'Error' } } }] } };
  assert.match(hopeless(crash, 'img')!, /keeps crashing \(CrashLoopBackOff, last exit code 127 Error\).*--image/);
  const pull = { ...base, status: { phase: 'Pending', containerStatuses: [{ name: 'netperf', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "img"' } } }] } };
  assert.match(hopeless(pull, 'img')!, /cannot pull the image img \(ImagePullBackOff/);
  assert.equal(hopeless({ ...base, status: { phase: 'Running' } }, 'img'), undefined);
  const unsched = { ...base, spec: {}, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 2 Insufficient cpu.' }] } };
  assert.match(pendingReason(unsched, []), /stays Pending: the scheduler says "0\/3 nodes are available: 2 Insufficient cpu\."/);
  const sandbox = { ...base, status: { phase: 'Pending' } };
  assert.match(pendingReason(sandbox, [{ reason: 'FailedCreatePodSandBox', message: 'plugin type="flannel" failed (add): open /run/flannel/subnet.env: no such file or directory', involvedObject: { uid: 'u' } }]), /no sandbox \(network\) yet.*The CNI is failing on that node/);
});

test('k8s options: one CNI id, no testbed options, sane names and images', () => {
  const d = parseK8sPlan({ reps: '2', duration: '3', nodes: 'worker-1,worker-2', launch: '' });
  assert.equal(d.plan.backend, 'k8s');
  assert.equal(d.target.namespace, 'cnibench');
  assert.equal(d.target.image, DEFAULT_K8S_IMAGE);
  assert.deepEqual(d.target.nodes, ['worker-1', 'worker-2']);
  assert.equal(d.plan.launch?.count, 30);
  assert.equal(d.scenarioExplicit, false);
  assert.equal(parseK8sPlan({ cni: 'calico-np' }).target.cniOverride, 'calico-np');
  assert.throws(() => parseK8sPlan({ cni: 'flannel,cilium' }), /names the one CNI the cluster runs/);
  assert.throws(() => parseK8sPlan({ iptables: 'nft' }), /--iptables configures the local testbed/);
  assert.throws(() => parseK8sPlan({ namespace: 'Bad_NS' }), /not a valid namespace name/);
  assert.throws(() => parseK8sPlan({ nodes: 'a,b,c' }), /one or two node names/);
  assert.throws(() => parseK8sPlan({ image: 'has space' }), /not an image reference/);
  assert.throws(() => parseK8sPlan({ profileImage: 'x' }), /only applies with --profile/);
  assert.throws(() => parseK8sPlan({ readyTimeout: '0' }), /--ready-timeout/);
});

test('interface counters read inside a pod', () => {
  const text = 'Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n'
    + '    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n'
    + '  eth0: 1450000000 22000    0    0    0     0          0         0 1900000 21000    0    0    0     0       0          0\n1450\n';
  const { links, mtu } = parseNetDev(text);
  assert.equal(mtu, 1450);
  assert.deepEqual(links.eth0, { rxBytes: 1450000000, rx: 22000, txBytes: 1900000, tx: 21000, mtu: 1450 });
});
