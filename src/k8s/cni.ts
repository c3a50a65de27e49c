// Which CNI a cluster runs, from its DaemonSets (kube-system and the CNIs' own namespaces) and the annotations CNIs
// write on nodes; mapped to the ids of the local models where one matches, a generic id otherwise. For Calico also
// from its IP pools (ippools.crd.projectcalico.org, or the Tigera operator's Installation), which say whether traffic
// between the two nodes of the run is encapsulated.
import type { NodeObject } from './nodes.ts';

export interface DaemonSetObject {
  metadata: { name: string; namespace?: string };
  spec?: { template?: { spec?: { containers?: { name: string; image?: string; env?: { name: string; value?: string }[] }[]; initContainers?: { name: string; image?: string }[] } } };
}

/** A Calico IP pool as `kubectl get ippools.crd.projectcalico.org -o json` lists it (the parts read here). */
export interface CalicoIPPool {
  metadata: { name: string };
  spec?: { cidr?: string; ipipMode?: string; vxlanMode?: string; disabled?: boolean };
}

/** The Tigera operator's Installation (operator.tigera.io/v1), the parts read here. */
export interface TigeraInstallation {
  metadata: { name: string };
  spec?: { cni?: { type?: string }; calicoNetwork?: { ipPools?: { cidr?: string; encapsulation?: string }[] } };
}

/** What the survey could read of Calico's own configuration (either may be absent: not installed or not readable). */
export interface CalicoConfig {
  ipPools?: CalicoIPPool[];
  installation?: TigeraInstallation;
  /** Why a source could not be read (kept as evidence). */
  notes?: string[];
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

// Most specific first: canal bundles flannel and calico; Cilium may chain onto a cloud CNI. RKE2 ships Canal as the
// DaemonSet "rke2-canal" (rancher/hardened-calico and rancher/hardened-flannel images), so the name is matched after
// a '-' too; a DaemonSet running both a calico-node and a flannel container is Canal whatever it is called.
const RULES: readonly Rule[] = [
  { id: 'canal', match: /(^|[/-])canal\b/ },
  { id: 'cilium', match: /(^|\/)cilium(-agent)?(:|@|$)|cilium\/cilium\b/ },
  { id: 'calico', match: /(^|\/)calico-node\b|calico\/node\b|hardened-calico\b/ },
  { id: 'weave', match: /(^|\/)weave-net\b|weaveworks\/weave-kube\b/ },
  { id: 'kube-router', match: /(^|\/)kube-router\b|cloudnativelabs\/kube-router\b/ },
  { id: 'flannel', match: /(^|\/)kube-flannel(-ds)?\b|flannel\/flannel\b|flannel-io\/flannel\b|coreos\/flannel\b|hardened-flannel\b/ },
  { id: 'antrea', match: /(^|\/)antrea-agent\b/ },
  { id: 'ovn-kubernetes', match: /(^|\/)ovnkube-node\b/ },
  { id: 'kindnet', match: /(^|\/)kindnet\b/ },
  { id: 'aws-vpc-cni', match: /(^|\/)aws-node\b|amazon-k8s-cni\b/ },
  { id: 'azure-cni', match: /(^|\/)azure-cns\b|azure-cni\b/ },
];

/** The Tigera operator's Installation spec.cni.type → the id of the CNI that networks pods when Calico does policy only. */
const OPERATOR_CNI: Record<string, string> = { AmazonVPC: 'aws-vpc-cni', AzureVNET: 'azure-cni', GKE: 'gke' };

const UNKNOWN_UNDERLYING = 'unknown-cni';

function env(ds: DaemonSetObject, name: string): string | undefined {
  for (const c of ds.spec?.template?.spec?.containers ?? []) {
    const v = c.env?.find((e) => e.name === name)?.value;
    if (v !== undefined) return v;
  }
  return undefined;
}

function containerImages(ds: DaemonSetObject): string[] {
  return [...(ds.spec?.template?.spec?.containers ?? []), ...(ds.spec?.template?.spec?.initContainers ?? [])].map((c) => c.image ?? '');
}

/** Canal by content: one DaemonSet whose containers are Calico's and flannel's. */
function isCanal(ds: DaemonSetObject): boolean {
  const containers = ds.spec?.template?.spec?.containers ?? [];
  const has = (id: string) => containers.some((c) => RULES.find((r) => r.id === id)!.match.test(c.image ?? '') || RULES.find((r) => r.id === id)!.match.test(c.name));
  return has('calico') && has('flannel');
}

/** Flannel's backend from the annotation flanneld writes on every node (k3s runs flannel inside k3s: no DaemonSet). */
function flannelBackend(nodes: NodeObject[]): string | undefined {
  return nodes.map((n) => n.metadata.annotations?.['flannel.alpha.coreos.com/backend-type']).find((v) => v);
}

function flannelId(backend: string | undefined, base = 'flannel'): string {
  if (!backend || backend === 'vxlan') return base;
  if (backend === 'udp' && base === 'flannel') return 'flannel-udp';
  return `${base}-${backend.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

type Encapsulation = 'ipip' | 'vxlan';
type EncapMode = { kind: Encapsulation; when: 'always' | 'cross-subnet' } | 'none';

/** A pool's mode: VXLAN before IP-in-IP (Calico refuses pools with both), Always before CrossSubnet. */
function poolMode(vxlanMode: string | undefined, ipipMode: string | undefined): EncapMode {
  for (const [kind, mode] of [['vxlan', vxlanMode], ['ipip', ipipMode]] as const) {
    if (mode === 'Always') return { kind, when: 'always' };
    if (mode === 'CrossSubnet') return { kind, when: 'cross-subnet' };
  }
  return 'none';
}

/** The operator's Installation pool encapsulation (VXLAN, IPIP, VXLANCrossSubnet, IPIPCrossSubnet, None). */
function installationMode(encapsulation: string | undefined): EncapMode | undefined {
  switch (encapsulation) {
    case 'VXLAN': return { kind: 'vxlan', when: 'always' };
    case 'IPIP': return { kind: 'ipip', when: 'always' };
    case 'VXLANCrossSubnet': return { kind: 'vxlan', when: 'cross-subnet' };
    case 'IPIPCrossSubnet': return { kind: 'ipip', when: 'cross-subnet' };
    case 'None': return 'none';
    default: return undefined;
  }
}

const modeWords = (m: EncapMode) => (m === 'none' ? 'no encapsulation' : `${m.kind === 'vxlan' ? 'VXLAN' : 'IP-in-IP'} ${m.when === 'always' ? 'always' : 'CrossSubnet'}`);

/** The pool mode from the IP pools themselves, else from the operator's Installation; undefined when neither was read. */
function configuredMode(calico: CalicoConfig, evidence: string[]): EncapMode | undefined {
  const pools = (calico.ipPools ?? []).filter((p) => !p.spec?.disabled && (p.spec?.cidr ?? '').includes('.'));
  if (pools.length) {
    const modes = pools.map((p) => ({ p, m: poolMode(p.spec?.vxlanMode, p.spec?.ipipMode) }));
    for (const { p, m } of modes) evidence.push(`IPPool ${p.metadata.name} ${p.spec?.cidr}: vxlanMode=${p.spec?.vxlanMode ?? 'Never'}, ipipMode=${p.spec?.ipipMode ?? 'Never'} (${modeWords(m)})`);
    const distinct = new Set(modes.map(({ m }) => modeWords(m)));
    if (distinct.size > 1) evidence.push(`the IPv4 pools differ; ${modes[0]!.p.metadata.name}'s mode is used (pods get addresses from the pools their IPAM picks)`);
    return modes[0]!.m;
  }
  const installPools = calico.installation?.spec?.calicoNetwork?.ipPools ?? [];
  const first = installPools.find((p) => (p.cidr ?? '').includes('.')) ?? installPools[0];
  const m = installationMode(first?.encapsulation);
  if (first && m) {
    evidence.push(`Installation ${calico.installation!.metadata.name}: ipPools ${first.cidr ?? '?'} encapsulation=${first.encapsulation} (${modeWords(m)})`);
    return m;
  }
  return undefined;
}

function ipv4(s: string): number | undefined {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** "192.168.56.11/24" → address and mask; undefined when it is not an IPv4 CIDR. */
function cidr(s: string | undefined): { addr: number; mask: number; text: string } | undefined {
  const m = s?.match(/^([\d.]+)\/(\d+)$/);
  if (!m) return undefined;
  const addr = ipv4(m[1]!);
  const bits = Number(m[2]);
  if (addr === undefined || bits > 32) return undefined;
  return { addr, mask: bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0, text: s! };
}

/**
 * Whether CrossSubnet encapsulates traffic between the run's two nodes. Calico's node annotation
 * projectcalico.org/IPv4Address holds the address and prefix calico-node autodetected on each node, and Felix
 * encapsulates towards a node only when that node's address is outside the local node's subnet (Calico docs,
 * "Overlay networking": CrossSubnet "encapsulates only traffic that crosses a subnet boundary").
 */
function crossSubnetEncapsulates(chosen: NodeObject[], evidence: string[]): boolean | undefined {
  if (chosen.length < 2) {
    evidence.push('one node: intra-host traffic is never encapsulated');
    return false;
  }
  const [a, b] = chosen.map((n) => ({ n, c: cidr(n.metadata.annotations?.['projectcalico.org/IPv4Address']) }));
  if (!a!.c || !b!.c) {
    evidence.push(`whether traffic between ${a!.n.metadata.name} and ${b!.n.metadata.name} is encapsulated is unknown: ${[a, b].filter((x) => !x!.c).map((x) => x!.n.metadata.name).join(' and ')} carry no projectcalico.org/IPv4Address`);
    return undefined;
  }
  const inside = (x: { addr: number; mask: number }, y: { addr: number }) => ((x.addr & x.mask) >>> 0) === ((y.addr & x.mask) >>> 0);
  const same = inside(a!.c, b!.c) && inside(b!.c, a!.c);
  evidence.push(`nodes ${a!.n.metadata.name} (${a!.c.text}) and ${b!.n.metadata.name} (${b!.c.text}) ${same ? 'share a subnet: traffic between them is not encapsulated' : 'are in different subnets: traffic between them is encapsulated'}`);
  return !same;
}

/**
 * Calico's id. cnibench applies no NetworkPolicy, so a cluster run is the "np" (no policy) variant. The pools (or
 * the operator's Installation) say how traffic between nodes travels; without them, the tunnel addresses Calico
 * annotates nodes with (present in CrossSubnet mode too) and the DaemonSet's pool defaults (which apply only when
 * the pool was first created) are used.
 */
function calicoId(ds: DaemonSetObject | undefined, nodes: NodeObject[], chosen: NodeObject[], calico: CalicoConfig, evidence: string[]): string {
  const mode = configuredMode(calico, evidence);
  if (mode !== undefined) {
    if (mode === 'none') return 'calico-np';
    const id = `calico-np-${mode.kind}`;
    if (mode.when === 'always') return id;
    const encapsulates = crossSubnetEncapsulates(chosen, evidence);
    if (encapsulates === undefined) return `${id}-crosssubnet`;
    return encapsulates ? id : 'calico-np';
  }
  for (const note of calico.notes ?? []) evidence.push(note);
  const ann = (key: string) => nodes.some((n) => n.metadata.annotations?.[key]);
  const caveat = ' (set in CrossSubnet mode too: the IP pools were not read)';
  if (ann('projectcalico.org/IPv4VXLANTunnelAddr')) { evidence.push(`nodes carry projectcalico.org/IPv4VXLANTunnelAddr (VXLAN)${caveat}`); return 'calico-np-vxlan'; }
  if (ann('projectcalico.org/IPv4IPIPTunnelAddr')) { evidence.push(`nodes carry projectcalico.org/IPv4IPIPTunnelAddr (IP-in-IP)${caveat}`); return 'calico-np-ipip'; }
  const ipip = ds ? env(ds, 'CALICO_IPV4POOL_IPIP') : undefined;
  const vxlan = ds ? env(ds, 'CALICO_IPV4POOL_VXLAN') : undefined;
  const envMode = poolMode(vxlan, ipip);
  if (envMode !== 'none') {
    evidence.push(`calico-node CALICO_IPV4POOL_${envMode.kind === 'vxlan' ? 'VXLAN' : 'IPIP'}=${envMode.kind === 'vxlan' ? vxlan : ipip}`);
    if (envMode.when === 'always') return `calico-np-${envMode.kind}`;
    const encapsulates = crossSubnetEncapsulates(chosen, evidence);
    if (encapsulates === undefined) return `calico-np-${envMode.kind}-crosssubnet`;
    return encapsulates ? `calico-np-${envMode.kind}` : 'calico-np';
  }
  if (ipip) evidence.push(`calico-node CALICO_IPV4POOL_IPIP=${ipip}`);
  return 'calico-np';
}

/**
 * Calico in policy-only mode: calico-node with CALICO_NETWORKING_BACKEND=none, as the Tigera operator renders it
 * when another CNI networks the pods (Installation spec.cni.type AmazonVPC, AzureVNET, GKE: EKS, AKS and GKE with
 * Calico network policy) — Felix enforces policy, the other CNI carries the packets. The id names that CNI.
 */
function policyOnlyId(hits: Map<string, DaemonSetObject>, calico: CalicoConfig, evidence: string[]): string {
  const type = calico.installation?.spec?.cni?.type;
  if (type && type !== 'Calico') {
    const under = OPERATOR_CNI[type] ?? type.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    evidence.push(`Installation ${calico.installation!.metadata.name} spec.cni.type=${type}: ${under} networks the pods, Calico enforces policy only`);
    return `calico-policy-only-on-${under}`;
  }
  const other = RULES.find((r) => r.id !== 'calico' && r.id !== 'canal' && hits.has(r.id))?.id;
  if (other) {
    evidence.push(`${other} networks the pods (its DaemonSet runs beside calico-node), Calico enforces policy only`);
    return `calico-policy-only-on-${other}`;
  }
  evidence.push('the CNI that networks the pods is unknown: no DaemonSet of a known CNI beside calico-node and no readable Installation (GKE routes pods in the VPC without one)');
  return `calico-policy-only-on-${UNKNOWN_UNDERLYING}`;
}

/**
 * The CNI of a cluster. `chosen` are the run's nodes (A, B) — Calico's CrossSubnet mode encapsulates or not depending
 * on whether they share a subnet; `calico` is what could be read of Calico's own configuration.
 */
export function detectCni(daemonSets: DaemonSetObject[], nodes: NodeObject[], o: { chosen?: NodeObject[]; calico?: CalicoConfig } = {}): CniDetection {
  const evidence: string[] = [];
  const hits = new Map<string, DaemonSetObject>();
  for (const ds of daemonSets) {
    const subjects = [ds.metadata.name, ...containerImages(ds)];
    const rule = isCanal(ds) ? RULES.find((r) => r.id === 'canal')! : RULES.find((r) => subjects.some((s) => r.match.test(s)));
    if (!rule) continue;
    if (!hits.has(rule.id)) hits.set(rule.id, ds);
    evidence.push(`DaemonSet ${ds.metadata.namespace ?? 'kube-system'}/${ds.metadata.name} (${(ds.spec?.template?.spec?.containers ?? []).map((c) => c.image).filter(Boolean).join(', ') || 'no image'}) → ${rule.id}`);
  }
  const backend = flannelBackend(nodes);
  if (backend) evidence.push(`nodes carry flannel.alpha.coreos.com/backend-type=${backend}`);
  if (nodes.some((n) => Object.keys(n.metadata.annotations ?? {}).some((k) => k.startsWith('io.cilium.') || k.startsWith('network.cilium.io/')))) evidence.push('nodes carry Cilium annotations');
  const first = RULES.find((r) => hits.has(r.id))?.id;
  const calico = o.calico ?? {};
  let id: string;
  if (first === 'canal') {
    // Canal: flannel carries pods' traffic between nodes (VXLAN unless its backend says otherwise), Calico's Felix
    // enforces policy on the same veths.
    evidence.push(`Canal: flannel ${backend ?? 'vxlan (flannel\'s default; no backend-type annotation seen)'} between nodes, Calico policy`);
    id = flannelId(backend, 'canal');
  } else if (first === 'calico') {
    const ds = hits.get('calico')!;
    const networking = env(ds, 'CALICO_NETWORKING_BACKEND');
    if (networking !== undefined) evidence.push(`calico-node CALICO_NETWORKING_BACKEND=${networking}`);
    if (networking === 'none' && calico.installation?.spec?.cni?.type === 'Calico') {
      // The operator also renders "none" for Calico CNI with host-local IPAM and BGP off: the cloud routes pod CIDRs.
      evidence.push('Installation spec.cni.type=Calico with networking backend none: Calico plumbs the pods, the cloud routes between nodes (no encapsulation)');
      id = 'calico-np';
    } else if (networking === 'none') {
      id = policyOnlyId(hits, calico, evidence);
    } else {
      id = calicoId(ds, nodes, o.chosen ?? [], calico, evidence);
    }
  } else if (first === 'flannel') id = flannelId(backend);
  else if (first) id = first;
  else if (backend) id = flannelId(backend); // k3s: flannel embedded in the k3s agent
  else id = UNKNOWN_CNI;
  if (id === UNKNOWN_CNI) evidence.push('no known CNI DaemonSet or node annotation found');
  return { id, evidence };
}

/** Whether Calico networks or polices pods here, Canal aside (its IP pools and the operator's Installation are then worth reading). */
export function runsCalico(daemonSets: DaemonSetObject[]): boolean {
  const rule = (id: string) => RULES.find((r) => r.id === id)!.match;
  return daemonSets.some((ds) => !isCanal(ds) && !rule('canal').test(ds.metadata.name) && [ds.metadata.name, ...containerImages(ds)].some((s) => rule('calico').test(s)));
}
