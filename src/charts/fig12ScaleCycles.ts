// Fig. 12 (beyond the study): cycles per connection against the size of a sweep — a TCP_CRR transaction opens one
// connection — from the profiles of a sweep (collect --sweep … --profile --profile-tests tcp_crr). One panel per
// knob, scenario and part (netfilter + eBPF, every component), one line per model and Service implementation, the
// mean of the profiles at each size with its 95% CI (the chart of Figs. 9 and 10, src/charts/scaleLines.ts).
import type { TopLevelSpec } from 'vega-lite';
import type { CyclePart, ScaleCyclesRow } from '../analysis/scaleCycles.ts';
import { MSG } from './messages.ts';
import { modelLabel, orderModels, proxyLabel } from './order.ts';
import { NOTE_WIDTH, wrap } from './spec.ts';
import { formatNumber, tipText } from './tips.ts';
import { type ScalePoint, lineTipText, scaleLinesSpec } from './scaleLines.ts';
import { SERVICE_PROXIES } from '../testbed/services/types.ts';

/** The parts drawn, and their panel words. */
const DRAWN: Partial<Record<CyclePart, string>> = { filtering: 'netfilter + eBPF', total: 'every component' };

/** The rows the figure draws: the drawn parts of TCP_CRR profiles (a connection per transaction). */
export function scaleCycleRows(rows: readonly ScaleCyclesRow[]): ScaleCyclesRow[] {
  return rows.filter((r) => r.test === 'tcp_crr' && DRAWN[r.part] !== undefined);
}

/** Whether some line has profiles at more than one size. */
export function hasCycleSweep(rows: readonly ScaleCyclesRow[]): boolean {
  const mine = scaleCycleRows(rows);
  return new Set(mine.map((r) => `${r.run} ${r.size}`)).size > new Set(mine.map((r) => r.run)).size;
}

function lineOf(r: ScaleCyclesRow): string {
  return r.proxy ? `${modelLabel(r.model)} — ${proxyLabel(r.proxy)}` : `${modelLabel(r.model)} policy`;
}

function panelOf(r: ScaleCyclesRow): string {
  return `${r.knob === 'services' ? 'Services' : 'Policy rules'}, ${r.scenario === 'intra' ? 'intra-host' : 'inter-host'}: ${DRAWN[r.part]}`;
}

function tips(r: ScaleCyclesRow, all: readonly ScaleCyclesRow[]): { tip: string; lineTip: string } {
  const f = { unit: 'cycles per connection', digits: 0, of: 'profiles', one: 'profile' };
  const sizeWords = r.knob === 'services' ? 'other Services' : 'policy rules';
  const tip = tipText([lineOf(r), `${panelOf(r)}, ${formatNumber(r.size, 0)} ${sizeWords}`], { mean: r.mean, low: r.ci95Low, high: r.ci95High, values: r.values }, f);
  const mine = all.filter((x) => x.run === r.run && lineOf(x) === lineOf(r) && panelOf(x) === panelOf(r));
  const lineTip = lineTipText(lineOf(r), panelOf(r), 'cycles per connection', sizeWords, mine);
  return { tip, lineTip };
}

/** `opts.tips`: every point, whisker and line gets a hover tip (the interactive page). */
export function scaleCyclesSpec(rows: readonly ScaleCyclesRow[], opts: { tips?: boolean } = {}): TopLevelSpec {
  const mine = scaleCycleRows(rows);
  if (!mine.length) throw new Error(MSG.noRows('fig12', 'TCP_CRR profiles of a sweep'));
  const models = orderModels(mine.map((r) => r.model));
  // The Services' lines first, then the policies', each in catalogue order (and implementation order).
  const rank = (r: ScaleCyclesRow) => (r.knob === 'services' ? 0 : 1000) + models.indexOf(r.model) * 10 + (r.proxy ? SERVICE_PROXIES.indexOf(r.proxy) : 9);
  const lines = [...new Set([...mine].sort((a, b) => rank(a) - rank(b)).map(lineOf))];
  const panelRank = (r: ScaleCyclesRow) => (r.knob === 'services' ? 0 : 4) + (r.scenario === 'intra' ? 0 : 2) + (r.part === 'filtering' ? 0 : 1);
  const panels = [...new Set([...mine].sort((a, b) => panelRank(a) - panelRank(b)).map(panelOf))];
  const points = mine.map((r): ScalePoint => ({ line: lineOf(r), panel: panelOf(r), size: r.size, mean: r.mean, low: r.ci95Low, high: r.ci95High, n: r.n, run: r.run, ...(opts.tips ? tips(r, mine) : {}) }));
  // Policies take a connection from tens of thousands of cycles to tens of millions: a log axis whenever every mean is
  // above 0. Three profiles can give an interval that reaches below 0; its whisker is cut at the foot of its panel
  // (half the panel's smallest positive value), and the notes say so; the tables and tips keep the interval.
  const yLog = points.every((p) => p.mean > 0);
  let cut = 0;
  if (yLog) {
    for (const panel of panels) {
      const here = points.filter((p) => p.panel === panel);
      const foot = Math.min(...here.flatMap((p) => [p.mean, p.low].filter((v) => v > 0))) / 2;
      for (const p of here) if (p.low <= 0) { p.low = foot; cut++; }
    }
  }
  const estimated = mine.some((r) => r.estimated);
  const knobs = new Set(mine.map((r) => r.knob));
  const cutWords = cut ? ' A whisker whose interval reaches 0 or below is cut at the foot of its panel (the tables give it whole).' : '';
  const notes = wrap(`Emulated datapaths on the testbed (beyond the study). A TCP_CRR transaction opens and closes one connection, so this is the CPU a connection costs, both ends together (and both nodes between hosts)${estimated ? ', in cycles estimated from cpu-clock samples × the nominal clock (no hardware counter on this VM)' : ''}. netfilter + eBPF: kube-proxy's rules, conntrack and NAT, the CNI's own rules and policy, and every BPF program on the path (the socket load balancer and, for Cilium, its tc programs and policy lookups). Points: mean of the profiles at each size; whiskers: 95% CI.${cutWords}`, NOTE_WIDTH);
  return scaleLinesSpec(points, {
    name: 'fig12', title: 'Fig. 12 — CPU cycles per connection against the number of Services or policy rules', notes, lines, panels,
    xTitle: knobs.size > 1 ? 'Services, or rules added to the policy' : knobs.has('services') ? 'Services installed besides the one under test' : 'Rules added to the pods\' policy',
    lineTitle: 'model, Service datapath', sizeTitle: knobs.size > 1 ? 'size' : knobs.has('services') ? 'Services' : 'policy rules', tips: opts.tips ?? false,
    yTitle: 'Cycles per connection', nTitle: 'profiles', yLog,
  });
}
