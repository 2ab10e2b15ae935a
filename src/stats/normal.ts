/**
 * Standard normal tail probability, for the expanded bootstrap's percentile
 * (bootstrap.ts). Complementary error function by the Chebyshev fit in Press et al.,
 * Numerical Recipes (2nd ed., erfcc), fractional error below 1.2e-7 everywhere: far
 * finer than any bootstrap percentile of a few thousand resamples can resolve.
 */

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for Z ~ N(0, 1). */
export function normalUpperTail(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return 0.5 * erfc(z / Math.SQRT2);
}
