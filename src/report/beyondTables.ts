// Pieces the "beyond the study" sections share (the Service path, policy at scale): which rows are headline numbers,
// a mean with its 95% CI as one table cell, a line's change from its first size to its last in words (rates, and
// the cycles per connection of a profiled sweep), and a CSV of rows (its header alone when there are none).
import type { Summary } from '../analysis/observations.ts';
import type { CyclePart, ScaleCyclesRow, ScaleKnob } from '../analysis/scaleCycles.ts';
import { modelLabel, orderModels, proxyLabel } from '../charts/order.ts';
import { SCENARIOS } from '../testbed/model.ts';
import { SERVICE_PROXIES } from '../testbed/services/types.ts';
import { formatNumber } from './format.ts';
import { mdCell } from './markdown.ts';
import { tableOf } from '../util/table.ts';

/** Throughput and transaction rates: what the sections' tables list (latencies stay in the CSVs). */
export const isHeadline = (r: Summary): boolean => r.metric === 'throughput' || r.metric === 'transaction_rate';

/** "10,356 (7,546–13,167) transactions/s": whole numbers from 100 up, two decimals below. */
export function meanCiCell(r: Summary): string {
  const digits = r.mean >= 100 ? 0 : 2;
  return `${formatNumber(r.mean, digits)} (${formatNumber(r.ci95Low, digits)}–${formatNumber(r.ci95High, digits)}) ${mdCell(r.unit)}`;
}

/**
 * "10,356 (7,546–13,167) with 10 rules, 328 (285–372) with 10,000 (0.032×)": a line's mean with its 95% CI at its
 * first and last size, and their ratio — with ", the intervals overlap" when they do. `sizeWords` names a size
 * ("10 rules", "10,000").
 */
function firstToLast<T extends Pick<Summary, 'mean' | 'ci95Low' | 'ci95High'> & { n?: number }>(first: T, last: T, sizeWords: (r: T, isFirst: boolean) => string): string {
  const single = (r: T) => r.n !== undefined && r.n < 2;
  const ci = (r: T) => {
    const digits = r.mean >= 100 ? 0 : 1;
    return single(r) ? `${formatNumber(r.mean, digits)} (one value, no interval)` : `${formatNumber(r.mean, digits)} (${formatNumber(r.ci95Low, digits)}–${formatNumber(r.ci95High, digits)})`;
  };
  // Overlapping intervals: the ratio is what the means say, not a change the data shows; a single value has no
  // interval to tell either way.
  const overlap = first.ci95Low <= last.ci95High && last.ci95Low <= first.ci95High;
  const caveat = single(first) || single(last) ? ', no interval to compare' : overlap ? ', the intervals overlap' : '';
  return `${ci(first)} with ${sizeWords(first, true)}, ${ci(last)} with ${sizeWords(last, false)} (${formatNumber(last.mean / first.mean, 3)}×${caveat})`;
}

/** How lineChanges reads a row: which line it is on, where that line sorts, its size and the line's words. */
export interface LineOf<T> {
  key: (r: T) => string;
  rank: (r: T) => number;
  size: (r: T) => number;
  label: (r: T) => string;
  /** Words after the first size ("rules", "other Services"). */
  unit: string;
}

/** Each line's change from its smallest size to its largest (firstToLast), lines in rank order; lines of one size say nothing. */
export function lineChanges<T extends Pick<Summary, 'mean' | 'ci95Low' | 'ci95High'> & { n?: number }>(rows: readonly T[], l: LineOf<T>): string[] {
  const keys = [...new Set([...rows].sort((a, b) => l.rank(a) - l.rank(b)).map(l.key))];
  return keys.flatMap((key) => {
    const sizes = rows.filter((r) => l.key(r) === key).sort((a, b) => l.size(a) - l.size(b));
    if (sizes.length < 2) return [];
    return [`${l.label(sizes[0]!)} ${firstToLast(sizes[0]!, sizes.at(-1)!, (r, isFirst) => `${formatNumber(l.size(r), 0)}${isFirst ? ` ${l.unit}` : ''}`)}`];
  });
}

/**
 * A profiled sweep of one knob, per scenario and part drawn in Fig. 12: each line's cycles per connection from its
 * smallest size to its largest, as sentences.
 */
export function cycleChanges(rows: readonly ScaleCyclesRow[], knob: ScaleKnob): string[] {
  const mine = rows.filter((r) => r.knob === knob && r.test === 'tcp_crr');
  const models = orderModels(mine.map((r) => r.model));
  const runs = [...new Set(mine.map((r) => r.run))].sort();
  const line: LineOf<ScaleCyclesRow> = {
    // One run's model and implementation: two runs of one knob are never joined into one line.
    key: (r) => `${r.run} ${r.model} ${r.proxy ?? ''}`,
    rank: (r) => runs.indexOf(r.run) * 1000 + models.indexOf(r.model) * 10 + (r.proxy ? SERVICE_PROXIES.indexOf(r.proxy) : 0),
    size: (r) => r.size,
    label: (r) => `${runs.length > 1 ? `run ${r.run}: ` : ''}${r.proxy ? `${mdCell(modelLabel(r.model))} — ${proxyLabel(r.proxy)}` : mdCell(modelLabel(r.model))}`,
    unit: knob === 'services' ? 'other Services' : 'rules',
  };
  const parts: [CyclePart, string][] = [['filtering', 'in netfilter and eBPF'], ['total', 'in every component']];
  return SCENARIOS.flatMap((scenario) => parts.flatMap(([part, words]) => {
    const here = mine.filter((r) => r.scenario === scenario && r.part === part);
    const changes = lineChanges(here, line);
    const n = [...new Set(here.map((r) => r.n))].sort((a, b) => a - b);
    const of = n.length === 1 && n[0] === 1 ? 'one profile each, no interval' : `mean of ${n.join(' or ')} profiles, 95% CI`;
    return changes.length ? [`Cycles per connection ${words}, ${scenario === 'intra' ? 'within a node' : 'between nodes'} (${of}): ${changes.join('; ')}.`] : [];
  }));
}

/** The CSV text of `rows`, or of the header alone when there are none (a file every build writes). */
export function csvOf(rows: readonly object[], header: string): string {
  return (rows.length ? tableOf(rows).toCSV() : header) + '\n';
}
