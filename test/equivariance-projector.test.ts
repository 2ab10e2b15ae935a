/**
 * The two solvers for the equivariant subspace agree: the SVD-style null-space
 * basis Q (Jacobi, Float64) and the group-averaging projector (index ops, Float64
 * and tf) on Z2 and Z4 reps taken from the env symmetries.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import {
  Z, Z2, Z4, type Rep, SignedPerm, trivial, pseudoscalar, regular, directSum, multiple, fromMaps, hiddenRep, equivariantDimension,
  equivariantBasis, basisProjectionMatrix, projectWeightArray, projectBiasArray, projector, biasProjector, symmetricEigen, Rep as RepClass,
  AxisPermutation, contiguousRuns, rotationShift,
} from '../src/equivariance/index.js';
import {
  walker2dExactMirrorObs, walker2dExactMirrorAct, halfCheetahPaperObs, halfCheetahPaperAct, antPaperObs, antPaperAct,
} from '../envs/symmetry-maps.js';
import { maxAbsDiff } from './numeric-helpers.js';

function randn(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = (s + 0.5) / 2 ** 32;
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = (s + 0.5) / 2 ** 32;
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

/** Apply rho_in(g) W rho_out(g)^T in Float64 (W [in, out]). */
function act(gIn: SignedPerm, gOut: SignedPerm, w: Float64Array): Float64Array {
  const nOut = gOut.size;
  const out = new Float64Array(w.length);
  for (let a = 0; a < gIn.size; a++) for (let b = 0; b < nOut; b++) out[a * nOut + b] = gIn.sign[a] * gOut.sign[b] * w[gIn.perm[a] * nOut + gOut.perm[b]];
  return out;
}

const P2 = pseudoscalar(Z2);
const T0 = trivial(Z2);
const rot90 = new RepClass(Z4, new SignedPerm([1, 0], [-1, 1]), 'rot90'); // y0 = -x1, y1 = x0: a signed Z4 rep

const cases: Array<{ name: string; repIn: Rep; repOut: Rep }> = [
  { name: 'Z2 Walker2d exact mirror obs -> act', repIn: fromMaps(Z2, walker2dExactMirrorObs), repOut: fromMaps(Z2, walker2dExactMirrorAct) },
  { name: 'Z2 HalfCheetah paper flip obs -> act', repIn: fromMaps(Z2, halfCheetahPaperObs), repOut: fromMaps(Z2, halfCheetahPaperAct) },
  { name: 'Z2 pseudoscalar combos', repIn: directSum(P2, T0, regular(Z2), P2, P2), repOut: directSum(T0, P2, P2, regular(Z2)) },
  { name: 'Z2 hidden -> pseudoscalars', repIn: hiddenRep(Z2, 12), repOut: multiple(P2, 3) },
  { name: 'Z4 regular -> regular', repIn: regular(Z4), repOut: regular(Z4) },
  // The first 27 entries (root and joints) are closed under the map; the dense reference solver needs a small rep.
  { name: 'Z4 Ant paper obs[0:27] -> act', repIn: fromMaps(Z4, antPaperObs.slice(0, 27)), repOut: fromMaps(Z4, antPaperAct) },
  { name: 'Z4 hidden -> hidden', repIn: hiddenRep(Z4, 8), repOut: hiddenRep(Z4, 12) },
  { name: 'Z4 signed (rot90 + pseudoscalar) -> regular', repIn: directSum(rot90, pseudoscalar(Z4), trivial(Z4)), repOut: directSum(regular(Z4), rot90) },
  { name: 'Z3 regular -> regular + trivial (odd order)', repIn: regular(Z(3)), repOut: directSum(regular(Z(3)), trivial(Z(3))) },
];

before(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('symmetricEigen', () => {
  it('diagonalises a symmetric matrix', () => {
    const a = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]);
    const { values, vectors } = symmetricEigen(a, 3);
    for (let c = 0; c < 3; c++) {
      for (let r = 0; r < 3; r++) {
        let av = 0;
        for (let k = 0; k < 3; k++) av += a[r * 3 + k] * vectors[k * 3 + c];
        assert.ok(Math.abs(av - values[c] * vectors[r * 3 + c]) < 1e-12);
      }
    }
    assert.ok(values[0] <= values[1] && values[1] <= values[2]);
  });
});

for (const { name, repIn, repOut } of cases) {
  describe(`equivariant subspace: ${name}`, () => {
    const size = repIn.dim * repOut.dim;
    const basis = equivariantBasis(repIn, repOut);
    const els = repIn.elements().map((g, k) => [g, repOut.elements()[k]] as const);

    it('null-space dimension equals the character formula', () => {
      assert.equal(basis.rank, equivariantDimension(repIn, repOut));
      assert.ok(basis.rank > 0);
    });

    it('Q has orthonormal columns and P = Q Q^T equals the averaging projector (<= 1e-6)', () => {
      const { rank, q } = basis;
      for (let c = 0; c < rank; c++) {
        for (let d = c; d < rank; d++) {
          let s = 0;
          for (let r = 0; r < size; r++) s += q[r * rank + c] * q[r * rank + d];
          assert.ok(Math.abs(s - (c === d ? 1 : 0)) < 1e-9);
        }
      }
      const pq = basisProjectionMatrix(basis);
      // Column j of the averaging projector = P(e_j).
      let worst = 0;
      const e = new Float64Array(size);
      for (let j = 0; j < size; j++) {
        e.fill(0);
        e[j] = 1;
        const col = projectWeightArray(repIn, repOut, e);
        for (let i = 0; i < size; i++) worst = Math.max(worst, Math.abs(col[i] - pq[i * size + j]));
      }
      assert.ok(worst <= 1e-6, `max |QQ^T - P| = ${worst}`);
    });

    it('the projector is idempotent and symmetric, and projected weights are exactly equivariant', () => {
      const w = randn(size, 11);
      const v = randn(size, 12);
      const pw = projectWeightArray(repIn, repOut, w);
      const pv = projectWeightArray(repIn, repOut, v);
      assert.ok(maxAbsDiff(projectWeightArray(repIn, repOut, pw), pw) < 1e-12, 'P(P(w)) = P(w)');
      let a = 0;
      let b = 0;
      for (let i = 0; i < size; i++) {
        a += pw[i] * v[i];
        b += w[i] * pv[i];
      }
      assert.ok(Math.abs(a - b) < 1e-10, '<P w, v> = <w, P v>');
      for (const [gi, go] of els) assert.ok(maxAbsDiff(act(gi, go, pw), pw) < 1e-12, 'rho_in(g) W rho_out(g)^T = W');
      // The bias projection lands in the invariants of repOut.
      const pb = projectBiasArray(repOut, randn(repOut.dim, 13));
      for (const [, go] of els) assert.ok(maxAbsDiff(go.apply(pb), pb) < 1e-12);
    });

    it('the tf projector equals the Float64 projector (weights and biases)', () => {
      const w = randn(size, 21);
      const b = randn(repOut.dim, 22);
      const expectW = projectWeightArray(repIn, repOut, w);
      const expectB = projectBiasArray(repOut, b);
      for (const opts of [{}, { smallAxis: 0 }, { smallAxis: 0, maxRuns: 0 }, { smallAxis: 0, maxRuns: 1000 }]) {
        const p = projector(repIn, repOut, opts);
        const pb = biasProjector(repOut, opts);
        const got = tf.tidy(() => p.apply(tf.tensor2d(Float32Array.from(w), [repIn.dim, repOut.dim])).dataSync());
        const gotB = tf.tidy(() => pb.apply(tf.tensor1d(Float32Array.from(b))).dataSync());
        // The tf-op path that backends without the host kernel take (wasm uses the kernel).
        const gotOps = tf.tidy(() => p.averageOps(tf.tensor2d(Float32Array.from(w), [repIn.dim, repOut.dim])).dataSync());
        p.dispose();
        pb.dispose();
        assert.ok(maxAbsDiff(got, expectW) < 1e-5, `tf weight projection (${JSON.stringify(opts)}) off by ${maxAbsDiff(got, expectW)}`);
        assert.ok(maxAbsDiff(gotOps, expectW) < 1e-5, `tf-op weight projection (${JSON.stringify(opts)}) off by ${maxAbsDiff(gotOps, expectW)}`);
        assert.ok(maxAbsDiff(gotB, expectB) < 1e-5, `tf bias projection (${JSON.stringify(opts)})`);
      }
    });
  });
}

describe('tf projector on the hidden reps used in training', () => {
  for (const [G, width] of [[Z2, 256], [Z4, 256]] as const) {
    it(`${G.name} hidden ${width} -> hidden ${width}: value and gradient P(dy), no leaks`, () => {
      const h = hiddenRep(G, width);
      const p = projector(h, h);
      const n = h.dim;
      const w = randn(n * n, 31);
      const dy = randn(n * n, 32);
      const before = tf.memory().numTensors;
      const [value, grad] = tf.tidy(() => {
        const wt = tf.tensor2d(Float32Array.from(w), [n, n]);
        const dyt = tf.tensor2d(Float32Array.from(dy), [n, n]);
        const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(p.apply(x as tf.Tensor2D), dyt)))(wt);
        return [p.apply(wt).dataSync(), g.dataSync()];
      });
      assert.equal(tf.memory().numTensors, before);
      assert.ok(maxAbsDiff(value, projectWeightArray(h, h, w)) < 1e-5);
      assert.ok(maxAbsDiff(grad, projectWeightArray(h, h, dy)) < 1e-5, 'gradient of <P(W), dy> is P(dy)');
      p.dispose();
    });
  }

  it('the gather path has a gradient on wasm (gather by the inverse permutation)', () => {
    const repIn = fromMaps(Z2, walker2dExactMirrorObs);
    const repOut = fromMaps(Z2, walker2dExactMirrorAct);
    const p = projector(repIn, repOut, { smallAxis: 0, maxRuns: 0 });
    const w = randn(17 * 6, 41);
    const dy = randn(17 * 6, 42);
    const g = tf.tidy(() => {
      const dyt = tf.tensor2d(Float32Array.from(dy), [17, 6]);
      return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(p.apply(x as tf.Tensor2D), dyt)))(tf.tensor2d(Float32Array.from(w), [17, 6])).dataSync();
    });
    assert.ok(maxAbsDiff(g, projectWeightArray(repIn, repOut, dy)) < 1e-5);
    p.dispose();
  });

  it('AxisPermutation: every mode permutes, and gather/slice gradients are the inverse permutation', () => {
    const perm = [3, 4, 0, 1, 2, 5];
    assert.deepEqual(contiguousRuns(perm), [{ start: 3, size: 2 }, { start: 0, size: 3 }, { start: 5, size: 1 }]);
    assert.equal(rotationShift([2, 3, 4, 0, 1]), 2);
    assert.equal(rotationShift(perm), null);
    const x = tf.tensor2d(Array.from({ length: 12 }, (_, i) => i), [2, 6]);
    const r = tf.tensor2d([1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6], [2, 6]);
    for (const mode of ['runs', 'gather'] as const) {
      const p = new AxisPermutation(perm, 1, { mode });
      assert.equal(p.mode, mode);
      const [y, g] = tf.tidy(() => [p.apply(x).dataSync(), tf.grad((z: tf.Tensor) => tf.sum(tf.mul(p.apply(z), r)))(x).dataSync()]);
      assert.deepEqual(Array.from(y), [3, 4, 0, 1, 2, 5, 9, 10, 6, 7, 8, 11]);
      // d/dx_j sum_i r_i x_perm(i) = r_{perm^-1(j)}.
      assert.deepEqual(Array.from(g), [3, 4, 5, 1, 2, 6, -3, -4, -5, -1, -2, -6]);
      p.dispose();
    }
    const rot = new AxisPermutation([2, 0, 1].map((v, i) => (i + 1) % 3), 0);
    assert.equal(rot.mode, 'rotate');
    const y = tf.tidy(() => rot.apply(tf.tensor2d([[1], [2], [3]])).dataSync());
    assert.deepEqual(Array.from(y), [2, 3, 1]);
    const g = tf.tidy(() => tf.grad((z: tf.Tensor) => tf.sum(tf.mul(rot.apply(z), tf.tensor2d([[10], [20], [30]]))))(tf.tensor2d([[1], [2], [3]])).dataSync());
    assert.deepEqual(Array.from(g), [30, 10, 20]);
    tf.dispose([x, r]);
  });

  it('rejects a weight of the wrong shape', () => {
    const p = projector(regular(Z4), regular(Z4));
    assert.throws(() => tf.tidy(() => p.apply(tf.zeros([3, 4]) as tf.Tensor2D)), /expected \[in=4, out=4\]/);
    p.dispose();
  });
});
