// What one way of joining a pod to its node (an attach kind) provides: its kernel features and tools, how a pod is
// attached and detached, the counters that prove a test took it, Fig. 1's rows and the models table's words. One
// module per kind, gathered in ./index.ts where a kind without its module is a compile error.
import type { KernelFeature, ModelDescription, PodAttach, Scenario } from '../../model.ts';
import type { NodeName, PodInfo } from '../../topology.ts';
import type { BuildContext } from '../../build/context.ts';
import type { Row } from '../fig1Rows.ts';
import type { ProbeKit } from '../probeKit.ts';

export type AttachKindId = PodAttach['kind'];
export type AttachOf<K extends AttachKindId> = Extract<PodAttach, { kind: K }>;

/** The pods a probe may name: the client (a1) and the scenario's server pod, with their host-side interfaces. */
export interface ProbePods {
  client: PodInfo;
  server: PodInfo;
}

export interface AttachKind<K extends AttachKindId> {
  kind: K;
  features: readonly KernelFeature[];
  /** Programs the local backend needs on PATH for it. */
  tools: readonly string[];
  /** Whether it runs the reference CNI plugins (bridge, host-local IPAM) from /usr/lib/cni. */
  cniPlugins: boolean;
  /** Attaches every pod of a fresh testbed (after the nodes exist, before the inter-host path). */
  attachAll(ctx: BuildContext, spec: AttachOf<K>): Promise<void>;
  /** Attaches one pod (a launch); `index` picks the address of routed models (10 + index). */
  attach(ctx: BuildContext, pod: PodInfo, index: number, spec: AttachOf<K>): Promise<void>;
  /** Undoes attach for one pod. */
  detach(ctx: BuildContext, pod: PodInfo, spec: AttachOf<K>): Promise<void>;
  /** Whether pods must be detached one by one before their namespaces go (CNI DEL frees IPAM leases). */
  detachBeforeTeardown: boolean;
  /**
   * The counters that prove a test took this attach. Returns false when the model's probes end here (a reference
   * point has no node path to check beyond its own).
   */
  probes(spec: AttachOf<K>, kit: ProbeKit, scenario: Scenario, pods: ProbePods | undefined): boolean;
  /** What the attach puts in the node's routing table, in Fig. 1's words. */
  routes: readonly string[];
  /** Whether a packet crosses the node's IP forwarding in the scenario (with the model's inter-host path). */
  forwards(spec: AttachOf<K>, model: ModelDescription, scenario: Scenario): boolean;
  /** Fig. 1's rows of the attach on `node`, top (below the pods) down to where routing starts. */
  rows(spec: AttachOf<K>, model: ModelDescription, scenario: Scenario, node: NodeName): Row[];
  /** The "Within a node" words of the models table. */
  words(spec: AttachOf<K>, model: ModelDescription): string;
}
