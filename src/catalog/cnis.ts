// What is known about each CNI: the study's Table I (its facts, restated), and what has changed since, with sources.

export type CniId = 'flannel' | 'weave' | 'cilium' | 'calico' | 'kube-router';

export interface CniFeatures {
  id: CniId;
  name: string;
  /** Table I, as the study reports it (2020). */
  study: {
    networkModel: string;
    tunneling: string;
    networkPolicy: boolean;
    additional: string;
  };
  /** Developments after the study, each with where it can be checked. */
  since: { note: string; source: string }[];
  /** The models in this project that stand for the CNI. */
  models: string[];
}

export const CNI_CATALOG: readonly CniFeatures[] = [
  {
    id: 'flannel',
    name: 'Flannel',
    study: { networkModel: 'Hybrid + underlay/overlay', tunneling: 'VXLAN, UDP', networkPolicy: false, additional: '—' },
    since: [
      {
        note: 'VXLAN stays the recommended backend, host-gw the routed one; the UDP backend is documented as for debugging only, and a WireGuard backend has been added.',
        source: 'https://github.com/flannel-io/flannel/blob/master/Documentation/backends.md',
      },
    ],
    models: ['flannel', 'flannel-udp'],
  },
  {
    id: 'weave',
    name: 'Weave Net',
    study: { networkModel: 'Hybrid + overlay', tunneling: 'VXLAN, UDP', networkPolicy: true, additional: 'Multicast, encryption' },
    since: [
      { note: 'Weaveworks, its maintainer, closed in 2024 and the weave repository was archived: no further releases.', source: 'https://github.com/weaveworks/weave' },
    ],
    models: ['weave'],
  },
  {
    id: 'cilium',
    name: 'Cilium',
    study: { networkModel: 'L3 + underlay/overlay', tunneling: 'VXLAN, Geneve', networkPolicy: true, additional: 'IPv6, encryption' },
    since: [
      { note: 'Can replace kube-proxy entirely in eBPF and route on the host in eBPF (bypassing netfilter); encryption with IPsec or WireGuard.', source: 'https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/' },
    ],
    models: ['cilium'],
  },
  {
    id: 'calico',
    name: 'Calico',
    study: { networkModel: 'L3 + underlay/overlay', tunneling: 'IP-in-IP, VXLAN', networkPolicy: true, additional: 'IPv6' },
    since: [
      { note: 'Offers an eBPF data plane as an alternative to iptables (and an nftables one), and WireGuard encryption.', source: 'https://docs.tigera.io/calico/latest/operations/ebpf/' },
    ],
    models: ['calico-np', 'calico-wp', 'calico-np-ipip', 'calico-wp-ipip', 'calico-np-vxlan', 'calico-wp-vxlan'],
  },
  {
    id: 'kube-router',
    name: 'Kube-router',
    study: { networkModel: 'Hybrid + underlay/overlay', tunneling: 'IP-in-IP, GRE', networkPolicy: true, additional: 'IPVS/LVS service proxy' },
    since: [
      { note: 'Still pairs a bridge CNI with BGP-learned routes, an IPVS service proxy (with direct server return) and iptables + ipset policy.', source: 'https://www.kube-router.io/docs/' },
    ],
    models: ['kube-router'],
  },
];
