/**
 * The policy's sample and log-probability (stdFromHead + squashedSample) as WebGPU
 * programs: the webgpu backend's counterpart of the host kernels in
 * squashed-sample-kernel.ts, with the same formulas and gradient conventions (see
 * there, and squashed-gaussian.ts for the derivation).
 *
 * Why: as tf ops the two functions are ~15 small [batch, act] dispatches forward and
 * ~27 backward per actor update. Here: forward one dispatch for the action and one for
 * the log-probability (a webgpu program has one output; two programs also spare the
 * host path's split of a packed output, two Slice dispatches); backward one dispatch
 * for dMean and one for dHead. The kernel has two outputs and a registered gradient,
 * so the tape gets one node for both (tf.customGrad allows a single output only).
 *
 * Numerics, float32 throughout: tanh as tfjs-backend-webgpu's Tanh computes it (finite
 * for any u, where the WGSL builtin may overflow to NaN on some drivers), softplus as
 * max(x, 0) + log1p(e^-|x|) with the rounding of 1 + t corrected to first order.
 */
import * as tf from '@tensorflow/tfjs';
import { flatLayout, registerWebgpuKernel, runProgram, runWebgpuKernel, type Uniform, type WebgpuProgram } from '../src/kernels/webgpu-kernel.js';
import type { HostNoise, StdOptions } from './squashed-gaussian.js';

export const SAMPLE_WEBGPU = 'RppSquashedSampleWebgpu';
export const SAMPLE_GRAD_WEBGPU = 'RppSquashedSampleGradWebgpu';

interface SampleAttrs {
  std: StdOptions;
}

/** Which gradient SAMPLE_GRAD_WEBGPU computes (one output per dispatch). */
const GRAD_PART = { mean: 0, head: 1 } as const;

interface SampleGradAttrs extends SampleAttrs {
  part: keyof typeof GRAD_PART;
}

/**
 * WGSL helpers of both directions. rppStd gives std, log std and whether the clip
 * passes the gradient (bounds included, as tf.clipByValue's); the clip bounds are the
 * uniforms lo, hi: log std bounds for 'log-std', std bounds e^min, e^max for 'softplus'.
 */
function helpers(o: StdOptions): string {
  const std =
    o.stdParam === 'log-std'
      ? `let ls = clamp(h, uniforms.lo, uniforms.hi);
         return RppStd(exp(ls), ls, h >= uniforms.lo && h <= uniforms.hi);`
      : `let sp = rppSoftplus(h);
         let s = clamp(sp, uniforms.lo, uniforms.hi);
         return RppStd(s, log(s), sp >= uniforms.lo && sp <= uniforms.hi);`;
  return `
    fn rppTanh(u : f32) -> f32 {
      let e = exp(-2.0 * abs(u));
      return sign(u) * (1.0 - e) / (1.0 + e);
    }
    fn rppLog1p(t : f32) -> f32 {
      let w = 1.0 + t;
      return log(w) - ((w - 1.0) - t) / w;
    }
    fn rppSoftplus(x : f32) -> f32 {
      return max(x, 0.0) + rppLog1p(exp(-abs(x)));
    }
    struct RppStd {
      sd : f32,
      ls : f32,
      inside : bool,
    }
    fn rppStd(h : f32) -> RppStd {
      ${std}
    }`;
}

/** Uniforms of every program here: row length, clip bounds. */
const STD_UNIFORMS = 'dim : i32, lo : f32, hi : f32,';

function stdUniforms(o: StdOptions, dim: number): Uniform[] {
  const [lo, hi] = o.stdParam === 'log-std' ? [o.logStdMin, o.logStdMax] : [Math.exp(o.logStdMin), Math.exp(o.logStdMax)];
  return [
    { type: 'int32', data: [dim] },
    { type: 'float32', data: [lo] },
    { type: 'float32', data: [hi] },
  ];
}

const key = (name: string, o: StdOptions): string => `${name}_${o.stdParam === 'log-std' ? 'logstd' : 'softplus'}`;

/** action = tanh(mean + std noise), one invocation per entry of [batch, dim]. */
function actionProgram(o: StdOptions, n: number): WebgpuProgram {
  return {
    variableNames: ['mean', 'head', 'noise'],
    uniforms: STD_UNIFORMS,
    shaderKey: key('rpp_sample_action', o),
    ...flatLayout(n),
    getUserCode: () => `
      ${helpers(o)}
      fn main(k : i32) {
        if (k < uniforms.size) {
          let s = rppStd(head[k]);
          setOutputAtIndex(k, rppTanh(mean[k] + s.sd * noise[k]));
        }
      }`,
  };
}

/** logProb = logProbConst - sum_j [ls + 2 (log 2 - u - softplus(-2u))], one invocation per row. */
function logProbProgram(o: StdOptions, batch: number): WebgpuProgram {
  return {
    variableNames: ['mean', 'head', 'noise', 'logProbConst'],
    uniforms: STD_UNIFORMS,
    shaderKey: key('rpp_sample_logprob', o),
    ...flatLayout(batch),
    getUserCode: () => `
      ${helpers(o)}
      fn main(b : i32) {
        if (b < uniforms.size) {
          var sum = 0.0;
          for (var j = 0; j < uniforms.dim; j = j + 1) {
            let k = b * uniforms.dim + j;
            let s = rppStd(head[k]);
            let u = mean[k] + s.sd * noise[k];
            sum = sum + s.ls + 2.0 * (${Math.LN2} - u - rppSoftplus(-2.0 * u));
          }
          setOutputAtIndex(b, logProbConst[b] - sum);
        }
      }`,
  };
}

/**
 * dMean = du = dAction (1 - a^2) + 2 a dLogProb, or dHead from du (see
 * squashed-sample-kernel.ts), one invocation per entry of [batch, dim]. One shader for
 * both, the part a uniform: tfjs binds every input, and a pipeline with an 'auto'
 * layout accepts only bindings its entry point uses.
 */
function gradProgram(o: StdOptions, n: number): WebgpuProgram {
  const dHead =
    o.stdParam === 'log-std'
      ? 'let g = dLs + dStd * s.sd;'
      : 'let g = (dStd + dLs / s.sd) / (1.0 + exp(-h));'; // sigmoid(h) = d softplus / dh
  return {
    variableNames: ['head', 'noise', 'action', 'dAction', 'dLogProb'],
    uniforms: `${STD_UNIFORMS} part : i32,`,
    shaderKey: key('rpp_sample_grad', o),
    ...flatLayout(n),
    getUserCode: () => `
      ${helpers(o)}
      fn main(k : i32) {
        if (k < uniforms.size) {
          let a = action[k];
          let dlp = dLogProb[k / uniforms.dim];
          let du = dAction[k] * (1.0 - a * a) + 2.0 * a * dlp;
          if (uniforms.part == ${GRAD_PART.mean}) {
            setOutputAtIndex(k, du);
            return;
          }
          let h = head[k];
          let s = rppStd(h);
          let dStd = du * noise[k];
          let dLs = -dlp;
          ${dHead}
          setOutputAtIndex(k, select(0.0, g, s.inside));
        }
      }`,
  };
}

/** Inputs: mean, head, noise [batch, dim], logProbConst [batch, 1]. Outputs: action [batch, dim], logProb [batch, 1]. */
registerWebgpuKernel<SampleAttrs>({
  name: SAMPLE_WEBGPU,
  run: ([mean, head, noise, logProbConst], attrs, backend) => {
    const [batch, dim] = mean.shape;
    const u = stdUniforms(attrs.std, dim);
    return [
      runProgram(backend, actionProgram(attrs.std, batch * dim), [mean, head, noise], u, [batch, dim]),
      runProgram(backend, logProbProgram(attrs.std, batch), [mean, head, noise, logProbConst], u, [batch, 1]),
    ];
  },
});

/** Inputs: head, noise, action [batch, dim], dAction [batch, dim], dLogProb [batch, 1]. Output: dMean or dHead [batch, dim]. */
registerWebgpuKernel<SampleGradAttrs>({
  name: SAMPLE_GRAD_WEBGPU,
  run: (inputs, attrs, backend) => {
    const [batch, dim] = inputs[0].shape;
    const uniforms: Uniform[] = [...stdUniforms(attrs.std, dim), { type: 'int32', data: [GRAD_PART[attrs.part]] }];
    return [runProgram(backend, gradProgram(attrs.std, batch * dim), inputs, uniforms, [batch, dim])];
  },
});

tf.registerGradient({
  kernelName: SAMPLE_WEBGPU,
  inputsToSave: ['x1', 'x2'],
  outputsToSave: [true, false],
  gradFunc: (dys, saved, attrs) => {
    const [dAction, dLogProb] = dys as tf.Tensor[];
    const [head, noise, action] = saved;
    const std = (attrs as unknown as { spec: SampleAttrs }).spec.std;
    const part = (p: SampleGradAttrs['part']) => (): tf.Tensor => runWebgpuKernel<SampleGradAttrs>(SAMPLE_GRAD_WEBGPU, [head, noise, action, dAction, dLogProb], { std, part: p })[0];
    // The noise and its log-density constant come from the host: no gradient flows there.
    return { x0: part('mean'), x1: part('head'), x2: () => tf.zeros(noise.shape), x3: () => tf.zeros(dLogProb.shape) };
  },
});

/**
 * Action and log-probability from the policy heads (mean, std head) and host noise:
 * stdFromHead + squashedSample as one tape node, differentiable in mean and head.
 */
export function sampleFromHeadsWebgpu(mean: tf.Tensor2D, head: tf.Tensor2D, std: StdOptions, noise: HostNoise): { action: tf.Tensor2D; logProb: tf.Tensor2D } {
  const [batch, dim] = mean.shape;
  return tf.tidy(() => {
    const inputs = [mean, head, tf.tensor2d(noise.noise, [batch, dim]), tf.tensor2d(noise.logProbConst, [batch, 1])];
    const [action, logProb] = runWebgpuKernel<SampleAttrs>(SAMPLE_WEBGPU, inputs, { std }) as [tf.Tensor2D, tf.Tensor2D];
    return { action, logProb };
  });
}
