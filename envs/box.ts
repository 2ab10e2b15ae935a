/**
 * Box space as in Gymnasium: per-dimension [low, high] bounds, its own seeded RNG
 * (independent of the env's), uniform sampling on bounded dimensions.
 */
import { Rng } from '../src/random.js';
import type { BoxSpace } from './types.js';

export class Box implements BoxSpace {
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly shape: readonly number[];
  private rng: Rng;

  constructor(low: ArrayLike<number>, high: ArrayLike<number>, seed?: number) {
    if (low.length !== high.length) throw new Error(`Box: low has ${low.length} values but high has ${high.length}; they must have the same length.`);
    this.low = Float64Array.from(low);
    this.high = Float64Array.from(high);
    for (let i = 0; i < this.low.length; i++) {
      if (Number.isNaN(this.low[i]) || Number.isNaN(this.high[i])) throw new Error(`Box: bound ${i} is NaN; use -Infinity/Infinity for unbounded dimensions.`);
      if (this.low[i] > this.high[i]) throw new Error(`Box: low[${i}] = ${this.low[i]} > high[${i}] = ${this.high[i]}.`);
    }
    this.shape = [this.low.length];
    // Unseeded spaces draw a random seed, as Gymnasium does.
    this.rng = new Rng(seed ?? Math.floor(Math.random() * 2 ** 32));
  }

  /** A Box with the same bound on every dimension. */
  static uniform(n: number, low: number, high: number, seed?: number): Box {
    return new Box(new Float64Array(n).fill(low), new Float64Array(n).fill(high), seed);
  }

  seed(seed: number): void {
    this.rng.seed(seed);
  }

  /**
   * Uniform on bounded dimensions; as Gymnasium: normal on unbounded, exponential
   * shifted from the finite bound on half-bounded dimensions.
   */
  sample(): Float64Array {
    const n = this.low.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      const loFinite = Number.isFinite(lo);
      const hiFinite = Number.isFinite(hi);
      if (loFinite && hiFinite) out[i] = lo + (hi - lo) * this.rng.random();
      else if (!loFinite && !hiFinite) out[i] = this.rng.normal();
      else {
        const e = -Math.log(1 - this.rng.random());
        out[i] = loFinite ? lo + e : hi - e;
      }
    }
    return out;
  }

  contains(x: ArrayLike<number>): boolean {
    if (x.length !== this.low.length) return false;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (Number.isNaN(v) || v < this.low[i] || v > this.high[i]) return false;
    }
    return true;
  }

  /** Whether every dimension has finite bounds. */
  isBounded(): boolean {
    for (let i = 0; i < this.low.length; i++) if (!Number.isFinite(this.low[i]) || !Number.isFinite(this.high[i])) return false;
    return true;
  }
}
