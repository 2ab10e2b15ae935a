/**
 * TimeLimit (Gymnasium): counts steps since reset and sets `truncated = true` once
 * `maxEpisodeSteps` steps have been taken. `terminated` is passed through unchanged, so
 * both can be true on the same step.
 */
import type { Env, ResetResult, StepResult } from '../types.js';
import { Wrapper } from './wrapper.js';

export class TimeLimit<E extends Env = Env> extends Wrapper<E> {
  readonly maxEpisodeSteps: number;
  private elapsed = 0;

  constructor(env: E, maxEpisodeSteps: number) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      throw new Error(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}.`);
    }
    this.maxEpisodeSteps = maxEpisodeSteps;
  }

  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  override reset(opts?: { seed?: number; options?: Record<string, unknown> }): ResetResult {
    this.elapsed = 0;
    return this.env.reset(opts);
  }

  override step(action: ArrayLike<number>): StepResult {
    const r = this.env.step(action);
    this.elapsed += 1;
    if (this.elapsed >= this.maxEpisodeSteps) r.truncated = true;
    return r;
  }
}
