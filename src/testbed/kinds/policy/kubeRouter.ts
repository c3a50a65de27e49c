// kube-router's network policy: KUBE-ROUTER-FORWARD and per-pod KUBE-POD-FW chains with ipsets on the bridged path
// (br_netfilter on), rendered by src/testbed/policy/kubeRouter.ts.
import { kubeRouterRuleset } from '../../policy/kubeRouter.ts';
import { type PolicyKind, bridgeOf, firstOf, chainProbes } from './kind.ts';

export const kubeRouter: PolicyKind<'kube-router'> = {
  kind: 'kube-router',
  features: (model) => ['iptables', 'ipset', ...(model.attach.kind === 'bridge' ? (['br-netfilter'] as const) : [])],
  scales: () => true,
  iptables: true,
  probes: (spec, kit, scenario, tb) => chainProbes(spec.kind, kit, scenario, tb),
  ruleset: (_spec, model, tb, _node, pods) =>
    kubeRouterRuleset({ bridge: bridgeOf(model), pods, podSubnets: tb.nodes.map((n) => n.podCidr), nodeIps: tb.nodes.map((n) => n.underlayIp), ...(tb.policyRules !== undefined ? { policyRules: tb.policyRules } : {}) }),
  box: () => ({ title: 'iptables (netfilter)', details: ['FORWARD', '→ KUBE-ROUTER-FORWARD', '→ KUBE-POD-FW-<pod>', 'bridged traffic via br_netfilter'], hook: firstOf('routing', 'bridge') }),
  words: () => 'KUBE-ROUTER chains + ipsets',
};
