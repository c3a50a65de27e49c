// Cilium's tunnel: a collect-metadata VXLAN device whose tunnel key the BPF program sets (src/testbed/build/bpf.ts);
// the program redirects into it and, on the peer, from it to the pod. No IP forwarding on the way.
import { ipBatch } from '../../build/context.ts';
import type { InterHostKind } from './kind.ts';

export const vxlanBpf: InterHostKind<'vxlan-bpf'> = {
  kind: 'vxlan-bpf',
  features: ['vxlan'],
  tools: [],
  encapsulation: 'vxlan',
  forwardsFromBridge: false,
  async build(_ctx, node, _peer, { device, port }) {
    await ipBatch(node.ns, [`link add ${device} type vxlan external dstport ${port}`, `link set ${device} up`]);
  },
  probes({ device }, kit) {
    kit.bpf('node-a:bpf:encap', 'BPF set the tunnel key and redirected to VXLAN', 'node-a', 'tunnelEncap');
    kit.bpf('node-b:bpf:overlay', 'BPF redirected from VXLAN to the pod', 'node-b', 'overlayRedirect');
    kit.link('node-a:tunnel:tx', `node-a sent through ${device}`, 'node-a', device, 'tx_packets');
    kit.forwarding('node-a', 'none', 'no IP forwarding on the BPF path');
  },
  route: () => undefined,
  rows: ({ device, port }, _model, node) => [
    { id: 'tunnel', kind: 'vxlan', span: true, title: device, details: [`VXLAN collect-md, UDP ${port}`], bpf: node === 'node-b' ? 'tc ingress BPF: redirect to pod' : 'tc ingress BPF' },
  ],
  words: ({ device }) => `eBPF → collect-metadata VXLAN ${device}`,
};
