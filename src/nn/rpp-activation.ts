/**
 * The equivariant nonlinearity of an RPP block (the paper's
 * RPPGatedNonlinearity, reduced): for the permutation reps the paper uses,
 * its gate is the identity and the layer is exactly (1 + w_basic) ⊙ swish(x).
 *
 * Here: swish on channels that group elements only permute, and tanh (odd, so
 * it commutes with sign flips) on channels that some element sign-flips; times
 * (1 + w_basic) per channel, w_basic starting at 1e-3 and counted in the basic
 * group (it is the only symmetry-breaking part). basic = false (strict EMLP)
 * drops w_basic.
 *
 * Option (not the paper): activation 'relu' instead of swish on the permuted
 * channels, as in the SAC baseline's MLP; cheaper on wasm (relu is fused into the
 * matmul and its backward is one kernel; swish costs two full-size kernels forward
 * and four backward). Only for reps without sign flips, since relu is not odd.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rep } from '../equivariance/rep.js';
import { reluScaled, swish, swishScaled } from './dense.js';
import { RPP_SCALE } from './rpp-linear.js';

export class RppActivation {
  readonly rep: Rep;
  readonly basic: boolean;
  /** [dim] per-channel residual scale, or null for strict EMLP. */
  readonly wBasic: tf.Variable | null;
  /** 'swish' | 'relu' | 'tanh' everywhere, or 'mixed' (swish and tanh) with a mask (1 = tanh channel). */
  readonly kind: 'swish' | 'relu' | 'tanh' | 'mixed';
  readonly #tanhMask: tf.Tensor1D | null;

  constructor(rep: Rep, opts: { basic?: boolean; activation?: 'swish' | 'relu' } = {}) {
    const activation = opts.activation ?? 'swish';
    if (activation !== 'swish' && activation !== 'relu') throw new Error(`RppActivation: unknown activation '${activation}'; use 'swish' (paper) or 'relu'.`);
    const flipped = rep.signFlippedChannels();
    const nFlipped = flipped.filter(Boolean).length;
    if (activation === 'relu' && nFlipped > 0) {
      throw new Error(`RppActivation: relu is not odd, so it cannot act on the ${nFlipped} sign-flipped channels of ${rep}; use activation 'swish' (tanh on flipped channels) or a permutation rep.`);
    }
    this.rep = rep;
    this.basic = opts.basic ?? true;
    this.wBasic = this.basic ? tf.tidy(() => tf.variable(tf.fill([rep.dim], RPP_SCALE), true)) : null;
    this.kind = nFlipped === 0 ? activation : nFlipped === rep.dim ? 'tanh' : 'mixed';
    this.#tanhMask = this.kind === 'mixed' ? tf.keep(tf.tensor1d(flipped.map((f) => (f ? 1 : 0)))) : null;
  }

  /**
   * The whole activation, (1 + w_basic) * act(x). paramGrads = false: gradients
   * flow to x but not to w_basic. RppMlp does not call this: it applies
   * unscaled() and folds (1 + w_basic) into the next RppLinear (inputScale),
   * which is the same function at lower cost (see RppLinear.#op).
   */
  apply(x: tf.Tensor2D, paramGrads = true): tf.Tensor2D {
    return tf.tidy(() => {
      // The common case (permutation reps): one fused op with a hand-written gradient.
      if (this.kind === 'swish') return this.wBasic === null ? swish(x) : swishScaled(x, this.wBasic as tf.Tensor1D, paramGrads);
      if (this.kind === 'relu') return this.wBasic === null ? tf.relu(x) : reluScaled(x, this.wBasic as tf.Tensor1D, paramGrads);
      const y = this.unscaled(x);
      // Rare path (sign-flipped channels): plain autodiff, which prunes unneeded gradients itself.
      return this.wBasic === null ? y : (tf.mul(y, tf.add(1, this.wBasic)) as tf.Tensor2D);
    });
  }

  /** act(x) without the residual scale (relu is not handled here: RppLinear fuses it). */
  unscaled(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      if (this.kind === 'swish') return swish(x);
      if (this.kind === 'relu') return tf.relu(x);
      if (this.kind === 'tanh') return tf.tanh(x);
      const m = this.#tanhMask!;
      return tf.add(tf.mul(m, tf.tanh(x)), tf.mul(tf.sub(1, m), swish(x))) as tf.Tensor2D;
    });
  }

  get variables(): tf.Variable[] {
    return this.wBasic === null ? [] : [this.wBasic];
  }

  dispose(): void {
    this.wBasic?.dispose();
    this.#tanhMask?.dispose();
  }
}

