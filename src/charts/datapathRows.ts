// What each datapath model puts in a node, read off its ModelDescription: the rows of Fig. 1 (veths, bridge,
// IP forwarding, tunnel devices, the relay) in words, and the iptables chains its policy builder lays out.
import type { ModelDescription, Scenario } from '../testbed/model.ts';
import { type NodeName, type PodName, UNDERLAY, podCidr } from '../testbed/topology.ts';

/** What a box is; the figure colours each kind like the CPP component it stands for. */
export type BoxKind =
  | 'node' | 'pod' | 'iface' | 'veth' | 'bridge' | 'routing' | 'loopback' | 'process'
  | 'vxlan' | 'ipip' | 'tun' | 'ovs' | 'user' | 'bpf' | 'policy' | 'no-policy';

/** One row of a node: a box per pod column, or one box spanning the columns. */
export interface Row {
  id: string;
  kind: BoxKind;
  span: boolean;
  title: string;
  details: string[];
  /** A BPF program attached here (tc ingress), drawn as a badge inside the box. */
  bpf?: string;
  /** Whether the measured packet crosses this row in the column of `pod` (default: yes). */
  onPath?: (pod: PodName) => boolean;
}

export interface PolicyWords {
  title: string;
  details: string[];
  /** Which row the chains hook into. */
  hook: (rows: readonly Row[]) => Row | undefined;
}

const byId = (id: string) => (rows: readonly Row[]) => rows.find((r) => r.id === id);
const firstOf = (...ids: string[]) => (rows: readonly Row[]) => ids.map((id) => rows.find((r) => r.id === id)).find(Boolean);

/** The iptables chains an established packet crosses, as the policy builders in src/testbed/policy lay them out. */
export function policyWords(model: ModelDescription): PolicyWords {
  const p = model.policy;
  switch (p.kind) {
    case 'calico':
      return {
        title: 'iptables (netfilter)',
        // One chain hop a line, so the lane's wrapping never splits a chain name.
        details: [
          'raw, mangle: cali-PREROUTING',
          'FORWARD → cali-FORWARD',
          '→ cali-from-wl-dispatch',
          '→ cali-fw-<pod veth>',
          p.perWorkloadPolicy ? 'per-workload policy on a node with many endpoints' : 'Felix base chains, no policy',
        ],
        hook: byId('routing'),
      };
    case 'weave-npc':
      return { title: 'iptables (netfilter)', details: ['FORWARD → WEAVE-NPC-EGRESS', 'bridged traffic via br_netfilter'], hook: byId('bridge') };
    case 'kube-router':
      return { title: 'iptables (netfilter)', details: ['FORWARD', '→ KUBE-ROUTER-FORWARD', '→ KUBE-POD-FW-<pod>', 'bridged traffic via br_netfilter'], hook: firstOf('routing', 'bridge') };
    case 'none':
      // Beside the pods: the rows' side lane is left to labels of the path.
      return { title: 'no iptables policy chains', details: [], hook: () => undefined };
  }
}

function hostIfWords(model: ModelDescription): { name: string; detail: string } {
  switch (model.attach.kind) {
    case 'bridge': return { name: 'veth… (host side)', detail: `port of ${model.attach.bridge}` };
    case 'routed-veth': return { name: `${model.attach.hostPrefix}… (host side)`, detail: 'proxy-ARP, /32 host route' };
    case 'bpf-veth': return { name: `${model.attach.hostPrefix}… (host side)`, detail: '' };
    default: return { name: 'veth', detail: '' };
  }
}

/** Does the packet cross the node's IP forwarding (an L3 hop in the node namespace)? */
function forwards(model: ModelDescription, scenario: Scenario): boolean {
  const a = model.attach.kind;
  if (a === 'routed-veth') return true;
  if (scenario === 'intra' || a !== 'bridge') return false;
  // Bridged pods leave the bridge for the stack toward a tunnel or the underlay, except Weave's bridged datapath.
  return model.interHost?.kind !== 'vxlan-bridged';
}

function routingDetails(model: ModelDescription, scenario: Scenario, node: NodeName): string[] {
  const out: string[] = [];
  const peer: NodeName = node === 'node-a' ? 'node-b' : 'node-a';
  const pr = model.policyRouting;
  // The rule comes first because the kernel consults it first: one more FIB lookup before the main table.
  if (pr && scenario === 'inter') out.push(`rule ${pr.priority}: from ${podCidr(model, node)} lookup table ${pr.table} (${pr.tableName}) first`);
  if (model.attach.kind === 'routed-veth') out.push('/32 route per local pod');
  const ih = model.interHost;
  if (scenario === 'inter' && ih) {
    const remote = podCidr(model, peer);
    if (ih.kind === 'vxlan') out.push(`route ${remote} via ${ih.device}`);
    if (ih.kind === 'udp-tun') out.push(`route ${remote} dev ${ih.device}`);
    if (ih.kind === 'ipip') out.push(`route ${remote} via ${UNDERLAY[peer]} dev ${ih.device}`);
    if (ih.kind === 'native') out.push(`route ${remote} via ${UNDERLAY[peer]} dev eth0`);
  }
  return out;
}

/** The rows of one node, top (below the pods) to bottom, for the scenario. */
export function nodeRows(model: ModelDescription, scenario: Scenario, node: NodeName): Row[] {
  const rows: Row[] = [];
  const { attach } = model;
  const ih = scenario === 'inter' ? model.interHost : undefined;
  if (attach.kind === 'bridge' || attach.kind === 'routed-veth' || attach.kind === 'bpf-veth') {
    const w = hostIfWords(model);
    const bpf = attach.kind === 'bpf-veth';
    const bpfDetail = scenario === 'intra' ? 'map lookup → redirect to peer pod' : node === 'node-a' ? 'set tunnel key → cilium_vxlan' : '';
    rows.push({
      id: 'veth', kind: 'veth', span: false, title: w.name, details: w.detail ? [w.detail] : [],
      ...(bpf ? { bpf: `tc ingress BPF${bpfDetail ? `: ${bpfDetail}` : ''}` } : {}),
      // With bpf_redirect_peer the packet enters the server pod's eth0 straight from the BPF program.
      ...(bpf ? { onPath: (pod: PodName) => pod === 'a1' } : {}),
    });
  }
  if (attach.kind === 'bridge') {
    const details = [attach.gateway ? 'L2 switch, pods\' gateway' : 'L2 only, no gateway address'];
    if (model.addressing === 'flat') details.push(`one flat pod subnet ${podCidr(model, node)}`);
    rows.push({ id: 'bridge', kind: 'bridge', span: true, title: `bridge ${attach.bridge}`, details });
  }
  if (attach.kind === 'host' && scenario === 'intra') rows.push({ id: 'loopback', kind: 'loopback', span: true, title: 'lo (loopback)', details: ['no pod network'] });
  if (forwards(model, scenario)) rows.push({ id: 'routing', kind: 'routing', span: true, title: 'IP forwarding', details: routingDetails(model, scenario, node) });
  if (ih) {
    switch (ih.kind) {
      case 'vxlan':
        rows.push({ id: 'tunnel', kind: 'vxlan', span: true, title: ih.device, details: [`VXLAN, VNI ${ih.vni}, UDP ${ih.port}`] });
        break;
      case 'vxlan-bridged':
        // Device names as src/testbed/build/interHost.ts creates them (weaveDatapath).
        rows.push({ id: 'vethwe', kind: 'veth', span: true, title: 'veth pair vethwe-*', details: [`vethwe-bridge (on ${model.attach.kind === 'bridge' ? model.attach.bridge : 'the pod bridge'}) ↔ vethwe-datapath (on ${ih.datapathBridge})`] });
        rows.push({ id: 'ovs', kind: 'ovs', span: true, title: `bridge ${ih.datapathBridge}`, details: ['stands in for the OVS datapath'] });
        rows.push({ id: 'tunnel', kind: 'vxlan', span: true, title: ih.device, details: [`VXLAN, VNI ${ih.vni}, UDP ${ih.port}, port of ${ih.datapathBridge}`] });
        break;
      case 'udp-tun':
        rows.push({ id: 'tunnel', kind: 'tun', span: true, title: ih.device, details: ['TUN device'] });
        rows.push({ id: 'relay', kind: 'user', span: true, title: 'socat UDP relay', details: ['user space: stands in for flanneld', `UDP port ${ih.port}`] });
        break;
      case 'ipip':
        rows.push({ id: 'tunnel', kind: 'ipip', span: true, title: ih.device, details: ['IP-in-IP tunnel'] });
        break;
      case 'vxlan-bpf':
        rows.push({ id: 'tunnel', kind: 'vxlan', span: true, title: ih.device, details: [`VXLAN collect-md, UDP ${ih.port}`], bpf: node === 'node-b' ? 'tc ingress BPF: redirect to pod' : 'tc ingress BPF' });
        break;
      case 'native':
      case 'wire':
        break;
    }
    rows.push({ id: 'eth0', kind: 'iface', span: true, title: 'eth0', details: [`${UNDERLAY[node]}, the wire`] });
  }
  return rows;
}
