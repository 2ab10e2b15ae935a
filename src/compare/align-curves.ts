/**
 * Put the learning curves of several seeds on one step grid. Runs may stop at different
 * steps (still running, crashed, different budgets) or evaluate at different steps; the
 * grid is the union of their evaluation steps from the latest first evaluation up to the
 * last step that at least `minSeeds` runs reached (default: all of them), with linear
 * interpolation between a run's own evaluations and no extrapolation. `nSeeds[i]` says how
 * many runs contribute at step i.
 */

export interface Curve {
  id: string;
  steps: readonly number[];
  values: readonly number[];
}

export interface AlignedCurves {
  steps: number[];
  /** values[run][i]: the run's value at steps[i], NaN where the run has not reached it. */
  values: number[][];
  nSeeds: number[];
  ids: string[];
}

/** Linear interpolation of a curve at `step`; NaN outside the curve's range. */
export function interpolateAt(steps: readonly number[], values: readonly number[], step: number): number {
  const n = steps.length;
  if (n === 0 || step < steps[0] || step > steps[n - 1]) return Number.NaN;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] <= step) lo = mid;
    else hi = mid;
  }
  if (steps[lo] === step) return values[lo];
  if (steps[hi] === step) return values[hi];
  const w = (step - steps[lo]) / (steps[hi] - steps[lo]);
  return values[lo] + w * (values[hi] - values[lo]);
}

export function alignCurves(curves: readonly Curve[], opts: { minSeeds?: number; maxStep?: number } = {}): AlignedCurves {
  const usable = curves.filter((c) => c.steps.length > 0);
  if (usable.length === 0) return { steps: [], values: [], nSeeds: [], ids: [] };
  const minSeeds = Math.min(opts.minSeeds ?? usable.length, usable.length);
  if (!(minSeeds >= 1)) throw new Error(`minSeeds must be >= 1, got ${opts.minSeeds}`);
  const start = Math.max(...usable.map((c) => c.steps[0]));
  // End: the minSeeds-th largest last step, i.e. the last step that minSeeds runs reached.
  const lasts = usable.map((c) => c.steps[c.steps.length - 1]).sort((a, b) => b - a);
  const end = Math.min(lasts[minSeeds - 1], opts.maxStep ?? Infinity);
  const grid = [...new Set(usable.flatMap((c) => c.steps.filter((s) => s >= start && s <= end)))].sort((a, b) => a - b);
  const values = usable.map((c) => grid.map((s) => interpolateAt(c.steps, c.values, s)));
  const nSeeds = grid.map((_, i) => values.filter((v) => !Number.isNaN(v[i])).length);
  return { steps: grid, values, nSeeds, ids: usable.map((c) => c.id) };
}
