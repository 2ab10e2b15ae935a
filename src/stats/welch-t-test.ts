/**
 * Welch's unequal-variance t-test for two independent samples (scipy's
 * `ttest_ind(a, b, equal_var=False)`), with a two-sided p-value.
 */
import { mean, variance } from './descriptive.js';
import { studentTTwoSidedP } from './student-t.js';

export interface WelchResult {
  /** t statistic for mean(a) - mean(b). */
  t: number;
  /** Welch-Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value; NaN when the test is undefined (see `reason`). */
  p: number;
  /** Why p is NaN, if it is. */
  reason?: string;
}

/**
 * Welch-Satterthwaite degrees of freedom from the squared standard errors of two means
 * (va = var(a) / na, vb = var(b) / nb) and the group sizes.
 */
export function welchSatterthwaiteDf(va: number, vb: number, na: number, nb: number): number {
  return ((va + vb) * (va + vb)) / ((va * va) / (na - 1) + (vb * vb) / (nb - 1));
}

export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult {
  if (a.length < 2 || b.length < 2) {
    return { t: Number.NaN, df: Number.NaN, p: Number.NaN, reason: `needs at least 2 values per group, got ${a.length} and ${b.length}` };
  }
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const diff = mean(a) - mean(b);
  const se2 = va + vb;
  if (se2 === 0) {
    // Both groups constant: identical means give no evidence, different means are certain.
    if (diff === 0) return { t: Number.NaN, df: Number.NaN, p: Number.NaN, reason: 'both groups have zero variance and equal means' };
    return { t: diff > 0 ? Infinity : -Infinity, df: a.length + b.length - 2, p: 0 };
  }
  const t = diff / Math.sqrt(se2);
  const df = welchSatterthwaiteDf(va, vb, a.length, b.length);
  return { t, df, p: studentTTwoSidedP(t, df) };
}
