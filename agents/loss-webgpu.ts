/**
 * SAC's Bellman target, critic loss and actor loss as WebGPU programs: the webgpu
 * backend's counterpart of the host kernels in loss-kernels.ts, used by losses.ts.
 *
 * Why: as tf ops these are ~35 dispatches on [batch, 1] columns per update (see
 * loss-kernels.ts); here the target and each loss are one dispatch forward, and the
 * backward one dispatch per input the tape asks a gradient for.
 *
 * Same formulas and gradient conventions as the host kernels:
 *   target  y = r + d (min(q1, q2) - alpha lp)                    (no gradient: a constant)
 *   critic  mean((q1 - y)^2 + (q2 - y)^2);  dq = 2 dLoss (q - y) / n, dy = 0
 *   actor   mean(alpha lp - min(q1, q2));   dlp = dLoss alpha / n,
 *           dq1 = -dLoss/n where q1 <= q2, dq2 = -dLoss/n where q1 > q2 (tf.minimum's
 *           tie rule: the first argument takes the gradient), dAlpha = 0 (held constant)
 * The gradients are registered with tf.registerGradient, one lazy closure per input: the
 * engine calls only those of inputs on a path to the variables, so the zero gradients
 * (y, alpha) are never materialised in an update, nor is dq1/dq2 of a pruned input.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfoLike } from '../src/kernels/wasm-backend.js';
import { flatLayout, MEAN_WORKGROUP, reduceLayout, registerWebgpuKernel, runProgram, runWebgpuKernel, type WebgpuProgram } from '../src/kernels/webgpu-kernel.js';

export const CRITIC_TARGET_WEBGPU = 'RppCriticTargetWebgpu';
export const CRITIC_LOSS_WEBGPU = 'RppCriticLossWebgpu';
export const CRITIC_LOSS_GRAD_WEBGPU = 'RppCriticLossGradWebgpu';
export const ACTOR_LOSS_WEBGPU = 'RppActorLossWebgpu';
export const ACTOR_LOSS_GRAD_WEBGPU = 'RppActorLossGradWebgpu';

/** Which gradient ACTOR_LOSS_GRAD_WEBGPU computes (one output per dispatch). */
const ACTOR_GRAD_PART = { logProb: 0, q1: 1, q2: 2 } as const;
type ActorGradPart = keyof typeof ACTOR_GRAD_PART;

const sizeOf = (t: { shape: number[] }): number => t.shape.reduce((a, d) => a * d, 1);

/** The common entry count of the [batch, 1] columns among inputs (the first `count`). */
function columns(name: string, inputs: readonly TensorInfoLike[], count: number): number {
  if (inputs.length < count) throw new Error(`${name}: expected ${count} inputs, got ${inputs.length}.`);
  const n = sizeOf(inputs[0]);
  for (let i = 1; i < count; i++) {
    if (sizeOf(inputs[i]) !== n) throw new Error(`${name}: inputs of different sizes ${JSON.stringify(inputs.map((t) => t.shape))}.`);
  }
  return n;
}

/** An elementwise program over n entries: `body` sets output entry i (WGSL, i : i32). */
function elementwise(shaderKey: string, variableNames: string[], n: number, body: string, uniforms?: string): WebgpuProgram {
  return {
    variableNames,
    shaderKey,
    ...(uniforms === undefined ? {} : { uniforms }),
    ...flatLayout(n),
    getUserCode: () => `
      fn main(i : i32) {
        if (i < uniforms.size) {
          ${body}
        }
      }`,
  };
}

/** mean over i < uniforms.n of `term` (WGSL expression in i : i32), one workgroup (see MEAN_WORKGROUP). */
function mean(shaderKey: string, variableNames: string[], term: string): WebgpuProgram {
  const w = MEAN_WORKGROUP;
  return {
    variableNames,
    shaderKey,
    uniforms: 'n : i32,',
    ...reduceLayout(),
    getUserCode: () => `
      var<workgroup> rppPartial : array<f32, ${w}>;
      fn main(index : i32) {
        let t = i32(localId.x);
        var s = 0.0;
        for (var i = t; i < uniforms.n; i = i + ${w}) {
          s = s + (${term});
        }
        rppPartial[t] = s;
        workgroupBarrier();
        for (var half = ${w / 2}; half > 0; half = half / 2) {
          if (t < half) {
            rppPartial[t] = rppPartial[t] + rppPartial[t + half];
          }
          workgroupBarrier();
        }
        if (t == 0) {
          setOutputAtIndex(0, rppPartial[0] / f32(uniforms.n));
        }
      }`,
  };
}

/** Inputs: rewards, discount, q1Next, q2Next, nextLogProb [B, 1], alpha []. Output: y [B, 1]. */
registerWebgpuKernel<null>({
  name: CRITIC_TARGET_WEBGPU,
  run: (inputs, _attrs, backend) => {
    const n = columns(CRITIC_TARGET_WEBGPU, inputs, 5);
    const program = elementwise('rpp_critic_target', ['r', 'd', 'q1', 'q2', 'lp', 'alpha'], n, 'setOutputAtIndex(i, r[i] + d[i] * (min(q1[i], q2[i]) - alpha[0] * lp[i]));');
    return [runProgram(backend, program, inputs, [], inputs[0].shape)];
  },
});

/** Inputs: q1, q2, y [B, 1]. Output: mean((q1 - y)^2 + (q2 - y)^2) as []. */
registerWebgpuKernel<null>({
  name: CRITIC_LOSS_WEBGPU,
  run: (inputs, _attrs, backend) => {
    const n = columns(CRITIC_LOSS_WEBGPU, inputs, 3);
    const program = mean('rpp_critic_loss', ['q1', 'q2', 'y'], '(q1[i] - y[i]) * (q1[i] - y[i]) + (q2[i] - y[i]) * (q2[i] - y[i])');
    return [runProgram(backend, program, inputs, [{ type: 'int32', data: [n] }], [])];
  },
});

/** Inputs: q (q1 or q2), y [B, 1], dLoss []. Output: dq = 2 dLoss (q - y) / B. */
registerWebgpuKernel<null>({
  name: CRITIC_LOSS_GRAD_WEBGPU,
  run: (inputs, _attrs, backend) => {
    const n = columns(CRITIC_LOSS_GRAD_WEBGPU, inputs, 2);
    const program = elementwise('rpp_critic_loss_grad', ['q', 'y', 'dLoss'], n, 'setOutputAtIndex(i, 2.0 * dLoss[0] / f32(uniforms.size) * (q[i] - y[i]));');
    return [runProgram(backend, program, inputs, [], inputs[0].shape)];
  },
});

/** Inputs: logProb, q1, q2 [B, 1], alpha []. Output: mean(alpha logProb - min(q1, q2)) as []. */
registerWebgpuKernel<null>({
  name: ACTOR_LOSS_WEBGPU,
  run: (inputs, _attrs, backend) => {
    const n = columns(ACTOR_LOSS_WEBGPU, inputs, 3);
    const program = mean('rpp_actor_loss', ['lp', 'q1', 'q2', 'alpha'], 'alpha[0] * lp[i] - min(q1[i], q2[i])');
    return [runProgram(backend, program, inputs, [{ type: 'int32', data: [n] }], [])];
  },
});

/** Inputs: q1, q2 [B, 1], alpha, dLoss []. Output: the gradient `part` names, [B, 1]. */
registerWebgpuKernel<{ part: ActorGradPart }>({
  name: ACTOR_LOSS_GRAD_WEBGPU,
  run: (inputs, attrs, backend) => {
    const n = columns(ACTOR_LOSS_GRAD_WEBGPU, inputs, 2);
    const body = `
      let c = dLoss[0] / f32(uniforms.size);
      let first = q1[i] <= q2[i];
      var g = c * alpha[0];
      if (uniforms.part == 1) {
        g = select(0.0, -c, first);
      } else if (uniforms.part == 2) {
        g = select(-c, 0.0, first);
      }
      setOutputAtIndex(i, g);`;
    const program = elementwise('rpp_actor_loss_grad', ['q1', 'q2', 'alpha', 'dLoss'], n, body, 'part : i32,');
    return [runProgram(backend, program, inputs, [{ type: 'int32', data: [ACTOR_GRAD_PART[attrs.part]] }], inputs[0].shape)];
  },
});

tf.registerGradient({
  kernelName: CRITIC_LOSS_WEBGPU,
  inputsToSave: ['x0', 'x1', 'x2'],
  gradFunc: (dy, saved) => {
    const [q1, q2, y] = saved;
    const dLoss = dy as tf.Tensor;
    return {
      x0: () => runWebgpuKernel(CRITIC_LOSS_GRAD_WEBGPU, [q1, y, dLoss], null)[0],
      x1: () => runWebgpuKernel(CRITIC_LOSS_GRAD_WEBGPU, [q2, y, dLoss], null)[0],
      // The target is a constant (computed outside the tape): zero, as the host kernel's.
      x2: () => tf.zeros(y.shape),
    };
  },
});

tf.registerGradient({
  kernelName: ACTOR_LOSS_WEBGPU,
  inputsToSave: ['x1', 'x2', 'x3'],
  gradFunc: (dy, saved) => {
    const [q1, q2, alpha] = saved;
    const dLoss = dy as tf.Tensor;
    const part = (p: ActorGradPart) => (): tf.Tensor => runWebgpuKernel(ACTOR_LOSS_GRAD_WEBGPU, [q1, q2, alpha, dLoss], { part: p })[0];
    // alpha is held constant in the actor loss: zero, as the host kernel's.
    return { x0: part('logProb'), x1: part('q1'), x2: part('q2'), x3: () => tf.zeros(alpha.shape) };
  },
});

/** y = r + discount (min(q1Next, q2Next) - alpha nextLogProb), one dispatch. */
export function criticTargetWebgpu(rewards: tf.Tensor2D, discount: tf.Tensor2D, q1Next: tf.Tensor2D, q2Next: tf.Tensor2D, alpha: tf.Scalar, nextLogProb: tf.Tensor2D): tf.Tensor2D {
  return runWebgpuKernel(CRITIC_TARGET_WEBGPU, [rewards, discount, q1Next, q2Next, nextLogProb, alpha], null)[0] as tf.Tensor2D;
}

/** mean((q1 - y)^2 + (q2 - y)^2), one dispatch forward, one per needed gradient backward. */
export function criticLossWebgpu(q1: tf.Tensor2D, q2: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return runWebgpuKernel(CRITIC_LOSS_WEBGPU, [q1, q2, y], null)[0] as tf.Scalar;
}

/** mean(alpha logProb - min(q1, q2)), alpha held constant; one dispatch forward, one per needed gradient backward. */
export function actorLossWebgpu(alpha: tf.Scalar, logProb: tf.Tensor2D, q1: tf.Tensor2D, q2: tf.Tensor2D): tf.Scalar {
  return runWebgpuKernel(ACTOR_LOSS_WEBGPU, [logProb, q1, q2, alpha], null)[0] as tf.Scalar;
}
