/**
 * Permuting one axis of a tf tensor, choosing the cheapest kernels for wasm.
 *
 * A rotation (the block cycles of hiddenRep) is concat([x, x]) + one slice; a
 * permutation made of a few contiguous runs is slice + concat. Both are ~10x
 * cheaper than a gather on a 256x256 matrix (see the shared tfjs notes; tf.tile
 * is far slower still on wasm, ~14 ms). Anything else is a gather whose
 * gradient is a gather by the inverse permutation (tf.customGrad): tfjs's own
 * GatherV2 gradient needs UnsortedSegmentSum, which the wasm backend lacks.
 */
import * as tf from '@tensorflow/tfjs';

export interface Run {
  /** First source index of the run. */
  start: number;
  size: number;
}

/** Split perm into maximal runs with perm[i + 1] = perm[i] + 1. */
export function contiguousRuns(perm: ArrayLike<number>): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < perm.length; i++) {
    const last = runs[runs.length - 1];
    if (last !== undefined && perm[i] === last.start + last.size) last.size++;
    else runs.push({ start: perm[i], size: 1 });
  }
  return runs;
}

/** The shift s when perm[j] = (j + s) mod n for all j (a rotation), else null. */
export function rotationShift(perm: ArrayLike<number>): number | null {
  const n = perm.length;
  if (n === 0) return null;
  const s = perm[0];
  for (let j = 1; j < n; j++) if (perm[j] !== (j + s) % n) return null;
  return s;
}

/** Default: slice+concat when there are at most this many runs, else a gather. */
export const DEFAULT_MAX_RUNS = 4;

/** y = x taken along `axis` at positions perm: y[..., i, ...] = x[..., perm[i], ...]. */
export class AxisPermutation {
  readonly perm: Int32Array;
  readonly axis: number;
  readonly mode: 'identity' | 'rotate' | 'runs' | 'gather';
  readonly runs: Run[];
  #indices: tf.Tensor1D | undefined;
  #inverse: tf.Tensor1D | undefined;
  #gather: ((x: tf.Tensor) => tf.Tensor) | undefined;

  constructor(perm: ArrayLike<number>, axis: number, opts: { maxRuns?: number; mode?: 'runs' | 'gather' } = {}) {
    this.perm = Int32Array.from(perm);
    this.axis = axis;
    this.runs = contiguousRuns(this.perm);
    const identity = this.runs.length === 1 && this.runs[0].start === 0;
    if (identity) this.mode = 'identity';
    else if (opts.mode !== undefined) this.mode = opts.mode;
    else if (rotationShift(this.perm) !== null) this.mode = 'rotate';
    else this.mode = this.runs.length <= (opts.maxRuns ?? DEFAULT_MAX_RUNS) ? 'runs' : 'gather';
    if (this.mode === 'gather') {
      const inv = new Int32Array(this.perm.length);
      this.perm.forEach((p, i) => (inv[p] = i));
      const indices = tf.keep(tf.tensor1d(this.perm, 'int32'));
      const inverse = tf.keep(tf.tensor1d(inv, 'int32'));
      this.#indices = indices;
      this.#inverse = inverse;
      this.#gather = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
        const x = args[0] as tf.Tensor;
        return {
          value: tf.gather(x, indices, axis),
          gradFunc: (dy: tf.Tensor) => tf.gather(dy, inverse, axis),
        };
      }) as (x: tf.Tensor) => tf.Tensor;
    }
  }

  apply<T extends tf.Tensor>(x: T): T {
    if (x.shape[this.axis] !== this.perm.length) {
      throw new Error(`AxisPermutation: axis ${this.axis} of a tensor of shape [${x.shape}] has size ${x.shape[this.axis]}, expected ${this.perm.length}.`);
    }
    if (this.mode === 'identity') return x;
    if (this.mode === 'gather') return this.#gather!(x) as T;
    // Fresh begin/size arrays per slice: tfjs keeps them as the op's attributes for the
    // Slice gradient, so reusing (mutating) one array would corrupt the backward pass.
    const sliceAlong = (start: number, length: number, t: tf.Tensor): tf.Tensor => {
      const begin = new Array<number>(t.rank).fill(0);
      const size = new Array<number>(t.rank).fill(-1);
      begin[this.axis] = start;
      size[this.axis] = length;
      return tf.slice(t, begin, size);
    };
    if (this.mode === 'rotate') {
      // y[j] = x[(j + s) mod n] = concat([x, x])[j + s]: two kernels.
      return sliceAlong(this.perm[0], this.perm.length, tf.concat([x, x], this.axis)) as T;
    }
    return tf.concat(
      this.runs.map((r) => sliceAlong(r.start, r.size, x)),
      this.axis,
    ) as T;
  }

  dispose(): void {
    this.#indices?.dispose();
    this.#inverse?.dispose();
  }
}
