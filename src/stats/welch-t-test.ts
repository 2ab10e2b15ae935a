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
  const df = (se2 * se2) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  return { t, df, p: studentTTwoSidedP(t, df) };
}
