// Fig. 11 (beyond the study): how long one node took to take in its whole rule set against the set's size — kube-proxy's
// Services (iptables, nftables) or the eBPF load balancer's maps (--sweep services=…), and each CNI's policy
// (--sweep policy-rules=…). One panel per knob, one line per implementation through the mean of the nodes at each
// size, every node's own time a dot: each is one load, taken once when the testbed came up — no repetitions, so no CI.
import type { TopLevelSpec } from 'vega-lite';
import type { ServiceSyncRow } from '../analysis/servicePath.ts';
import type { PolicyApplyRow } from '../analysis/policyScale.ts';
import { MSG } from './messages.ts';
import { modelLabel, orderModels, proxyLabel } from './order.ts';
import { NOTE_WIDTH, title, wrap } from './spec.ts';
import { CONFIG, INK, lineColor } from './theme.ts';
import { SERVICE_PROXIES } from '../testbed/services/types.ts';
import { TIP_CHANNEL, formatNumber } from './tips.ts';

const SERVICES_PANEL = 'Services (kube-proxy\'s sync, or the eBPF maps filled)';
const POLICY_PANEL = 'Rules of the pods\' network policy (the CNI\'s full sync)';

/** One node's load of one rule set. */
export interface LoadPoint {
  panel: string;
  line: string;
  size: number;
  /** Every phase added: IP sets restored, rules checked, rules loaded (or programs loaded, maps filled). */
  ms: number;
  node: string;
  run: string;
  phases: string;
}

export function loadPoints(sync: readonly ServiceSyncRow[], apply: readonly PolicyApplyRow[]): LoadPoint[] {
  const serviceModels = orderModels(sync.map((r) => r.model));
  const policyModels = orderModels(apply.map((r) => r.model));
  const services = [...sync].sort((a, b) => serviceModels.indexOf(a.model) - serviceModels.indexOf(b.model) || SERVICE_PROXIES.indexOf(a.proxy) - SERVICE_PROXIES.indexOf(b.proxy)).map((r): LoadPoint => ({
    panel: SERVICES_PANEL, line: `${proxyLabel(r.proxy)} (${modelLabel(r.model)})`, size: r.services, ms: r.checkMs + r.applyMs, node: r.node, run: r.run,
    phases: `checked ${formatNumber(r.checkMs, 1)} ms, loaded ${formatNumber(r.applyMs, 1)} ms; ${formatNumber(r.entries, 0)} rules or entries`,
  }));
  const policy = [...apply].sort((a, b) => policyModels.indexOf(a.model) - policyModels.indexOf(b.model)).map((r): LoadPoint => ({
    panel: POLICY_PANEL, line: `${modelLabel(r.model)} policy`, size: r.policyRules, ms: r.ipsetMs + r.checkMs + r.loadMs, node: r.node, run: r.run,
    phases: r.form === 'bpf-maps'
      ? `map entries written ${formatNumber(r.loadMs, 1)} ms; ${formatNumber(r.rules, 0)} policy-map entries, ${formatNumber(r.ipcacheEntries, 0)} ipcache entries`
      : `sets ${formatNumber(r.ipsetMs, 1)} ms, checked ${formatNumber(r.checkMs, 1)} ms, loaded ${formatNumber(r.loadMs, 1)} ms; ${formatNumber(r.rules, 0)} rules, ${formatNumber(r.ipsets, 0)} IP sets`,
  }));
  return [...services, ...policy];
}

/** Whether there is a line to draw: some panel has loads at more than one size. */
export function hasLoadSweep(points: readonly LoadPoint[]): boolean {
  return [SERVICES_PANEL, POLICY_PANEL].some((p) => new Set(points.filter((x) => x.panel === p).map((x) => x.size)).size > 1);
}

/** Fig. 11 from `loadPoints(sync, apply)`; `opts.tips`: every dot gets a hover tip (the interactive page). */
export function loadTimeSpec(points: readonly LoadPoint[], opts: { tips?: boolean } = {}): TopLevelSpec {
  if (!points.length) throw new Error(MSG.noRows('fig11', 'rule-set load times'));
  const lines = [...new Set(points.map((p) => p.line))];
  const panels = [SERVICES_PANEL, POLICY_PANEL].filter((p) => points.some((x) => x.panel === p));
  // A size of 0 needs the symmetric log.
  const xScale = points.every((p) => p.size > 0) ? { type: 'log' as const } : { type: 'symlog' as const, constant: 1 };
  // Ticks at the sizes measured and at the powers of ten the times span (a log axis would grid every 2…9 × 10^k).
  const sizes = [...new Set(points.map((p) => p.size))].sort((a, b) => a - b);
  const [lo, hi] = [Math.min(...points.map((p) => p.ms)), Math.max(...points.map((p) => p.ms))];
  const decades = Array.from({ length: Math.ceil(Math.log10(hi)) - Math.floor(Math.log10(lo)) + 1 }, (_, i) => 10 ** (Math.floor(Math.log10(lo)) + i));
  const x = { field: 'size', type: 'quantitative' as const, scale: xScale, title: 'Services, or rules added to the policy', axis: { values: sizes, format: ',~d', grid: true, labelAngle: -30 } };
  const y = { field: 'ms', type: 'quantitative' as const, scale: { type: 'log' as const }, title: 'Load time, ms (log)', axis: { values: decades, format: ',~r' } };
  const color = lineColor(lines);
  const notes = wrap('Emulated rule sets on the testbed (beyond the study). Dots: one node\'s load of its whole rule set, measured once as its testbed came up (no repetitions, so no interval); lines: the mean of the nodes at each size. Policy loads add the IP sets restored, the rules checked and loaded (for Cilium\'s, the BPF map entries written); Service loads the rules checked and loaded, or for eBPF the programs loaded and maps filled.', NOTE_WIDTH);
  const tips = opts.tips ?? false;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    name: 'fig11',
    title: title('Fig. 11 — Time for a node to load its rule set against the set\'s size', notes),
    config: CONFIG,
    data: { values: points.map((p) => ({ ...p, ...(tips ? { tip: `${p.line}, ${p.node} (run ${p.run})\n${formatNumber(p.size, 0)}: ${formatNumber(p.ms, 1)} ms — ${p.phases}` } : {}) })) },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 11.5, labelColor: INK } },
    columns: 2,
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 230,
      height: 170,
      layer: [
        {
          // The line: the mean of the nodes at each size.
          transform: [{ aggregate: [{ op: 'mean', field: 'ms', as: 'ms' }, { op: 'count', as: 'nodes' }], groupby: ['line', 'size'] }],
          mark: { type: 'line', strokeWidth: 1.6 },
          encoding: { x, y, color, tooltip: [{ field: 'line', type: 'nominal', title: 'rule set' }, { field: 'size', type: 'quantitative', title: 'size', format: ',d' }, { field: 'ms', type: 'quantitative', title: 'mean ms', format: ',.1f' }, { field: 'nodes', type: 'quantitative', title: 'nodes' }] },
        },
        {
          mark: { type: 'point', filled: true, size: 28, opacity: 0.85 },
          encoding: { x, y, color, ...(tips ? TIP_CHANNEL : {}) },
        },
      ],
    },
  };
}
