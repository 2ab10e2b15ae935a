/**
 * The small contracts the rollout pipeline is written against. The real agent
 * (agents/sac.ts) and replay buffer (src/replay) satisfy them through thin
 * adapters (src/run/agent-adapter.ts); tests use fakes.
 */

/**
 * Maps a batch of observations [n*obsDim] to actions [n*actDim] in env units. `step` = env steps taken so far.
 * May answer with a promise (backends that cannot read the device synchronously: webgpu in Node);
 * the rollout then waits for it before stepping.
 */
export type PolicyFn = (obs: Float32Array, n: number, step: number) => Float32Array | Promise<Float32Array>;

/** A PolicyFn that always answers at once. */
export type SyncPolicyFn = (obs: Float32Array, n: number, step: number) => Float32Array;

/** Where transitions go (the replay buffer's `add`). */
export interface ReplaySink {
  add(obs: ArrayLike<number>, action: ArrayLike<number>, reward: number, nextObs: ArrayLike<number>, terminated: boolean): void;
}

/** Scalars reported by a gradient step (the agent may report more). */
export interface UpdateStats {
  criticLoss: number;
  actorLoss: number;
  alpha: number;
}

/**
 * Does one gradient step on data it samples itself (the agent's `update(replay)`
 * bound to the buffer). Stats cost a device->host read, so they are asked for
 * only now and then; without them the learner may return null.
 */
export interface Learner {
  /** Stats may come as a promise (backends without synchronous reads); the step itself is done on return. */
  update(wantStats: boolean): UpdateStats | null | Promise<UpdateStats>;
}

/**
 * One synchronous step of n environments. Arrays are row-major, one row per env.
 * `nextObs` is the true next observation (the final observation when an episode
 * ended); the source resets finished envs before its next step.
 */
export interface StepBatch {
  /** Environment steps taken after this batch, counting every sub-env (starts after any resumed steps). */
  step: number;
  n: number;
  obsDim: number;
  actDim: number;
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float64Array;
  nextObs: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** Each env's episode so far, this step included (for an env whose episode ended here: the whole episode). */
  episodeReturn: Float64Array;
  episodeLength: Int32Array;
}

/** A StepBatch after the learner ran on it. */
export interface TrainedBatch extends StepBatch {
  /** Gradient steps done for this batch. */
  updates: number;
  /** Gradient steps done in the run so far (a resumed run continues its count). */
  totalUpdates: number;
  /** Stats of the most recent gradient step that reported them (at most `statsEvery` updates old), null before any. */
  latestUpdate: UpdateStats | null;
}
