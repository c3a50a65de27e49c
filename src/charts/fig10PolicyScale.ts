// Fig. 10 (beyond the study): transactions per second against the number of rules added to the network policy that
// selects the netperf pods (--sweep policy-rules=…), one line per model, one panel per scenario and test, with the
// 95% CI of each mean as a whisker (the chart of Fig. 9, src/charts/scaleLines.ts).
import type { TopLevelSpec } from 'vega-lite';
import type { PolicyScaleRow } from '../analysis/policyScale.ts';
import { MSG } from './messages.ts';
import { orderModels } from './order.ts';
import { NOTE_WIDTH, wrap } from './spec.ts';
import { formatNumber, tipText } from './tips.ts';
import { type ScalePoint, lineTipText, scaleLinesSpec } from './scaleLines.ts';

/** The rows the figure draws: request/response transaction rates of the models whose policy was scaled. */
export function policyScaleRows(rows: readonly PolicyScaleRow[]): PolicyScaleRow[] {
  return rows.filter((r) => r.metric === 'transaction_rate' && r.policyRules !== undefined);
}

/** Whether some run measured one configuration at more than one size (a sweep: there is a line to draw). */
export function hasPolicySweep(rows: readonly PolicyScaleRow[]): boolean {
  const mine = policyScaleRows(rows);
  return new Set(mine.map((r) => `${r.run} ${r.policyRules}`)).size > new Set(mine.map((r) => r.run)).size;
}

function tips(r: PolicyScaleRow, line: string, panel: string, all: readonly PolicyScaleRow[]): { tip: string; lineTip: string } {
  const f = { unit: 'transactions/s', digits: 0, of: 'rounds', one: 'round' };
  const tip = tipText([line, `${panel}, ${formatNumber(r.policyRules!, 0)} policy rules`], { mean: r.mean, low: r.ci95Low, high: r.ci95High, values: [], count: { n: r.n, min: r.min, max: r.max } }, f);
  const mine = all.filter((x) => x.model === r.model && x.scenario === r.scenario && x.test === r.test);
  const lineTip = lineTipText(line, panel, 'transactions/s', 'policy rules', mine.map((x) => ({ ...x, size: x.policyRules! })));
  return { tip, lineTip };
}

/** `opts.tips`: every point, whisker and line gets a hover tip (the interactive page). */
export function policyScaleSpec(rows: readonly PolicyScaleRow[], opts: { tips?: boolean } = {}): TopLevelSpec {
  const mine = policyScaleRows(rows);
  if (!mine.length) throw new Error(MSG.noRows('fig10', 'transaction rates of models with scaled policies'));
  const models = orderModels(mine.map((r) => r.model));
  const lineOf = (r: PolicyScaleRow) => r.label;
  const lines = [...new Set([...mine].sort((a, b) => models.indexOf(a.model) - models.indexOf(b.model)).map(lineOf))];
  const panelOf = (r: PolicyScaleRow) => `${r.scenario === 'intra' ? 'Intra-host' : 'Inter-host'}, ${r.test.toUpperCase()}${r.test === 'tcp_crr' ? ' (a connection per transaction)' : ''}`;
  const points = mine.map((r): ScalePoint => ({ line: lineOf(r), panel: panelOf(r), size: r.policyRules!, mean: r.mean, low: r.ci95Low, high: r.ci95High, n: r.n, run: r.run, ...(opts.tips ? tips(r, lineOf(r), panelOf(r), mine) : {}) }));
  const panels = [...new Set([...mine].sort((a, b) => (a.scenario === b.scenario ? 0 : a.scenario === 'intra' ? -1 : 1) || (a.test === 'tcp_crr' ? -1 : 1)).map(panelOf))];
  const notes = wrap('Emulated policies on the testbed (beyond the study): each CNI\'s rules for one NetworkPolicy as its controller renders them, with N rules that never match ahead of the one admitting the test. Points: mean transactions per second of the rounds; whiskers: 95% CI; all sizes interleaved in the same rounds.', NOTE_WIDTH);
  return scaleLinesSpec(points, {
    name: 'fig10', title: 'Fig. 10 — Transactions per second against the rules of the pods\' network policy', notes, lines, panels,
    xTitle: 'Rules ahead of the one admitting the test', lineTitle: 'model', sizeTitle: 'policy rules', tips: opts.tips ?? false,
    // The connection rate falls by orders of magnitude where rules are matched one by one: a log axis shows each step.
    yLog: points.every((p) => p.low > 0),
  });
}
