/**
 * The fast BatchMatMul gradient (explicit transposes + untransposed matmuls)
 * equals tfjs's built-in gradient for every transposeA/transposeB combination,
 * for rank-2 and batched rank-3 inputs, and reduces broadcast batch dims.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { fastBatchMatMulGradConfig, useBuiltinMatMulGradient, useFastMatMulGradient } from '../src/fast-matmul-grad.js';
import { relErr } from './numeric-helpers.js';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

after(() => {
  useFastMatMulGradient();
});

/** Gradients of sum(matMul(a, b, tA, tB) * r) with respect to a and b. */
function grads(a: tf.Tensor, b: tf.Tensor, tA: boolean, tB: boolean, seed: number): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => {
      const out = tf.matMul(x, y, tA, tB);
      return tf.sum(tf.mul(out, tf.randomNormal(out.shape, 0, 1, 'float32', seed)));
    };
    const [da, db] = tf.grads(f)([a, b]);
    return [da.dataSync() as Float32Array, db.dataSync() as Float32Array];
  });
}

/** [rows, cols] of an operand stored for op(x) = x (or x^T when transposed). */
function shapeFor(lead: number[], m: number, n: number, transposed: boolean): number[] {
  return transposed ? [...lead, n, m] : [...lead, m, n];
}

describe('fast BatchMatMul gradient', () => {
  for (const lead of [[], [3]] as number[][]) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        it(`rank ${lead.length + 2}, transposeA=${tA}, transposeB=${tB}: equals the built-in gradient (<= 1e-5)`, () => {
          const [m, k, n] = [7, 5, 4];
          const a = tf.randomNormal(shapeFor(lead, m, k, tA), 0, 1, 'float32', 1);
          const b = tf.randomNormal(shapeFor(lead, k, n, tB), 0, 1, 'float32', 2);
          useBuiltinMatMulGradient();
          const [ea, eb] = grads(a, b, tA, tB, 3);
          useFastMatMulGradient();
          assert.equal(tf.getGradient('BatchMatMul'), fastBatchMatMulGradConfig);
          const [ga, gb] = grads(a, b, tA, tB, 3);
          assert.ok(relErr(ga, ea) <= 1e-5, `dA off by ${relErr(ga, ea)}`);
          assert.ok(relErr(gb, eb) <= 1e-5, `dB off by ${relErr(gb, eb)}`);
          tf.dispose([a, b]);
        });
      }
    }
  }

  it('sums the gradient over a broadcast batch dimension', () => {
    useFastMatMulGradient();
    const a = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 5);
    const b = tf.randomNormal([1, 5, 2], 0, 1, 'float32', 6);
    const r = tf.randomNormal([3, 4, 2], 0, 1, 'float32', 7);
    const db = tf.tidy(() => tf.grad((y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, y), r)))(b));
    assert.deepEqual(db.shape, [1, 5, 2]);
    // Expected: sum over the batch of a_i^T r_i (computed with 2-D matmuls).
    const expected = tf.tidy(() => {
      const parts = [0, 1, 2].map((i) => tf.matMul(tf.transpose(tf.squeeze(tf.slice(a, [i, 0, 0], [1, 4, 5]), [0])), tf.squeeze(tf.slice(r, [i, 0, 0], [1, 4, 2]), [0])));
      return tf.addN(parts);
    });
    assert.ok(relErr(db.dataSync(), expected.dataSync()) <= 1e-5);
    tf.dispose([a, b, r, db, expected]);
  });
});
