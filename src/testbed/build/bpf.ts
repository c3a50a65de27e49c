// Cilium's datapath: compile (cached) and load the tc-eBPF programs per node, attach them to every lxc veth and to
// cilium_vxlan, and fill the endpoint, tunnel and config maps from the built topology.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { projectPath } from '../../util/projectRoot.ts';
import { compileBpf } from '../bpf/compile.ts';
import {
  applyMapUpdates, attachIngressAll, datapathPins, configEntry, endpointDeletion, endpointEntry, ipcacheDeletion, listLinks, loadDatapath, mountBpffs, policyMapDeletion, readCounters, tunnelEntry, unmountBpffs,
  type Counters, type IngressAttachment, type MapUpdate,
} from '../bpf/loader.ts';
import type { NodeName, PodInfo, Testbed } from '../topology.ts';
import { must, peerOf } from '../topology.ts';
import { policyKind } from '../kinds/policy/index.ts';
import { type BuildContext, hostAddress, ipBatch, nodeOf, podsOn, timed } from './context.ts';

const SOURCE = projectPath('src', 'testbed', 'bpf', 'cilium_like.c');
const CACHE = projectPath('.cache', 'bpf');

/** The model's policy in the BPF maps (Cilium's), if it has one. */
function bpfPolicyOf(ctx: BuildContext) {
  const policy = ctx.model.policy;
  const bpf = policyKind(policy).bpf;
  return bpf ? { bpf, spec: policy } : undefined;
}

/** A pod's entry in the endpoints map, with the policy's fields when the model has a BPF policy. */
function podEndpoint(ctx: BuildContext, pod: PodInfo, lxc: { ifindex: number; mac: string }, podMac: string): MapUpdate {
  const ip = must(pod.ip, `${pod.name} address`);
  const p = bpfPolicyOf(ctx);
  return endpointEntry(ip, { ifindex: lxc.ifindex, podMac, lxcMac: lxc.mac, ...(p ? { policy: p.bpf.endpoint(p.spec, ip) } : {}) });
}

/**
 * Puts the model's BPF policy in place on a node for `pods` (its endpoints) with its whole ipcache — one bpftool
 * process, recorded as the node's policy apply time — or, for a `launched` pod, only that pod's ipcache entry.
 */
async function applyBpfPolicy(ctx: BuildContext, node: NodeName, pods: readonly string[], launched?: string): Promise<void> {
  const p = bpfPolicyOf(ctx);
  if (!p) return;
  const { tb } = ctx;
  const { before, updates, entriesPerEndpoint, ipcacheEntries } = p.bpf.maps(p.spec, tb, node, pods, launched === undefined ? undefined : [launched]);
  await timed(ctx, `policy:${p.spec.kind}`, nodeOf(tb, node).ns, () => applyMapUpdates(join(must(tb.bpffs, 'bpffs mount'), node), updates, before));
  // The node's load time is the step just timed (one clock for the build steps and the policy record).
  if (launched === undefined) tb.policy = { ...tb.policy, [node]: { perPacketChains: [], ruleCount: entriesPerEndpoint * pods.length, ipcacheEntries, loadMs: tb.steps.at(-1)!.ms } };
}

export async function buildBpf(ctx: BuildContext): Promise<void> {
  const { model, tb } = ctx;
  if (model.attach.kind !== 'bpf-veth') return;
  const vxlan = model.interHost?.kind === 'vxlan-bpf' ? model.interHost : undefined;
  const defines = bpfPolicyOf(ctx)?.bpf.defines ?? [];
  const { objectPath } = await timed(ctx, 'bpf-compile', SOURCE, () => compileBpf(SOURCE, CACHE, defines));
  tb.bpffs ??= await mountBpffs(tb.prefix);
  for (const node of tb.nodes) {
    const pods = podsOn(tb, node.name);
    const nodeLinks = await listLinks(node.ns);
    const updates: MapUpdate[] = [];
    const lxcDevs: string[] = [];
    for (const pod of pods) {
      const lxc = must(nodeLinks.get(must(pod.hostIf, `${pod.name} host veth`)), `${pod.hostIf} in ${node.ns}`);
      const eth0 = must((await listLinks(pod.ns)).get('eth0'), `eth0 in ${pod.ns}`);
      updates.push(podEndpoint(ctx, pod, lxc, eth0.mac));
      lxcDevs.push(lxc.name);
      // Cilium answers the pod's ARP for its gateway from BPF; we pin the gateway's MAC in the pod instead.
      await timed(ctx, 'bpf-gateway-neigh', pod.ns, () =>
        ipBatch(pod.ns, [`neigh add ${hostAddress(node.podCidr, 1)} lladdr ${lxc.mac} dev eth0 nud permanent`]),
      );
    }
    const vxlanLink = vxlan ? nodeLinks.get(vxlan.device) : undefined;
    if (vxlan && vxlanLink) {
      const peer = tb.nodes.find((n) => n.name === peerOf(node.name));
      if (peer) updates.push(tunnelEntry(peer.podCidr, peer.underlayIp));
    }
    updates.push(configEntry({ vxlanIfindex: vxlanLink?.ifindex ?? 0, vni: vxlan?.vni ?? 0 }));
    const loaded = await timed(ctx, 'bpf-load+maps', node.ns, () => loadDatapath(objectPath, join(tb.bpffs!, node.name), updates));
    // Before the programs are attached: an enforcing endpoint without its policy map admits nothing.
    await applyBpfPolicy(ctx, node.name, pods.map((p) => must(p.ip, `${p.name} address`)));
    const attachments: IngressAttachment[] = [
      ...lxcDevs.map((dev) => ({ dev, progPin: loaded.progs.fromContainer })),
      ...(vxlanLink ? [{ dev: vxlanLink.name, progPin: loaded.progs.fromOverlay }] : []),
    ];
    await timed(ctx, 'bpf-attach', node.ns, () => attachIngressAll(node.ns, attachments));
  }
}

/**
 * A pod that joins a running datapath (a pod launch): what the Cilium agent does for a new endpoint — its entry in
 * the endpoints map, the program on its lxc veth, and (our stand-in for BPF ARP replies) the gateway's MAC in the pod.
 */
export async function addBpfEndpoint(ctx: BuildContext, pod: PodInfo): Promise<void> {
  const { tb } = ctx;
  const node = nodeOf(tb, pod.node);
  const pinDir = join(must(tb.bpffs, 'bpffs mount'), node.name);
  const lxc = must((await listLinks(node.ns)).get(must(pod.hostIf, `${pod.name} host veth`)), `${pod.hostIf} in ${node.ns}`);
  const eth0 = must((await listLinks(pod.ns)).get('eth0'), `eth0 in ${pod.ns}`);
  await timed(ctx, 'bpf-endpoint-map', pod.ns, () => applyMapUpdates(pinDir, [podEndpoint(ctx, pod, lxc, eth0.mac)]));
  await timed(ctx, 'bpf-attach', lxc.name, () => attachIngressAll(node.ns, [{ dev: lxc.name, progPin: datapathPins(pinDir).progs.fromContainer }]));
  await timed(ctx, 'bpf-gateway-neigh', pod.ns, () => ipBatch(pod.ns, [`neigh add ${hostAddress(node.podCidr, 1)} lladdr ${lxc.mac} dev eth0 nud permanent`]));
}

/** The endpoint leaves the map when its pod is deleted. */
export async function removeBpfEndpoint(ctx: BuildContext, pod: PodInfo): Promise<void> {
  const pinDir = join(must(ctx.tb.bpffs, 'bpffs mount'), pod.node);
  await timed(ctx, 'bpf-endpoint-map', pod.ns, () => applyMapUpdates(pinDir, [endpointDeletion(must(pod.ip, `${pod.name} address`))]));
}

/** Whether the model's policy lives in the BPF maps (then a launched pod's policy is addBpfPolicyEndpoint's work). */
export function hasBpfPolicy(ctx: BuildContext): boolean {
  return bpfPolicyOf(ctx) !== undefined;
}

/** A launched pod's policy, as Cilium's agent sets it up: the endpoint's own policy map, and its address in every node's ipcache. */
export async function addBpfPolicyEndpoint(ctx: BuildContext, pod: PodInfo): Promise<void> {
  const ip = must(pod.ip, `${pod.name} address`);
  await applyBpfPolicy(ctx, pod.node, [ip], ip);
  for (const other of ctx.tb.nodes.filter((n) => n.name !== pod.node)) await applyBpfPolicy(ctx, other.name, [], ip);
}

/** A deleted pod's policy: its policy map out of the array (and its pin), its address out of every node's ipcache. */
export async function removeBpfPolicyEndpoint(ctx: BuildContext, pod: PodInfo): Promise<void> {
  const p = bpfPolicyOf(ctx);
  if (!p) return;
  const root = must(ctx.tb.bpffs, 'bpffs mount');
  const ip = must(pod.ip, `${pod.name} address`);
  const { endpointId } = p.bpf.endpoint(p.spec, ip);
  const pinDir = join(root, pod.node);
  await timed(ctx, `policy:${p.spec.kind}`, pod.ns, async () => {
    await applyMapUpdates(pinDir, [policyMapDeletion(endpointId)]);
    await rm(join(pinDir, 'maps', `policy-${endpointId}`), { force: true });
    for (const n of ctx.tb.nodes) await applyMapUpdates(join(root, n.name), [ipcacheDeletion(`${ip}/32`)]);
  });
}

export async function readBpfCounters(tb: Testbed, node: NodeName): Promise<Counters> {
  return readCounters(join(must(tb.bpffs, 'bpffs mount'), node));
}

export async function teardownBpf(tb: Testbed): Promise<void> {
  if (tb.bpffs) await unmountBpffs(tb.prefix);
}

