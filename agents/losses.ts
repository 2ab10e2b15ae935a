/**
 * SAC's losses and the Polyak update as pure tensor functions (each in tidy, each
 * with a hand-computed test in test/sac-losses.test.ts). Shapes: [batch, 1] columns.
 * On backends with host kernels each is one kernel forward and one backward
 * (loss-kernels.ts, optimizer-kernels.ts), on webgpu one WebGPU program each way
 * (loss-webgpu.ts); the tf-op forms below serve the others.
 */
import * as tf from '@tensorflow/tfjs';
import { assignFromHeap, hasHostKernel, runHostKernel } from '../src/kernels/host-kernel.js';
import { heapArrayOf } from '../src/kernels/heap-buffers.js';
import { POLYAK_KERNEL, type PolyakKernelSpec } from './optimizer-kernels.js';
import { hasWebgpuKernels } from '../src/kernels/webgpu-kernel.js';
import { ACTOR_LOSS_GRAD_KERNEL, ACTOR_LOSS_KERNEL, CRITIC_LOSS_GRAD_KERNEL, CRITIC_LOSS_KERNEL, CRITIC_TARGET_KERNEL } from './loss-kernels.js';
import { actorLossWebgpu, criticLossWebgpu, criticTargetWebgpu } from './loss-webgpu.js';

/**
 * A loss as one tape node: forward and backward host kernels (loss-kernels.ts).
 * The backward kernel takes the forward's inputs and dLoss, and returns one
 * gradient per input.
 */
function fusedLoss(forward: string, backward: string, inputs: tf.Tensor[]): tf.Scalar {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xs = args.slice(0, -1) as tf.Tensor[];
    (args[args.length - 1] as tf.GradSaveFunc)(xs);
    return {
      value: runHostKernel(forward, xs, null)[0] as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => runHostKernel(backward, [...saved, dy], null),
    };
  }) as (...xs: tf.Tensor[]) => tf.Scalar;
  return op(...inputs);
}

/**
 * Bellman target y = r + discount * (min(Q1', Q2') - alpha * logProb'), where
 * discount = gamma * (1 - terminated) per row: truncation is bootstrapped through.
 * Call it outside any gradient closure (tfjs 4.22 has no stopGradient).
 */
export function criticTarget(rewards: tf.Tensor2D, discount: tf.Tensor2D, q1Next: tf.Tensor2D, q2Next: tf.Tensor2D, alpha: tf.Scalar, nextLogProb: tf.Tensor2D): tf.Tensor2D {
  if (hasHostKernel(CRITIC_TARGET_KERNEL)) return runHostKernel(CRITIC_TARGET_KERNEL, [rewards, discount, q1Next, q2Next, nextLogProb, alpha], null)[0] as tf.Tensor2D;
  if (hasWebgpuKernels()) return criticTargetWebgpu(rewards, discount, q1Next, q2Next, alpha, nextLogProb);
  return tf.tidy(() => tf.add(rewards, tf.mul(discount, tf.sub(tf.minimum(q1Next, q2Next), tf.mul(alpha, nextLogProb)))) as tf.Tensor2D);
}

/** mean((Q1 - y)^2 + (Q2 - y)^2) (CleanRL qf1_loss + qf2_loss; the paper's code; SB3 has a factor 1/2). */
export function criticLoss(q1: tf.Tensor2D, q2: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  if (hasHostKernel(CRITIC_LOSS_KERNEL)) return fusedLoss(CRITIC_LOSS_KERNEL, CRITIC_LOSS_GRAD_KERNEL, [q1, q2, y]);
  if (hasWebgpuKernels()) return criticLossWebgpu(q1, q2, y);
  return tf.tidy(() => tf.mean(tf.add(tf.squaredDifference(q1, y), tf.squaredDifference(q2, y))) as tf.Scalar);
}

/** mean(alpha * logProb - min(Q1, Q2)), alpha held constant. */
export function actorLoss(alpha: tf.Scalar, logProb: tf.Tensor2D, q1: tf.Tensor2D, q2: tf.Tensor2D): tf.Scalar {
  if (hasHostKernel(ACTOR_LOSS_KERNEL)) return fusedLoss(ACTOR_LOSS_KERNEL, ACTOR_LOSS_GRAD_KERNEL, [logProb, q1, q2, alpha]);
  if (hasWebgpuKernels()) return actorLossWebgpu(alpha, logProb, q1, q2);
  return tf.tidy(() => tf.mean(tf.sub(tf.mul(alpha, logProb), tf.minimum(q1, q2))) as tf.Scalar);
}

/**
 * Temperature loss as in SB3/CleanRL: -log(alpha) * (mean logProb + targetEntropy),
 * with logProb held constant. Its gradient w.r.t. log(alpha) is
 * -(mean logProb + targetEntropy) = entropy - target. (The paper's code uses
 * alpha * (entropy - target), whose gradient is alpha times this one.)
 */
export function alphaLoss(logAlpha: tf.Scalar, meanLogProb: tf.Scalar, targetEntropy: number): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.neg(logAlpha), tf.add(meanLogProb, targetEntropy)) as tf.Scalar);
}

/** d alphaLoss / d log(alpha) in closed form (the agent uses it instead of a gradient tape). */
export function alphaLossGrad(meanLogProb: tf.Scalar, targetEntropy: number): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.add(meanLogProb, targetEntropy)) as tf.Scalar);
}

/** target <- tau * source + (1 - tau) * target, variable by variable (same order, same shapes). */
export function polyakUpdate(targets: readonly tf.Variable[], sources: readonly tf.Variable[], tau: number): void {
  if (targets.length !== sources.length) throw new Error(`polyakUpdate: ${targets.length} target variables but ${sources.length} source variables`);
  tf.tidy(() => {
    if (hasHostKernel(POLYAK_KERNEL)) {
      // One kernel for all variables (see optimizer-kernels.ts), same formula.
      const spec: PolyakKernelSpec = { tau, count: targets.length };
      const out = runHostKernel(POLYAK_KERNEL, [...targets, ...sources], spec);
      targets.forEach((t, i) => t.assign(out[i]));
      return;
    }
    if (tf.getBackend() === 'webgpu' && targets.length > 1) {
      // Flat on webgpu: 2 concats, 3 elementwise dispatches and a slice per variable
      // instead of 3 dispatches per variable. Same formula.
      const flat = (vs: readonly tf.Variable[]): tf.Tensor1D => tf.concat(vs.map((v) => tf.reshape(v, [-1]) as tf.Tensor1D));
      const t = flat(targets);
      const out = tf.add(t, tf.mul(tf.sub(flat(sources), t), tau));
      let off = 0;
      for (const v of targets) {
        v.assign(tf.reshape(tf.slice(out, [off], [v.size]), v.shape));
        off += v.size;
      }
      return;
    }
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      t.assign(tf.add(t, tf.mul(tf.sub(sources[i], t), tau)));
    }
  });
}

/** polyakUpdate by the host kernel called on the variables' heap buffers (the tensor-free update; wasm only). */
export function polyakOnHeap(targets: readonly tf.Variable[], sources: readonly tf.Variable[], tau: number): void {
  if (targets.length !== sources.length) throw new Error(`polyakOnHeap: ${targets.length} target variables but ${sources.length} source variables`);
  const spec: PolyakKernelSpec = { tau, count: targets.length };
  assignFromHeap(POLYAK_KERNEL, [...targets, ...sources].map((v) => heapArrayOf(v)), targets, spec);
}
