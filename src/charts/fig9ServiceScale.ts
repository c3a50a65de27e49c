// Fig. 9 (beyond the study): transactions per second through a Service against the number of Services installed
// (--sweep services=…), one line per model and Service implementation, one panel per scenario and test, with the 95%
// CI of each mean as a whisker. The x axis is symmetric-log so that 0 Services sits beside 1, 100 and 10,000.
import type { TopLevelSpec } from 'vega-lite';
import type { ServicePathRow } from '../analysis/servicePath.ts';
import { MSG } from './messages.ts';
import { orderModels, proxyLabel } from './order.ts';
import { NOTE_WIDTH, wrap } from './spec.ts';
import { formatNumber, tipText } from './tips.ts';
import { type ScalePoint, lineTipText, scaleLinesSpec } from './scaleLines.ts';

/** The rows a sweep figure draws: request/response transaction rates through a Service, by size. */
export function scaleRows(rows: readonly ServicePathRow[]): ServicePathRow[] {
  return rows.filter((r) => r.metric === 'transaction_rate' && r.target === 'service' && r.proxy !== undefined);
}

/** What a point and a line say on hover (the interactive page): its mean, 95% CI and rounds; the line, every size. */
function tips(r: ServicePathRow, line: string, panel: string, all: readonly ServicePathRow[]): { tip: string; lineTip: string } {
  const f = { unit: 'transactions/s', digits: 0, of: 'rounds', one: 'round' };
  // The rounds' own values are not kept for Service runs (only their summary), so their count and range stand in.
  const tip = tipText([line, `${panel}, ${formatNumber(r.services, 0)} other Services`], { mean: r.mean, low: r.ci95Low, high: r.ci95High, values: [], count: { n: r.n, min: r.min, max: r.max } }, f);
  const mine = all.filter((x) => x.model === r.model && x.proxy === r.proxy && x.scenario === r.scenario && x.test === r.test);
  const lineTip = lineTipText(line, panel, 'transactions/s', 'other Services', mine.map((x) => ({ ...x, size: x.services })));
  return { tip, lineTip };
}

/** `opts.tips`: every point, whisker and line gets a hover tip (the interactive page). */
export function serviceScaleSpec(rows: readonly ServicePathRow[], opts: { tips?: boolean } = {}): TopLevelSpec {
  const mine = scaleRows(rows);
  if (!mine.length) throw new Error(MSG.noRows('fig9', 'transaction rates through a Service'));
  const models = orderModels(mine.map((r) => r.model));
  const lineOf = (r: ServicePathRow) => `${r.label} — ${proxyLabel(r.proxy!)}`;
  const lines = [...new Set([...mine].sort((a, b) => models.indexOf(a.model) - models.indexOf(b.model)).map(lineOf))];
  const panelOf = (r: ServicePathRow) => `${r.scenario === 'intra' ? 'Intra-host' : 'Inter-host'}, ${r.test.toUpperCase()}${r.test === 'tcp_crr' ? ' (a connection per transaction)' : ''}`;
  const points = mine.map((r): ScalePoint => ({ line: lineOf(r), panel: panelOf(r), size: r.services, mean: r.mean, low: r.ci95Low, high: r.ci95High, n: r.n, run: r.run, ...(opts.tips ? tips(r, lineOf(r), panelOf(r), mine) : {}) }));
  const panels = [...new Set([...mine].sort((a, b) => (a.scenario === b.scenario ? 0 : a.scenario === 'intra' ? -1 : 1) || (a.test === 'tcp_crr' ? -1 : 1)).map(panelOf))];
  const notes = wrap('Emulated Service datapaths on the testbed (beyond the study): kube-proxy\'s rules as upstream renders them, or cnibench\'s socket load balancer after Cilium\'s. Points: mean transactions per second of the rounds; whiskers: 95% CI; all sizes interleaved in the same rounds.', NOTE_WIDTH);
  return scaleLinesSpec(points, {
    name: 'fig9', title: 'Fig. 9 — Transactions per second through a Service against the number of Services', notes, lines, panels,
    xTitle: 'Services installed besides the one under test', lineTitle: 'model, Service datapath', sizeTitle: 'Services', tips: opts.tips ?? false,
  });
}
