/**
 * The group-averaging (Reynolds) projector on tf tensors, used in every forward
 * pass of an RPP layer:
 *
 *   P(W) = 1/|G| sum_g rho_in(g) W rho_out(g)^T       (W stored [in, out])
 *
 * built from index operations only (row permutation, column permutation, sign
 * multiply), never from a dense basis Q. For a cyclic group the sum over
 * h^0..h^(n-1) is factored as (sum_{k<b} T^k) prod_j (I + T^(b 2^j)) with
 * n = b 2^a, so Z2 and Z4 need one and two permute+add steps.
 *
 * P is self-adjoint (orthogonal reps), so its gradient is P applied to dy; a
 * tf.customGrad says so directly, which is cheaper than differentiating
 * through slices (pads) and concats.
 */
import * as tf from '@tensorflow/tfjs';
import { AxisPermutation } from './permute-tensor.js';
import { trivial, type Rep } from './rep.js';
import type { SignedPerm } from './signed-perm.js';

export interface ProjectorOptions {
  /** Permutations with at most this many contiguous runs use slice+concat, others a gather. */
  maxRuns?: number;
}

/** W -> rho_in(g) W rho_out(g)^T for one group element g. */
class WeightAction {
  readonly rows: AxisPermutation;
  readonly cols: AxisPermutation;
  readonly signs: tf.Tensor | null;

  constructor(gIn: SignedPerm, gOut: SignedPerm, opts: ProjectorOptions) {
    this.rows = new AxisPermutation(gIn.perm, 0, opts);
    this.cols = new AxisPermutation(gOut.perm, 1, opts);
    const rowSigned = !gIn.isUnsigned();
    const colSigned = !gOut.isUnsigned();
    // One multiply by a precomputed sign tensor (outer product when both sides flip).
    if (rowSigned && colSigned) {
      const s = new Float32Array(gIn.size * gOut.size);
      for (let a = 0; a < gIn.size; a++) for (let b = 0; b < gOut.size; b++) s[a * gOut.size + b] = gIn.sign[a] * gOut.sign[b];
      this.signs = tf.keep(tf.tensor2d(s, [gIn.size, gOut.size]));
    } else if (rowSigned) {
      this.signs = tf.keep(tf.tensor2d(gIn.sign, [gIn.size, 1]));
    } else if (colSigned) {
      this.signs = tf.keep(tf.tensor2d(gOut.sign, [1, gOut.size]));
    } else {
      this.signs = null;
    }
  }

  apply(w: tf.Tensor2D): tf.Tensor2D {
    const permuted = this.cols.apply(this.rows.apply(w));
    return this.signs === null ? permuted : tf.mul(permuted, this.signs);
  }

  dispose(): void {
    this.rows.dispose();
    this.cols.dispose();
    this.signs?.dispose();
  }
}

export class WeightProjector {
  readonly repIn: Rep;
  readonly repOut: Rep;
  /** The steps (I + T^k) applied in sequence. */
  readonly #doubling: WeightAction[] = [];
  /** T^1, used b-1 times for the odd part b of |G| (null when b = 1). */
  readonly #oddStep: WeightAction | null;
  readonly #oddCount: number;
  readonly #apply: (w: tf.Tensor2D) => tf.Tensor2D;

  constructor(repIn: Rep, repOut: Rep, opts: ProjectorOptions = {}) {
    if (!repIn.group.equals(repOut.group)) throw new Error(`projector: reps of different groups (${repIn.group.name}, ${repOut.group.name}).`);
    this.repIn = repIn;
    this.repOut = repOut;
    const n = repIn.group.order;
    let b = n;
    let a = 0;
    while (b % 2 === 0) {
      b /= 2;
      a++;
    }
    for (let j = 0; j < a; j++) {
      const k = b * 2 ** j;
      this.#doubling.push(new WeightAction(repIn.element(k), repOut.element(k), opts));
    }
    this.#oddCount = b - 1;
    this.#oddStep = b > 1 ? new WeightAction(repIn.generator, repOut.generator, opts) : null;
    const average = (w: tf.Tensor2D): tf.Tensor2D => tf.tidy(() => this.average(w));
    this.#apply = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const w = args[0] as tf.Tensor2D;
      return { value: average(w), gradFunc: (dy: tf.Tensor2D) => average(dy) };
    }) as (w: tf.Tensor2D) => tf.Tensor2D;
  }

  /** P(W); differentiable (gradient P(dy)). */
  apply(w: tf.Tensor2D): tf.Tensor2D {
    if (w.rank !== 2 || w.shape[0] !== this.repIn.dim || w.shape[1] !== this.repOut.dim) {
      throw new Error(`WeightProjector: weight has shape [${w.shape}], expected [in=${this.repIn.dim}, out=${this.repOut.dim}] for ${this.repIn.label} -> ${this.repOut.label}.`);
    }
    if (this.repIn.group.order === 1) return w;
    return this.#apply(w);
  }

  private average(w: tf.Tensor2D): tf.Tensor2D {
    let cur = w;
    for (const step of this.#doubling) cur = tf.add(cur, step.apply(cur));
    if (this.#oddStep !== null) {
      const terms = [cur];
      let t = cur;
      for (let k = 0; k < this.#oddCount; k++) {
        t = this.#oddStep.apply(t);
        terms.push(t);
      }
      cur = tf.addN(terms);
    }
    return tf.mul(cur, 1 / this.repIn.group.order);
  }

  dispose(): void {
    for (const s of this.#doubling) s.dispose();
    this.#oddStep?.dispose();
  }
}

/** P_b(b) = 1/|G| sum_g rho_out(g) b: the weight projector from one trivial channel. */
export class BiasProjector {
  readonly repOut: Rep;
  readonly #inner: WeightProjector;

  constructor(repOut: Rep, opts: ProjectorOptions = {}) {
    this.repOut = repOut;
    this.#inner = new WeightProjector(trivial(repOut.group, 1), repOut, opts);
  }

  apply(b: tf.Tensor1D): tf.Tensor1D {
    if (b.rank !== 1 || b.shape[0] !== this.repOut.dim) throw new Error(`BiasProjector: bias has shape [${b.shape}], expected [${this.repOut.dim}].`);
    return tf.tidy(() => tf.reshape(this.#inner.apply(tf.reshape(b, [1, this.repOut.dim]) as tf.Tensor2D), [this.repOut.dim]) as tf.Tensor1D);
  }

  dispose(): void {
    this.#inner.dispose();
  }
}

/** The tf weight projector for maps repIn -> repOut (owns small index/sign tensors: dispose()). */
export function projector(repIn: Rep, repOut: Rep, opts: ProjectorOptions = {}): WeightProjector {
  return new WeightProjector(repIn, repOut, opts);
}

export function biasProjector(repOut: Rep, opts: ProjectorOptions = {}): BiasProjector {
  return new BiasProjector(repOut, opts);
}
