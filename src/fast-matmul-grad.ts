/**
 * A BatchMatMul gradient that never asks the backend for a transposed matmul.
 *
 * Why: on the wasm backend (XNNPACK) `matMul(a, b, transposeA, transposeB)` with
 * either flag set is 10-20x slower than the plain product, and tfjs's built-in
 * gradient uses both flags on every backward pass. Transposing explicitly
 * (`tf.transpose` is cheap, ~0.2 ms for 256x256) and then calling the plain
 * matmul makes a full SAC update 4-5x faster. See shared notes on tfjs.
 */
import * as tf from '@tensorflow/tfjs';

type GradConfig = NonNullable<ReturnType<typeof tf.getGradient>>;

/** Swap the last two axes (a matrix transpose, batched over leading axes). */
export function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const rank = x.rank;
  if (rank < 2) throw new Error(`swapLastTwo expects rank >= 2, got ${rank}`);
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return tf.transpose(x, perm);
}

/** a @ b with optional transposes, done as explicit transpose + untransposed matmul. */
export function plainMatMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  const a2 = transposeA ? swapLastTwo(a) : a;
  const b2 = transposeB ? swapLastTwo(b) : b;
  return tf.matMul(a2, b2);
}

/**
 * Sum a gradient over leading axes that were broadcast in the forward pass, so it
 * has the input's shape. (BatchMatMul broadcasts batch dims; the built-in gradient
 * does not reduce them, we do.)
 */
function reduceToShape(grad: tf.Tensor, shape: number[]): tf.Tensor {
  if (grad.shape.length === shape.length && grad.shape.every((d, i) => d === shape[i])) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank - 2; i++) {
    const inDim = i - lead >= 0 ? shape[i - lead] : 1;
    if (i < lead || (inDim === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? tf.sum(grad, axes, true) : grad;
  return tf.reshape(summed, shape);
}

export const fastBatchMatMulGradConfig: GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap | undefined) => {
    const g = dy as tf.Tensor;
    const [a, b] = saved;
    const { transposeA, transposeB } = (attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    // Same algebra as the built-in gradient; only the transposes are explicit.
    let da: () => tf.Tensor;
    let db: () => tf.Tensor;
    if (!transposeA && !transposeB) {
      da = () => plainMatMul(g, b, false, true);
      db = () => plainMatMul(a, g, true, false);
    } else if (!transposeA && transposeB) {
      da = () => plainMatMul(g, b, false, false);
      db = () => plainMatMul(g, a, true, false);
    } else if (transposeA && !transposeB) {
      da = () => plainMatMul(b, g, false, true);
      db = () => plainMatMul(a, g, false, false);
    } else {
      da = () => plainMatMul(b, g, true, true);
      db = () => plainMatMul(g, a, true, true);
    }
    return { a: () => reduceToShape(da(), a.shape), b: () => reduceToShape(db(), b.shape) };
  },
};

let builtin: GradConfig | undefined;

/** Install the fast gradient (idempotent). Returns the built-in one for reference/tests. */
export function useFastMatMulGradient(): GradConfig {
  const current = tf.getGradient('BatchMatMul');
  if (current === undefined) {
    throw new Error('No BatchMatMul gradient registered: import @tensorflow/tfjs (not tfjs-core alone) so gradients are registered.');
  }
  if (current !== fastBatchMatMulGradConfig) builtin = current;
  tf.registerGradient(fastBatchMatMulGradConfig);
  return builtin as GradConfig;
}

/** Put tfjs's own gradient back (used by tests to compare both). */
export function useBuiltinMatMulGradient(): void {
  if (builtin !== undefined) tf.registerGradient(builtin);
}
