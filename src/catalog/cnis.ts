// What is known about each CNI: the study's Table I (its facts, restated), and what has changed since, with sources.
// Which models stand for a CNI, and what policy they install, comes from the model descriptions themselves.
import type { ModelDescription } from '../testbed/model.ts';
import { policyKind } from '../testbed/kinds/policy/index.ts';
import { MODELS } from '../testbed/models/index.ts';

export type CniId = 'flannel' | 'weave' | 'cilium' | 'calico' | 'kube-router';

export interface CniFeatures {
  id: CniId;
  name: string;
  /** Table I, as the study reports it (2020). */
  study: {
    networkModel: string;
    tunneling: string;
    networkPolicy: boolean;
    additional: string;
  };
  /** Developments after the study, each with where it can be checked. */
  since: { note: string; source: string }[];
}

export const CNI_CATALOG: readonly CniFeatures[] = [
  {
    id: 'flannel',
    name: 'Flannel',
    study: { networkModel: 'Hybrid + underlay/overlay', tunneling: 'VXLAN, UDP', networkPolicy: false, additional: '—' },
    since: [
      {
        note: 'VXLAN stays the recommended backend, host-gw the routed one; the UDP backend is documented as for debugging only, and a WireGuard backend has been added.',
        source: 'https://github.com/flannel-io/flannel/blob/master/Documentation/backends.md',
      },
    ],
  },
  {
    id: 'weave',
    name: 'Weave Net',
    study: { networkModel: 'Hybrid + overlay', tunneling: 'VXLAN, UDP', networkPolicy: true, additional: 'Multicast, encryption' },
    since: [
      { note: 'Weaveworks, its maintainer, closed in 2024 and the weave repository was archived: no further releases.', source: 'https://github.com/weaveworks/weave' },
    ],
  },
  {
    id: 'cilium',
    name: 'Cilium',
    study: { networkModel: 'L3 + underlay/overlay', tunneling: 'VXLAN, Geneve', networkPolicy: true, additional: 'IPv6, encryption' },
    since: [
      { note: 'Can replace kube-proxy entirely in eBPF and route on the host in eBPF (bypassing netfilter); encryption with IPsec or WireGuard.', source: 'https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/' },
    ],
  },
  {
    id: 'calico',
    name: 'Calico',
    study: { networkModel: 'L3 + underlay/overlay', tunneling: 'IP-in-IP, VXLAN', networkPolicy: true, additional: 'IPv6' },
    since: [
      { note: 'Offers an eBPF data plane as an alternative to iptables (and an nftables one), and WireGuard encryption.', source: 'https://docs.tigera.io/calico/latest/operations/ebpf/' },
    ],
  },
  {
    id: 'kube-router',
    name: 'Kube-router',
    study: { networkModel: 'Hybrid + underlay/overlay', tunneling: 'IP-in-IP, GRE', networkPolicy: true, additional: 'IPVS/LVS service proxy' },
    since: [
      { note: 'Still pairs a bridge CNI with BGP-learned routes, an IPVS service proxy (with direct server return) and iptables + ipset policy.', source: 'https://www.kube-router.io/docs/' },
    ],
  },
];

/** The models that stand for a CNI, in registry order (each model names its CNI). */
export function modelsOf(cni: CniId): ModelDescription[] {
  return MODELS.filter((m) => m.cni === cni);
}

/**
 * Table I as plain text: the study's facts, then two columns derived from the model descriptions — which models
 * stand for the CNI, and the policy they install (so a CNI that has policy but whose models install none says so).
 */
export function tableIRows(): Record<string, string>[] {
  return CNI_CATALOG.map((c) => {
    const models = modelsOf(c.id);
    const policies = [...new Set(models.map((m) => policyKind(m.policy).words(m.policy, m)))];
    return {
      CNI: c.name,
      'Network model': c.study.networkModel,
      Tunnelling: c.study.tunneling,
      'Network policy': c.study.networkPolicy ? 'yes' : 'no',
      'Additional features': c.study.additional,
      'Models here': models.map((m) => m.label).join(', '),
      'Policy in the models': policies.join('; '),
    };
  });
}
