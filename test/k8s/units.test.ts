// The pieces of the Kubernetes backend without a cluster: every manifest it can produce validated against the
// Kubernetes API schema (kubernetes-models), CNI detection, node choice, kubectl's failures explained, options parsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ROOT } from '../helpers/cli.ts';
import { ManifestError, namespaceManifest, netperfPodManifest, profilerDaemonSetManifest, validateObject, validated } from '../../src/k8s/manifests.ts';
import { detectCni, type CalicoIPPool, type DaemonSetObject, type TigeraInstallation } from '../../src/k8s/cni.ts';
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

test('RKE2\'s Canal is Canal (flannel VXLAN between nodes, Calico policy), not flannel', async () => {
  const nodes = await json<NodeList>('nodes.json'); // flannel's backend-type annotation, as Canal's flannel writes it
  const ds = (await json<{ items: DaemonSetObject[] }>('daemonsets-canal-rke2.json')).items;
  const d = detectCni(ds, nodes.items);
  assert.equal(d.id, 'canal');
  assert.match(d.evidence.join('\n'), /DaemonSet kube-system\/rke2-canal \(rancher\/hardened-calico.*rancher\/hardened-flannel.*\) → canal/);
  assert.match(d.evidence.join('\n'), /Canal: flannel vxlan between nodes, Calico policy/);
  // by content too: a DaemonSet of another name running calico-node and flannel containers
  const renamed = structuredClone(ds);
  renamed[0]!.metadata.name = 'network';
  assert.equal(detectCni(renamed, nodes.items).id, 'canal');
});

test('policy-only Calico (CALICO_NETWORKING_BACKEND=none, as the Tigera operator renders it on EKS/AKS/GKE) names the CNI under it', async () => {
  const ds = async (f: string) => (await json<{ items: DaemonSetObject[] }>(f)).items;
  const installation = (await json<{ items: TigeraInstallation[] }>('installation-eks.json')).items[0]!;
  const eks = detectCni(await ds('daemonsets-calico-policy-only.json'), [], { calico: { installation } });
  assert.equal(eks.id, 'calico-policy-only-on-aws-vpc-cni');
  assert.match(eks.evidence.join('\n'), /CALICO_NETWORKING_BACKEND=none[\s\S]*spec\.cni\.type=AmazonVPC/);
  // without the Installation: the other CNI's DaemonSet says it
  assert.equal(detectCni(await ds('daemonsets-calico-policy-only.json'), []).id, 'calico-policy-only-on-aws-vpc-cni');
  // nothing says it (GKE routes pods in the VPC without a DaemonSet): said to be unknown
  const alone = detectCni(await ds('daemonsets-calico-policy-only-alone.json'), []);
  assert.equal(alone.id, 'calico-policy-only-on-unknown-cni');
  assert.match(alone.evidence.join('\n'), /the CNI that networks the pods is unknown/);
  // the operator also renders "none" for Calico CNI with the cloud routing between nodes: that is Calico, unencapsulated
  const calicoCni = structuredClone(installation);
  calicoCni.spec!.cni!.type = 'Calico';
  assert.equal(detectCni(await ds('daemonsets-calico-policy-only-alone.json'), [], { calico: { installation: calicoCni } }).id, 'calico-np');
});

test('Calico CrossSubnet: encapsulated only between nodes in different subnets (IP pools, the Installation, or the DaemonSet\'s defaults)', async () => {
  const nodes = (await json<NodeList>('nodes-calico.json')).items; // worker-1 192.168.56.11/24, worker-2 192.168.56.12/24
  const [w1, w2] = [nodes.find((n) => n.metadata.name === 'worker-1')!, nodes.find((n) => n.metadata.name === 'worker-2')!];
  const calicoDs = (await json<{ items: DaemonSetObject[] }>('daemonsets-calico.json')).items; // env IPIP=Always (the pool's creation default only)
  const ipPools = (await json<{ items: CalicoIPPool[] }>('ippools-crosssubnet.json')).items;
  const same = detectCni(calicoDs, nodes, { chosen: [w1, w2], calico: { ipPools } });
  assert.equal(same.id, 'calico-np', 'the pool, not the env nor the tunnel annotation, decides');
  assert.match(same.evidence.join('\n'), /IPPool default-ipv4-ippool 10\.244\.0\.0\/16: vxlanMode=CrossSubnet[\s\S]*share a subnet: traffic between them is not encapsulated/);
  const apart = structuredClone([w1, w2]);
  apart[1]!.metadata.annotations!['projectcalico.org/IPv4Address'] = '192.168.57.12/24';
  const crossing = detectCni(calicoDs, nodes, { chosen: apart, calico: { ipPools } });
  assert.equal(crossing.id, 'calico-np-vxlan');
  assert.match(crossing.evidence.join('\n'), /different subnets: traffic between them is encapsulated/);
  const unknown = structuredClone([w1, w2]);
  delete unknown[1]!.metadata.annotations!['projectcalico.org/IPv4Address'];
  assert.equal(detectCni(calicoDs, nodes, { chosen: unknown, calico: { ipPools } }).id, 'calico-np-vxlan-crosssubnet');
  assert.equal(detectCni(calicoDs, nodes, { chosen: [w1], calico: { ipPools } }).id, 'calico-np', 'one node: intra-host only');
  // the operator's Installation when the pools cannot be read
  const install: TigeraInstallation = { metadata: { name: 'default' }, spec: { cni: { type: 'Calico' }, calicoNetwork: { ipPools: [{ cidr: '10.244.0.0/16', encapsulation: 'IPIPCrossSubnet' }] } } };
  assert.equal(detectCni(calicoDs, nodes, { chosen: apart, calico: { installation: install } }).id, 'calico-np-ipip');
  assert.equal(detectCni(calicoDs, nodes, { chosen: [w1, w2], calico: { installation: install } }).id, 'calico-np');
  // neither readable: the DaemonSet's pool default (CALICO_IPV4POOL_VXLAN=CrossSubnet) and the nodes' subnets
  const envCross = (await json<{ items: DaemonSetObject[] }>('daemonsets-calico-crosssubnet.json')).items;
  const fromEnv = detectCni(envCross, [w1, w2].map((n) => { const c = structuredClone(n); delete c.metadata.annotations!['projectcalico.org/IPv4VXLANTunnelAddr']; return c; }), { chosen: [w1, w2], calico: { notes: ['ippools.crd.projectcalico.org not read: forbidden'] } });
  assert.equal(fromEnv.id, 'calico-np');
  assert.match(fromEnv.evidence.join('\n'), /ippools\.crd\.projectcalico\.org not read: forbidden/);
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
  // Linux nodes of the image's architecture only (kubernetes.io/os, kubernetes.io/arch)
  const mixed = await json<NodeList>('nodes-arm64.json'); // a-win (windows), worker-1 (arm64), worker-2, worker-3 (amd64)
  assert.deepEqual(chooseNodes(mixed, undefined).nodes.map((n) => n.metadata.name), ['worker-2', 'worker-3']);
  const arm = chooseNodes(mixed, undefined, { arch: ['arm64'] });
  assert.deepEqual(arm.nodes.map((n) => n.metadata.name), ['worker-1']);
  assert.match(arm.noInter!, /only one schedulable node \(worker-1; .*worker-2: an amd64 node \(kubernetes\.io\/arch=amd64\) and the image is for arm64/);
  assert.deepEqual(chooseNodes(mixed, undefined, { arch: ['amd64', 'arm64'] }).nodes.map((n) => n.metadata.name), ['worker-1', 'worker-2']);
  assert.throws(() => chooseNodes(mixed, ['worker-1']), /node "worker-1" cannot take our pods: it is an arm64 node \(kubernetes\.io\/arch=arm64\) and the image is for amd64 \(--image-arch\).*--image-arch/);
  assert.throws(() => chooseNodes(mixed, ['a-win']), /it is a windows node \(kubernetes\.io\/os=windows\); netperf pods need linux/);
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
  // 403s that are not RBAC: each named with its own fix
  assert.match(explainKubectlFailure(await err('quota-limits.stderr'))!, /^the namespace's ResourceQuota "compute-quota" refuses pods that do not declare limits\.cpu for: netperf; limits\.memory for: netperf:.*--namespace/);
  assert.match(explainKubectlFailure(await err('quota-exceeded.stderr'))!, /^the namespace's ResourceQuota "compute-quota" is used up \(requested: requests\.cpu=500m, used: requests\.cpu=3800m, limited: requests\.cpu=4\).*kubectl describe quota compute-quota/);
  assert.match(explainKubectlFailure(await err('namespace-terminating.stderr'))!, /^namespace cnibench is being deleted \(Terminating\): wait until it is gone.*--namespace/);
  assert.match(explainKubectlFailure(await err('scc.stderr'))!, /^OpenShift's SecurityContextConstraints refuse our pods \(\[provider "anyuid".*oc adm policy add-scc-to-user privileged/);
  for (const f of ['quota-limits.stderr', 'quota-exceeded.stderr', 'namespace-terminating.stderr', 'scc.stderr']) assert.doesNotMatch(explainKubectlFailure(await err(f))!, /RBAC/, f);
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
  assert.deepEqual(d.target.imageArch, ['amd64']);
  assert.deepEqual(parseK8sPlan({ imageArch: 'amd64, arm64' }).target.imageArch, ['amd64', 'arm64']);
  assert.throws(() => parseK8sPlan({ imageArch: 'x86_64!' }), /--image-arch takes the architectures/);
});

test('interface counters read inside a pod', () => {
  const text = 'Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n'
    + '    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n'
    + '  eth0: 1450000000 22000    0    0    0     0          0         0 1900000 21000    0    0    0     0       0          0\n1450\n';
  const { links, mtu } = parseNetDev(text);
  assert.equal(mtu, 1450);
  assert.deepEqual(links.eth0, { rxBytes: 1450000000, rx: 22000, txBytes: 1900000, tx: 21000, mtu: 1450 });
});
