// Weave's network-policy controller: WEAVE-NPC chains and ipsets on the bridged path (br_netfilter on), rendered by
// src/testbed/policy/weave.ts.
import { weaveNpcRuleset } from '../../policy/weave.ts';
import { type PolicyKind, bridgeOf, byId, chainProbes } from './kind.ts';

export const weaveNpc: PolicyKind<'weave-npc'> = {
  kind: 'weave-npc',
  features: (model) => ['iptables', 'ipset', ...(model.attach.kind === 'bridge' ? (['br-netfilter'] as const) : [])],
  scales: () => true,
  iptables: true,
  probes: (spec, kit, scenario, tb) => chainProbes(spec.kind, kit, scenario, tb),
  ruleset: (_spec, model, tb, _node, pods) => weaveNpcRuleset({ bridge: bridgeOf(model), pods, ...(tb.policyRules !== undefined ? { policyRules: tb.policyRules } : {}) }),
  box: () => ({ title: 'iptables (netfilter)', details: ['FORWARD → WEAVE-NPC-EGRESS', 'bridged traffic via br_netfilter'], hook: byId('bridge') }),
  words: () => 'WEAVE-NPC chains + ipsets',
};
