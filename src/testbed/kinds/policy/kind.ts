// What one CNI's network policy (a policy kind) provides: the kernel features and tools it needs, the ruleset it
// installs in a node for the node's pods, Fig. 1's box for its chains and the models table's words. One module per
// kind, gathered in ./index.ts where a kind without its module is a compile error.
import type { KernelFeature, ModelDescription, Policy } from '../../model.ts';
import type { NodeName, Testbed } from '../../topology.ts';
import type { Ruleset } from '../../policy/index.ts';
import type { Row } from '../fig1Rows.ts';

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

export interface PolicyKind<K extends PolicyKindId> {
  kind: K;
  /** Kernel features it needs with the model's attach (bridged traffic needs br_netfilter to reach iptables). */
  features(model: ModelDescription): KernelFeature[];
  /** Whether --policy-rules N adds rules to the policy selecting the netperf pods (else the option leaves it alone). */
  scales(spec: PolicyOf<K>): boolean;
  /** Whether it installs iptables and ipset rules (the tools then needed depend on --iptables). */
  iptables: boolean;
  /** The ruleset it installs on a node for the pods there (undefined: none). */
  ruleset(spec: PolicyOf<K>, model: ModelDescription, tb: Testbed, node: NodeName, pods: LocalPod[]): Ruleset | undefined;
  box(spec: PolicyOf<K>): PolicyBox;
  /** The "Policy" words of the models table. */
  words(spec: PolicyOf<K>, model: ModelDescription): string;
}

export const byId = (id: string) => (rows: readonly Row[]) => rows.find((r) => r.id === id);
export const firstOf = (...ids: string[]) => (rows: readonly Row[]) => ids.map((id) => rows.find((r) => r.id === id)).find(Boolean);

/** The pod bridge a bridged policy filters (Weave, kube-router): the model must attach to a bridge. */
export function bridgeOf(model: ModelDescription): string {
  if (model.attach.kind !== 'bridge') throw new Error(`${model.id}: this policy filters bridged traffic but the model has no bridge`);
  return model.attach.bridge;
}
