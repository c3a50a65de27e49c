// What one CNI's network policy (a policy kind) provides: the kernel features and tools it needs, the ruleset it
// installs in a node for the node's pods, Fig. 1's box for its chains and the models table's words. One module per
// kind, gathered in ./index.ts where a kind without its module is a compile error.
import type { KernelFeature, ModelDescription, Policy, Scenario } from '../../model.ts';
import type { NodeName, Testbed } from '../../topology.ts';
import type { Ruleset } from '../../policy/index.ts';
import type { MapUpdate } from '../../bpf/loader.ts';
import type { Row } from '../fig1Rows.ts';
import type { ProbeKit } from '../probeKit.ts';

export type PolicyKindId = Policy['kind'];
export type PolicyOf<K extends PolicyKindId> = Extract<Policy, { kind: K }>;

/** A pod of the node as the rulesets see it: its address and its host-side interface. */
export interface LocalPod {
  ip: string;
  iface: string;
}

/** Fig. 1's box for the chains an established packet crosses, and the row they hook into. */
export interface PolicyBox {
  title: string;
  details: string[];
  hook: (rows: readonly Row[]) => Row | undefined;
}

/** A policy that lives in the BPF datapath's maps (Cilium's): how the programs are built and the maps filled for it. */
export interface BpfPolicy<K extends PolicyKindId> {
  /** Macros the datapath's programs are compiled with (cilium_like.c's ENABLE_POLICY). */
  defines: readonly string[];
  /** The policy fields of a pod's endpoint entry: its id and whether it enforces ingress policy. */
  endpoint(spec: PolicyOf<K>, podIp: string): { endpointId: number; ingress: boolean };
  /**
   * The map writes that put the policy in place on a node for the endpoints of `pods` (addresses), after `before`
   * (bpftool lines creating maps), and how many policy entries that is per endpoint. The node's whole ipcache is
   * written too, or with `ipcacheOf` (a pod launched) only those pods' entries.
   */
  maps(spec: PolicyOf<K>, tb: Testbed, node: NodeName, pods: readonly string[], ipcacheOf?: readonly string[]): { before: string[]; updates: MapUpdate[]; entriesPerEndpoint: number; ipcacheEntries: number };
}

export interface PolicyKind<K extends PolicyKindId> {
  kind: K;
  /** Kernel features it needs with the model's attach (bridged traffic needs br_netfilter to reach iptables). */
  features(model: ModelDescription): KernelFeature[];
  /** Whether --policy-rules N adds rules to the policy selecting the netperf pods (else the option leaves it alone). */
  scales(spec: PolicyOf<K>): boolean;
  /** The most --policy-rules it can hold, and why (absent: the generators' own limit, MAX_POLICY_RULES). */
  maxRules?: { rules: number; why: string };
  /** Whether it installs iptables and ipset rules (the tools then needed depend on --iptables). */
  iptables: boolean;
  /** Its form in the BPF datapath's maps, for a policy that is not iptables. */
  bpf?: BpfPolicy<K>;
  /** The ruleset it installs on a node for the pods there (undefined: none). */
  ruleset(spec: PolicyOf<K>, model: ModelDescription, tb: Testbed, node: NodeName, pods: LocalPod[]): Ruleset | undefined;
  /** The counters that prove a test's packets crossed the policy (the datapath check). */
  probes(spec: PolicyOf<K>, kit: ProbeKit, scenario: Scenario, tb: Testbed): void;
  box(spec: PolicyOf<K>): PolicyBox;
  /** The "Policy" words of the models table. */
  words(spec: PolicyOf<K>, model: ModelDescription): string;
}

export const byId = (id: string) => (rows: readonly Row[]) => rows.find((r) => r.id === id);
export const firstOf = (...ids: string[]) => (rows: readonly Row[]) => ids.map((id) => rows.find((r) => r.id === id)).find(Boolean);

/**
 * The probes of an iptables policy: on each node the test crosses, the chains an established packet of the test flow
 * matches in (the ruleset's perPacketChains, recorded per node) must have counted most of its packets.
 */
export function chainProbes(kind: string, kit: ProbeKit, scenario: Scenario, tb: Testbed): void {
  if (!tb.policy) return;
  const nodes: NodeName[] = scenario === 'intra' ? ['node-a'] : ['node-a', 'node-b'];
  for (const n of nodes) kit.chains(`${n}:iptables`, `packets crossed the ${kind} chains on ${n}`, n, tb.policy[n]?.perPacketChains ?? [], n === 'node-a' ? 'sent' : 'received');
}

/** The pod bridge a bridged policy filters (Weave, kube-router): the model must attach to a bridge. */
export function bridgeOf(model: ModelDescription): string {
  if (model.attach.kind !== 'bridge') throw new Error(`${model.id}: this policy filters bridged traffic but the model has no bridge`);
  return model.attach.bridge;
}
