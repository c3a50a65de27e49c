// What one way of crossing between nodes (an inter-host kind) provides: everything the testbed, its checks, Fig. 1
// and the report need to know about it, in one module per kind (./vxlan.ts, ./udpTun.ts, …), gathered in ./index.ts
// where a kind without its module is a compile error.
import type { InterHost, KernelFeature, ModelDescription } from '../../model.ts';
import type { NodeInfo, NodeName } from '../../topology.ts';
import type { BuildContext } from '../../build/context.ts';
import type { Row } from '../fig1Rows.ts';
import type { ProbeKit } from '../probeKit.ts';

export type InterHostKindId = InterHost['kind'];
export type InterHostOf<K extends InterHostKindId> = Extract<InterHost, { kind: K }>;

export interface InterHostKind<K extends InterHostKindId> {
  kind: K;
  /** Kernel features the path needs (probed before a run; a missing one skips the model's inter-host items). */
  features: readonly KernelFeature[];
  /** Programs the local backend needs on PATH for it. */
  tools: readonly string[];
  /** What packets are wrapped in on the wire between the nodes (none: routed as they are). */
  encapsulation: 'vxlan' | 'ipip' | 'udp' | 'none';
  /** Whether a packet from a bridged pod leaves the bridge through the node's IP forwarding on its way out. */
  forwardsFromBridge: boolean;
  /** Builds the path on `node` toward `peer` (called once per node). */
  build(ctx: BuildContext, node: NodeInfo, peer: NodeInfo, spec: InterHostOf<K>): Promise<void>;
  /** The counters that prove an inter-host test took this path (and not another). */
  probes(spec: InterHostOf<K>, kit: ProbeKit): void;
  /** The route to the peer's pods that Fig. 1's IP-forwarding row shows, if the path adds one. */
  route(spec: InterHostOf<K>, remotePods: string, peerUnderlay: string): string | undefined;
  /** Fig. 1's rows between IP forwarding and eth0 on `node`. */
  rows(spec: InterHostOf<K>, model: ModelDescription, node: NodeName): Row[];
  /** The "Between nodes" words of the models table. */
  words(spec: InterHostOf<K>, model: ModelDescription): string;
}
