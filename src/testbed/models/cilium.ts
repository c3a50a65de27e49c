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

/**
 * Cilium with a NetworkPolicy selecting the pods, enforced in BPF: the same programs built with ENABLE_POLICY look the
 * sender's identity up in an ipcache and the receiving endpoint's policy map before every delivery to a pod.
 */
export const ciliumWp: ModelDescription = {
  ...cilium,
  id: 'cilium-wp',
  label: 'Cilium-wp',
  summary: 'Cilium\'s eBPF datapath with a network policy in BPF maps: ipcache identities and a policy map per endpoint, looked up before each delivery to a pod.',
  policy: { kind: 'cilium-bpf' },
  emulation: [
    ...cilium.emulation,
    'Policy as Cilium\'s maps hold it (cilium_ipcache_v2 and cilium_policy_v2 layouts, two LPM lookups as bpf/lib/policy.h): the sender\'s identity comes from an ipcache lookup of its address, where Cilium knows a local sender\'s and reads a remote one from the VXLAN VNI; one program finds each endpoint\'s map in an array of maps.',
    'No BPF connection tracking: every packet entering a selected pod is looked up, replies included (admitted by the rule for the namespace\'s pods); Cilium skips the policy for replies after a CT lookup of every packet.',
  ],
};
