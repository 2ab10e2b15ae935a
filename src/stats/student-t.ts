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
