/**
 * The swish backward dz = dy * ((s + sw) - sw * s), from the saved s = sigmoid(z) and
 * sw = z * s, as one host kernel (wasm native, cpu JS) instead of four full-size tf
 * kernels (Add, Mul, Sub, Mul) on every swish layer of every backward pass (the RPP
 * actor's and the matched baseline's hidden layers). Same f32 operations in the same
 * order as the tf ops, so the result is bitwise theirs. tf ops on other backends.
 */
import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, registerHostKernel, runHostKernel } from '../kernels/host-kernel.js';

export const SWISH_GRAD_KERNEL = 'RppSwishGrad';

registerHostKernel<null>({
  name: SWISH_GRAD_KERNEL,
  outputShapes: (shapes) => {
    const same = shapes.length === 3 && shapes.every((s) => s.join(',') === shapes[0].join(','));
    if (!same) throw new Error(`${SWISH_GRAD_KERNEL}: expected dy, s and sw of one shape, got ${JSON.stringify(shapes)}.`);
    return [shapes[0]];
  },
  computeWasm: ([dy, s, sw], [dz], _spec, k) => {
    const groups = dy.size >> 2;
    k.swishGrad4(dy.ptr, s.ptr, sw.ptr, dz.ptr, groups);
    const done = groups << 2;
    if (done < dy.size) k.swishGrad(dy.ptr + 4 * done, s.ptr + 4 * done, sw.ptr + 4 * done, dz.ptr + 4 * done, dy.size - done);
  },
  compute: ([dy, s, sw], [dz]) => {
    // Math.fround after each step: the f32 rounding of the tf ops.
    for (let i = 0; i < dy.length; i++) dz[i] = dy[i] * Math.fround(Math.fround(s[i] + sw[i]) - Math.fround(sw[i] * s[i]));
  },
});

/** dy * d swish / dz, from s = sigmoid(z) and sw = swish(z) saved by the forward. */
export function swishGrad(dy: tf.Tensor, s: tf.Tensor, sw: tf.Tensor): tf.Tensor {
  if (hasHostKernel(SWISH_GRAD_KERNEL)) return runHostKernel(SWISH_GRAD_KERNEL, [dy, s, sw], null)[0];
  return tf.mul(dy, tf.sub(tf.add(s, sw), tf.mul(sw, s)));
}
