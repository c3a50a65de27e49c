// How a datapath kind names the counters that prove a test took its path (src/testbed/verify.ts builds the probes).
import type { NodeName, PodInfo } from '../topology.ts';

/** The counters of cilium_like.c a probe may name (src/testbed/bpf/loader.ts COUNTER_INDEX). */
export type BpfProbeCounter = 'localRedirect' | 'tunnelEncap' | 'overlayRedirect' | 'policyAllow';

export interface ProbeKit {
  /**
   * A link counter of a node (or of a pod's namespace) that should move (most) or stay still (none), compared with
   * the end on its side of the path unless `side` says which.
   */
  link(id: string, what: string, at: NodeName | PodInfo, dev: string, field: 'rx_packets' | 'tx_packets', expect?: 'most' | 'none', side?: 'sent' | 'received'): void;
  /** The node's IP forwarding counter (Ip:ForwDatagrams). */
  forwarding(node: NodeName, expect: 'most' | 'none', what: string): void;
  /** A counter the BPF programs keep. */
  bpf(id: string, what: string, node: NodeName, counter: BpfProbeCounter): void;
  /** The packets counted by a node's iptables chains (`table:chain` keys), summed. */
  chains(id: string, what: string, node: NodeName, chains: readonly string[], side: 'sent' | 'received'): void;
}
