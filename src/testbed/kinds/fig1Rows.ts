// The vocabulary of Fig. 1's node diagrams, shared by the datapath kinds (each says which rows it puts in a node) and
// the chart that lays them out (src/charts/datapathLayout.ts).
import type { PodName } from '../topology.ts';

/** What a box is; the figure colours each kind like the CPP component it stands for. */
export type BoxKind =
  | 'node' | 'pod' | 'iface' | 'veth' | 'bridge' | 'routing' | 'loopback' | 'process'
  | 'vxlan' | 'ipip' | 'tun' | 'ovs' | 'user' | 'bpf' | 'policy' | 'no-policy';

/** One row of a node: a box per pod column, or one box spanning the columns. */
export interface Row {
  id: string;
  kind: BoxKind;
  span: boolean;
  title: string;
  details: string[];
  /** A BPF program attached here (tc ingress), drawn as a badge inside the box. */
  bpf?: string;
  /** Whether the measured packet crosses this row in the column of `pod` (default: yes). */
  onPath?: (pod: PodName) => boolean;
}
