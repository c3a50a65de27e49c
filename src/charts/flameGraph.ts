// Flame graphs of the report's appendix: an icicle of one model and scenario's folded stacks (all its profiles
// added), the component first, then the process, then the call path from the root; width = share of busy samples,
// colour = the component (the colours of Figs. 4–5). The partition is computed here and drawn as plain Vega-Lite
// rectangles, so it renders like every other figure. Narrow frames are left out (they would be slivers no one can
// read); the folded-stack files under reports/tables/ keep every frame for flame-graph tools.
import type { TopLevelSpec } from 'vega-lite';
import type { Component } from '../tools/perf/index.ts';
import { COMPONENTS } from '../tools/perf/index.ts';
import { COMPONENT_COLORS, COMPONENT_NAMES, COMPONENT_ORDER, CONFIG, INK } from './theme.ts';
import { MSG } from './messages.ts';
import { textWidth } from './textWidth.ts';

/** One rectangle of the icicle. */
export interface IcicleNode {
  /** Left and right edge as fractions of all samples. */
  x0: number;
  x1: number;
  /** 0 = the component row. */
  depth: number;
  name: string;
  component: Component;
  samples: number;
}

export interface IcicleOptions {
  /** Frames narrower than this share of all samples are left out (default 0.5%). */
  minShare?: number;
  /** Rows below the component row (default 18). */
  maxDepth?: number;
}

interface Trie {
  name: string;
  samples: number;
  children: Map<string, Trie>;
}

const COMPONENT_OF_FRAME = new Map<string, Component>(COMPONENTS.map((c) => [`[${c}]`, c]));

/** The icicle's rectangles, components in the order of Figs. 4–5, children by samples (widest first). */
export function icicleNodes(stacks: ReadonlyMap<string, number>, opts: IcicleOptions = {}): IcicleNode[] {
  const minShare = opts.minShare ?? 0.005;
  const maxDepth = opts.maxDepth ?? 18;
  const root: Trie = { name: '', samples: 0, children: new Map() };
  for (const [key, n] of stacks) {
    let node = root;
    node.samples += n;
    for (const frame of key.split(';').slice(0, maxDepth + 1)) {
      let next = node.children.get(frame);
      if (!next) node.children.set(frame, (next = { name: frame, samples: 0, children: new Map() }));
      next.samples += n;
      node = next;
    }
  }
  const total = root.samples;
  if (!total) return [];
  const out: IcicleNode[] = [];
  const rank = (name: string) => { const c = COMPONENT_OF_FRAME.get(name); return c ? COMPONENT_ORDER.indexOf(c) : COMPONENT_ORDER.length; };
  const top = [...root.children.values()].sort((a, b) => rank(a.name) - rank(b.name) || b.samples - a.samples);
  let x = 0;
  for (const t of top) {
    const component = COMPONENT_OF_FRAME.get(t.name);
    if (!component) throw new Error(`folded stack does not start with a [component] frame: ${t.name}`);
    place(t, x, 0, component);
    x += t.samples / total;
  }
  return out;

  function place(node: Trie, x0: number, depth: number, component: Component): void {
    const share = node.samples / total;
    if (share < minShare) return;
    out.push({ x0, x1: x0 + share, depth, name: depth === 0 ? COMPONENT_NAMES[component] : node.name, component, samples: node.samples });
    let x = x0;
    for (const child of [...node.children.values()].sort((a, b) => b.samples - a.samples || (a.name < b.name ? -1 : 1))) {
      place(child, x, depth + 1, component);
      x += child.samples / total;
    }
  }
}

const ROW = 15;
const WIDTH = 560;
const LABEL_SIZE = 9;

/** The frame's name cut to fit `width` px with an ellipsis; '' when not even a few characters fit. */
function fit(name: string, width: number): string {
  if (textWidth(name, LABEL_SIZE, false) <= width) return name;
  for (let n = name.length - 1; n >= 3; n--) {
    const cut = `${name.slice(0, n)}…`;
    if (textWidth(cut, LABEL_SIZE, false) <= width) return cut;
  }
  return '';
}

/** The icicle of one model and scenario. `title`: e.g. "Flannel, intra-host". */
export function flameSpec(stacks: ReadonlyMap<string, number>, o: { name: string; title: string; profiles: number }): TopLevelSpec {
  const nodes = icicleNodes(stacks);
  if (!nodes.length) throw new Error(MSG.noRows(o.name, 'folded stacks'));
  const total = nodes.filter((n) => n.depth === 0).reduce((s, n) => s + n.samples, 0);
  const depth = Math.max(...nodes.map((n) => n.depth)) + 1;
  const values = nodes.map((n) => ({
    ...n,
    y0: n.depth,
    y1: n.depth + 1,
    part: COMPONENT_NAMES[n.component],
    pct: `${((100 * n.samples) / total).toFixed(1)}%`,
    desc: `frame: ${n.name}; component: ${COMPONENT_NAMES[n.component]}; samples: ${n.samples} (${((100 * n.samples) / total).toFixed(1)}%)`,
    label: fit(n.name, (n.x1 - n.x0) * WIDTH - 4),
  }));
  const used = COMPONENT_ORDER.filter((c) => nodes.some((n) => n.component === c));
  const x = { field: 'x0', type: 'quantitative' as const, scale: { domain: [0, 1] }, axis: null };
  const y = { field: 'y0', type: 'quantitative' as const, scale: { domain: [0, depth], reverse: true }, axis: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    name: o.name,
    title: { text: o.title, subtitle: `${total.toLocaleString('en-US')} busy samples over ${o.profiles} profile${o.profiles === 1 ? '' : 's'}; frames under 0.5% left out`, anchor: 'start' },
    config: CONFIG,
    width: WIDTH,
    height: depth * ROW,
    data: { values },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x, x2: { field: 'x1' }, y, y2: { field: 'y1' },
          color: { field: 'part', type: 'nominal', title: 'component', scale: { domain: used.map((c) => COMPONENT_NAMES[c]), range: used.map((c) => COMPONENT_COLORS[c]) }, legend: { orient: 'bottom', columns: 4 } },
          tooltip: [{ field: 'name', title: 'frame' }, { field: 'part', title: 'component' }, { field: 'samples', type: 'quantitative', title: 'samples' }, { field: 'pct', title: 'share' }],
          description: { field: 'desc' },
        },
      },
      {
        transform: [{ filter: "datum.label !== ''" }],
        mark: { type: 'text', aria: false, align: 'left', baseline: 'middle', dx: 2, dy: ROW / 2, fontSize: LABEL_SIZE, color: INK },
        encoding: { x, y, text: { field: 'label' } },
      },
    ],
  } as TopLevelSpec;
}
