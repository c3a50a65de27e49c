// Fig. 1: a model's datapath as a diagram — the layout from datapathLayout.ts drawn with Vega-Lite marks on
// unscaled pixel positions; box colours match the CPP components of Figs. 4–5.
import type { TopLevelSpec } from 'vega-lite';
import type { ModelDescription, Scenario } from '../testbed/model.ts';
import { type BoxKind, type DatapathLayout, type DiagramBox, type TextStyle, datapathLayout } from './datapathLayout.ts';
import type { ConcatItem, Layer } from './spec.ts';
import { title, wrap } from './spec.ts';
import { COMPONENT_COLORS, CONFIG, INK, MUTED, PATH_COLOR, tint } from './theme.ts';
import { textWidth } from './textWidth.ts';

interface BoxStyle {
  fill: string;
  stroke: string;
  dashed?: boolean;
}

/** Colours by the CPP component each kind of device is charged to, so Fig. 1 and Figs. 4–5 read together. */
export function boxStyle(kind: BoxKind): BoxStyle {
  const of = (c: string, fill = 0.82): BoxStyle => ({ fill: tint(c, fill), stroke: tint(c, -0.25) });
  const C = COMPONENT_COLORS;
  switch (kind) {
    case 'node': return { fill: '#F6F6F6', stroke: '#A0A0A0' };
    case 'pod': return { fill: '#FFFFFF', stroke: '#707070' };
    case 'iface': return { fill: '#FFFFFF', stroke: '#707070' };
    case 'process': return of(C.stack, 0.6);
    case 'loopback': return of(C.stack, 0.6);
    case 'veth': return of(C.veth);
    case 'bridge': return of(C.bridge);
    case 'routing': return of(C['ip-forward']);
    case 'vxlan': return of(C.vxlan, 0.7);
    case 'ipip': return of(C.ipip);
    case 'tun': return of(C.stack, 0.6);
    case 'ovs': return of(C.ovs);
    case 'user': return { fill: '#E4E4E4', stroke: '#000000' };
    case 'bpf': return of(C.ebpf, 0.55);
    case 'policy': return { ...of(C.netfilter, 0.88), dashed: true };
    case 'no-policy': return { fill: '#FFFFFF', stroke: '#B0B0B0', dashed: true };
  }
}

interface TextLook {
  size: number;
  bold: boolean;
  italic?: boolean;
  color: string;
}

const TEXT: Record<TextStyle, TextLook> = {
  'node-title': { size: 12.5, bold: true, color: INK },
  'pod-title': { size: 11, bold: true, color: INK },
  'box-title': { size: 11.5, bold: true, color: INK },
  'box-detail': { size: 10, bold: false, color: '#444444' },
  badge: { size: 10, bold: true, color: tint(COMPONENT_COLORS.ebpf, -0.55) },
  'side-title': { size: 10.5, bold: true, color: tint(COMPONENT_COLORS.netfilter, -0.3) },
  'side-muted': { size: 10.5, bold: false, italic: true, color: '#888888' },
  'side-detail': { size: 10, bold: false, color: '#444444' },
  'link-label': { size: 9.5, bold: false, italic: true, color: MUTED },
  'path-label': { size: 10, bold: true, color: tint(PATH_COLOR, -0.2) },
};

const NOTE_SIZE = 10.5;
const px = (field: string) => ({ field, type: 'quantitative' as const, scale: null, axis: null });

function rectLayer(boxes: readonly DiagramBox[], dashed: boolean, radius: number): Layer {
  const values = boxes.map((b) => ({ ...b, x2: b.x + b.w, y2: b.y + b.h, ...boxStyle(b.kind) }));
  return {
    data: { values },
    mark: { type: 'rect', cornerRadius: radius, strokeWidth: dashed ? 1.2 : 1.3, ...(dashed ? { strokeDash: [4, 3] } : {}) },
    encoding: {
      x: px('x'), x2: { field: 'x2' }, y: px('y'), y2: { field: 'y2' },
      fill: { field: 'fill', type: 'nominal', scale: null },
      stroke: { field: 'stroke', type: 'nominal', scale: null },
      description: { field: 'name', type: 'nominal' },
    },
  };
}

function textLayers(texts: DatapathLayout['texts']): Layer[] {
  const groups = new Map<string, DatapathLayout['texts']>();
  for (const t of texts) groups.set(`${t.style}|${t.align}`, [...(groups.get(`${t.style}|${t.align}`) ?? []), t]);
  return [...groups].map(([key, values]) => {
    const [style, align] = key.split('|') as [TextStyle, 'left' | 'center'];
    const look = TEXT[style];
    return {
      data: { values },
      mark: { type: 'text', aria: false, align, baseline: 'middle', fontSize: look.size, fontWeight: look.bold ? 'bold' : 'normal', ...(look.italic ? { fontStyle: 'italic' } : {}), color: look.color },
      encoding: { x: px('x'), y: px('y'), text: { field: 'text', type: 'nominal' } },
    } satisfies Layer;
  });
}

/** Footnotes under the diagram: how to read the path, and what this model emulates. */
function notes(model: ModelDescription, scenario: Scenario, width: number): string[] {
  const server = scenario === 'intra' ? 'a2' : 'b1';
  const ends = model.attach.kind === 'host' ? `netperf → netserver${scenario === 'inter' ? ' on node-b' : ''}` : `client pod a1 → server pod ${server}`;
  const lines = [`Orange line: the measured packet path, ${ends}. Box colours match the components of Figs. 4–5.`, ...model.emulation.map((e) => `Emulated: ${e}`)];
  // Wrap by measured width: the note must not widen the figure.
  const chars = Math.max(40, Math.floor(width / (textWidth('abcdefghijklmnopqrstuvwxyz ', NOTE_SIZE) / 27)));
  return lines.flatMap((l) => wrap(l, chars));
}

/** The layers of one diagram, footnotes included; `height` is the diagram's plus its notes. */
function diagram(model: ModelDescription, scenario: Scenario): { layers: Layer[]; width: number; height: number } {
  const layout = datapathLayout(model, scenario);
  const nodes = layout.boxes.filter((b) => b.kind === 'node');
  const solid = layout.boxes.filter((b) => b.kind !== 'node' && !boxStyle(b.kind).dashed);
  const dashed = layout.boxes.filter((b) => boxStyle(b.kind).dashed);
  const footer = notes(model, scenario, layout.width).map((text, i) => ({ x: 4, y: layout.height + 10 + i * 14, text }));
  const lineLayer = (style: 'connector' | 'hook' | 'wire', mark: Record<string, unknown>): Layer[] => {
    const values = layout.lines.filter((l) => l.style === style);
    return values.length ? [{ data: { values }, mark: { type: 'rule', aria: false, ...mark }, encoding: { x: px('x1'), y: px('y1'), x2: { field: 'x2' }, y2: { field: 'y2' } } }] : [];
  };
  const layers: Layer[] = [
    ...(nodes.length ? [rectLayer(nodes, false, 8)] : []),
    ...lineLayer('connector', { color: '#8A8A8A', strokeWidth: 1.2 }),
    ...lineLayer('wire', { color: '#555555', strokeWidth: 4 }),
    ...lineLayer('hook', { color: tint(COMPONENT_COLORS.netfilter, -0.1), strokeWidth: 1.2, strokeDash: [3, 2] }),
    rectLayer(solid, false, 4),
    ...(dashed.length ? [rectLayer(dashed, true, 4)] : []),
    {
      data: { values: layout.path },
      mark: { type: 'line', aria: false, color: PATH_COLOR, strokeWidth: 3, opacity: 0.9, strokeJoin: 'round', strokeCap: 'round' },
      encoding: { x: px('x'), y: px('y'), order: { field: 'order', type: 'quantitative' } },
    },
    {
      data: { values: layout.arrows },
      mark: { type: 'point', aria: false, shape: 'triangle-right', filled: true, size: 60, color: PATH_COLOR, opacity: 1 },
      encoding: { x: px('x'), y: px('y'), angle: { field: 'angle', type: 'quantitative', scale: null } },
    },
    ...textLayers(layout.texts),
    {
      data: { values: footer },
      mark: { type: 'text', aria: false, align: 'left', baseline: 'middle', fontSize: NOTE_SIZE, color: '#444444' },
      encoding: { x: px('x'), y: px('y'), text: { field: 'text', type: 'nominal' } },
    },
  ];
  return { layers, width: layout.width, height: layout.height + 6 + footer.length * 14 };
}

/** What the scenario means for this model: pods, processes on the nodes, or two bare pods. */
function scenarioWords(model: ModelDescription, scenario: Scenario): string {
  if (model.attach.kind === 'direct-veth') return 'intra-host (two pods, no node in between)';
  if (model.attach.kind === 'host') return scenario === 'intra' ? 'intra-host (within node-a, no pods)' : 'inter-host (node-a to node-b, no pods)';
  return scenario === 'intra' ? 'intra-host (two pods on node-a)' : 'inter-host (pod a1 on node-a to pod b1 on node-b)';
}

/** Fig. 1 for one model: its datapath in one scenario, drawn from its description. */
export function datapathSpec(model: ModelDescription, scenario: Scenario): TopLevelSpec {
  const d = diagram(model, scenario);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    name: `fig1-${model.id}-${scenario}`,
    title: title(`Fig. 1 — ${model.label}: ${scenarioWords(model, scenario)} datapath`, wrap(model.summary, Math.floor(d.width / 5.6))),
    config: CONFIG,
    width: d.width,
    height: d.height,
    layer: d.layers,
  };
}

/** Fig. 1 for every model that has the scenario, one diagram under the other. */
export function datapathGallerySpec(models: readonly ModelDescription[], scenario: Scenario): TopLevelSpec {
  const items: ConcatItem[] = models.filter((m) => m.scenarios.includes(scenario)).map((m) => {
    const d = diagram(m, scenario);
    return { title: title(m.label, wrap(m.summary, Math.floor(d.width / 5.6))), width: d.width, height: d.height, layer: d.layers };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    name: `fig1-gallery-${scenario}`,
    title: title(`Fig. 1 — Datapaths of the models, ${scenario}-host`, [scenario === 'intra' ? 'Client pod a1 and server pod a2 on node-a.' : 'Client pod a1 on node-a, server pod b1 on node-b.']),
    config: { ...CONFIG, concat: { spacing: 28 } },
    vconcat: items,
  };
}
