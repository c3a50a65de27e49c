// Cilium's datapath: compile (cached) and load the tc-eBPF programs per node, attach them to every lxc veth and to
// cilium_vxlan, and fill the endpoint, tunnel and config maps from the built topology.
import { join } from 'node:path';
import { projectPath } from '../../util/projectRoot.ts';
import { compileBpf } from '../bpf/compile.ts';
import {
  applyMapUpdates, attachIngressAll, datapathPins, configEntry, endpointDeletion, endpointEntry, listLinks, loadDatapath, mountBpffs, readCounters, tunnelEntry, unmountBpffs,
  type Counters, type IngressAttachment, type MapUpdate,
} from '../bpf/loader.ts';
import type { NodeName, PodInfo, Testbed } from '../topology.ts';
import { must, peerOf } from '../topology.ts';
import { type BuildContext, hostAddress, ipBatch, nodeOf, podsOn, timed } from './context.ts';

const SOURCE = projectPath('src', 'testbed', 'bpf', 'cilium_like.c');
const CACHE = projectPath('.cache', 'bpf');

export async function buildBpf(ctx: BuildContext): Promise<void> {
  const { model, tb } = ctx;
  if (model.attach.kind !== 'bpf-veth') return;
  const vxlan = model.interHost?.kind === 'vxlan-bpf' ? model.interHost : undefined;
  const { objectPath } = await timed(ctx, 'bpf-compile', SOURCE, () => compileBpf(SOURCE, CACHE));
  tb.bpffs ??= await mountBpffs(tb.prefix);
  for (const node of tb.nodes) {
    const pods = podsOn(tb, node.name);
    const nodeLinks = await listLinks(node.ns);
    const updates: MapUpdate[] = [];
    const lxcDevs: string[] = [];
    for (const pod of pods) {
      const lxc = must(nodeLinks.get(must(pod.hostIf, `${pod.name} host veth`)), `${pod.hostIf} in ${node.ns}`);
      const eth0 = must((await listLinks(pod.ns)).get('eth0'), `eth0 in ${pod.ns}`);
      updates.push(endpointEntry(must(pod.ip, `${pod.name} address`), { ifindex: lxc.ifindex, podMac: eth0.mac, lxcMac: lxc.mac }));
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
  await timed(ctx, 'bpf-endpoint-map', pod.ns, () => applyMapUpdates(pinDir, [endpointEntry(must(pod.ip, `${pod.name} address`), { ifindex: lxc.ifindex, podMac: eth0.mac, lxcMac: lxc.mac })]));
  await timed(ctx, 'bpf-attach', lxc.name, () => attachIngressAll(node.ns, [{ dev: lxc.name, progPin: datapathPins(pinDir).progs.fromContainer }]));
  await timed(ctx, 'bpf-gateway-neigh', pod.ns, () => ipBatch(pod.ns, [`neigh add ${hostAddress(node.podCidr, 1)} lladdr ${lxc.mac} dev eth0 nud permanent`]));
}

/** The endpoint leaves the map when its pod is deleted. */
export async function removeBpfEndpoint(ctx: BuildContext, pod: PodInfo): Promise<void> {
  const pinDir = join(must(ctx.tb.bpffs, 'bpffs mount'), pod.node);
  await timed(ctx, 'bpf-endpoint-map', pod.ns, () => applyMapUpdates(pinDir, [endpointDeletion(must(pod.ip, `${pod.name} address`))]));
}

export async function readBpfCounters(tb: Testbed, node: NodeName): Promise<Counters> {
  return readCounters(join(must(tb.bpffs, 'bpffs mount'), node));
}

export async function teardownBpf(tb: Testbed): Promise<void> {
  if (tb.bpffs) await unmountBpffs(tb.prefix);
}

