/**
 * Student-t distribution functions via the regularized incomplete beta:
 * for t >= 0, P(T > t) = I_{df/(df+t²)}(df/2, 1/2) / 2.
 */
import { regularizedIncompleteBeta } from './special-functions.js';

function checkDf(df: number): void {
  if (!(df > 0)) throw new Error(`Student-t degrees of freedom must be > 0, got ${df}`);
}

/** Two-sided tail probability P(|T| >= |t|) for T ~ t(df). */
export function studentTTwoSidedP(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Cumulative distribution P(T <= t) for T ~ t(df). */
export function studentTCdf(t: number, df: number): number {
  const tail = studentTTwoSidedP(t, df) / 2;
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The quantile t with P(T <= t) = p for T ~ t(df), by bisection on the CDF (60 halvings
 * of a bracket that doubles until it holds p: exact to double precision for any df > 0).
 */
export function studentTQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p > 0 && p < 1)) throw new Error(`studentTQuantile needs p in (0, 1), got ${p}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  let lo = 0;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
