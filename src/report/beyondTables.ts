// Pieces the "beyond the study" sections share (the Service path, policy at scale): which rows are headline numbers,
// a mean with its 95% CI as one table cell, a line's change from its first size to its last in words, and a CSV of
// rows (its header alone when there are none).
import * as aq from 'arquero';
import type { Summary } from '../analysis/observations.ts';
import { formatNumber } from './format.ts';
import { mdCell } from './markdown.ts';

/** Throughput and transaction rates: what the sections' tables list (latencies stay in the CSVs). */
export const isHeadline = (r: Summary): boolean => r.metric === 'throughput' || r.metric === 'transaction_rate';

/** "10,356 (7,546–13,167) transactions/s": whole numbers from 100 up, two decimals below. */
export function meanCiCell(r: Summary): string {
  const digits = r.mean >= 100 ? 0 : 2;
  return `${formatNumber(r.mean, digits)} (${formatNumber(r.ci95Low, digits)}–${formatNumber(r.ci95High, digits)}) ${mdCell(r.unit)}`;
}

/**
 * "10,356 (7,546–13,167) with 10 rules, 328 (285–372) with 10,000 (0.032×)": a line's mean with its 95% CI at its
 * first and last size, and their ratio. `sizeWords` names a size ("10 rules", "10,000").
 */
export function firstToLast<T extends Summary>(first: T, last: T, sizeWords: (r: T, isFirst: boolean) => string): string {
  const ci = (r: Summary) => {
    const digits = r.mean >= 100 ? 0 : 1;
    return `${formatNumber(r.mean, digits)} (${formatNumber(r.ci95Low, digits)}–${formatNumber(r.ci95High, digits)})`;
  };
  return `${ci(first)} with ${sizeWords(first, true)}, ${ci(last)} with ${sizeWords(last, false)} (${formatNumber(last.mean / first.mean, 3)}×)`;
}

/** The CSV text of `rows`, or of the header alone when there are none (a file every build writes). */
export function csvOf(rows: readonly object[], header: string): string {
  return (rows.length ? aq.from(rows as Record<string, unknown>[]).toCSV() : header) + '\n';
}
