// Small statistics shared by collection (adaptive stopping) and analysis: mean, sample sd, the t quantile and the
// half-width of a 95% confidence interval of a mean.
import tquantile from '@stdlib/stats-base-dists-t-quantile';

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Sample standard deviation (n − 1); NaN below two values. */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Student's t quantile for a two-sided 95% interval (stdlib's incomplete-beta inverse, exact to double precision). */
export function t975(df: number): number {
  return df >= 1 ? tquantile(0.975, df) : NaN;
}

/** Half-width of the 95% CI of a mean of n values with sample sd `s`; NaN below two values. The one CI formula. */
function halfWidth95(n: number, s: number): number {
  return n < 2 ? NaN : (t975(n - 1) * s) / Math.sqrt(n);
}

/** Half-width of the 95% CI of the mean of `xs`; NaN below two values. */
export function ciHalfWidth(xs: readonly number[]): number {
  return halfWidth95(xs.length, sd(xs));
}

/** The 95% CI of a mean as [low, high]; a single value is its own interval (nothing to say about its spread). */
export function ci95(n: number, m: number, s: number): { ci95Low: number; ci95High: number } {
  const half = n > 1 ? halfWidth95(n, s) : 0;
  return { ci95Low: m - half, ci95High: m + half };
}

/** The CI half-width relative to the mean (0.02 = ±2%). */
export function relativeHalfWidth(xs: readonly number[]): number {
  return ciHalfWidth(xs) / Math.abs(mean(xs));
}

/** Coefficient of variation: sd / mean. */
export function cv(xs: readonly number[]): number {
  return sd(xs) / Math.abs(mean(xs));
}

/** P(X ≥ k) for X ~ Binomial(n, p): how likely k or more of n independent items are hits when each is with p. */
export function binomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  // term(i) = C(n, i) p^i (1-p)^(n-i), in logs up to i = k, then summed from k to n.
  let logTerm = n * Math.log1p(-p);
  for (let i = 0; i < k; i++) logTerm += Math.log((n - i) / (i + 1)) + Math.log(p / (1 - p));
  let sum = 0;
  for (let i = k; i <= n; i++) {
    sum += Math.exp(logTerm);
    logTerm += Math.log((n - i) / (i + 1)) + Math.log(p / (1 - p));
  }
  return Math.min(1, sum);
}
