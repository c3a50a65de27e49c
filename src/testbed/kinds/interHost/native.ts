// Native routing over the underlay: a route per remote pod CIDR via the other node, packets unencapsulated.
import { ipBatch } from '../../build/context.ts';
import type { InterHostKind } from './kind.ts';

export const native: InterHostKind<'native'> = {
  kind: 'native',
  features: [],
  tools: [],
  encapsulation: 'none',
  forwardsFromBridge: true,
  async build(_ctx, node, peer) {
    await ipBatch(node.ns, [`route add ${peer.podCidr} via ${peer.underlayIp} dev eth0`]);
  },
  probes(_spec, kit) {
    kit.forwarding('node-a', 'most', 'node-a IP-forwarded to node-b');
    kit.forwarding('node-b', 'most', 'node-b IP-forwarded to the pod');
    kit.link('node-a:eth0:tx', 'node-a sent over the wire unencapsulated', 'node-a', 'eth0', 'tx_packets');
  },
  route: (_spec, remote, peerUnderlay) => `route ${remote} via ${peerUnderlay} dev eth0`,
  rows: () => [],
  words: (_spec, model) => `native routing${model.policyRouting ? ` + policy-routing table ${model.policyRouting.tableName}` : ''}`,
};
