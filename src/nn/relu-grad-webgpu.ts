/**
 * The relu backward dz = y > 0 ? dy : 0 as one WebGPU program: the webgpu backend's
 * counterpart of the host kernel in relu-grad-kernel.ts (which chooses between them).
 *
 * Why: as tf ops it is two full-size dispatches (Step, Multiply) on every hidden layer
 * of every backward pass, eight per SAC update; here one. Same rule as the host kernel:
 * where y is not positive (or NaN) dz is 0, whatever dy is.
 */
import * as tf from '@tensorflow/tfjs';
import { flatLayout, registerWebgpuKernel, runProgram, runWebgpuKernel, type WebgpuProgram } from '../kernels/webgpu-kernel.js';

export const RELU_GRAD_WEBGPU = 'RppReluGradWebgpu';

function reluGradProgram(n: number): WebgpuProgram {
  return {
    variableNames: ['dy', 'reluOut'],
    shaderKey: 'rpp_relu_grad',
    ...flatLayout(n),
    getUserCode: () => `
      fn main(i : i32) {
        if (i < uniforms.size) {
          setOutputAtIndex(i, select(0.0, dy[i], reluOut[i] > 0.0));
        }
      }`,
  };
}

/** Inputs: dy and the relu output y, of one shape. Output: dz of that shape. */
registerWebgpuKernel<null>({
  name: RELU_GRAD_WEBGPU,
  run: ([dy, y], _attrs, backend) => {
    if (y === undefined || dy.shape.join(',') !== y.shape.join(',')) throw new Error(`${RELU_GRAD_WEBGPU}: expected dy and y of one shape, got ${JSON.stringify([dy.shape, y?.shape])}.`);
    const n = dy.shape.reduce((a, d) => a * d, 1);
    return [runProgram(backend, reluGradProgram(n), [dy, y], [], dy.shape)];
  },
});

/** dy where the relu output y is positive, else 0: one dispatch. */
export function reluGradWebgpu(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return runWebgpuKernel(RELU_GRAD_WEBGPU, [dy, y], null)[0];
}
