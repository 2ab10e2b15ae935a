/**
 * Holm's step-down correction of p-values for a family of tests (Holm 1979): sort the m
 * p-values ascending, multiply the i-th smallest by (m - i + 1), make the sequence
 * non-decreasing, cap at 1. It controls the chance of any false "significant" in the family
 * at alpha whatever the dependence between the tests, and never rejects less than
 * Bonferroni. NaN entries (tests that could not be run) stay NaN and are not counted in m.
 */
export function holmAdjust(ps: readonly number[]): number[] {
  const idx = ps.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p));
  for (const [p] of idx) if (!(p >= 0 && p <= 1)) throw new Error(`holmAdjust: p-values must lie in [0, 1], got ${p}`);
  idx.sort((a, b) => a[0] - b[0]);
  const m = idx.length;
  const out = ps.map(() => Number.NaN);
  let running = 0;
  idx.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}
