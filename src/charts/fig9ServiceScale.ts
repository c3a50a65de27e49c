// Fig. 9 (beyond the study): transactions per second through a Service against the number of Services installed
// (--sweep services=…), one line per model and Service implementation, one panel per scenario and test, with the 95%
// CI of each mean as a whisker. The x axis is symmetric-log so that 0 Services sits beside 1, 100 and 10,000.
import type { TopLevelSpec } from 'vega-lite';
import type { ServicePathRow } from '../analysis/servicePath.ts';
import { MSG } from './messages.ts';
import { orderModels, proxyLabel } from './order.ts';
import { NOTE_WIDTH, title, wrap } from './spec.ts';
import { CONFIG, INK } from './theme.ts';

/** Okabe–Ito, one colour per line. */
const LINE_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#999933', '#882255'];

/** The rows a sweep figure draws: request/response transaction rates through a Service, by size. */
export function scaleRows(rows: readonly ServicePathRow[]): ServicePathRow[] {
  return rows.filter((r) => r.metric === 'transaction_rate' && r.target === 'service' && r.proxy !== undefined);
}

export function serviceScaleSpec(rows: readonly ServicePathRow[]): TopLevelSpec {
  const mine = scaleRows(rows);
  if (!mine.length) throw new Error(MSG.noRows('fig9', 'transaction rates through a Service'));
  const models = orderModels(mine.map((r) => r.model));
  const lineOf = (r: ServicePathRow) => `${r.label} — ${proxyLabel(r.proxy!)}`;
  const lines = [...new Set([...mine].sort((a, b) => models.indexOf(a.model) - models.indexOf(b.model)).map(lineOf))];
  const panelOf = (r: ServicePathRow) => `${r.scenario === 'intra' ? 'Intra-host' : 'Inter-host'}, ${r.test.toUpperCase()}${r.test === 'tcp_crr' ? ' (a connection per transaction)' : ''}`;
  const values = mine.map((r) => ({ line: lineOf(r), panel: panelOf(r), services: r.services, mean: r.mean, low: r.ci95Low, high: r.ci95High, n: r.n, run: r.run }));
  const panels = [...new Set([...mine].sort((a, b) => (a.scenario === b.scenario ? 0 : a.scenario === 'intra' ? -1 : 1) || (a.test === 'tcp_crr' ? -1 : 1)).map(panelOf))];
  const x = { field: 'services', type: 'quantitative' as const, scale: { type: 'symlog' as const, constant: 1 }, title: 'Services installed besides the one under test', axis: { values: [...new Set(mine.map((r) => r.services))].sort((a, b) => a - b), format: ',~d', grid: true } };
  const color = { field: 'line', type: 'nominal' as const, title: null, scale: { domain: lines, range: LINE_COLORS.slice(0, lines.length) }, legend: { orient: 'bottom' as const, direction: 'vertical' as const } };
  const notes = wrap('Emulated Service datapaths on the testbed (beyond the study): kube-proxy\'s rules as upstream renders them, or cnibench\'s socket load balancer after Cilium\'s. Points: mean transactions per second of the rounds; whiskers: 95% CI; all sizes interleaved in the same rounds.', NOTE_WIDTH);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    name: 'fig9',
    title: title('Fig. 9 — Transactions per second through a Service against the number of Services', notes),
    config: CONFIG,
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 11.5, labelColor: INK } },
    columns: 2,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 230,
      height: 150,
      layer: [
        {
          mark: { type: 'line', point: true, strokeWidth: 1.6 },
          encoding: {
            x, color,
            y: { field: 'mean', type: 'quantitative', title: 'Transactions/s', axis: { format: ',~s' }, scale: { zero: false } },
            tooltip: [
              { field: 'line', type: 'nominal', title: 'model, Service datapath' },
              { field: 'services', type: 'quantitative', title: 'Services', format: ',d' },
              { field: 'mean', type: 'quantitative', title: 'mean', format: ',.0f' },
              { field: 'low', type: 'quantitative', title: '95% CI low', format: ',.0f' },
              { field: 'high', type: 'quantitative', title: '95% CI high', format: ',.0f' },
              { field: 'n', type: 'quantitative', title: 'rounds' },
            ],
          },
        },
        {
          mark: { type: 'rule', strokeWidth: 1.1 },
          encoding: { x, color, y: { field: 'low', type: 'quantitative', title: 'Transactions/s' }, y2: { field: 'high' } },
        },
      ],
    },
  };
}
