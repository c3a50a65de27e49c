// Statistical tests behind the findings' verdicts. Every comparison is made on the log scale, so an effect is a
// ratio (A / B, or a value / the study's) with a 95% confidence interval. Units are what varies independently: the
// rounds of an interleaved run (A and B measured in the same round are paired: the round is a block), the runs when
// several are pooled (each run's mean is one unit), or single observations (profiles, older runs' repetitions).
// Distributions come from stdlib (@stdlib/stats-base-dists-*): small, typed, maintained, exact to double precision.
import tcdf from '@stdlib/stats-base-dists-t-cdf';
import tquantile from '@stdlib/stats-base-dists-t-quantile';
import nquantile from '@stdlib/stats-base-dists-normal-quantile';
import { mean, sd } from '../util/stats.ts';

/** The error rate every verdict is held to (and the false discovery rate across the catalogue). */
export const ALPHA = 0.05;
/** Power assumed when saying how many repetitions would tell a difference of the observed size. */
export const POWER = 0.8;

/** One observation with the unit it belongs to: "run#round", "run" (a run's mean), or "run/profile-id". */
export interface Unit {
  unit: string;
  value: number;
}

/** A directed comparison: does A beat B (or does a value match the study's)? */
export interface TestResult {
  /** The effect as a ratio, oriented so that > 1 is the claim's direction (A better than B, or value / study). */
  ratio: number;
  ciLow: number;
  ciHigh: number;
  /** One-sided p-value of the claim's direction, and of the reverse. */
  p: number;
  pReverse: number;
  /** Units compared (pairs, or the smaller group). */
  n: number;
  design: 'paired by round' | 'Welch' | 'one-sample';
  /** Units per group that would tell a difference of the observed size at ALPHA with POWER (∞: none seen). */
  neededN: number;
}

/** P(T > t) with df degrees of freedom; a zero standard error decides by the sign alone. */
function upper(t: number, df: number): number {
  if (Number.isNaN(t)) return 0.5;
  if (!Number.isFinite(t)) return t > 0 ? 0 : 1;
  return 1 - tcdf(t, df);
}

function interval(m: number, se: number, df: number): [number, number] {
  const q = se > 0 && df > 0 ? tquantile(1 - ALPHA / 2, df) * se : 0;
  return [Math.exp(m - q), Math.exp(m + q)];
}

/** Units needed so a one-sided test at ALPHA detects a log-difference `effect` with POWER, given its sd. */
function needed(effect: number, spread: number, groups: 1 | 2): number {
  if (!(Math.abs(effect) > 0)) return Infinity;
  const z = nquantile(1 - ALPHA, 0, 1) + nquantile(POWER, 0, 1);
  return Math.ceil(groups * ((z * spread) / Math.abs(effect)) ** 2);
}

/** t on the mean of `d` (log-differences), df = n − 1. */
function oneSample(d: readonly number[], design: TestResult['design']): TestResult {
  const n = d.length;
  const m = mean(d);
  const s = n > 1 ? sd(d) : NaN;
  const se = s / Math.sqrt(n);
  const t = se > 0 ? m / se : m > 0 ? Infinity : m < 0 ? -Infinity : NaN;
  const df = Math.max(1, n - 1);
  const [ciLow, ciHigh] = n > 1 ? interval(m, se, df) : [NaN, NaN];
  return { ratio: Math.exp(m), ciLow, ciHigh, p: n > 1 ? upper(t, df) : NaN, pReverse: n > 1 ? upper(-t, df) : NaN, n, design, neededN: needed(m, s, 1) };
}

/**
 * Does A beat B? `higherIsBetter` orients the ratio (throughput: A / B; latency and cost: B / A). Paired by unit
 * when both sides share their units (an interleaved run's rounds); otherwise Welch's test on the logs.
 */
export function compare(a: readonly Unit[], b: readonly Unit[], higherIsBetter: boolean): TestResult {
  const sign = higherIsBetter ? 1 : -1;
  const bByUnit = new Map(b.map((x) => [x.unit, x.value]));
  const pairs = a.filter((x) => bByUnit.has(x.unit));
  if (pairs.length >= 2 && pairs.length >= 0.8 * Math.min(a.length, b.length)) {
    return oneSample(pairs.map((x) => sign * (Math.log(x.value) - Math.log(bByUnit.get(x.unit)!))), 'paired by round');
  }
  const la = a.map((x) => Math.log(x.value));
  const lb = b.map((x) => Math.log(x.value));
  const [na, nb] = [la.length, lb.length];
  const m = sign * (mean(la) - mean(lb));
  const [va, vb] = [na > 1 ? sd(la) ** 2 : NaN, nb > 1 ? sd(lb) ** 2 : NaN];
  const se = Math.sqrt(va / na + vb / nb);
  // Welch–Satterthwaite degrees of freedom.
  const df = (va / na + vb / nb) ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1));
  const t = se > 0 ? m / se : m > 0 ? Infinity : m < 0 ? -Infinity : NaN;
  const ok = na > 1 && nb > 1;
  const [ciLow, ciHigh] = ok ? interval(m, se, Number.isFinite(df) ? df : na + nb - 2) : [NaN, NaN];
  const dfUsed = Number.isFinite(df) && df > 0 ? df : na + nb - 2;
  return {
    ratio: Math.exp(m), ciLow, ciHigh,
    p: ok ? upper(t, dfUsed) : NaN, pReverse: ok ? upper(-t, dfUsed) : NaN,
    n: Math.min(na, nb), design: 'Welch', neededN: needed(m, Math.sqrt((va + vb) / 2), 2),
  };
}

/** Is the value below (or above) a fixed bound? One-sample t on log(value / bound); the ratio is oriented as `compare`'s. */
export function againstBound(values: readonly Unit[], bound: number, higherIsBetter: boolean): TestResult {
  const sign = higherIsBetter ? 1 : -1;
  return oneSample(values.map((x) => sign * Math.log(x.value / bound)), 'one-sample');
}

/** A magnitude against the study's value: two one-sided tests (TOST) that value / target lies within [1/tol, tol]. */
export interface Equivalence extends TestResult {
  /** p of "within the band" (the larger of the two one-sided p-values), and of "outside it" (Holm over the two sides). */
  pWithin: number;
  pOutside: number;
  tolerance: number;
}

export function equivalence(values: readonly Unit[], target: number, tolerance: number): Equivalence {
  const d = values.map((x) => Math.log(x.value / target));
  const base = oneSample(d, 'one-sample');
  const n = d.length;
  const m = mean(d);
  const se = (n > 1 ? sd(d) : NaN) / Math.sqrt(n);
  const df = Math.max(1, n - 1);
  const band = Math.log(tolerance);
  const z = (x: number) => (se > 0 ? x / se : x > 0 ? Infinity : x < 0 ? -Infinity : NaN);
  // Within: reject "at or below the lower bound" and "at or above the upper bound".
  const pAbove = upper(z(m + band), df);
  const pBelow = upper(z(band - m), df);
  // Outside: reject "at or below the upper bound" (it is above), or "at or above the lower bound" (it is below).
  const pHigh = upper(z(m - band), df);
  const pLow = upper(z(-band - m), df);
  return {
    ...base,
    pWithin: n > 1 ? Math.max(pAbove, pBelow) : NaN,
    pOutside: n > 1 ? Math.min(1, 2 * Math.min(pHigh, pLow)) : NaN,
    tolerance,
  };
}

/** Holm's step-down adjustment: adjusted p-values in the input order (family-wise error within one claim). */
export function holm(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const out = new Array<number>(ps.length);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (ps.length - k) * p));
    out[i] = running;
  });
  return out;
}

/** Benjamini–Hochberg: adjusted p-values (q-values) in the input order; NaN stays NaN and is not counted. */
export function benjaminiHochberg(ps: readonly number[]): number[] {
  const valid = ps.map((p, i) => ({ p, i })).filter((x) => Number.isFinite(x.p)).sort((x, y) => x.p - y.p);
  const m = valid.length;
  const out = ps.map(() => NaN);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const { p, i } = valid[k]!;
    running = Math.min(running, (m * p) / (k + 1));
    out[i] = Math.min(1, running);
  }
  return out;
}
