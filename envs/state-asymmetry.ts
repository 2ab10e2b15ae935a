/**
 * How far a state is from its own mirror image, and how a trajectory's asymmetry evolves.
 *
 * asymmetry(x) = ||x - rho(g) x|| / ||x||, with g the symmetry's generator acting on the
 * observation: 0 for a symmetric state (Walker2d: both legs in the same pose, moving alike),
 * at most 2.
 *
 * Why it is worth measuring: where the dynamics commute with g exactly (Walker2d-v5's leg
 * swap) and the policy is exactly equivariant (EMLP-SAC's deterministic policy), a symmetric
 * state leads only to symmetric states, so the legs can only move as one. An alternating
 * gait has to grow out of the reset noise's asymmetry, amplified by the dynamics; an
 * unconstrained policy can break the symmetry itself. The mean asymmetry over a deterministic
 * evaluation tells a gait whose legs move in sync (near 0) from an alternating one.
 */
import type { SignedPermMap } from './types.js';

/** ||x - rho x|| / ||x|| (0 for x = 0). */
export function asymmetry(map: SignedPermMap, x: ArrayLike<number>): number {
  if (x.length !== map.length) throw new Error(`asymmetry: the state has ${x.length} values, the symmetry's observation map ${map.length}.`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < map.length; i++) {
    const [src, sign] = map[i];
    const d = x[i] - sign * x[src];
    diff += d * d;
    norm += x[i] * x[i];
  }
  return norm === 0 ? 0 : Math.sqrt(diff / norm);
}

/** One trajectory's asymmetry, summarised. */
export interface TrajectoryAsymmetry {
  /** At the first state (the reset noise's share). */
  initial: number;
  /** Mean over the trajectory's states. */
  mean: number;
  /** Fraction of states with asymmetry below `syncBelow` (the legs moving as one). */
  syncFraction: number;
  /** First step index whose state's asymmetry reaches `breakAt`, or null if none does. */
  breakStep: number | null;
}

export interface TrajectoryAsymmetryOptions {
  /** Default 0.05. */
  syncBelow?: number;
  /** Default 0.1. */
  breakAt?: number;
}

/** Summarise the asymmetry of a trajectory of states (each of the map's length). */
export function trajectoryAsymmetry(map: SignedPermMap, states: readonly ArrayLike<number>[], opts: TrajectoryAsymmetryOptions = {}): TrajectoryAsymmetry {
  if (states.length === 0) throw new Error('trajectoryAsymmetry: the trajectory has no states.');
  const syncBelow = opts.syncBelow ?? 0.05;
  const breakAt = opts.breakAt ?? 0.1;
  let sum = 0;
  let sync = 0;
  let breakStep: number | null = null;
  states.forEach((x, t) => {
    const a = asymmetry(map, x);
    sum += a;
    if (a < syncBelow) sync++;
    if (breakStep === null && a >= breakAt) breakStep = t;
  });
  return { initial: asymmetry(map, states[0]), mean: sum / states.length, syncFraction: sync / states.length, breakStep };
}
