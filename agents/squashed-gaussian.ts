/**
 * The tanh-squashed diagonal Gaussian policy distribution (SAC appendix C).
 *
 * u = mean + std * noise, action = tanh(u), and by the change of variables
 *   log pi(a|s) = sum_i [ log N(u_i; mean_i, std_i) - log(1 - tanh(u_i)^2) ].
 * log(1 - tanh(u)^2) is computed as 2 * (log 2 - u - softplus(-2u)), which is exact
 * and stays finite for large |u| (1 - tanh(u)^2 underflows to 0 in float32 near |u| ~ 9).
 *
 * The noise is drawn on the host (seeded Rng, checkpointable), so the part of
 * log N that depends only on the noise, -0.5 * sum(noise^2) - D/2 * log(2 pi), is
 * also computed on the host and uploaded with it: fewer kernels per update.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../src/random.js';

export type StdParam = 'log-std' | 'softplus';

export interface StdOptions {
  stdParam: StdParam;
  logStdMin: number;
  logStdMax: number;
}

const LOG2 = Math.LN2;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * From the policy's second head to (std, log std).
 * 'log-std': logStd = clip(head, min, max) (SB3). 'softplus': std = clip(softplus(head), e^min, e^max) (paper).
 */
export function stdFromHead(head: tf.Tensor2D, opts: StdOptions): { std: tf.Tensor2D; logStd: tf.Tensor2D } {
  return tf.tidy(() => {
    if (opts.stdParam === 'log-std') {
      const logStd = tf.clipByValue(head, opts.logStdMin, opts.logStdMax);
      return { std: tf.exp(logStd), logStd };
    }
    const std = tf.clipByValue(tf.softplus(head), Math.exp(opts.logStdMin), Math.exp(opts.logStdMax));
    return { std, logStd: tf.log(std) };
  });
}

/** log(1 - tanh(u)^2), numerically stable. */
export function logOneMinusTanhSq(u: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(2, tf.sub(tf.sub(LOG2, u), tf.softplus(tf.mul(-2, u)))));
}

/** Standard-normal noise [n*dim] and the per-row constant -0.5*sum(noise^2) - dim/2*log(2pi) [n]. */
export interface HostNoise {
  noise: Float32Array;
  logProbConst: Float32Array;
}

export function drawNoise(rng: Rng, n: number, dim: number, out?: HostNoise): HostNoise {
  const noise = out?.noise.length === n * dim ? out.noise : new Float32Array(n * dim);
  const logProbConst = out?.logProbConst.length === n ? out.logProbConst : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let j = 0; j < dim; j++) {
      const z = rng.normal();
      noise[i * dim + j] = z;
      sq += z * z;
    }
    logProbConst[i] = -0.5 * sq - dim * HALF_LOG_2PI;
  }
  return { noise, logProbConst };
}

/**
 * Reparameterised sample. noise [n, D], logProbConst [n, 1] (see drawNoise).
 * Returns action = tanh(u) [n, D] and logProb [n, 1].
 */
export function squashedSample(
  mean: tf.Tensor2D,
  logStd: tf.Tensor2D,
  std: tf.Tensor2D,
  noise: tf.Tensor2D,
  logProbConst: tf.Tensor2D,
): { action: tf.Tensor2D; logProb: tf.Tensor2D } {
  return tf.tidy(() => {
    const u = tf.add(mean, tf.mul(std, noise)) as tf.Tensor2D;
    const action = tf.tanh(u) as tf.Tensor2D;
    // log N(u) = const - sum(logStd); minus sum log(1 - tanh^2) = 2*(log2 - u - softplus(-2u)).
    const perDim = tf.add(logStd, logOneMinusTanhSq(u));
    const logProb = tf.sub(logProbConst, tf.sum(perDim, 1, true)) as tf.Tensor2D;
    return { action, logProb };
  });
}

/**
 * log pi(a|s) of a given squashed action a in (-1, 1), straight from the
 * definition (used by tests as an independent reference).
 */
export function squashedLogProb(mean: tf.Tensor2D, logStd: tf.Tensor2D, action: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const u = tf.atanh(action);
    const z = tf.div(tf.sub(u, mean), tf.exp(logStd));
    const logN = tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), logStd), HALF_LOG_2PI);
    const logJac = tf.log(tf.sub(1, tf.square(action)));
    return tf.sum(tf.sub(logN, logJac), 1, true) as tf.Tensor2D;
  });
}
