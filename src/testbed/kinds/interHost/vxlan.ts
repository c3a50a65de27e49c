// Kernel VXLAN device with static FDB and neighbour entries (flannel.1, vxlan.calico), reached by IP forwarding.
import { bridgeBatch, hostAddress, ipBatch } from '../../build/context.ts';
import type { NodeInfo } from '../../topology.ts';
import type { InterHostKind } from './kind.ts';
import { tunnelProbes } from './tunnelProbes.ts';

/** The VXLAN endpoint address of a node: the .0 of its pod CIDR, as flannel gives flannel.1. */
function vtepIp(node: NodeInfo): string {
  return hostAddress(node.podCidr, 0);
}

export const vxlan: InterHostKind<'vxlan'> = {
  kind: 'vxlan',
  features: ['vxlan'],
  tools: [],
  encapsulation: 'vxlan',
  forwardsFromBridge: true,
  async build(_ctx, node, peer, { device, vni, port }) {
    await ipBatch(node.ns, [
      `link add ${device} type vxlan id ${vni} local ${node.underlayIp} dev eth0 dstport ${port} nolearning`,
      `link set ${device} address ${node.tunnelMac} mtu 1450 up`,
      `addr add ${vtepIp(node)}/32 dev ${device}`,
      `neigh add ${vtepIp(peer)} lladdr ${peer.tunnelMac} dev ${device} nud permanent`,
      `route add ${peer.podCidr} via ${vtepIp(peer)} dev ${device} onlink`,
    ]);
    await bridgeBatch(node.ns, [`fdb append ${peer.tunnelMac} dev ${device} dst ${peer.underlayIp}`]);
  },
  probes({ device }, kit) {
    kit.forwarding('node-a', 'most', 'node-a IP-forwarded into the tunnel');
    tunnelProbes(kit, device);
  },
  route: ({ device }, remote) => `route ${remote} via ${device}`,
  rows: ({ device, vni, port }) => [{ id: 'tunnel', kind: 'vxlan', span: true, title: device, details: [`VXLAN, VNI ${vni}, UDP ${port}`] }],
  words: ({ device }) => `IP forwarding to VXLAN ${device}`,
};
