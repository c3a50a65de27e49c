// Calico's Felix chains (cali-PREROUTING, cali-FORWARD, cali-from-wl-dispatch, cali-fw-<veth>) and, for calico-wp*,
// a per-workload policy of --calico-rules rules — rendered by src/testbed/policy/calico.ts from Felix's own layout.
import { calicoRuleset } from '../../policy/calico/index.ts';
import { interHostKind } from '../interHost/index.ts';
import { type PolicyKind, byId, chainProbes } from './kind.ts';

export const calico: PolicyKind<'calico'> = {
  kind: 'calico',
  features: () => ['iptables', 'ipset'],
  scales: (spec) => spec.perWorkloadPolicy,
  iptables: true,
  probes: (spec, kit, scenario, tb) => chainProbes(spec.kind, kit, scenario, tb),
  ruleset(spec, model, tb, _node, pods) {
    // Felix allows the encapsulation the pool uses (its ipipMode/vxlanMode) from the other nodes.
    const e = model.interHost ? interHostKind(model.interHost).encapsulation : 'none';
    const encap = e === 'ipip' || e === 'vxlan' ? e : 'none';
    return calicoRuleset({ policy: spec.perWorkloadPolicy, workloads: pods, rules: tb.calicoRules, ...(spec.perWorkloadPolicy && tb.policyRules !== undefined ? { policyRules: tb.policyRules } : {}), encap, ipPool: '10.244.0.0/16', hostIps: tb.nodes.map((n) => n.underlayIp) });
  },
  box: (spec) => ({
    title: 'iptables (netfilter)',
    // One chain hop a line, so the lane's wrapping never splits a chain name.
    details: [
      'raw, mangle: cali-PREROUTING',
      'FORWARD → cali-FORWARD',
      '→ cali-from-wl-dispatch',
      '→ cali-fw-<pod veth>',
      spec.perWorkloadPolicy ? 'per-workload policy on a node with many endpoints' : 'Felix base chains, no policy',
    ],
    hook: byId('routing'),
  }),
  words: (spec) => (spec.perWorkloadPolicy ? 'Felix-like chains + per-workload policy' : 'Felix-like chains, no workload policy'),
};
