// The chart stage's public face: one spec builder per figure, the SVG renderer, the theme, and the figure list.
import { fig3Panels } from './fig3Performance.ts';

export { datapathSpec, datapathGallerySpec } from './fig1Datapath.ts';
export { datapathLayout, type DatapathLayout, type DiagramBox, type BoxKind } from './datapathLayout.ts';
export { performanceSpec, fig3Panels, defaultMetric, type PerformanceOptions, type PerfTest, type Fig3Panel, type Fig3PanelId } from './fig3Performance.ts';
export { cppSpec, isEstimated } from './fig45Cpp.ts';
export { fibSpec, contextSwitchSpec } from './fig6Fib.ts';
export { launchSpec, LAUNCH_BACKEND_WORDS } from './fig7Launch.ts';
export { renderSvg, compileSpec, figureName } from './render.ts';
export { flameSpec, icicleNodes, type IcicleNode } from './flameGraph.ts';
export { CONFIG, COMPONENT_COLORS, COMPONENT_NAMES, COMPONENT_ORDER, FONT, MODEL_COLOR, REFERENCE_COLOR, PATH_COLOR } from './theme.ts';
export { REFERENCE_IDS, isReference, orderModels, modelLabel } from './order.ts';

/** A figure of the report: its id (also the spec's `name` and the SVG's file name), title and caption. */
export interface FigureInfo {
  id: string;
  title: string;
  caption: string;
}

const FIG3_CAPTION: Record<string, string> = {
  tcp_stream: 'TCP_STREAM throughput between a client and a server pod; higher is better.',
  tcp_rr: 'TCP_RR mean round-trip time of one-byte request/response transactions; lower is better.',
  udp_rr: 'UDP_RR mean round-trip time of one-byte request/response transactions; lower is better.',
};

/** Every figure the report draws, in the study's order. Fig. 1 also exists per model as fig1-<model>-<scenario>. */
export const FIGURES: readonly FigureInfo[] = [
  {
    id: 'fig1-gallery-intra',
    title: 'Fig. 1 — Datapaths of the models, intra-host',
    caption: 'Each model\'s datapath between two pods on one node, drawn from the same description the testbed is built from: pods, veth pairs, bridges, routing, BPF hooks, iptables chains, and the measured packet path in orange. Emulated parts are labelled.',
  },
  {
    id: 'fig1-gallery-inter',
    title: 'Fig. 1 — Datapaths of the models, inter-host',
    caption: 'Each model\'s datapath from a pod on node-a to a pod on node-b over the wire: tunnel devices (VXLAN, IP-in-IP, TUN with a user-space relay), the OVS stand-in, routes and policy routing, BPF hooks and iptables chains.',
  },
  ...fig3Panels().map((p) => ({
    id: p.id,
    title: `Fig. 3${p.panel} — ${p.title.replace(/^\([a-f]\) /, '')}`,
    caption: `${p.scenario === 'intra' ? 'Two pods on one node' : 'Pods on two nodes'}: ${FIG3_CAPTION[p.test]} Bars are means with 95% confidence intervals; grey dashed bars are reference points (baseline veth pair, host), not CNIs.`,
  })),
  {
    id: 'fig4',
    title: 'Fig. 4 — CPU cycles per packet by component, intra-host',
    caption: 'Cycles per packet received by the server pod, split into kernel components by where perf samples fell. The axis says "Estimated" when cycles come from cpu-clock samples rather than a hardware counter.',
  },
  {
    id: 'fig5',
    title: 'Fig. 5 — CPU cycles per packet by component, inter-host',
    caption: 'As Fig. 4 between nodes, where tunnel encapsulation (VXLAN, IP-in-IP), the OVS stand-in and user-space relaying add their own components.',
  },
  {
    id: 'flame-gallery-intra',
    title: 'Fig. C1 — Flame graphs of the profiles, intra-host',
    caption: 'Where each model\'s busy samples went within a node, all its profiles added: the component (as in Fig. 4) on the top row, then the process, then the call path from the root down; width is the share of busy samples. Frames under 0.5% of the samples are left out; the folded-stack files under reports/tables/ keep them all.',
  },
  {
    id: 'flame-gallery-inter',
    title: 'Fig. C2 — Flame graphs of the profiles, inter-host',
    caption: 'As Fig. C1 between nodes (the samples behind Fig. 5), where encapsulation, the TUN device and the underlay add their frames.',
  },
  {
    id: 'fig6',
    title: 'Fig. 6 — FIB lookups per 100,000 packets, inter-host',
    caption: 'Routing-table (FIB) lookups counted by perf during the inter-host test, per 100,000 packets received; an extra policy-routing table adds lookups.',
  },
  {
    id: 'fig6-context-switches-inter',
    title: 'Context switches per packet, inter-host',
    caption: 'Context switches counted by perf during the inter-host test, per packet received; a user-space relay in the datapath shows up here.',
  },
  {
    id: 'fig7',
    title: 'Fig. 7 — Pod launch time by phase, local testbed',
    caption: 'Time from asking for a pod to its first answered request on the local testbed, per model, stacked by phase: the network namespace, CNI ADD, the model\'s own steps (BPF endpoint, policy re-sync) and readiness. Without Kubernetes components this is the network part of a launch only. Whiskers: 95% confidence interval of the total.',
  },
  {
    id: 'fig7-k8s',
    title: 'Fig. 7 — Pod launch time by phase, Kubernetes',
    caption: 'Time from a pod\'s creation to Ready on the cluster, per CNI, split at the pod\'s condition transitions and events: scheduling, sandbox and network set-up, container start, readiness. Whiskers: 95% confidence interval of the total.',
  },
];
