// Cilium in tunnel mode: no bridge and no iptables; tc-eBPF on each pod's host veth looks the destination up in
// a map and redirects to the peer pod, or sets a tunnel key and hands the packet to a collect-metadata VXLAN device.
import type { ModelDescription } from '../model.ts';

export const cilium: ModelDescription = {
  id: 'cilium',
  cni: 'cilium',
  label: 'Cilium',
  summary: 'L3 + overlay in eBPF: tc programs redirect pod to pod by map lookup; cilium_vxlan (collect-md) between nodes.',
  scenarios: ['intra', 'inter'],
  attach: { kind: 'bpf-veth', hostPrefix: 'lxc' },
  interHost: { kind: 'vxlan-bpf', device: 'cilium_vxlan', vni: 2, port: 8472 },
  policy: { kind: 'none' },
  podMtu: 1450,
  addressing: 'per-node',
  emulation: [
    'Our own small tc-eBPF programs (endpoint map lookup + bpf_redirect_peer, tunnel-key set + redirect to cilium_vxlan) stand in for Cilium\'s bpf_lxc/bpf_overlay.',
    'Pods reach their gateway through a static neighbour entry; Cilium answers ARP from BPF.',
  ],
};
