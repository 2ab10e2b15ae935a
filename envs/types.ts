/**
 * The Gymnasium-style environment contract used across rpp-sac.
 * Mirrors Gymnasium's `Env`: reset({seed, options}) -> {observation, info};
 * step(action) -> {observation, reward, terminated, truncated, info}.
 */

export interface Space {
  readonly shape: readonly number[];
  sample(): Float64Array;
  contains(x: ArrayLike<number>): boolean;
  seed(seed: number): void;
}

export interface BoxSpace extends Space {
  readonly low: Float64Array;
  readonly high: Float64Array;
}

export type Info = Record<string, unknown>;

export interface ResetResult {
  observation: Float64Array;
  info: Info;
}

export interface StepResult {
  observation: Float64Array;
  reward: number;
  /** A true terminal state of the MDP (do not bootstrap). */
  terminated: boolean;
  /** Episode cut short (time limit): bootstrap through it. */
  truncated: boolean;
  info: Info;
}

export interface Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  readonly metadata: { renderFps: number; dt: number };
  reset(opts?: { seed?: number; options?: Record<string, unknown> }): ResetResult;
  step(action: ArrayLike<number>): StepResult;
  /** Release MuJoCo objects. The env is unusable afterwards. */
  close(): void;
}

/** A signed permutation given as a list over output indices i of [src, sign]: y[i] = sign * x[src]. */
export type SignedPermMap = ReadonlyArray<readonly [number, number]>;

/** One symmetry of an environment, acting on observations and actions. */
export interface SymmetrySpec {
  /** e.g. 'exact_mirror', 'paper' */
  name: string;
  group: 'Z2' | 'Z4';
  /** true when checked to map trajectories to trajectories with equal reward. */
  exact: boolean;
  /** Generator action on the observation (length obsDim: every map covers the whole default observation). */
  obs: SignedPermMap;
  /** Generator action on the action vector. */
  act: SignedPermMap;
  /** Generator on qpos/qvel (for dynamic tests), when known. */
  qpos?: SignedPermMap;
  qvel?: SignedPermMap;
  note?: string;
}
