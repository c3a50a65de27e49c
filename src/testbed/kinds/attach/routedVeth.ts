// Calico's L3 attach: a veth `cali…` per pod (MAC ee:ee:ee:ee:ee:ee, proxy-ARP, no address on the host side), the
// pod's /32 with a link-local default gateway answered by proxy-ARP, and a /32 host route per pod. The node routes
// every packet, within the node too.
import { createHash } from 'node:crypto';
import type { PodInfo } from '../../topology.ts';
import { type BuildContext, hostAddress, ipBatch, nodeOf, sysctl, timed } from '../../build/context.ts';
import { hostVethProbes } from './hostVethProbes.ts';
import type { AttachKind } from './kind.ts';

/** Calico and Cilium name host-side veths from a hash of the workload: prefix + 11 hex digits. */
function hostIfName(prefix: string, pod: PodInfo): string {
  return prefix + createHash('sha1').update(pod.ns).digest('hex').slice(0, 15 - prefix.length);
}

/**
 * A veth per pod with a /32 address: Calico's gateway is 169.254.1.1 answered by proxy-ARP with a /32 host route per
 * pod; Cilium (`bpf`) differs only in the gateway (the node's .1, a static neighbour) and in having no proxy-ARP:
 * its BPF program, not the host stack, forwards.
 */
export async function attachRoutedVeth(ctx: BuildContext, pod: PodInfo, index: number, prefix: string, bpf: boolean): Promise<void> {
  const node = nodeOf(ctx.tb, pod.node);
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

/** Every pod of the testbed attached as attachRoutedVeth does, in order (the index numbers their addresses). */
export async function attachAllRoutedVeth(ctx: BuildContext, prefix: string, bpf: boolean): Promise<void> {
  for (const [index, pod] of ctx.tb.pods.entries()) await attachRoutedVeth(ctx, pod, index, prefix, bpf);
}

/** Deleting one end of a veth deletes both; the /32 route through it goes with the device. */
export async function deleteHostVeth(ctx: BuildContext, pod: PodInfo): Promise<void> {
  if (!pod.hostIf) return;
  const node = nodeOf(ctx.tb, pod.node);
  await timed(ctx, 'veth-del', pod.ns, () => ipBatch(node.ns, [`link del ${pod.hostIf}`]));
}

export const routedVeth: AttachKind<'routed-veth'> = {
  kind: 'routed-veth',
  features: [],
  tools: [],
  cniPlugins: false,
  async attachAll(ctx, spec) {
    // Proxy-ARP answers for 169.254.1.1 only if the node has a route to it through another interface. On a real
    // Calico node the default route provides it; our nodes have no default route (nothing may leave), so the
    // gateway address gets its own route toward the wire.
    for (const node of ctx.tb.nodes) await ipBatch(node.ns, ['route add 169.254.1.1/32 dev eth0']);
    await attachAllRoutedVeth(ctx, spec.hostPrefix, false);
  },
  attach: (ctx, pod, index, spec) => attachRoutedVeth(ctx, pod, index, spec.hostPrefix, false),
  detach: (ctx, pod) => deleteHostVeth(ctx, pod),
  detachBeforeTeardown: false,
  probes(_spec, kit, scenario, pods) {
    hostVethProbes(kit, pods, { expect: 'most', what: `${pods?.server.node} delivered to ${pods?.server.name} through ${pods?.server.hostIf}` });
    if (scenario === 'intra') kit.forwarding('node-a', 'most', 'routed by the node (L3), not bridged');
    return true;
  },
  routes: ['/32 route per local pod'],
  forwards: () => true,
  rows: (spec) => [{ id: 'veth', kind: 'veth', span: false, title: `${spec.hostPrefix}… (host side)`, details: ['proxy-ARP, /32 host route'] }],
  words: () => 'L3: host routing between veths (/32 routes, proxy-ARP)',
};
