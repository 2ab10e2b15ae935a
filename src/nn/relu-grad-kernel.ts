/**
 * The relu backward dz = dy * step(y) as one host kernel (wasm native, cpu JS)
 * instead of two full-size tf kernels (Step, Multiply), on every hidden layer of
 * every backward pass. On webgpu one program (relu-grad-webgpu.ts); tf ops
 * elsewhere (reluGrad below chooses).
 */
import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, registerHostKernel, runHostKernel } from '../kernels/host-kernel.js';
import { hasWebgpuKernels } from '../kernels/webgpu-kernel.js';
import { reluGradWebgpu } from './relu-grad-webgpu.js';

export const RELU_GRAD_KERNEL = 'RppReluGrad';

registerHostKernel<null>({
  name: RELU_GRAD_KERNEL,
  outputShapes: (shapes) => {
    if (shapes.length !== 2 || shapes[0].join(',') !== shapes[1].join(',')) throw new Error(`${RELU_GRAD_KERNEL}: expected dy and y of one shape, got ${JSON.stringify(shapes)}.`);
    return [shapes[0]];
  },
  computeWasm: ([dy, y], [dz], _spec, k) => {
    const groups = dy.size >> 2;
    k.reluGrad4(dy.ptr, y.ptr, dz.ptr, groups);
    const done = groups << 2;
    if (done < dy.size) k.reluGrad(dy.ptr + 4 * done, y.ptr + 4 * done, dz.ptr + 4 * done, dy.size - done);
  },
  compute: ([dy, y], [dz]) => {
    for (let i = 0; i < dy.length; i++) dz[i] = y[i] > 0 ? dy[i] : 0;
  },
});

/** dy where the relu output y is positive, else 0. */
export function reluGrad(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (hasHostKernel(RELU_GRAD_KERNEL)) return runHostKernel(RELU_GRAD_KERNEL, [dy, y], null)[0];
  if (hasWebgpuKernels()) return reluGradWebgpu(dy, y);
  return tf.mul(dy, tf.step(y));
}
