// Weave Net: one flat L2 pod subnet over the `weave` bridge; the fast datapath (an OVS datapath reached by the
// vethwe-bridge/vethwe-datapath pair, VXLAN between peers) and weave-npc's iptables + ipset policy.
import type { ModelDescription } from '../model.ts';

export const weave: ModelDescription = {
  id: 'weave',
  cni: 'weave',
  label: 'Weave',
  summary: 'Hybrid + overlay: weave bridge, an extra veth pair into the datapath, VXLAN between nodes; WEAVE-NPC chains.',
  scenarios: ['intra', 'inter'],
  attach: { kind: 'bridge', bridge: 'weave', gateway: false },
  interHost: { kind: 'vxlan-bridged', device: 'vxlan-6784', vni: 1, port: 6784, datapathBridge: 'datapath' },
  policy: { kind: 'weave-npc' },
  podMtu: 1376,
  addressing: 'flat',
  emulation: [
    'The kernel has no openvswitch: the OVS datapath is replaced by a Linux bridge named "datapath" with the VXLAN port on it.',
    'Pods are attached with the reference bridge plugin rather than weave\'s own CNI binary (same veth-to-bridge result).',
  ],
};
