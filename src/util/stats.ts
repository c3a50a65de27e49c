// Small statistics shared by collection (adaptive stopping) and analysis: mean, sample sd, the t quantile and the
// half-width of a 95% confidence interval of a mean.

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Sample standard deviation (n − 1); NaN below two values. */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Student's t quantile for a two-sided 95% interval (exact table up to 30 degrees of freedom, interpolated beyond). */
export function t975(df: number): number {
  const table = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  if (df < 1) return NaN;
  if (df <= 30) return table[df]!;
  if (df <= 60) return 2.042 - ((df - 30) * (2.042 - 2.0)) / 30;
  if (df <= 120) return 2.0 - ((df - 60) * (2.0 - 1.98)) / 60;
  return 1.96;
}

/** Half-width of the 95% CI of the mean of `xs`; NaN below two values. */
export function ciHalfWidth(xs: readonly number[]): number {
  return xs.length < 2 ? NaN : (t975(xs.length - 1) * sd(xs)) / Math.sqrt(xs.length);
}

/** The CI half-width relative to the mean (0.02 = ±2%). */
export function relativeHalfWidth(xs: readonly number[]): number {
  return ciHalfWidth(xs) / Math.abs(mean(xs));
}

/** Coefficient of variation: sd / mean. */
export function cv(xs: readonly number[]): number {
  return sd(xs) / Math.abs(mean(xs));
}
