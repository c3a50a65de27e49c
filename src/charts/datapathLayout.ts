// Fig. 1 geometry: lays out a model's datapath (nodes, pods, veths, bridge, routing, tunnels, BPF hooks, iptables)
// from its ModelDescription — the same record the testbed is built from — as boxes, texts, lines and a packet path.
import type { ModelDescription, Scenario } from '../testbed/model.ts';
import type { NodeName, PodName } from '../testbed/topology.ts';
import { type BoxKind, type Row, nodeRows, policyWords } from './datapathRows.ts';
import { MSG } from './messages.ts';
import { textWidth } from './textWidth.ts';

export type { BoxKind } from './datapathRows.ts';

export type TextStyle = 'node-title' | 'pod-title' | 'box-title' | 'box-detail' | 'badge' | 'side-title' | 'side-muted' | 'side-detail' | 'link-label' | 'path-label';

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
  margin: 4, pad: 12, titleH: 30, colW: 200, colGap: 22, sideGap: 16, sideW: 170, rowGap: 20, wireGap: 86,
  insetL: 8, insetR: 20, lane: 14, textX: 28, lineH: 14, detailSize: 10, titleSize: 11.5,
} as const;

/** Wraps text to a pixel width at a font size (Vega text marks do not wrap). */
function fit(text: string, width: number, size: number, bold = false): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, size, bold) > width) {
      out.push(line);
      line = word;
    } else line = next;
  }
  if (line) out.push(line);
  return out;
}

/** Height of a box with `lines` text lines: text sits at the top, the path turns along the bottom. */
function boxHeight(lines: number, badge: boolean): number {
  return 32 + G.lineH * (lines - 1) + (badge ? 28 : 0);
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
  labelled(id: string, kind: BoxKind, x: number, y: number, w: number, title: string, details: readonly string[], textWidthMax: number, bpf?: string, minH = 0): DiagramBox {
    const titles = fit(title, textWidthMax, G.titleSize, true);
    const lines = [...titles.slice(1).map((t) => ({ t, style: 'box-title' as const })), ...details.flatMap((d) => fit(d, textWidthMax, G.detailSize)).map((t) => ({ t, style: 'box-detail' as const }))];
    const badge = bpf ? fit(bpf, textWidthMax - 12, G.detailSize, true) : [];
    const h = Math.max(minH, boxHeight(1 + lines.length, badge.length > 0) + Math.max(0, badge.length - 1) * G.lineH);
    const b = this.box(id, kind, x, y, w, h, [title, ...details].join(', '));
    this.text(x + G.textX, y + 13, titles[0] ?? title, 'box-title');
    lines.forEach((l, i) => this.text(x + G.textX, y + 13 + G.lineH * (i + 1), l.t, l.style));
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
  return { pod, x, lane: x + G.insetL + G.lane, bypass: x + G.colW - 13, boxX: x + G.insetL, boxW: G.colW - G.insetL - G.insetR };
}

interface PlacedNode {
  name: NodeName | 'pods';
  cols: Column[];
  /** Row boxes keyed by row id, per pod for column rows ("veth:a1"), once for spanning rows. */
  rows: { row: Row; boxes: Map<PodName, DiagramBox> }[];
  podIf: Map<PodName, DiagramBox>;
  /** Height of each row by id, so two nodes can be given the same rows (and one straight wire). */
  heights: Map<string, number>;
  x: number;
  w: number;
  bottom: number;
}

function podTitle(model: ModelDescription, pod: PodName): string {
  if (model.attach.kind === 'host') return pod === 'a1' ? 'netperf (client)' : 'netserver';
  return `pod ${pod}`;
}

/** Places one node (or, for the baseline, bare pods) with its pod columns, rows and policy marker. */
function placeNode(b: Builder, model: ModelDescription, scenario: Scenario, name: NodeName | 'pods', pods: PodName[], x0: number, y0: number, minHeights = new Map<string, number>()): PlacedNode {
  const isNode = name !== 'pods';
  const colX0 = x0 + (isNode ? G.pad : 0);
  // Bare pods (the baseline) leave room between them for their veth pair's label.
  const gap = isNode ? G.colGap : 64;
  const cols = pods.map((p, i) => column(p, colX0 + i * (G.colW + gap)));
  const colsRight = cols[cols.length - 1]!.x + G.colW;
  const sideX = colsRight + G.sideGap;
  const w = isNode ? sideX + G.sideW + G.pad - x0 : colsRight - x0;
  let y = y0 + (isNode ? G.titleH : 0);
  const podIf = new Map<PodName, DiagramBox>();
  const rowsOut: PlacedNode['rows'] = [];
  const heights = new Map<string, number>();
  // Pods (or, for the host reference, the netperf processes in the node's own namespace).
  let podH = 0;
  for (const c of cols) {
    if (model.attach.kind === 'host') {
      const pb = b.labelled(`proc-${c.pod}`, 'process', c.boxX, y, c.boxW, podTitle(model, c.pod), ['in the node namespace'], c.boxW - G.textX - 6);
      podIf.set(c.pod, pb);
      podH = pb.h;
      continue;
    }
    const pod = b.box(`pod-${c.pod}`, 'pod', c.x, y, G.colW - G.insetR + G.insetL, 0, `pod ${c.pod}`);
    b.text(c.x + 10, y + 14, `${podTitle(model, c.pod)} (network namespace)`, 'pod-title');
    const eth0 = b.labelled(`pod-${c.pod}-eth0`, 'iface', c.boxX, y + 28, c.boxW, 'eth0', [`MTU ${model.podMtu}`], c.boxW - G.textX - 6);
    pod.h = eth0.y + eth0.h + 8 - y;
    podIf.set(c.pod, eth0);
    podH = pod.h;
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
      const box = b.labelled(row.id, row.kind, bx, y, bw, row.title, row.details, maxText, row.bpf, minHeights.get(row.id));
      for (const c of cols) boxes.set(c.pod, box);
      h = box.h;
    } else {
      for (const c of cols) {
        const box = b.labelled(`${row.id}-${c.pod}`, row.kind, c.boxX, y, c.boxW, row.title, row.details, c.boxW - G.textX - 6, row.bpf, minHeights.get(row.id));
        boxes.set(c.pod, box);
        h = Math.max(h, box.h);
      }
    }
    rowsOut.push({ row, boxes });
    heights.set(row.id, h);
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
    // No row: the policy sits at the pods' interfaces (Cilium's, checked before the delivery into the pod).
    const hook = hookRow ? rowsOut.find((r) => r.row === hookRow)!.boxes.get(cols[cols.length - 1]!.pod)! : podIf.get(cols[cols.length - 1]!.pod)!;
    const detail = pw.details.flatMap((d) => fit(d, G.sideW - 16, G.detailSize));
    const kind: BoxKind = model.policy.kind === 'none' ? 'no-policy' : 'policy';
    const mh = 12 + G.lineH * (1 + detail.length);
    b.box(`policy-${name}`, kind, sideX, hook.y, G.sideW, mh, [pw.title, ...pw.details].join(', '));
    b.text(sideX + 8, hook.y + 13, pw.title, kind === 'policy' ? 'side-title' : 'side-muted');
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
  return { name, cols, rows: rowsOut, podIf, heights, x: x0, w, bottom };
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
function ascend(b: Builder, p: PathBuilder, node: PlacedNode, col: Column): void {
  let skipped: DiagramBox | undefined;
  for (const r of [...node.rows].reverse()) {
    const box = r.boxes.get(col.pod)!;
    if (r.row.onPath && !r.row.onPath(col.pod)) {
      skipped = box;
      continue;
    }
    p.hv(col.lane, turnY(box));
  }
  const eth0 = node.podIf.get(col.pod)!;
  if (!skipped) {
    p.hv(col.lane, turnY(eth0));
    return;
  }
  // Only a BPF redirect skips a device (bpf_redirect_peer into the pod's eth0); say so beside the bypass.
  p.hv(col.bypass, p.points[p.points.length - 1]!.y).at(col.bypass, turnY(eth0)).at(eth0.x + eth0.w - 10, turnY(eth0));
  b.text(col.bypass + 8, skipped.y + 13, 'bpf_redirect_peer:', 'path-label');
  b.text(col.bypass + 8, skipped.y + 13 + G.lineH, 'straight into the pod,', 'path-label');
  b.text(col.bypass + 8, skipped.y + 13 + 2 * G.lineH, `skipping ${skipped.name.split(', ')[0]}`, 'path-label');
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
    b.line(e1.x + e1.w, e1.y + 20, e2.x, e2.y + 20, 'connector');
    b.text((e1.x + e1.w + e2.x) / 2, e1.y + 9, 'veth pair', 'link-label', 'center');
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
    }
    ascend(b, p, node, c2);
    right = node.x + node.w;
    bottom = node.bottom;
  } else {
    // Two passes: the second gives both nodes each row's larger height, so eth0 meets eth0 on a straight wire.
    const trial = [placeNode(new Builder(), model, scenario, 'node-a', ['a1'], x0, y0), placeNode(new Builder(), model, scenario, 'node-b', ['b1'], x0, y0)];
    const heights = new Map<string, number>();
    for (const t of trial) for (const [id, h] of t.heights) heights.set(id, Math.max(h, heights.get(id) ?? 0));
    const a = placeNode(b, model, scenario, 'node-a', ['a1'], x0, y0, heights);
    const nb = placeNode(b, model, scenario, 'node-b', ['b1'], a.x + a.w + G.wireGap, y0, heights);
    descend(p, a, a.cols[0]!);
    const ea = a.rows.at(-1)?.boxes.get('a1');
    const eb = nb.rows.at(-1)?.boxes.get('b1');
    if (ea && eb) {
      b.line(ea.x + ea.w, turnY(ea), eb.x, turnY(eb), 'wire');
      const mid = (a.x + a.w + nb.x) / 2;
      b.text(mid, turnY(ea) - 24, 'wire (veth pair)', 'link-label', 'center');
      b.text(mid, turnY(ea) - 11, '192.168.254.0/24', 'link-label', 'center');
    }
    ascend(b, p, nb, nb.cols[0]!);
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
