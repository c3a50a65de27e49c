// The one figure registry: every figure of the report — its anchor id, label, title, caption, the report section it
// sits in, and what it draws from the derive stage's tables (one Vega-Lite spec per panel and the rows of its CSV),
// or why these runs cannot draw it. The report, its CSV files and the notebooks all take figures from here.
import type { TopLevelSpec } from 'vega-lite';
import type { DerivedTables } from '../analysis/derive.ts';
import { foldedFileName } from '../analysis/cpp.ts';
import { scaleCyclesCsvRow } from '../analysis/scaleCycles.ts';
import type { ModelDescription, Scenario } from '../testbed/model.ts';
import { MODELS } from '../testbed/models/index.ts';
import { datapathSpec } from './fig1Datapath.ts';
import { datapathCompactSpec } from './fig1Compact.ts';
import { fig3Panels, performanceSpec, type Fig3Panel } from './fig3Performance.ts';
import { cppSpec } from './fig45Cpp.ts';
import { contextSwitchSpec, fibSpec } from './fig6Fib.ts';
import { launchSpec } from './fig7Launch.ts';
import { flameSpec } from './flameGraph.ts';
import { scaleRows, serviceScaleSpec } from './fig9ServiceScale.ts';
import { hasPolicySweep, policyScaleRows, policyScaleSpec } from './fig10PolicyScale.ts';
import { hasLoadSweep, loadPoints, loadTimeSpec } from './fig11LoadTime.ts';
import { hasCycleSweep, scaleCycleRows, scaleCyclesSpec } from './fig12ScaleCycles.ts';
import { modelLabel } from './order.ts';

/** The report section (its anchor) a figure is placed in. */
export type FigureSection = 'appendix-models' | 'sec-cnis' | 'sec-intra' | 'sec-inter' | 'sec-cycles' | 'sec-launch' | 'sec-beyond' | 'sec-policy-scale' | 'appendix-flames';

/** What one figure draws from the derived tables: a spec per panel (built lazily) and its CSV rows — or why not. */
export interface FigurePlan {
  /**
   * `interactive`, for figures with data points: the same figure with a hover tip on every data mark (n, mean, 95% CI
   * and the repetitions), for the interactive page (cnibench report --interactive); `spec` stays the static figure.
   */
  specs: { file: string; spec: () => TopLevelSpec; interactive?: () => TopLevelSpec }[];
  rows: readonly object[];
  missing?: string;
}

export interface FigureDef {
  /** Anchor in the report page, base name of its CSV under tables/ (fig3a, fig4, figC1, …). */
  id: string;
  /** "Fig. 3a". */
  label: string;
  title: string;
  caption: string;
  section: FigureSection;
  plan(d: DerivedTables): FigurePlan;
  /** Drawn only when this holds (a cluster's launch panel, absent from most reports); always when absent. */
  when?(d: DerivedTables): boolean;
}

/** One row of a figure's data, as Arquero hands it out. */
export type FigureRow = Record<string, string | number | boolean>;

const PROFILE_HINT = '(collect with --profile)';

/** One panel, or none and the reason, depending on whether there are rows to draw. */
function single(file: string, rows: readonly object[], spec: () => TopLevelSpec, missing: string, interactive?: () => TopLevelSpec): FigurePlan {
  return rows.length ? { specs: [{ file, spec, ...(interactive ? { interactive } : {}) }], rows } : { specs: [], rows, missing };
}

function modelRows(models: readonly ModelDescription[], scenario: Scenario): FigureRow[] {
  return models.map((m) => ({
    model: m.id, label: m.label, cni: m.cni, scenario, attach: m.attach.kind,
    interHost: scenario === 'inter' ? (m.interHost?.kind ?? '') : '', policy: m.policy.kind, summary: m.summary, emulation: m.emulation.join(' | '),
  }));
}

/** The models a diagram shows: those measured, or every model before there is data. */
function diagramModels(d: DerivedTables, scenario: Scenario): ModelDescription[] {
  const measured = new Set(d.runs.flatMap((r) => r.manifest.plan.models));
  return (measured.size ? MODELS.filter((m) => measured.has(m.id)) : MODELS).filter((m) => m.scenarios.includes(scenario));
}

/** Fig. 1a–b: every model's path at a glance, one row per model (the main body). */
function datapathCompactFigure(letter: 'a' | 'b', scenario: Scenario, caption: string): FigureDef {
  return {
    id: `fig1${letter}`, label: `Fig. 1${letter}`, section: 'sec-cnis',
    title: `Datapaths of the models, ${scenario}-host`,
    caption,
    plan(d) {
      const models = diagramModels(d, scenario);
      return { specs: [{ file: `fig1${letter}.svg`, spec: () => datapathCompactSpec(models, scenario) }], rows: modelRows(models, scenario) };
    },
  };
}

/** Figs. A1–A2: each model's nodes in full, one diagram per model (the appendix). */
function datapathFigure(n: 1 | 2, scenario: Scenario, caption: string): FigureDef {
  return {
    id: `figA${n}`, label: `Fig. A${n}`, section: 'appendix-models',
    title: `Datapaths of the models in full, ${scenario}-host`,
    caption,
    plan(d) {
      const models = diagramModels(d, scenario);
      return { specs: models.map((m) => ({ file: `fig1-${m.id}-${scenario}.svg`, spec: () => datapathSpec(m, scenario) })), rows: modelRows(models, scenario) };
    },
  };
}

const FIG3_CAPTION: Record<Fig3Panel['test'], string> = {
  tcp_stream: 'TCP_STREAM throughput between a client and a server pod; higher is better.',
  tcp_rr: 'TCP_RR mean round-trip time of one-byte request/response transactions; lower is better.',
  udp_rr: 'UDP_RR mean round-trip time of one-byte request/response transactions; lower is better.',
};

function performanceFigure(p: Fig3Panel): FigureDef {
  return {
    id: p.id, label: `Fig. 3${p.panel}`, section: p.scenario === 'intra' ? 'sec-intra' : 'sec-inter',
    title: p.title.replace(/^\([a-f]\) /, ''),
    caption: `${p.scenario === 'intra' ? 'Two pods on one node' : 'Pods on two nodes'}: ${FIG3_CAPTION[p.test]} Bars are means with 95% confidence intervals; grey dashed bars are reference points (baseline veth pair, host), not CNIs.`,
    plan(d) {
      const rows = d.summaries.filter((s) => s.scenario === p.scenario && s.test === p.test && s.metric === p.metric);
      const opts = { scenario: p.scenario, test: p.test, metric: p.metric };
      return single(`${p.id}.svg`, rows, () => performanceSpec(d.summaries, opts), `no sound ${p.scenario}-host ${p.test} results in these runs.`,
        () => performanceSpec(d.summaries, { ...opts, repetitions: d.observations }));
    },
  };
}

function cppFigure(n: 4 | 5, scenario: Scenario, title: string, caption: string): FigureDef {
  return {
    id: `fig${n}`, label: `Fig. ${n}`, section: 'sec-cycles', title, caption,
    plan(d) {
      const rows = d.cpp.filter((r) => r.scenario === scenario);
      return single(`fig${n}.svg`, rows, () => cppSpec(d.cppMeans, scenario), `no usable ${scenario}-host profiles in these runs ${PROFILE_HINT}.`, () => cppSpec(d.cppMeans, scenario, d.cpp));
    },
  };
}

function flameFigure(n: 1 | 2, scenario: Scenario, caption: string): FigureDef {
  const words = scenario === 'intra' ? 'intra-host' : 'inter-host';
  return {
    id: `figC${n}`, label: `Fig. C${n}`, section: 'appendix-flames',
    title: `Flame graphs of the profiles, ${words}`,
    caption,
    plan(d) {
      const mine = MODELS.flatMap((m) => d.folded.filter((f) => f.model === m.id && f.scenario === scenario));
      return {
        specs: mine.map((f) => ({ file: `flame-${f.model}-${scenario}.svg`, spec: () => flameSpec(f.stacks, { name: `flame-${f.model}-${scenario}`, title: `${modelLabel(f.model)}, ${words}`, profiles: f.profiles }) })),
        rows: mine.map((f) => ({ model: f.model, scenario, profiles: f.profiles, stacks: f.stacks.size, samples: [...f.stacks.values()].reduce((a, b) => a + b, 0), file: foldedFileName(f) })),
        ...(mine.length ? {} : { missing: `no usable ${scenario}-host profiles in these runs ${PROFILE_HINT}.` }),
      };
    },
  };
}

const interEvents = (d: DerivedTables) => d.packetEvents.filter((r) => r.scenario === 'inter');
const NO_INTER_PROFILES = `no usable inter-host profiles in these runs ${PROFILE_HINT}.`;

/** Every figure of the report, in the order the report places them. */
export const FIGURES: readonly FigureDef[] = [
  datapathCompactFigure('a', 'intra', 'Every model\'s path between two pods on one node, one row per model, drawn from the same description the testbed is built from: the devices in the order the packet crosses them, BPF programs on the way, and the iptables policy where the model has one.'),
  datapathCompactFigure('b', 'inter', 'Every model\'s path from a pod on node-a to a pod on node-b: the devices on node-a in the order the packet crosses them (tunnel devices, the OVS stand-in, a user-space relay), then the wire; node-b is crossed the same way in reverse.'),
  ...fig3Panels().map(performanceFigure),
  cppFigure(4, 'intra', 'CPU cycles per packet by component, intra-host', 'Cycles per packet received by the server pod, split into kernel components by where perf samples fell. The axis says "Estimated" when cycles come from cpu-clock samples rather than a hardware counter.'),
  cppFigure(5, 'inter', 'CPU cycles per packet by component, inter-host', 'As Fig. 4 between nodes, where tunnel encapsulation (VXLAN, IP-in-IP), the OVS stand-in and user-space relaying add their own components.'),
  {
    id: 'fig6', label: 'Fig. 6', section: 'sec-cycles',
    title: 'FIB lookups per 100,000 packets, inter-host',
    caption: 'Routing-table (FIB) lookups counted by perf during the inter-host test, per 100,000 packets received; an extra policy-routing table adds lookups.',
    plan: (d) => single('fig6.svg', interEvents(d), () => fibSpec(d.packetEventMeans, 'inter'), NO_INTER_PROFILES, () => fibSpec(d.packetEventMeans, 'inter', d.packetEvents)),
  },
  {
    id: 'fig8', label: 'Fig. 8', section: 'sec-cycles',
    title: 'Context switches per packet, inter-host',
    caption: 'Context switches counted by perf during the inter-host test, per packet received; a user-space relay in the datapath shows up here. The study has no such figure.',
    plan: (d) => single('fig8.svg', interEvents(d), () => contextSwitchSpec(d.packetEventMeans, 'inter'), NO_INTER_PROFILES, () => contextSwitchSpec(d.packetEventMeans, 'inter', d.packetEvents)),
  },
  {
    id: 'fig7', label: 'Fig. 7', section: 'sec-launch',
    title: 'Pod launch time by phase, local testbed',
    caption: 'Time from asking for a pod to its first answered request on the local testbed, per model, stacked by phase: the network namespace, CNI ADD, the model\'s own steps (BPF endpoint, policy re-sync) and readiness. Without Kubernetes components this is the network part of a launch only. Whiskers: 95% confidence interval of the total.',
    plan(d) {
      const local = d.launches.filter((s) => s.backend === 'local');
      const rows = d.launchRows.filter((r) => r.backend === 'local');
      return local.length ? { specs: [{ file: 'fig7.svg', spec: () => launchSpec(d.launches, 'local'), interactive: () => launchSpec(d.launches, 'local', d.launchRows) }], rows } : { specs: [], rows, missing: 'no pod-launch timings from the local testbed in these runs (collect with --launch).' };
    },
  },
  {
    id: 'fig7-k8s', label: 'Fig. 7 (Kubernetes)', section: 'sec-launch',
    title: 'Pod launch time by phase, Kubernetes',
    caption: 'Time from a pod\'s creation to Ready on the cluster, per CNI, split at the pod\'s condition transitions and events: scheduling, sandbox and network set-up, container start, readiness. Whiskers: 95% confidence interval of the total.',
    when: (d) => d.launches.some((s) => s.backend === 'k8s'),
    plan: (d) => ({ specs: [{ file: 'fig7-k8s.svg', spec: () => launchSpec(d.launches, 'k8s'), interactive: () => launchSpec(d.launches, 'k8s', d.launchRows) }], rows: d.launchRows.filter((r) => r.backend === 'k8s') }),
  },
  {
    id: 'fig9', label: 'Fig. 9', section: 'sec-beyond',
    title: 'Transactions per second through a Service against the number of Services',
    caption: 'Request/response tests sent to a Service\'s ClusterIP while the nodes hold 0 to N other Services (collect --sweep services=…, the sizes interleaved in every round), one line per model and Service implementation: kube-proxy\'s iptables rules are matched one Service at a time on a connection\'s first packet, nftables and the eBPF load balancer look the Service up in a map. TCP_CRR pays that lookup on every transaction. Whiskers: 95% confidence intervals. Not in the study.',
    // Drawn for a sweep: some run has rows at more than one size.
    when: (d) => { const rows = scaleRows(d.servicePath.rows); return new Set(rows.map((r) => `${r.run} ${r.services}`)).size > new Set(rows.map((r) => r.run)).size; },
    plan: (d) => single('fig9.svg', scaleRows(d.servicePath.rows), () => serviceScaleSpec(d.servicePath.rows), 'no sweep of Service counts in these runs (collect with --sweep services=…).', () => serviceScaleSpec(d.servicePath.rows, { tips: true })),
  },
  {
    id: 'fig12', label: 'Fig. 12', section: 'sec-beyond',
    title: 'CPU cycles per connection against the number of Services or policy rules',
    caption: 'Where Figs. 9 and 10 show the rate, this shows the CPU: TCP_CRR profiled at each size of a sweep (collect --sweep … --profile --profile-tests tcp_crr), each profile\'s busy samples attributed by call chain as in Fig. 4 and divided by the connections it made. netfilter + eBPF holds the Service lookup — kube-proxy\'s chains or maps, the socket load balancer — or, in a policy sweep, the policy\'s rules, with conntrack, NAT and the rest of the filtering path; every component adds the TCP handshakes, sockets and scheduling. Whiskers: 95% confidence intervals over the profiles. Not in the study.',
    when: (d) => hasCycleSweep(d.scaleCycles),
    plan: (d) => single('fig12.svg', scaleCycleRows(d.scaleCycles).map(scaleCyclesCsvRow), () => scaleCyclesSpec(d.scaleCycles), 'no profiled sweep in these runs (collect with --sweep services=… --profile --profile-tests tcp_crr).', () => scaleCyclesSpec(d.scaleCycles, { tips: true })),
  },
  {
    id: 'fig10', label: 'Fig. 10', section: 'sec-policy-scale',
    title: 'Transactions per second against the rules of the pods\' network policy',
    caption: 'Request/response tests between two pods while the network policy selecting them holds N more rules ahead of the one admitting the test (collect --sweep policy-rules=…, the sizes interleaved in every round), one line per model: each CNI renders the rules its own way — Felix an address match per rule, kube-router and weave-npc an IP set per rule. Only a connection\'s first packet walks them, so TCP_CRR pays them on every transaction and TCP_RR once. Whiskers: 95% confidence intervals. Not in the study.',
    when: (d) => hasPolicySweep(d.policyScale.rows),
    plan: (d) => single('fig10.svg', policyScaleRows(d.policyScale.rows), () => policyScaleSpec(d.policyScale.rows), 'no sweep of policy rules in these runs (collect with --sweep policy-rules=…).', () => policyScaleSpec(d.policyScale.rows, { tips: true })),
  },
  {
    id: 'fig11', label: 'Fig. 11', section: 'sec-policy-scale',
    title: 'Time for a node to load its rule set against the set\'s size',
    caption: 'How long each node took to take in its whole rule set when its testbed came up, against the number of Services (kube-proxy\'s iptables or nftables rules checked and loaded; the eBPF load balancer\'s programs loaded and maps filled) or of rules added to the pods\' network policy (IP sets restored, rules checked and loaded in one transaction, as a controller\'s full sync does). Dots: one node each, measured once; lines: their mean per size. Not in the study.',
    when: (d) => hasLoadSweep(loadPoints(d.servicePath.sync, d.policyScale.apply)),
    plan: (d) => {
      const points = loadPoints(d.servicePath.sync, d.policyScale.apply);
      return single('fig11.svg', points, () => loadTimeSpec(points), 'no sweep of Services or policy rules in these runs.', () => loadTimeSpec(points, { tips: true }));
    },
  },
  datapathFigure(1, 'intra', 'Each model\'s datapath between two pods on one node in full: pods, veth pairs, bridges, routing, BPF hooks, iptables chains, and the measured packet path in orange. Emulated parts are labelled.'),
  datapathFigure(2, 'inter', 'Each model\'s datapath from a pod on node-a to a pod on node-b over the wire in full: tunnel devices (VXLAN, IP-in-IP, TUN with a user-space relay), the OVS stand-in, routes and policy routing, BPF hooks and iptables chains.'),
  flameFigure(1, 'intra', 'Where each model\'s busy samples went within a node, all its profiles added: the component (as in Fig. 4) on the top row, then the process, then the call path from the root down; width is the share of busy samples. Frames under 0.5% of the samples are left out; the folded-stack files under reports/tables/ keep them all.'),
  flameFigure(2, 'inter', 'As Fig. C1 between nodes (the samples behind Fig. 5), where encapsulation, the TUN device and the underlay add their frames.'),
];

export function figureDef(id: string): FigureDef {
  const f = FIGURES.find((x) => x.id === id);
  if (!f) throw new Error(`no figure "${id}"; the figures are: ${FIGURES.map((x) => x.id).join(', ')}.`);
  return f;
}
