// Pod attach: joins each pod namespace to its node the way the model's CNI does (reference CNI plugin where it
// matches the real CNI, otherwise the same links, addresses and routes the CNI's own binary makes).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { invokeCni, type CniResult } from '../cni.ts';
import type { PodInfo } from '../topology.ts';
import { type BuildContext, hostAddress, ipBatch, nodeOf, sysctl, timed } from './context.ts';

/** Calico and Cilium name host-side veths from a hash of the workload: prefix + 11 hex digits. */
export function hostIfName(prefix: string, pod: PodInfo): string {
  return prefix + createHash('sha1').update(pod.ns).digest('hex').slice(0, 15 - prefix.length);
}

export function bridgeCniConfig(ctx: BuildContext, pod: PodInfo): Record<string, unknown> {
  const { model, tb } = ctx;
  if (model.attach.kind !== 'bridge') throw new Error(`${model.id} does not attach pods to a bridge`);
  const node = nodeOf(tb, pod.node);
  const flat = model.addressing === 'flat';
  // Weave's flat subnet is shared by both nodes: each node allocates from its own slice of it.
  const range = flat
    ? { subnet: node.podCidr, rangeStart: `10.32.${node.name === 'node-a' ? 0 : 1}.10`, rangeEnd: `10.32.${node.name === 'node-a' ? 0 : 1}.250` }
    : { subnet: node.podCidr };
  return {
    cniVersion: '1.0.0',
    name: `cnibench-${model.id}`,
    type: 'bridge',
    bridge: model.attach.bridge,
    isGateway: model.attach.gateway,
    isDefaultGateway: model.attach.gateway,
    ipMasq: false,
    hairpinMode: true,
    mtu: pod.mtu,
    ipam: { type: 'host-local', ranges: [[range]], dataDir: join(tb.ipamDir, node.name) },
  };
}

function applyCniResult(pod: PodInfo, result: CniResult | undefined): void {
  const ip = result?.ips?.[0]?.address;
  const hostIf = result?.interfaces?.find((i) => !i.sandbox && i.name !== undefined && i.mac !== undefined && i.name.startsWith('veth'));
  if (!ip || !hostIf) throw new Error(`CNI bridge ADD for ${pod.name} returned no address or host veth: ${JSON.stringify(result)}`);
  pod.ip = ip.split('/')[0];
  pod.hostIf = hostIf.name;
}

async function attachBridge(ctx: BuildContext, pod: PodInfo): Promise<void> {
  const node = nodeOf(ctx.tb, pod.node);
  const { result } = await timed(ctx, 'cni-add', pod.ns, () =>
    invokeCni({ command: 'ADD', config: bridgeCniConfig(ctx, pod), containerId: pod.ns, nodeNs: node.ns, podNetnsPath: `/run/netns/${pod.ns}`, ifName: 'eth0' }),
  );
  applyCniResult(pod, result);
}

/**
 * Calico: veth `cali…` (MAC ee:ee:ee:ee:ee:ee, proxy-ARP on, no address), pod /32 with default via 169.254.1.1,
 * a /32 host route per pod. Cilium differs only in the gateway (the node's .1, a static neighbour) and in having
 * no proxy-ARP: its BPF program, not the host stack, forwards.
 */
async function attachRoutedVeth(ctx: BuildContext, pod: PodInfo, index: number, bpf: boolean): Promise<void> {
  const { model, tb } = ctx;
  const node = nodeOf(tb, pod.node);
  const prefix = model.attach.kind === 'routed-veth' || model.attach.kind === 'bpf-veth' ? model.attach.hostPrefix : 'veth';
  const hostIf = hostIfName(prefix, pod);
  const ip = hostAddress(node.podCidr, 10 + index);
  const gateway = bpf ? hostAddress(node.podCidr, 1) : '169.254.1.1';
  pod.ip = ip;
  pod.hostIf = hostIf;
  await timed(ctx, 'veth', pod.ns, async () => {
    await ipBatch(node.ns, [
      `link add ${hostIf} mtu ${pod.mtu} type veth peer name eth0 netns ${pod.ns}`,
      ...(bpf ? [] : [`link set ${hostIf} address ee:ee:ee:ee:ee:ee`]),
      `link set ${hostIf} up`,
      ...(bpf ? [] : [`route add ${ip}/32 dev ${hostIf} scope link`]),
    ]);
    if (!bpf) await sysctl(node.ns, { [`net.ipv4.conf.${hostIf}.proxy_arp`]: 1, [`net.ipv4.neigh.${hostIf}.proxy_delay`]: 0 });
  });
  await timed(ctx, 'pod-addr', pod.ns, () =>
    ipBatch(pod.ns, [
      `addr add ${ip}/32 dev eth0`,
      `link set eth0 mtu ${pod.mtu} up`,
      `route add ${gateway} dev eth0 scope link`,
      `route add default via ${gateway} dev eth0`,
    ]),
  );
}

/** The baseline: pod a1 and a2 share one veth pair. */
async function attachDirect(ctx: BuildContext): Promise<void> {
  const [a1, a2] = ctx.tb.pods;
  if (!a1 || !a2) throw new Error('baseline needs two pods');
  a1.ip = '10.99.0.1';
  a2.ip = '10.99.0.2';
  a1.hostIf = a2.hostIf = 'eth0';
  await timed(ctx, 'veth', `${a1.ns}<->${a2.ns}`, async () => {
    await ipBatch(a1.ns, [`link add eth0 type veth peer name eth0 netns ${a2.ns}`, `addr add ${a1.ip}/24 dev eth0`, 'link set eth0 up']);
    await ipBatch(a2.ns, [`addr add ${a2.ip}/24 dev eth0`, 'link set eth0 up']);
  });
}

export async function attachPods(ctx: BuildContext): Promise<void> {
  const { attach } = ctx.model;
  if (attach.kind === 'host') return;
  if (attach.kind === 'direct-veth') return attachDirect(ctx);
  if (attach.kind === 'routed-veth') {
    // Proxy-ARP answers for 169.254.1.1 only if the node has a route to it through another interface. On a real
    // Calico node the default route provides it; our nodes have no default route (nothing may leave), so the
    // gateway address gets its own route toward the wire.
    for (const node of ctx.tb.nodes) await ipBatch(node.ns, ['route add 169.254.1.1/32 dev eth0']);
  }
  let index = 0;
  for (const pod of ctx.tb.pods) await attachPod(ctx, pod, index++);
}

/** Joins one pod to its node as the model's CNI does; `index` picks the address of routed models (10 + index). */
export async function attachPod(ctx: BuildContext, pod: PodInfo, index: number): Promise<void> {
  const { attach } = ctx.model;
  if (attach.kind === 'bridge') await attachBridge(ctx, pod);
  else if (attach.kind === 'routed-veth' || attach.kind === 'bpf-veth') await attachRoutedVeth(ctx, pod, index, attach.kind === 'bpf-veth');
  else throw new Error(`${ctx.model.id} attaches no pods of its own`);
}

/** Undoes attachPod for one pod: CNI DEL for bridge models; routed models remove the host veth and its /32 route. */
export async function detachPod(ctx: BuildContext, pod: PodInfo): Promise<void> {
  const node = nodeOf(ctx.tb, pod.node);
  if (ctx.model.attach.kind === 'bridge') {
    await timed(ctx, 'cni-del', pod.ns, () =>
      invokeCni({ command: 'DEL', config: bridgeCniConfig(ctx, pod), containerId: pod.ns, nodeNs: node.ns, podNetnsPath: `/run/netns/${pod.ns}`, ifName: 'eth0' }),
    );
  } else if (pod.hostIf) {
    // Deleting one end of a veth deletes both; the /32 route through it goes with the device.
    await timed(ctx, 'veth-del', pod.ns, () => ipBatch(node.ns, [`link del ${pod.hostIf}`]));
  }
}

/** CNI DEL for bridge-attached pods (frees their host-local leases); other attaches vanish with their namespaces. */
export async function detachPods(ctx: BuildContext): Promise<void> {
  if (ctx.model.attach.kind !== 'bridge') return;
  for (const pod of ctx.tb.pods) await detachPod(ctx, pod);
}
