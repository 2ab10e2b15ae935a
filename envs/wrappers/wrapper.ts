/**
 * Base class for env wrappers (Gymnasium's `Wrapper`): forwards everything to the inner
 * env; subclasses override what they change. `unwrapped` reaches the innermost env.
 */
import type { BoxSpace, Env, ResetResult, StepResult } from '../types.js';

export class Wrapper<E extends Env = Env> implements Env {
  constructor(readonly env: E) {}

  get id(): string {
    return this.env.id;
  }
  get observationSpace(): BoxSpace {
    return this.env.observationSpace;
  }
  get actionSpace(): BoxSpace {
    return this.env.actionSpace;
  }
  get metadata(): { renderFps: number; dt: number } {
    return this.env.metadata;
  }
  /** The innermost (unwrapped) env. */
  get unwrapped(): Env {
    let e: Env = this.env;
    while (e instanceof Wrapper) e = e.env;
    return e;
  }

  reset(opts?: { seed?: number; options?: Record<string, unknown> }): ResetResult {
    return this.env.reset(opts);
  }
  step(action: ArrayLike<number>): StepResult {
    return this.env.step(action);
  }
  close(): void {
    this.env.close();
  }
}

/** The innermost env of a (possibly) wrapped env. */
export function unwrap(env: Env): Env {
  return env instanceof Wrapper ? env.unwrapped : env;
}
