// Fig. 1 at a glance: every model's packet path in one scenario as a row of chips — the client pod, each device the
// packet crosses on the client's node (coloured like its CPP component in Figs. 4–5), the wire and the server — with
// the model's iptables policy and BPF programs marked. Small multiples on one page, readable in print; the full
// per-model diagrams (addresses, routes, chains) are Figs. A1–A2 in the appendix.
import type { TopLevelSpec } from 'vega-lite';
import type { ModelDescription, Scenario } from '../testbed/model.ts';
import { nodeRows, policyWords } from './datapathRows.ts';
import type { BoxKind } from './datapathLayout.ts';
import { boxStyle } from './fig1Datapath.ts';
import type { Layer } from './spec.ts';
import { title } from './spec.ts';
import { CONFIG, INK, MUTED, PATH_COLOR } from './theme.ts';
import { textWidth } from './textWidth.ts';

const FONT_SIZE = 9.5;
const LABEL_W = 112;
const ROW_H = 24;
const CHIP_H = 16;
const GAP = 11;
const PAD = 7;

/** One chip of a row: its text, its look and where it sits. */
interface Chip {
  model: string;
  text: string;
  kind: BoxKind;
  x: number;
  x2: number;
  y: number;
  y2: number;
  fill: string;
  stroke: string;
  dashed: boolean;
}

/** A device's short name: "veth… (host side)" → "veth…", "bridge cni0" stays. */
function short(title: string): string {
  return title.replace(/ \(host side\)$/, '').replace(/ \(loopback\)$/, '');
}

/** The chips of one model, left to right, before placement: [text, kind]. */
function pathOf(model: ModelDescription, scenario: Scenario): [string, BoxKind][] {
  const rows = nodeRows(model, scenario, 'node-a');
  const pods = model.attach.kind !== 'host';
  const out: [string, BoxKind][] = [[pods ? 'pod a1' : 'netperf', pods ? 'pod' : 'process']];
  for (const r of rows) {
    out.push([short(r.title), r.kind]);
    if (r.bpf) out.push(['eBPF', 'bpf']);
  }
  const server = scenario === 'intra' ? (pods ? 'pod a2' : 'netserver') : pods ? '⇒ node-b ⇒ pod b1' : '⇒ node-b netserver';
  out.push([server, pods ? 'pod' : 'process']);
  const policy = policyWords(model);
  if (!/^no /.test(policy.title)) out.push([`${policy.title.replace(/ \(netfilter\)$/, '')} policy`, 'policy']);
  return out;
}

/** The compact Fig. 1 for every model given that has the scenario: one row per model. */
export function datapathCompactSpec(models: readonly ModelDescription[], scenario: Scenario): TopLevelSpec {
  const mine = models.filter((m) => m.scenarios.includes(scenario));
  const chips: Chip[] = [];
  const labels: { x: number; y: number; text: string }[] = [];
  const links: { x1: number; x2: number; y: number }[] = [];
  let width = 0;
  mine.forEach((m, i) => {
    const yMid = i * ROW_H + ROW_H / 2;
    labels.push({ x: 0, y: yMid, text: m.label });
    let x = LABEL_W;
    const row: Chip[] = [];
    for (const [text, kind] of pathOf(m, scenario)) {
      const w = Math.ceil(textWidth(text, FONT_SIZE, kind === 'pod' || kind === 'process') + 2 * PAD);
      const style = boxStyle(kind);
      row.push({ model: m.id, text, kind, x, x2: x + w, y: yMid - CHIP_H / 2, y2: yMid + CHIP_H / 2, fill: style.fill, stroke: style.stroke, dashed: Boolean(style.dashed) });
      x += w + GAP;
    }
    // The path runs through every chip but the policy one, which sits beside it.
    const onPath = row.filter((c) => c.kind !== 'policy');
    links.push({ x1: onPath[0]!.x, x2: onPath.at(-1)!.x2, y: yMid });
    chips.push(...row);
    width = Math.max(width, x - GAP);
  });
  const height = mine.length * ROW_H;
  const px = (field: string) => ({ field, type: 'quantitative' as const, scale: null, axis: null });
  const rect = (dashed: boolean): Layer => ({
    data: { values: chips.filter((c) => c.dashed === dashed) },
    mark: { type: 'rect', cornerRadius: 3, strokeWidth: 1, ...(dashed ? { strokeDash: [3, 2] } : {}) },
    encoding: {
      x: px('x'), x2: { field: 'x2' }, y: px('y'), y2: { field: 'y2' },
      fill: { field: 'fill', type: 'nominal', scale: null },
      stroke: { field: 'stroke', type: 'nominal', scale: null },
      description: { field: 'text', type: 'nominal' },
    },
  });
  const layers: Layer[] = [
    { data: { values: links }, mark: { type: 'rule', aria: false, color: PATH_COLOR, strokeWidth: 2.5, opacity: 0.85 }, encoding: { x: px('x1'), x2: { field: 'x2' }, y: px('y') } },
    rect(false),
    ...(chips.some((c) => c.dashed) ? [rect(true)] : []),
    ...[true, false].map((bold): Layer => ({
      data: { values: chips.filter((c) => (c.kind === 'pod' || c.kind === 'process') === bold).map((c) => ({ x: (c.x + c.x2) / 2, y: (c.y + c.y2) / 2, text: c.text })) },
      mark: { type: 'text', aria: false, align: 'center', baseline: 'middle', fontSize: FONT_SIZE, fontWeight: bold ? 'bold' : 'normal', color: INK },
      encoding: { x: px('x'), y: px('y'), text: { field: 'text', type: 'nominal' } },
    })),
    {
      data: { values: labels },
      mark: { type: 'text', aria: false, align: 'left', baseline: 'middle', fontSize: 10.5, fontWeight: 'bold', color: INK },
      encoding: { x: px('x'), y: px('y'), text: { field: 'text', type: 'nominal' } },
    },
  ];
  const words = scenario === 'intra'
    ? 'Client pod a1 to server pod a2 on one node: each device the packet crosses, in order.'
    : 'Client pod a1 on node-a to server pod b1 on node-b: each device the packet crosses on node-a, then the wire; node-b is crossed in reverse.';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    name: `fig1${scenario === 'intra' ? 'a' : 'b'}`,
    title: title(`Fig. 1${scenario === 'intra' ? 'a' : 'b'} — Datapaths of the models, ${scenario}-host`, [words, 'Colours as the components of Figs. 4–5; dashed: iptables policy chains on the path. Full diagrams: Figs. A1–A2.']),
    config: { ...CONFIG, title: { ...CONFIG.title, subtitleColor: MUTED } },
    width,
    height,
    layer: layers,
  };
}
