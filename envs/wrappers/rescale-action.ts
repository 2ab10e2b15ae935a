/**
 * RescaleAction (Gymnasium): the agent acts in [minAction, maxAction] (default [-1, 1]) and
 * the wrapper maps affinely onto the inner env's [low, high], then clips to [low, high]
 * against round-off, as Gymnasium does. E.g. Humanoid's ±0.4 and InvertedPendulum's ±3.
 */
import { Box } from '../box.js';
import type { BoxSpace, Env, StepResult } from '../types.js';
import { Wrapper } from './wrapper.js';

export class RescaleAction<E extends Env = Env> extends Wrapper<E> {
  private readonly space: Box;
  private readonly scratch: Float64Array;

  constructor(env: E, minAction: number | ArrayLike<number> = -1, maxAction: number | ArrayLike<number> = 1) {
    super(env);
    const inner = env.actionSpace;
    const n = inner.low.length;
    const lo = typeof minAction === 'number' ? new Float64Array(n).fill(minAction) : Float64Array.from(minAction);
    const hi = typeof maxAction === 'number' ? new Float64Array(n).fill(maxAction) : Float64Array.from(maxAction);
    if (lo.length !== n || hi.length !== n) throw new Error(`RescaleAction: minAction/maxAction must have length ${n} (the action dimension).`);
    for (let i = 0; i < n; i++) {
      if (!(lo[i] < hi[i])) throw new Error(`RescaleAction: minAction[${i}] = ${lo[i]} must be < maxAction[${i}] = ${hi[i]}.`);
      if (!Number.isFinite(inner.low[i]) || !Number.isFinite(inner.high[i])) throw new Error(`RescaleAction: the inner action space is unbounded at ${i}; rescaling needs finite bounds.`);
    }
    this.space = new Box(lo, hi);
    this.scratch = new Float64Array(n);
  }

  override get actionSpace(): BoxSpace {
    return this.space;
  }

  /** Map an action from [minAction, maxAction] to the inner env's range (clipped). */
  rescale(action: ArrayLike<number>): Float64Array {
    const inner = this.env.actionSpace;
    const n = inner.low.length;
    if (action.length !== n) throw new Error(`${this.id}: action has length ${action.length}, expected ${n}.`);
    const out = this.scratch;
    for (let i = 0; i < n; i++) {
      const a = action[i];
      if (!Number.isFinite(a)) throw new Error(`${this.id}: action[${i}] = ${String(a)} is not a finite number; actions must not contain NaN or Infinity.`);
      const lo = inner.low[i];
      const hi = inner.high[i];
      const x = lo + (hi - lo) * ((a - this.space.low[i]) / (this.space.high[i] - this.space.low[i]));
      out[i] = x < lo ? lo : x > hi ? hi : x;
    }
    return out;
  }

  override step(action: ArrayLike<number>): StepResult {
    return this.env.step(this.rescale(action));
  }
}
