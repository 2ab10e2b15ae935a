/**
 * Descriptive statistics on plain number arrays: mean, sample std, percentiles.
 * Pure functions; empty input is an error because a silent NaN would travel into reports.
 */

function requireValues(values: readonly number[], what: string): void {
  if (values.length === 0) throw new Error(`${what} needs at least one value, got an empty array`);
}

export function mean(values: readonly number[]): number {
  requireValues(values, 'mean');
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Variance with `ddof` delta degrees of freedom (1 = sample variance, as numpy `var(ddof=1)`). */
export function variance(values: readonly number[], ddof = 1): number {
  requireValues(values, 'variance');
  if (values.length - ddof <= 0) return Number.NaN;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return ss / (values.length - ddof);
}

/** Sample standard deviation (ddof=1 by default; NaN for a single value). */
export function std(values: readonly number[], ddof = 1): number {
  return Math.sqrt(variance(values, ddof));
}

/**
 * Percentile `q` in [0, 100] with linear interpolation between order statistics
 * (numpy's default `method='linear'`).
 */
export function percentile(values: readonly number[], q: number): number {
  requireValues(values, 'percentile');
  if (!(q >= 0 && q <= 100)) throw new Error(`percentile q must be in [0, 100], got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOfSorted(sorted, q);
}

/** As `percentile` for an already ascending-sorted array (no copy). */
export function percentileOfSorted(sorted: readonly number[], q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (lo === hi) return sorted[lo];
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
