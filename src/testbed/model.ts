// The vocabulary of a datapath model: a CNI's datapath described as data, from which the testbed is built and Fig. 1 drawn.
// What each kind of attach, inter-host path or policy means in practice lives in its module under ./kinds/.

export const SCENARIOS = ['intra', 'inter'] as const;
/** intra = two pods on node-a; inter = a pod on node-a to a pod on node-b. */
export type Scenario = (typeof SCENARIOS)[number];

/** Kernel features a model may need; each is probed, never assumed. */
export type KernelFeature = 'veth' | 'bridge' | 'vxlan' | 'ipip' | 'tun' | 'tc-bpf' | 'iptables' | 'ipset' | 'br-netfilter' | 'nftables' | 'ipvs' | 'cgroup-bpf';

/** How a pod's network namespace is joined to its node. */
export type PodAttach =
  /** Reference CNI `bridge` plugin (CNI protocol, host-local IPAM): veth into a Linux bridge that is the pods' gateway. */
  | { kind: 'bridge'; bridge: string; gateway: boolean }
  /** Calico-style L3 attach: veth `cali…`, pod /32 with a link-local default gateway answered by proxy-ARP, a /32 host route. */
  | { kind: 'routed-veth'; hostPrefix: string }
  /** Cilium-style: veth `lxc…` whose host side carries a tc-eBPF program that redirects by map lookup. */
  | { kind: 'bpf-veth'; hostPrefix: string }
  /** Reference point: the two pods share one veth pair and nothing else. */
  | { kind: 'direct-veth' }
  /** Reference point: no pod at all; traffic runs between the node namespaces. */
  | { kind: 'host' };

/** How node-a reaches pods on node-b. */
export type InterHost =
  /** Kernel VXLAN device with static FDB/neighbour entries (flannel.1, vxlan.calico). Reached by IP forwarding. */
  | { kind: 'vxlan'; device: string; vni: number; port: number }
  /** Weave fast datapath stand-in: pod bridge → extra veth pair → second bridge (for OVS) → VXLAN port. */
  | { kind: 'vxlan-bridged'; device: string; vni: number; port: number; datapathBridge: string }
  /** flannel's UDP backend: TUN device + user-space UDP encapsulation (socat stands in for flanneld). */
  | { kind: 'udp-tun'; device: string; port: number }
  /** IP-in-IP tunnel (Calico). */
  | { kind: 'ipip'; device: string }
  /** Cilium: collect-metadata VXLAN device, tunnel key set by the BPF program. */
  | { kind: 'vxlan-bpf'; device: string; vni: number; port: number }
  /** Native routing over the underlay: a route per remote pod CIDR via the other node. */
  | { kind: 'native' }
  /** Reference point: node to node over the wire. */
  | { kind: 'wire' };

export type Policy =
  | { kind: 'none' }
  | { kind: 'calico'; perWorkloadPolicy: boolean }
  | { kind: 'weave-npc' }
  | { kind: 'kube-router' }
  /** Cilium's policy in the BPF datapath: an ipcache of identities and a policy map per endpoint (bpf-veth attach only). */
  | { kind: 'cilium-bpf' };

/** Extra policy routing (kube-router): a rule sends lookups for traffic from local pods through a custom table first. */
export interface PolicyRouting {
  table: number;
  tableName: string;
  priority: number;
}

export interface ModelDescription {
  id: string;
  /** The CNI this model stands for (Table I), or a reference point. */
  cni: 'flannel' | 'weave' | 'cilium' | 'calico' | 'kube-router' | 'reference';
  /** Short label for charts, e.g. "Cali-wp-xsub". */
  label: string;
  /** One sentence on what the datapath is. */
  summary: string;
  scenarios: readonly Scenario[];
  attach: PodAttach;
  /** Absent for models that have no inter-host path (baseline). */
  interHost?: InterHost;
  policy: Policy;
  policyRouting?: PolicyRouting;
  /** MTU of pod interfaces (the real CNI's default for this encapsulation). */
  podMtu: number;
  /** The pod CIDR scheme: per-node /24s, or one flat L2 subnet for Weave. */
  addressing: 'per-node' | 'flat';
  /** What this model emulates or substitutes, shown wherever its results show. */
  emulation: readonly string[];
}
