/**
 * Fused dense ops with hand-written gradients, shared by the plain and RPP MLPs.
 *
 * Why: on wasm every kernel call costs dispatch time, and tfjs's own
 * tf.fused.matMul gradient asks for transposed matmuls (10-20x slower on wasm).
 * Here the forward is one _FusedMatMul kernel (matmul + bias [+ relu]) and the
 * backward uses explicit transposes and untransposed matmuls only.
 */
import * as tf from '@tensorflow/tfjs';

type Grads = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

function denseGrads(dz: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor[] {
  return [tf.matMul(dz, tf.transpose(w)), tf.matMul(tf.transpose(x), dz), tf.sum(dz, 0)];
}

const linearOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const save = args[3] as tf.GradSaveFunc;
  save([x, w]);
  const gradFunc: Grads = (dy, [xs, ws]) => denseGrads(dy as tf.Tensor2D, xs as tf.Tensor2D, ws as tf.Tensor2D);
  return { value: tf.fused.matMul({ a: x, b: w, bias: b }), gradFunc };
}) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

const reluOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const save = args[3] as tf.GradSaveFunc;
  const y = tf.fused.matMul({ a: x, b: w, bias: b, activation: 'relu' });
  save([x, w, y]);
  const gradFunc: Grads = (dy, [xs, ws, ys]) => denseGrads(tf.mul(dy, tf.step(ys)) as tf.Tensor2D, xs as tf.Tensor2D, ws as tf.Tensor2D);
  return { value: y, gradFunc };
}) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** x @ w + b, w stored [in, out]. */
export function denseLinear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return linearOp(x, w, b);
}

/** relu(x @ w + b). */
export function denseRelu(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return reluOp(x, w, b);
}

const swishScaleOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [z, w] = args as [tf.Tensor2D, tf.Tensor1D];
  const save = args[2] as tf.GradSaveFunc;
  const s = tf.sigmoid(z);
  const sw = tf.mul(z, s);
  const scale = tf.add(w, 1);
  save([s, sw, scale]);
  const gradFunc: Grads = (dy, [ss, sws, sc]) => {
    // d swish / dz = s + sw (1 - s) = s + sw - sw s
    const dsw = tf.sub(tf.add(ss, sws), tf.mul(sws, ss));
    return [tf.mul(tf.mul(dy, sc), dsw), tf.sum(tf.mul(dy, sws), 0)];
  };
  return { value: tf.mul(sw, scale), gradFunc };
}) as (z: tf.Tensor2D, w: tf.Tensor1D) => tf.Tensor2D;

/** swish(z) * (1 + w), w per channel [dim]. */
export function swishScaled(z: tf.Tensor2D, w: tf.Tensor1D): tf.Tensor2D {
  return swishScaleOp(z, w);
}

const swishOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const z = args[0] as tf.Tensor2D;
  const save = args[1] as tf.GradSaveFunc;
  const s = tf.sigmoid(z);
  const sw = tf.mul(z, s);
  save([s, sw]);
  const gradFunc: Grads = (dy, [ss, sws]) => [tf.mul(dy, tf.sub(tf.add(ss, sws), tf.mul(sws, ss)))];
  return { value: sw, gradFunc };
}) as (z: tf.Tensor2D) => tf.Tensor2D;

/** swish(z) = z * sigmoid(z) with a 4-kernel backward. */
export function swish(z: tf.Tensor2D): tf.Tensor2D {
  return swishOp(z);
}
