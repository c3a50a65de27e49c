// Every policy kind, by id. A kind added to Policy (src/testbed/model.ts) without a module here does not compile;
// docs/adding-a-model.md walks through adding one.
import type { Policy } from '../../model.ts';
import type { PolicyKind, PolicyKindId } from './kind.ts';
import { calico } from './calico.ts';
import { ciliumBpf } from './ciliumBpf.ts';
import { kubeRouter } from './kubeRouter.ts';
import { none } from './none.ts';
import { weaveNpc } from './weaveNpc.ts';

export const POLICY_KINDS = {
  none,
  calico,
  'weave-npc': weaveNpc,
  'kube-router': kubeRouter,
  'cilium-bpf': ciliumBpf,
} satisfies { [K in PolicyKindId]: PolicyKind<K> };

/** What a model's policy is made of, as the policy tables name it: iptables rules and IP sets, or BPF map entries. */
export function policyForm(spec: Policy): 'iptables' | 'bpf-maps' {
  return POLICY_KINDS[spec.kind].bpf ? 'bpf-maps' : 'iptables';
}

/** The module of a model's policy, typed for its spec. */
export function policyKind<K extends PolicyKindId>(spec: Extract<Policy, { kind: K }>): PolicyKind<K> {
  return POLICY_KINDS[spec.kind] as unknown as PolicyKind<K>;
}

export type { BpfPolicy, LocalPod, PolicyBox, PolicyKind, PolicyKindId } from './kind.ts';
