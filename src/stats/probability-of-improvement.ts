/**
 * Probability of improvement P(X > Y) as in rliable: the Mann-Whitney U statistic
 * normalised by the number of pairs, ties counting one half. Averaged over strata
 * (tasks) when several are given.
 */

export function probabilityOfImprovement(x: readonly number[], y: readonly number[]): number {
  if (x.length === 0 || y.length === 0) throw new Error(`probabilityOfImprovement needs non-empty samples, got ${x.length} and ${y.length} values`);
  let wins = 0;
  for (const a of x) {
    for (const b of y) wins += a > b ? 1 : a === b ? 0.5 : 0;
  }
  return wins / (x.length * y.length);
}

/** Average of per-stratum P(X > Y); xStrata[k] and yStrata[k] are the two agents' scores on task k. */
export function stratifiedProbabilityOfImprovement(
  xStrata: readonly (readonly number[])[],
  yStrata: readonly (readonly number[])[],
): number {
  if (xStrata.length !== yStrata.length || xStrata.length === 0) {
    throw new Error(`stratifiedProbabilityOfImprovement needs the same non-zero number of strata, got ${xStrata.length} and ${yStrata.length}`);
  }
  let sum = 0;
  for (let k = 0; k < xStrata.length; k++) sum += probabilityOfImprovement(xStrata[k], yStrata[k]);
  return sum / xStrata.length;
}
