// Which CNI a cluster runs, from its DaemonSets (kube-system and the CNIs' own namespaces) and the annotations CNIs
// write on nodes; mapped to the ids of the local models where one matches, a generic id otherwise.
import type { NodeObject } from './nodes.ts';

export interface DaemonSetObject {
  metadata: { name: string; namespace?: string };
  spec?: { template?: { spec?: { containers?: { name: string; image?: string; env?: { name: string; value?: string }[] }[]; initContainers?: { name: string; image?: string }[] } } };
}

export interface CniDetection {
  /** Model id (flannel, flannel-udp, weave, cilium, calico-np, calico-np-ipip, calico-np-vxlan, kube-router) or a generic id. */
  id: string;
  /** What was seen, one line per clue. */
  evidence: string[];
}

/** A CNI id given with --cni on a cluster: lower-case letters, digits and '-'. */
export const CNI_ID = /^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/;

const UNKNOWN_CNI = 'unknown-cni';

interface Rule {
  id: string;
  /** DaemonSet name or container image pattern. */
  match: RegExp;
}

// Most specific first: canal bundles flannel and calico; Cilium may chain onto a cloud CNI.
const RULES: readonly Rule[] = [
  { id: 'canal', match: /(^|\/)canal\b/ },
  { id: 'cilium', match: /(^|\/)cilium(-agent)?(:|@|$)|cilium\/cilium\b/ },
  { id: 'calico', match: /(^|\/)calico-node\b|calico\/node\b/ },
  { id: 'weave', match: /(^|\/)weave-net\b|weaveworks\/weave-kube\b/ },
  { id: 'kube-router', match: /(^|\/)kube-router\b|cloudnativelabs\/kube-router\b/ },
  { id: 'flannel', match: /(^|\/)kube-flannel(-ds)?\b|flannel\/flannel\b|flannel-io\/flannel\b|coreos\/flannel\b/ },
  { id: 'antrea', match: /(^|\/)antrea-agent\b/ },
  { id: 'ovn-kubernetes', match: /(^|\/)ovnkube-node\b/ },
  { id: 'kindnet', match: /(^|\/)kindnet\b/ },
  { id: 'aws-vpc-cni', match: /(^|\/)aws-node\b|amazon-k8s-cni\b/ },
  { id: 'azure-cni', match: /(^|\/)azure-cns\b|azure-cni\b/ },
];

function env(ds: DaemonSetObject, name: string): string | undefined {
  for (const c of ds.spec?.template?.spec?.containers ?? []) {
    const v = c.env?.find((e) => e.name === name)?.value;
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Flannel's backend from the annotation flanneld writes on every node (k3s runs flannel inside k3s: no DaemonSet). */
function flannelBackend(nodes: NodeObject[]): string | undefined {
  return nodes.map((n) => n.metadata.annotations?.['flannel.alpha.coreos.com/backend-type']).find((v) => v);
}

function flannelId(backend: string | undefined): string {
  if (!backend || backend === 'vxlan') return 'flannel';
  if (backend === 'udp') return 'flannel-udp';
  return `flannel-${backend.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

/**
 * Calico's encapsulation from the tunnel addresses Calico annotates nodes with, else from the calico-node DaemonSet's
 * pool defaults (which only apply when the pool was first created). cnibench applies no NetworkPolicy, so a cluster
 * run is the "np" (no policy) variant.
 */
function calicoId(ds: DaemonSetObject | undefined, nodes: NodeObject[], evidence: string[]): string {
  const ann = (key: string) => nodes.some((n) => n.metadata.annotations?.[key]);
  if (ann('projectcalico.org/IPv4VXLANTunnelAddr')) { evidence.push('nodes carry projectcalico.org/IPv4VXLANTunnelAddr (VXLAN)'); return 'calico-np-vxlan'; }
  if (ann('projectcalico.org/IPv4IPIPTunnelAddr')) { evidence.push('nodes carry projectcalico.org/IPv4IPIPTunnelAddr (IP-in-IP)'); return 'calico-np-ipip'; }
  const ipip = ds ? env(ds, 'CALICO_IPV4POOL_IPIP') : undefined;
  const vxlan = ds ? env(ds, 'CALICO_IPV4POOL_VXLAN') : undefined;
  if (vxlan && vxlan !== 'Never') { evidence.push(`calico-node CALICO_IPV4POOL_VXLAN=${vxlan}`); return 'calico-np-vxlan'; }
  if (ipip === 'Always') { evidence.push('calico-node CALICO_IPV4POOL_IPIP=Always'); return 'calico-np-ipip'; }
  if (ipip) evidence.push(`calico-node CALICO_IPV4POOL_IPIP=${ipip} (native routing within a subnet)`);
  return 'calico-np';
}

export function detectCni(daemonSets: DaemonSetObject[], nodes: NodeObject[]): CniDetection {
  const evidence: string[] = [];
  const hits = new Map<string, DaemonSetObject>();
  for (const ds of daemonSets) {
    const subjects = [ds.metadata.name, ...(ds.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''), ...(ds.spec?.template?.spec?.initContainers ?? []).map((c) => c.image ?? '')];
    for (const rule of RULES) {
      if (subjects.some((s) => rule.match.test(s))) {
        if (!hits.has(rule.id)) hits.set(rule.id, ds);
        evidence.push(`DaemonSet ${ds.metadata.namespace ?? 'kube-system'}/${ds.metadata.name} (${(ds.spec?.template?.spec?.containers ?? []).map((c) => c.image).filter(Boolean).join(', ') || 'no image'}) → ${rule.id}`);
        break;
      }
    }
  }
  const backend = flannelBackend(nodes);
  if (backend) evidence.push(`nodes carry flannel.alpha.coreos.com/backend-type=${backend}`);
  if (nodes.some((n) => Object.keys(n.metadata.annotations ?? {}).some((k) => k.startsWith('io.cilium.') || k.startsWith('network.cilium.io/')))) evidence.push('nodes carry Cilium annotations');
  const first = RULES.find((r) => hits.has(r.id))?.id;
  let id: string;
  if (first === 'calico') id = calicoId(hits.get('calico'), nodes, evidence);
  else if (first === 'flannel') id = flannelId(backend);
  else if (first) id = first;
  else if (backend) id = flannelId(backend); // k3s: flannel embedded in the k3s agent
  else id = UNKNOWN_CNI;
  if (id === UNKNOWN_CNI) evidence.push('no known CNI DaemonSet or node annotation found');
  return { id, evidence };
}
