// IP-in-IP tunnel (Calico's IPIP mode): the kernel's tunl0 device, routes to the peer's pods through it.
import { hostAddress, ipBatch } from '../../build/context.ts';
import type { InterHostKind } from './kind.ts';
import { tunnelProbes } from './tunnelProbes.ts';

export const ipip: InterHostKind<'ipip'> = {
  kind: 'ipip',
  features: ['ipip'],
  tools: [],
  encapsulation: 'ipip',
  forwardsFromBridge: true,
  async build(_ctx, node, peer, { device }) {
    await ipBatch(node.ns, [
      `link set ${device} mtu 1480 up`,
      `addr add ${hostAddress(node.podCidr, 0)}/32 dev ${device}`,
      `route add ${peer.podCidr} via ${peer.underlayIp} dev ${device} onlink`,
    ]);
  },
  probes({ device }, kit) {
    kit.forwarding('node-a', 'most', 'node-a IP-forwarded into the tunnel');
    tunnelProbes(kit, device);
  },
  route: ({ device }, remote, peerUnderlay) => `route ${remote} via ${peerUnderlay} dev ${device}`,
  rows: ({ device }) => [{ id: 'tunnel', kind: 'ipip', span: true, title: device, details: ['IP-in-IP tunnel'] }],
  words: ({ device }) => `IP-in-IP ${device}`,
};
