/**
 * The policy's sample and log-probability (stdFromHead + squashedSample) as one
 * tape node with one host kernel forward and one backward, on backends with host
 * kernels; as WebGPU programs on webgpu (squashed-sample-webgpu.ts); the composite
 * tf-op path elsewhere (and as the tested reference).
 *
 * Why: as tf ops the two functions are ~15 small [batch, act] kernels forward
 * and ~27 backward per actor update; each costs more in dispatch than in
 * arithmetic (a [256, 6] tensor is 1536 numbers).
 *
 * Forward, per entry (see squashed-gaussian.ts for the derivation):
 *   log-std:  ls = clip(head, lo, hi), std = exp(ls)
 *   softplus: std = clip(softplus(head), e^lo, e^hi), ls = log(std)
 *   u = mean + std * noise, action = tanh(u)
 *   logProb = logProbConst - sum_j [ls + 2 (log 2 - u - softplus(-2u))]
 * Backward, with d/du log(1 - tanh(u)^2) = -2 tanh(u):
 *   du = dAction (1 - a^2) + 2 a dLogProb,  dMean = du,
 *   dStd = du noise, dLs = -dLogProb,
 *   log-std:  dHead = (dLs + dStd std) [lo <= head <= hi]
 *   softplus: dHead = (dStd + dLs / std) [e^lo <= softplus(head) <= e^hi] sigmoid(head)
 * (clip gradients pass at the bounds, as tf.clipByValue's).
 */
import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, registerHostKernel, runHostKernel } from '../src/kernels/host-kernel.js';
import { hasWebgpuKernels } from '../src/kernels/webgpu-kernel.js';
import { squashedSample, stdFromHead, type HostNoise, type StdOptions } from './squashed-gaussian.js';
import { sampleFromHeadsWebgpu } from './squashed-sample-webgpu.js';

export const SAMPLE_KERNEL = 'RppSquashedSample';
export const SAMPLE_GRAD_KERNEL = 'RppSquashedSampleGrad';

interface SampleSpec {
  std: StdOptions;
  noise: Float32Array;
  logProbConst: Float32Array;
  batch: number;
  dim: number;
}

const LOG2 = Math.LN2;
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** std and log std of one head entry, and whether the clip passes the gradient. */
function stdOf(h: number, o: StdOptions): { std: number; ls: number; inside: boolean } {
  if (o.stdParam === 'log-std') {
    const ls = Math.min(o.logStdMax, Math.max(o.logStdMin, h));
    return { std: Math.exp(ls), ls, inside: h >= o.logStdMin && h <= o.logStdMax };
  }
  const sp = softplus(h);
  const lo = Math.exp(o.logStdMin);
  const hi = Math.exp(o.logStdMax);
  const std = Math.min(hi, Math.max(lo, sp));
  return { std, ls: Math.log(std), inside: sp >= lo && sp <= hi };
}

/** Inputs: mean, head [batch, dim]. Output: [batch, dim + 1] = action, then logProb. */
registerHostKernel<SampleSpec>({
  name: SAMPLE_KERNEL,
  outputShapes: (_shapes, s) => [[s.batch, s.dim + 1]],
  compute: ([mean, head], [out], s) => {
    const { batch, dim } = s;
    for (let b = 0; b < batch; b++) {
      let sum = 0;
      for (let j = 0; j < dim; j++) {
        const k = b * dim + j;
        const { std, ls } = stdOf(head[k], s.std);
        const u = mean[k] + std * s.noise[k];
        out[b * (dim + 1) + j] = Math.tanh(u);
        sum += ls + 2 * (LOG2 - u - softplus(-2 * u));
      }
      out[b * (dim + 1) + dim] = s.logProbConst[b] - sum;
    }
  },
});

/** Inputs: head, out (the forward output), dOut [batch, dim + 1]. Outputs: dMean, dHead [batch, dim]. */
registerHostKernel<SampleSpec>({
  name: SAMPLE_GRAD_KERNEL,
  outputShapes: (_shapes, s) => [
    [s.batch, s.dim],
    [s.batch, s.dim],
  ],
  compute: ([head, out, dOut], [dMean, dHeadOut], s) => {
    const { batch, dim } = s;
    for (let b = 0; b < batch; b++) {
      const dLogProb = dOut[b * (dim + 1) + dim];
      for (let j = 0; j < dim; j++) {
        const k = b * dim + j;
        const a = out[b * (dim + 1) + j];
        const du = dOut[b * (dim + 1) + j] * (1 - a * a) + 2 * a * dLogProb;
        dMean[k] = du;
        const { std, inside } = stdOf(head[k], s.std);
        const dStd = du * s.noise[k];
        const dLs = -dLogProb;
        let dHead = 0;
        if (inside) dHead = s.std.stdParam === 'log-std' ? dLs + dStd * std : (dStd + dLs / std) * sigmoid(head[k]);
        dHeadOut[k] = dHead;
      }
    }
  },
});

/**
 * Action and log-probability from the policy heads (mean, std head) and host
 * noise: stdFromHead + squashedSample, differentiable in mean and head.
 */
export function sampleFromHeads(mean: tf.Tensor2D, head: tf.Tensor2D, std: StdOptions, noise: HostNoise): { action: tf.Tensor2D; logProb: tf.Tensor2D } {
  const [batch, dim] = mean.shape;
  if (!hasHostKernel(SAMPLE_KERNEL)) {
    if (hasWebgpuKernels()) return sampleFromHeadsWebgpu(mean, head, std, noise);
    return tf.tidy(() => {
      const s = stdFromHead(head, std);
      return squashedSample(mean, s.logStd, s.std, tf.tensor2d(noise.noise, [batch, dim]), tf.tensor2d(noise.logProbConst, [batch, 1]));
    });
  }
  const spec: SampleSpec = { std, noise: noise.noise, logProbConst: noise.logProbConst, batch, dim };
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [m, h] = args as [tf.Tensor2D, tf.Tensor2D];
    const save = args[2] as tf.GradSaveFunc;
    const out = runHostKernel(SAMPLE_KERNEL, [m, h], spec)[0] as tf.Tensor2D;
    save([h, out]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => runHostKernel(SAMPLE_GRAD_KERNEL, [...saved, dy], spec);
    return { value: out, gradFunc };
  }) as (m: tf.Tensor2D, h: tf.Tensor2D) => tf.Tensor2D;
  return tf.tidy(() => {
    const [action, logProb] = tf.split(op(mean, head), [dim, 1], 1) as [tf.Tensor2D, tf.Tensor2D];
    return { action, logProb };
  });
}
