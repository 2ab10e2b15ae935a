/**
 * Trimmed means and the interquartile mean (IQM) used by rliable (Agarwal et al. 2021).
 *
 * rliable computes IQM as `scipy.stats.trim_mean(scores, 0.25, axis=None)`. SciPy cuts
 * `floor(proportion * n)` whole values from each end (no fractional weights), so for n=5
 * the IQM is the mean of the middle 3 values. That is the default here, so numbers match
 * rliable exactly. `fractional: true` instead gives the end values partial weight so that
 * exactly the middle (1 - 2*proportion) of the mass counts, which some papers call IQM.
 */
export interface TrimOptions {
  /** Weight partially-cut values instead of SciPy's whole-value trimming. Default false (SciPy / rliable). */
  fractional?: boolean;
}

export function trimMean(values: readonly number[], proportion: number, opts: TrimOptions = {}): number {
  if (values.length === 0) throw new Error('trimMean needs at least one value, got an empty array');
  if (!(proportion >= 0 && proportion < 0.5)) throw new Error(`trimMean proportion must be in [0, 0.5), got ${proportion}`);
  // Typed-array sort is numeric and much faster than Array.sort with a comparator (bootstraps call this millions of times).
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (!opts.fractional) {
    const lowercut = Math.floor(proportion * n);
    let sum = 0;
    for (let i = lowercut; i < n - lowercut; i++) sum += sorted[i];
    return sum / (n - 2 * lowercut);
  }
  // Each value covers mass 1/n on [i/n, (i+1)/n); keep the mass on [p, 1-p].
  const lo = proportion * n;
  const hi = n - lo;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = Math.max(0, Math.min(i + 1, hi) - Math.max(i, lo));
    sum += w * sorted[i];
  }
  return sum / (hi - lo);
}

/** Interquartile mean: the 25%-trimmed mean (rliable's definition by default). */
export function iqm(values: readonly number[], opts: TrimOptions = {}): number {
  return trimMean(values, 0.25, opts);
}
