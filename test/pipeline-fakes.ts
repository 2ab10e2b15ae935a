/** Fakes for pipeline tests: a tiny deterministic env, a counting learner, an array replay. */
import type { BoxSpace, Env, ResetResult, StepResult } from '../envs/types.js';
import type { Learner, ReplaySink, StepBatch, UpdateStats } from '../src/pipeline/types.js';

function box(dim: number, low: number, high: number): BoxSpace {
  return {
    shape: [dim],
    low: new Float64Array(dim).fill(low),
    high: new Float64Array(dim).fill(high),
    sample: () => new Float64Array(dim),
    contains: () => true,
    seed: () => undefined,
  };
}

/**
 * obs = [seed-of-last-reset, t]; reward = action[0]; truncated at `horizon`;
 * terminated when action[0] < 0 (lets tests force terminations).
 */
export class FakeEnv implements Env {
  readonly id = 'Fake-v0';
  readonly observationSpace = box(2, -Infinity, Infinity);
  readonly actionSpace = box(1, -1, 1);
  readonly metadata = { renderFps: 50, dt: 0.02 };
  t = 0;
  lastSeed = -1;
  resets = 0;
  steps = 0;
  closed = false;
  constructor(readonly horizon = 5) {}
  reset(opts: { seed?: number } = {}): ResetResult {
    if (opts.seed !== undefined) this.lastSeed = opts.seed;
    this.t = 0;
    this.resets += 1;
    return { observation: Float64Array.from([this.lastSeed, 0]), info: {} };
  }
  step(action: ArrayLike<number>): StepResult {
    this.t += 1;
    this.steps += 1;
    return {
      observation: Float64Array.from([this.lastSeed, this.t]),
      reward: action[0],
      terminated: action[0] < 0,
      truncated: this.t >= this.horizon,
      info: {},
    };
  }
  close(): void {
    this.closed = true;
  }
}

export class CountingLearner implements Learner {
  statsCalls = 0;
  /** `calls`: updates already done (a resumed learner). */
  constructor(public calls = 0) {}
  update(wantStats: boolean): UpdateStats | null {
    this.calls += 1;
    if (!wantStats) return null;
    this.statsCalls += 1;
    return { criticLoss: 1 / this.calls, actorLoss: -this.calls, alpha: 0.5 };
  }
}

export class ArrayReplay implements ReplaySink {
  rows: { obs: number[]; action: number[]; reward: number; nextObs: number[]; terminated: boolean }[] = [];
  add(obs: ArrayLike<number>, action: ArrayLike<number>, reward: number, nextObs: ArrayLike<number>, terminated: boolean): void {
    this.rows.push({ obs: Array.from(obs), action: Array.from(action), reward, nextObs: Array.from(nextObs), terminated });
  }
}

/** A hand-made batch for operator tests (episode totals default to one-step episodes). */
export function batch(
  step: number,
  n = 1,
  rewards: number[] = new Array(n).fill(1),
  done: number[] = new Array(n).fill(0),
  terminated: number[] = new Array(n).fill(0),
  episodeReturn: number[] = rewards,
  episodeLength: number[] = new Array(n).fill(1),
): StepBatch {
  return {
    step,
    n,
    obsDim: 2,
    actDim: 1,
    obs: new Float32Array(2 * n).fill(step),
    actions: Float32Array.from(rewards),
    rewards: Float64Array.from(rewards),
    nextObs: new Float32Array(2 * n).fill(step + 1),
    terminated: Uint8Array.from(terminated),
    truncated: Uint8Array.from(done),
    episodeReturn: Float64Array.from(episodeReturn),
    episodeLength: Int32Array.from(episodeLength),
  };
}
