// Fig. 1 geometry: lays out a model's datapath (nodes, pods, veths, bridge, routing, tunnels, BPF hooks, iptables)
// from its ModelDescription — the same record the testbed is built from — as boxes, texts, lines and a packet path.
import type { ModelDescription, Scenario } from '../testbed/model.ts';
import { type NodeName, type PodName, UNDERLAY, podCidr } from '../testbed/topology.ts';
import { MSG } from './messages.ts';
import { textWidth } from './textWidth.ts';

/** What a box is; the figure colours each kind like the CPP component it stands for. */
export type BoxKind =
  | 'node' | 'pod' | 'iface' | 'veth' | 'bridge' | 'routing' | 'loopback' | 'process'
  | 'vxlan' | 'ipip' | 'tun' | 'ovs' | 'user' | 'bpf' | 'policy' | 'no-policy';

export type TextStyle = 'node-title' | 'pod-title' | 'box-title' | 'box-detail' | 'badge' | 'side-title' | 'side-detail' | 'link-label' | 'path-label' | 'note';

export interface DiagramBox {
  id: string;
  kind: BoxKind;
  x: number;
  y: number;
  w: number;
  h: number;
  /** The box's name, e.g. "bridge cni0" (also its accessible description). */
  name: string;
}

export interface DiagramText {
  x: number;
  y: number;
  text: string;
  style: TextStyle;
  align: 'left' | 'center';
}

/** Structural lines: what is joined to what (connector), a hook to its policy marker, and the wire. */
export interface DiagramLine {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  style: 'connector' | 'hook' | 'wire';
}

export interface PathPoint {
  x: number;
  y: number;
  order: number;
}

/** An arrowhead on the packet path: angle in degrees clockwise from pointing right. */
export interface Arrow {
  x: number;
  y: number;
  angle: number;
}

export interface DatapathLayout {
  modelId: string;
  label: string;
  scenario: Scenario;
  width: number;
  height: number;
  boxes: DiagramBox[];
  texts: DiagramText[];
  lines: DiagramLine[];
  path: PathPoint[];
  arrows: Arrow[];
}

/** Pixel geometry: one column per pod, a side lane for policy markers, rows stacked top (pods) to bottom (wire). */
const G = {
  margin: 4, pad: 12, titleH: 30, colW: 200, colGap: 22, sideGap: 16, sideW: 150, rowGap: 20, wireGap: 86,
  insetL: 8, insetR: 16, lane: 14, textX: 28, lineH: 14, detailSize: 10, titleSize: 11.5,
} as const;

/** One row of a node: a box per pod column, or one box spanning the columns. */
interface Row {
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

interface PolicyWords {
  title: string;
  details: string[];
  /** Which row the chains hook into. */
  hook: (rows: readonly Row[]) => Row | undefined;
}

const byId = (id: string) => (rows: readonly Row[]) => rows.find((r) => r.id === id);
const firstOf = (...ids: string[]) => (rows: readonly Row[]) => ids.map((id) => rows.find((r) => r.id === id)).find(Boolean);

/** The iptables chains an established packet crosses, as the policy builders in src/testbed/policy lay them out. */
function policyWords(model: ModelDescription): PolicyWords {
  const p = model.policy;
  switch (p.kind) {
    case 'calico':
      return {
        title: 'iptables (netfilter)',
        details: [
          'raw, mangle: cali-PREROUTING',
          'FORWARD → cali-FORWARD → wl-dispatch → cali-fw-*',
          p.perWorkloadPolicy ? 'per-workload policy on a node with many endpoints' : 'Felix base chains, no policy',
        ],
        hook: byId('routing'),
      };
    case 'weave-npc':
      return { title: 'iptables (netfilter)', details: ['FORWARD → WEAVE-NPC-EGRESS', 'bridged traffic via br_netfilter'], hook: byId('bridge') };
    case 'kube-router':
      return { title: 'iptables (netfilter)', details: ['FORWARD → KUBE-ROUTER-FORWARD → KUBE-POD-FW-*', 'bridged traffic via br_netfilter'], hook: firstOf('routing', 'bridge') };
    case 'none':
      return { title: 'no iptables policy chains', details: [], hook: firstOf('routing', 'bridge', 'loopback', 'veth', 'tunnel', 'process') };
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
  if (model.attach.kind === 'routed-veth') out.push('/32 route per local pod');
  const ih = model.interHost;
  if (scenario === 'inter' && ih) {
    const remote = podCidr(model, peer);
    if (ih.kind === 'vxlan') out.push(`${remote} via ${ih.device}`);
    if (ih.kind === 'udp-tun') out.push(`${remote} dev ${ih.device}`);
    if (ih.kind === 'ipip') out.push(`${remote} via ${UNDERLAY[peer]} dev ${ih.device}`);
    if (ih.kind === 'native') out.push(`${remote} via ${UNDERLAY[peer]} dev eth0`);
  }
  const pr = model.policyRouting;
  if (pr && scenario === 'inter') out.push(`rule ${pr.priority}: from ${podCidr(model, node)} lookup table ${pr.table} (${pr.tableName}) first`);
  return out;
}

/** The rows of one node, top (below the pods) to bottom, for the scenario. */
function nodeRows(model: ModelDescription, scenario: Scenario, node: NodeName): Row[] {
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
        rows.push({ id: 'vethwe', kind: 'veth', span: true, title: 'vethwe-bridge ↔ vethwe-datapath', details: ['veth pair between the two bridges'] });
        rows.push({ id: 'ovs', kind: 'ovs', span: true, title: `bridge ${ih.datapathBridge}`, details: ['stands in for the OVS datapath'] });
        rows.push({ id: 'tunnel', kind: 'vxlan', span: true, title: ih.device, details: [`VXLAN, VNI ${ih.vni}, UDP ${ih.port}, port of ${ih.datapathBridge}`] });
        break;
      case 'udp-tun':
        rows.push({ id: 'tunnel', kind: 'tun', span: true, title: ih.device, details: ['TUN device'] });
        rows.push({ id: 'relay', kind: 'user', span: true, title: 'socat UDP relay (user space)', details: [`stands in for flanneld, UDP ${ih.port}`] });
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

/** Wraps a detail line to a pixel width (titles are kept short enough not to need it). */
function fit(text: string, width: number, size: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, size) > width) {
      out.push(line);
      line = word;
    } else line = next;
  }
  if (line) out.push(line);
  return out;
}

/** Height of a box with `lines` text lines: text sits at the top, the path turns along the bottom. */
function boxHeight(lines: number, badge: boolean): number {
  return 32 + G.lineH * (lines - 1) + (badge ? 24 : 0);
}

/** Where the packet path crosses a box horizontally: along its bottom, clear of its text. */
const turnY = (b: DiagramBox) => b.y + b.h - 8;

class Builder {
  readonly boxes: DiagramBox[] = [];
  readonly texts: DiagramText[] = [];
  readonly lines: DiagramLine[] = [];
  readonly byId = new Map<string, DiagramBox>();

  box(id: string, kind: BoxKind, x: number, y: number, w: number, h: number, name: string): DiagramBox {
    const b = { id, kind, x, y, w, h, name };
    this.boxes.push(b);
    this.byId.set(id, b);
    return b;
  }

  text(x: number, y: number, text: string, style: TextStyle, align: 'left' | 'center' = 'left'): void {
    this.texts.push({ x, y, text, style, align });
  }

  line(x1: number, y1: number, x2: number, y2: number, style: DiagramLine['style']): void {
    this.lines.push({ x1, y1, x2, y2, style });
  }

  get(id: string): DiagramBox {
    const b = this.byId.get(id);
    if (!b) throw new Error(`datapath layout: no box ${id}`);
    return b;
  }

  /** A titled box with detail lines and an optional BPF badge; the text starts right of the path lane. */
  labelled(id: string, kind: BoxKind, x: number, y: number, w: number, title: string, details: readonly string[], textWidthMax: number, bpf?: string): DiagramBox {
    const lines = details.flatMap((d) => fit(d, textWidthMax, G.detailSize));
    const badge = bpf ? fit(bpf, textWidthMax - 12, G.detailSize) : [];
    const h = boxHeight(1 + lines.length, badge.length > 0) + Math.max(0, badge.length - 1) * G.lineH;
    const b = this.box(id, kind, x, y, w, h, [title, ...details].join(', '));
    this.text(x + G.textX, y + 13, title, 'box-title');
    lines.forEach((l, i) => this.text(x + G.textX, y + 13 + G.lineH * (i + 1), l, 'box-detail'));
    if (badge.length) {
      const by = y + 13 + G.lineH * lines.length + 10;
      const bw = Math.min(textWidthMax, Math.max(...badge.map((l) => textWidth(l, G.detailSize, true))) + 12);
      this.box(`${id}-bpf`, 'bpf', x + G.textX - 4, by, bw, 6 + G.lineH * badge.length, bpf!);
      badge.forEach((l, i) => this.text(x + G.textX + 2, by + 10 + G.lineH * i, l, 'badge'));
    }
    return b;
  }
}

/** Column geometry of one pod inside its node. */
interface Column {
  pod: PodName;
  x: number;
  /** x of the packet path through this column's boxes. */
  lane: number;
  /** x of the path where it passes this column's boxes without entering them. */
  bypass: number;
  boxX: number;
  boxW: number;
}

function column(pod: PodName, x: number): Column {
  return { pod, x, lane: x + G.insetL + G.lane, bypass: x + G.colW - 7, boxX: x + G.insetL, boxW: G.colW - G.insetL - G.insetR };
}

interface PlacedNode {
  name: NodeName | 'pods';
  cols: Column[];
  /** Row boxes keyed by row id, per pod for column rows ("veth:a1"), once for spanning rows. */
  rows: { row: Row; boxes: Map<PodName, DiagramBox> }[];
  podIf: Map<PodName, DiagramBox>;
  x: number;
  w: number;
  bottom: number;
}

function podWords(model: ModelDescription): { title: (pod: PodName) => string; iface: string } {
  if (model.attach.kind === 'host') return { title: (p) => (p === 'a1' ? 'netperf (client)' : 'netserver'), iface: '' };
  return { title: (p) => `pod ${p}`, iface: `eth0, MTU ${model.podMtu}` };
}

/** Places one node (or, for the baseline, bare pods) with its pod columns, rows and policy marker. */
function placeNode(b: Builder, model: ModelDescription, scenario: Scenario, name: NodeName | 'pods', pods: PodName[], x0: number, y0: number): PlacedNode {
  const isNode = name !== 'pods';
  const colX0 = x0 + (isNode ? G.pad : 0);
  const cols = pods.map((p, i) => column(p, colX0 + i * (G.colW + G.colGap)));
  const colsRight = cols[cols.length - 1]!.x + G.colW;
  const sideX = colsRight + G.sideGap;
  const w = isNode ? sideX + G.sideW + G.pad - x0 : colsRight - x0;
  let y = y0 + (isNode ? G.titleH : 0);
  const words = podWords(model);
  const podIf = new Map<PodName, DiagramBox>();
  const rowsOut: PlacedNode['rows'] = [];
  // Pods (or, for the host reference, the netperf processes in the node's own namespace).
  const podH = model.attach.kind === 'host' ? 40 : 72;
  for (const c of cols) {
    if (model.attach.kind === 'host') {
      const pb = b.labelled(`proc-${c.pod}`, 'process', c.boxX, y, c.boxW, words.title(c.pod), ['in the node namespace'], c.boxW - G.textX - 6);
      podIf.set(c.pod, pb);
      continue;
    }
    b.box(`pod-${c.pod}`, 'pod', c.x, y, G.colW - G.insetR + G.insetL, podH, `pod ${c.pod}`);
    b.text(c.x + 10, y + 14, `${words.title(c.pod)} (network namespace)`, 'pod-title');
    podIf.set(c.pod, b.labelled(`pod-${c.pod}-eth0`, 'iface', c.boxX, y + 28, c.boxW, 'eth0', [`MTU ${model.podMtu}`], c.boxW - G.textX - 6));
  }
  y += podH + G.rowGap;
  const rows = isNode ? nodeRows(model, scenario, name) : [];
  for (const row of rows) {
    const boxes = new Map<PodName, DiagramBox>();
    let h = 0;
    if (row.span) {
      const bx = cols[0]!.boxX;
      const bw = colsRight - G.insetR - bx;
      // Text must stay left of the next column's lane, where the path climbs back up.
      const maxText = (cols[1] ? cols[1].lane - 10 : bx + bw - 6) - (bx + G.textX);
      const box = b.labelled(row.id, row.kind, bx, y, bw, row.title, row.details, maxText, row.bpf);
      for (const c of cols) boxes.set(c.pod, box);
      h = box.h;
    } else {
      for (const c of cols) {
        const box = b.labelled(`${row.id}-${c.pod}`, row.kind, c.boxX, y, c.boxW, row.title, row.details, c.boxW - G.textX - 6, row.bpf);
        boxes.set(c.pod, box);
        h = Math.max(h, box.h);
      }
    }
    rowsOut.push({ row, boxes });
    y += h + G.rowGap;
  }
  // Connectors: what is plugged into what, down each column (the pod's veth pair first).
  for (const c of cols) {
    let above = podIf.get(c.pod)!;
    const cx = c.boxX + c.boxW - 34;
    for (const [i, r] of rowsOut.entries()) {
      const below = r.boxes.get(c.pod)!;
      b.line(cx, above.y + above.h, cx, below.y, 'connector');
      if (i === 0 && r.row.kind === 'veth' && model.attach.kind !== 'host') b.text(cx + 5, (above.y + above.h + below.y) / 2 + 1, 'veth pair', 'link-label');
      above = below;
    }
  }
  // The policy marker beside the row its chains hook into.
  if (isNode) {
    const pw = policyWords(model);
    const hookRow = pw.hook(rowsOut.map((r) => r.row));
    const hook = hookRow ? rowsOut.find((r) => r.row === hookRow)!.boxes.get(cols[cols.length - 1]!.pod)! : podIf.get(cols[0]!.pod)!;
    const detail = pw.details.flatMap((d) => fit(d, G.sideW - 16, G.detailSize));
    const kind: BoxKind = model.policy.kind === 'none' ? 'no-policy' : 'policy';
    const mh = 12 + G.lineH * (1 + detail.length);
    b.box(`policy-${name}`, kind, sideX, hook.y, G.sideW, mh, [pw.title, ...pw.details].join(', '));
    b.text(sideX + 8, hook.y + 13, pw.title, 'side-title');
    detail.forEach((l, i) => b.text(sideX + 8, hook.y + 13 + G.lineH * (i + 1), l, 'side-detail'));
    if (kind === 'policy') b.line(hook.x + hook.w, hook.y + 13, sideX, hook.y + 13, 'hook');
    y = Math.max(y, hook.y + mh + G.rowGap);
  }
  const bottom = y - G.rowGap + (isNode ? G.pad : 0);
  if (isNode) {
    const nodeBox = b.box(`node-${name}`, 'node', x0, y0, w, bottom - y0, `${name} (node network namespace)`);
    // Node boxes sit behind everything: move to the front of the list.
    b.boxes.splice(b.boxes.indexOf(nodeBox), 1);
    b.boxes.unshift(nodeBox);
    b.text(x0 + 10, y0 + 17, `${name} (node network namespace)`, 'node-title');
  }
  return { name, cols, rows: rowsOut, podIf, x: x0, w, bottom };
}

/** Builds the packet path as an orthogonal polyline: vertical along lanes, horizontal along box bottoms or gaps. */
class PathBuilder {
  readonly points: { x: number; y: number }[] = [];
  at(x: number, y: number): this {
    const last = this.points[this.points.length - 1];
    if (!last || last.x !== x || last.y !== y) this.points.push({ x, y });
    return this;
  }
  /** Moves to (x, y) turning once: vertically first, then horizontally. */
  vh(x: number, y: number): this {
    const last = this.points[this.points.length - 1]!;
    return this.at(last.x, y).at(x, y);
  }
  /** Moves to (x, y) turning once: horizontally first, then vertically. */
  hv(x: number, y: number): this {
    const last = this.points[this.points.length - 1]!;
    return this.at(x, last.y).at(x, y);
  }
}

/** Down a column from the pod's eth0 through the rows on the path. */
function descend(p: PathBuilder, node: PlacedNode, col: Column): void {
  const start = node.podIf.get(col.pod)!;
  if (!p.points.length) p.at(col.lane, turnY(start));
  else p.hv(col.lane, turnY(start));
  for (const r of node.rows) {
    if (r.row.onPath && !r.row.onPath(col.pod)) continue;
    p.vh(col.lane, turnY(r.boxes.get(col.pod)!));
  }
}

/** Up a column to the pod's eth0; rows off the path are passed on the column's bypass, entering eth0 from the right. */
function ascend(p: PathBuilder, node: PlacedNode, col: Column, rows: PlacedNode['rows']): void {
  let bypassing = false;
  for (const r of [...rows].reverse()) {
    const box = r.boxes.get(col.pod)!;
    if (r.row.onPath && !r.row.onPath(col.pod)) {
      bypassing = true;
      continue;
    }
    p.hv(col.lane, turnY(box));
  }
  const eth0 = node.podIf.get(col.pod)!;
  if (bypassing) p.hv(col.bypass, p.points[p.points.length - 1]!.y).at(col.bypass, turnY(eth0)).at(eth0.x + eth0.w - 10, turnY(eth0));
  else p.hv(col.lane, turnY(eth0));
}

function arrowsOf(points: readonly { x: number; y: number }[]): Arrow[] {
  const out: Arrow[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const c = points[i]!;
    const len = Math.hypot(c.x - a.x, c.y - a.y);
    if (len < 24) continue;
    out.push({ x: (a.x + c.x) / 2, y: (a.y + c.y) / 2, angle: Math.round((Math.atan2(c.y - a.y, c.x - a.x) * 180) / Math.PI) });
  }
  // The last segment gets its arrow at the end: that is where the packet arrives.
  const a = points[points.length - 2];
  const c = points[points.length - 1];
  if (a && c) out.push({ x: c.x, y: c.y, angle: Math.round((Math.atan2(c.y - a.y, c.x - a.x) * 180) / Math.PI) });
  return out;
}

/** The diagram of one model and scenario. */
export function datapathLayout(model: ModelDescription, scenario: Scenario): DatapathLayout {
  if (!model.scenarios.includes(scenario)) throw new Error(MSG.noScenario(model.label, scenario));
  const b = new Builder();
  const p = new PathBuilder();
  const x0 = G.margin;
  const y0 = G.margin;
  let right: number;
  let bottom: number;
  if (model.attach.kind === 'direct-veth') {
    // The baseline: two pods, one veth pair, no node namespace in between.
    const pods = placeNode(b, model, scenario, 'pods', ['a1', 'a2'], x0, y0);
    const [c1, c2] = pods.cols as [Column, Column];
    const e1 = pods.podIf.get('a1')!;
    const e2 = pods.podIf.get('a2')!;
    b.line(e1.x + e1.w, e1.y + 11, e2.x, e2.y + 11, 'connector');
    b.text((e1.x + e1.w + e2.x) / 2, e1.y + 7, 'veth pair', 'link-label', 'center');
    p.at(c1.lane, turnY(e1)).at(c2.lane, turnY(e2));
    right = pods.x + pods.w;
    bottom = pods.bottom;
  } else if (scenario === 'intra') {
    const node = placeNode(b, model, scenario, 'node-a', ['a1', 'a2'], x0, y0);
    const [c1, c2] = node.cols as [Column, Column];
    descend(p, node, c1);
    const last = p.points[p.points.length - 1]!;
    const turn = node.rows.filter((r) => !r.row.onPath || r.row.onPath('a1')).at(-1);
    if (turn && !turn.row.span) {
      // No shared device below the pods (Cilium): the packet is redirected across, under the veth row.
      const gapY = Math.max(...[...turn.boxes.values()].map((x) => x.y + x.h)) + G.rowGap / 2;
      p.at(last.x, gapY);
      b.text(c2.bypass + 8, gapY - 24, 'bpf_redirect_peer', 'path-label');
      b.text(c2.bypass + 8, gapY - 11, '(skips the host side)', 'path-label');
    }
    ascend(p, node, c2, node.rows);
    right = node.x + node.w;
    bottom = node.bottom;
  } else {
    const a = placeNode(b, model, scenario, 'node-a', ['a1'], x0, y0);
    const nb = placeNode(b, model, scenario, 'node-b', ['b1'], a.x + a.w + G.wireGap, y0);
    descend(p, a, a.cols[0]!);
    const ea = a.rows.at(-1)?.boxes.get('a1');
    const eb = nb.rows.at(-1)?.boxes.get('b1');
    if (ea && eb) {
      // Nodes of different heights still meet on one wire: the eth0 rows are aligned by construction (same rows).
      b.line(ea.x + ea.w, turnY(ea), eb.x, turnY(eb), 'wire');
      const mid = (a.x + a.w + nb.x) / 2;
      b.text(mid, turnY(ea) + 16, 'wire (veth pair)', 'link-label', 'center');
      b.text(mid, turnY(ea) + 29, '192.168.254.0/24', 'link-label', 'center');
    }
    ascend(p, nb, nb.cols[0]!, nb.rows);
    right = nb.x + nb.w;
    bottom = Math.max(a.bottom, nb.bottom);
  }
  const points = p.points;
  return {
    modelId: model.id,
    label: model.label,
    scenario,
    width: Math.ceil(right + G.margin),
    height: Math.ceil(bottom + G.margin),
    boxes: b.boxes,
    texts: b.texts,
    lines: b.lines,
    path: points.map((pt, order) => ({ ...pt, order })),
    arrows: arrowsOf(points),
  };
}
