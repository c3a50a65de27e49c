// The one look shared by every figure: offline font, sizes, the component palette and the Vega-Lite config.
import type { Config } from 'vega-lite';
import type { CppRow } from '../analysis/cpp.ts';

type Component = CppRow['component'];

/** Installed by fonts-liberation; nothing is fetched, and sans-serif is the fallback where it is missing. */
export const FONT = 'Liberation Sans, sans-serif';

/** Plot area of a bar chart with one row per model (13 models fit without crowding). */
export const BAR_WIDTH = 460;
export const BAR_STEP = 22;

/** CNI models vs the two reference points (baseline veth pair, host): references are grey so they never read as a CNI. */
export const MODEL_COLOR = '#0072B2';
export const REFERENCE_COLOR = '#B8B8B8';
export const REFERENCE_STROKE = '#555555';
/** The packet path of Fig. 1 (Okabe–Ito vermillion, the palette's strongest hue). */
export const PATH_COLOR = '#D55E00';
export const INK = '#222222';
/** One colour per line of the "against N" charts (Figs. 9–11): Okabe–Ito, then two more. */
const LINE_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#999933', '#882255'];

/** The colour channel of a chart with one line per entry of `lines`, its legend under the plot. */
export function lineColor(lines: readonly string[]) {
  return { field: 'line', type: 'nominal' as const, title: null, scale: { domain: [...lines], range: LINE_COLORS.slice(0, lines.length) }, legend: { orient: 'bottom' as const, direction: 'vertical' as const } };
}
export const MUTED = '#666666';

/**
 * CPU-cycle components, in stacking and legend order, with their colours. Colour-blind-safe: the seven
 * Okabe–Ito colours other than black (orange, sky blue, blue, vermillion, reddish purple, bluish green, yellow),
 * extended with Paul Tol's "muted" olive (#999933) and wine (#882255), a light grey for the generic stack and
 * Okabe–Ito black for user space. Hues that share a model are kept apart: ipip (olive) never meets vxlan
 * (yellow), ovs (wine) is far from netfilter (vermillion) in lightness, and user (black) marks the one model
 * whose packets cross to user space (flannel-udp). A Record, so a new component cannot be left without a colour.
 */
export const COMPONENT_COLORS: Readonly<Record<Component, string>> = {
  bridge: '#E69F00',
  fib: '#56B4E9',
  'ip-forward': '#0072B2',
  netfilter: '#D55E00',
  ebpf: '#CC79A7',
  veth: '#009E73',
  vxlan: '#F0E442',
  ipip: '#999933',
  ovs: '#882255',
  tun: '#117733',
  // The rest of the kernel, in muted tones so that the study's components stay the visible ones.
  tcp: '#C6D4E1',
  udp: '#A9BFD4',
  ip: '#D5E2CB',
  netdev: '#BCCFAE',
  softirq: '#E6D9BF',
  socket: '#E2CBCB',
  syscall: '#D3C8DE',
  sched: '#CBBFB3',
  memory: '#DDD2A9',
  'irq-lock': '#CFCFCF',
  tracing: '#EDEDED',
  stack: '#BBBBBB',
  user: '#000000',
};

/** Component order for stacks and legends (the order of {@link COMPONENT_COLORS}). */
export const COMPONENT_ORDER = Object.keys(COMPONENT_COLORS) as Component[];

/** Legend names of the components (the kernel function groups they stand for). */
export const COMPONENT_NAMES: Readonly<Record<Component, string>> = {
  bridge: 'Bridge',
  fib: 'FIB lookup',
  'ip-forward': 'IP forwarding',
  netfilter: 'Netfilter',
  ebpf: 'eBPF',
  veth: 'veth',
  vxlan: 'VXLAN',
  ipip: 'IP-in-IP',
  ovs: 'OVS datapath',
  tun: 'TUN device',
  tcp: 'TCP',
  udp: 'UDP',
  ip: 'IP layer',
  netdev: 'Device layer, GRO/GSO',
  softirq: 'Softirq, NAPI',
  socket: 'Socket, copy',
  syscall: 'Syscall entry',
  sched: 'Scheduler, wake-ups',
  memory: 'Memory allocation',
  'irq-lock': 'IRQs, timers, locks',
  tracing: 'Tracing, profiling',
  stack: 'Other kernel',
  user: 'User space',
};

/** Shared by every spec: same font everywhere, no frame around plots, titles anchored left like a paper's. */
export const CONFIG: Config = {
  font: FONT,
  background: 'white',
  padding: 8,
  view: { stroke: null },
  title: { font: FONT, fontSize: 15, fontWeight: 'bold', anchor: 'start', color: INK, subtitleFont: FONT, subtitleFontSize: 11, subtitleColor: '#444444', subtitlePadding: 4, offset: 12 },
  axis: {
    labelFont: FONT, titleFont: FONT, labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal',
    labelColor: INK, titleColor: INK, domainColor: '#888888', tickColor: '#888888', gridColor: '#E8E8E8', labelLimit: 220,
    // Drop tick labels that would touch (e.g. a flush last label next to its neighbour).
    labelOverlap: true, labelSeparation: 6,
  },
  legend: { labelFont: FONT, titleFont: FONT, labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', labelColor: INK, titleColor: INK, labelLimit: 220 },
  text: { font: FONT, color: INK },
};

/** Mixes a #rrggbb colour with white (amount > 0) or black (amount < 0): box fills and darker strokes from one hue. */
export function tint(color: string, amount: number): string {
  const target = amount >= 0 ? 255 : 0;
  const k = Math.abs(amount);
  const channel = (i: number) => Math.round(parseInt(color.slice(1 + 2 * i, 3 + 2 * i), 16) * (1 - k) + target * k);
  return `#${[0, 1, 2].map((i) => channel(i).toString(16).padStart(2, '0')).join('')}`.toUpperCase();
}
