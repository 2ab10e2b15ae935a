/**
 * Fused dense ops with hand-written gradients, shared by the plain and RPP MLPs.
 *
 * Why: on wasm every kernel call costs dispatch time, and tfjs's own
 * tf.fused.matMul gradient asks for transposed matmuls (10-20x slower on wasm).
 * Here the forward is one _FusedMatMul kernel (matmul + bias [+ relu]) and the
 * backward uses explicit transposes and untransposed matmuls only. On the wasm
 * backend our own kernels (src/kernels/own-matmul.ts) replace all three: the
 * forward with bias and relu fused, dz W^T and x^T dz (with the bias gradient)
 * read in place, no transposes; the XNNPACK path below stays as the reference.
 */
import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, runHostKernel } from '../kernels/host-kernel.js';
import { hasOwnMatmul, ownDense, ownMatMulNT, ownMatMulNTFrom, ownWeightGrads } from '../kernels/own-matmul.js';
import { DENSE_ONE_GRAD_KERNEL, DENSE_ONE_KERNEL } from './dense-one-kernel.js';
import { reluGrad } from './relu-grad-kernel.js';
import { swishGrad } from './swish-grad-kernel.js';

type Grads = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

/**
 * x @ w + b [then relu] as one _FusedMatMul kernel, called directly. Why not
 * tf.fused.matMul: inside a gradient tape (tf.variableGrads) it falls back to
 * matMul + add + relu (three kernels) for any activation but 'linear', and it
 * wraps the kernel in its own customGrad (extra tape bookkeeping) whose
 * gradient our ops never use. Only valid inside a tf.customGrad forward or
 * outside any tape (the kernel has no gradient of its own here).
 */
export function fusedDense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, relu: boolean): tf.Tensor2D {
  if (hasOwnMatmul()) return ownDense(x, w, b, relu);
  const [m, k] = x.shape;
  const n = w.shape[1];
  const y = tf.engine().runKernel(
    '_FusedMatMul',
    { a: tf.reshape(x, [1, m, k]), b: tf.reshape(w, [1, k, n]), bias: b },
    { transposeA: false, transposeB: false, activation: relu ? 'relu' : 'linear', leakyreluAlpha: 0 },
  ) as tf.Tensor;
  return tf.reshape(y, [m, n]);
}

/**
 * Column sums of dz [batch, n] as ones[1, batch] @ dz, reshaped to [n]. Why:
 * tf.sum(dz, 0) on wasm transposes before reducing (~0.3-0.5 ms for 256x256),
 * while the matmul is ~0.03 ms once dz's packed operand exists, which it does
 * right after the weight gradient x^T @ dz (the wasm backend caches the packed
 * right operand per tensor). Call it after that matmul.
 */
export function colSum(dz: tf.Tensor2D): tf.Tensor1D {
  const [m, n] = dz.shape;
  return tf.reshape(tf.matMul(tf.ones([1, m]), dz), [n]);
}

/**
 * A weight's transpose, kept until the weight's buffer changes. Why: the input
 * gradient dz @ w^T needs w^T on every backward pass; recomputing it costs a
 * Transpose (~0.3 ms for 256x256 on wasm) and, because the result is a new
 * tensor, the matmul also re-packs its right operand (~0.7 ms). A weight that
 * only changes at optimizer steps (tf.Variable.assign gives it a new buffer)
 * pays both once per step. Owners dispose() it with their weights.
 */
export class TransposedWeight {
  #key: object | null = null;
  #t: tf.Tensor2D | null = null;

  of(w: tf.Tensor2D): tf.Tensor2D {
    if (this.#t === null || this.#key !== w.dataId) {
      this.#t?.dispose();
      // A one-column (or one-row) weight, e.g. a Q head [256, 1], is its own transpose
      // in memory: a reshape, which no backend runs as a kernel (on webgpu a dispatch saved).
      const [rows, cols] = w.shape;
      this.#t = tf.keep(rows === 1 || cols === 1 ? tf.reshape(w, [cols, rows]) : tf.transpose(w)) as tf.Tensor2D;
      this.#key = w.dataId;
    }
    return this.#t;
  }

  dispose(): void {
    this.#t?.dispose();
    this.#t = null;
    this.#key = null;
  }
}

/**
 * dW = x^T @ dz and db = column sums of dz for x @ w + b, with explicit
 * transposes and untransposed matmuls only, in whichever of two forms packs
 * less. Why: the wasm matmul packs its right operand afresh for every new
 * tensor (~0.5 ms for 256x256), so x^T @ dz costs a pack of dz [batch, out];
 * for a narrow input (in < out, e.g. a critic's first layer, 23 -> 256) the
 * transposed form (dz^T @ x)^T packs x [batch, in] instead, and its extra
 * transposes are cheap (native-transpose.ts).
 */
export function weightGrads(x: tf.Tensor2D, dz: tf.Tensor2D): { dW: tf.Tensor2D; db: tf.Tensor1D } {
  if (hasOwnMatmul()) return ownWeightGrads(x, dz);
  // On webgpu x^T @ dz as one transposed-A matmul: no Transpose dispatch, and on llvmpipe
  // 44 ms against 48 ms for transpose + matmul at 256x256 (a transposed-B matmul is slower
  // there, 61 against 43 ms, so the input gradient keeps the cached w^T).
  if (tf.getBackend() === 'webgpu') return { dW: tf.matMul(x, dz, true, false), db: tf.sum(dz, 0) as tf.Tensor1D };
  if (x.shape[1] < dz.shape[1]) {
    const dzT = tf.transpose(dz);
    // Sum over the last axis: no transpose inside the wasm reduction.
    return { dW: tf.transpose(tf.matMul(dzT, x)) as tf.Tensor2D, db: tf.sum(dzT, 1) as tf.Tensor1D };
  }
  const dW = tf.matMul(tf.transpose(x), dz) as tf.Tensor2D;
  return { dW, db: colSum(dz) };
}

/**
 * dx = dz @ w^T for x @ w + b: our nt kernel reading w in place where it runs,
 * else an untransposed matmul with w^T from cache (or transposed afresh).
 * constantInputs: the first that many columns of x are constants (see
 * ApplyOptions.constantInputs); their gradient is not computed and comes back as zeros.
 */
export function inputGrad(dz: tf.Tensor2D, w: tf.Tensor2D, cache: TransposedWeight | null, constantInputs = 0): tf.Tensor2D {
  const [nIn, nOut] = w.shape;
  const skip = Math.min(constantInputs, nIn);
  if (skip === nIn) return tf.zeros([dz.shape[0], nIn]);
  if (hasOwnMatmul()) return skip > 0 ? ownMatMulNTFrom(dz, w, skip) : ownMatMulNT(dz, w);
  if (skip > 0) {
    // Reference path: only the live rows of w, then zeros in front.
    const live = tf.matMul(dz, tf.slice(w, [skip, 0], [nIn - skip, nOut]), false, true);
    return tf.concat([tf.zeros([dz.shape[0], skip]), live], 1) as tf.Tensor2D;
  }
  return tf.matMul(dz, cache !== null ? cache.of(w) : tf.transpose(w));
}

/** dx, dW, db of x @ w + b (see weightGrads and inputGrad). */
export function denseGrads(dz: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D, cache: TransposedWeight | null, constantInputs = 0): tf.Tensor[] {
  const { dW, db } = weightGrads(x, dz);
  return [inputGrad(dz, w, cache, constantInputs), dW, db];
}

/**
 * What a dense op saves for its backward. A tf.Variable is read from the
 * closure: it is never disposed by a tidy, and nothing assigns it between a
 * forward and its backward pass. Any other tensor (e.g. a weight computed
 * inside a tidy) is saved (tf.customGrad's save() clones, which the wasm
 * backend's zero-copy Identity makes a reference, see src/kernels).
 */
function keepW(w: tf.Tensor2D): boolean {
  return w instanceof tf.Variable;
}

/** Whether x @ w + b (no activation) takes the single-output kernels (dense-one-kernel.ts). */
function singleOutput(x: tf.Tensor2D, w: tf.Tensor2D, relu: boolean, constantInputs: number): boolean {
  return !relu && constantInputs === 0 && w.shape[1] === 1 && x.shape[1] % 4 === 0 && hasHostKernel(DENSE_ONE_KERNEL);
}

/** x @ w + b for w [in, 1] by the single-output kernels; paramGrads = false: gradient for x only. */
function denseOne(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, paramGrads: boolean): tf.Tensor2D {
  const byRef = keepW(w);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor2D;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const saved = [xi];
    if (!byRef) saved.push(w);
    save(saved);
    const gradFunc: Grads = (dy, sv) => runHostKernel(DENSE_ONE_GRAD_KERNEL, [sv[0], byRef ? w : sv[1], dy], { paramGrads });
    return { value: runHostKernel(DENSE_ONE_KERNEL, [xi, w, b], { paramGrads })[0] as tf.Tensor2D, gradFunc };
  }) as (...xs: tf.Tensor[]) => tf.Tensor2D;
  return paramGrads ? op(x, w, b) : op(x);
}

/** x @ w + b [then relu] as one tape node with a hand-written backward. */
function denseOp(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, relu: boolean, cache: TransposedWeight | null, constantInputs: number): tf.Tensor2D {
  if (singleOutput(x, w, relu, constantInputs)) return denseOne(x, w, b, true);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, wi, bi] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const y = fusedDense(xi, wi, bi, relu);
    const byRef = keepW(wi);
    const saved = [xi];
    if (relu) saved.push(y);
    if (!byRef) saved.push(wi);
    save(saved);
    const gradFunc: Grads = (dy, sv) => {
      const xs = sv[0] as tf.Tensor2D;
      const dz = relu ? (reluGrad(dy, sv[1]) as tf.Tensor2D) : (dy as tf.Tensor2D);
      const wv = byRef ? wi : (sv[relu ? 2 : 1] as tf.Tensor2D);
      return denseGrads(dz, xs, wv, cache, constantInputs);
    };
    return { value: y, gradFunc };
  }) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
  return op(x, w, b);
}

/**
 * The same ops with w and b held fixed: one input (x), gradient dx only. Used when
 * a caller needs gradients through the network but not for its parameters.
 */
function frozenDense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, relu: boolean, cache: TransposedWeight | null, constantInputs: number): tf.Tensor2D {
  if (singleOutput(x, w, relu, constantInputs)) return denseOne(x, w, b, false);
  const byRef = keepW(w);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const y = fusedDense(xi, w, b, relu);
    // Saving a non-variable w keeps its buffer alive until the backward pass even if the caller disposes it.
    const saved = relu ? [y] : [];
    if (!byRef) saved.push(w);
    save(saved);
    const gradFunc: Grads = (dy, sv) => {
      const dz = relu ? reluGrad(dy, sv[0]) : dy;
      const ws = byRef ? w : (sv[relu ? 1 : 0] as tf.Tensor2D);
      return [inputGrad(dz as tf.Tensor2D, ws, cache, constantInputs)];
    };
    return { value: y, gradFunc };
  }) as (x: tf.Tensor2D) => tf.Tensor2D;
  return op(x);
}

/**
 * x @ w + b, w stored [in, out]. paramGrads = false: gradient for x only.
 * cache: the owner's TransposedWeight for w (optional; without it each
 * backward pass transposes w afresh). constantInputs: leading columns of x that
 * need no gradient (zeros come back for them; ApplyOptions.constantInputs).
 */
export function denseLinear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, paramGrads = true, cache: TransposedWeight | null = null, constantInputs = 0): tf.Tensor2D {
  return paramGrads ? denseOp(x, w, b, false, cache, constantInputs) : frozenDense(x, w, b, false, cache, constantInputs);
}

/** relu(x @ w + b). paramGrads, cache and constantInputs as in denseLinear. */
export function denseRelu(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, paramGrads = true, cache: TransposedWeight | null = null, constantInputs = 0): tf.Tensor2D {
  return paramGrads ? denseOp(x, w, b, true, cache, constantInputs) : frozenDense(x, w, b, true, cache, constantInputs);
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
    return [swishGrad(tf.mul(dy, sc), ss, sws), tf.sum(tf.mul(dy, sws), 0)];
  };
  return { value: tf.mul(sw, scale), gradFunc };
}) as (z: tf.Tensor2D, w: tf.Tensor1D) => tf.Tensor2D;

/** swish(z) * (1 + w), w per channel [dim]. paramGrads = false: gradient for z only. */
export function swishScaled(z: tf.Tensor2D, w: tf.Tensor1D, paramGrads = true): tf.Tensor2D {
  if (paramGrads) return swishScaleOp(z, w);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const zi = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const s = tf.sigmoid(zi);
    const sw = tf.mul(zi, s);
    const scale = tf.add(w, 1);
    save([s, sw, scale]);
    const gradFunc: Grads = (dy, [ss, sws, sc]) => [swishGrad(tf.mul(dy, sc), ss, sws)];
    return { value: tf.mul(sw, scale), gradFunc };
  }) as (z: tf.Tensor2D) => tf.Tensor2D;
  return op(z);
}

const swishOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const z = args[0] as tf.Tensor2D;
  const save = args[1] as tf.GradSaveFunc;
  const s = tf.sigmoid(z);
  const sw = tf.mul(z, s);
  save([s, sw]);
  const gradFunc: Grads = (dy, [ss, sws]) => [swishGrad(dy, ss, sws)];
  return { value: sw, gradFunc };
}) as (z: tf.Tensor2D) => tf.Tensor2D;

/** swish(z) = z * sigmoid(z) with a one-kernel backward (swish-grad-kernel.ts). */
export function swish(z: tf.Tensor2D): tf.Tensor2D {
  return swishOp(z);
}

const reluScaleOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [z, w] = args as [tf.Tensor2D, tf.Tensor1D];
  const save = args[2] as tf.GradSaveFunc;
  const r = tf.relu(z);
  const scale = tf.add(w, 1);
  save([r, scale]);
  const gradFunc: Grads = (dy, [rs, sc]) => [tf.mul(tf.mul(dy, sc), tf.step(rs)), tf.sum(tf.mul(dy, rs), 0)];
  return { value: tf.mul(r, scale), gradFunc };
}) as (z: tf.Tensor2D, w: tf.Tensor1D) => tf.Tensor2D;

/** relu(z) * (1 + w), w per channel [dim]. paramGrads = false: gradient for z only. */
export function reluScaled(z: tf.Tensor2D, w: tf.Tensor1D, paramGrads = true): tf.Tensor2D {
  if (paramGrads) return reluScaleOp(z, w);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const zi = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const r = tf.relu(zi);
    const scale = tf.add(w, 1);
    save([r, scale]);
    const gradFunc: Grads = (dy, [rs, sc]) => [tf.mul(tf.mul(dy, sc), tf.step(rs))];
    return { value: tf.mul(r, scale), gradFunc };
  }) as (z: tf.Tensor2D) => tf.Tensor2D;
  return op(z);
}
