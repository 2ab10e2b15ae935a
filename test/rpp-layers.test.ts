/**
 * RppLinear and RppActivation against a reference written with plain tf ops
 * (dense projection matrix QQ^T, builtin gradients): values, gradients for all
 * four parameter groups, penalties and init statistics.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { Z2, Z4, fromMaps, hiddenRep, pseudoscalar, directSum, trivial, equivariantBasis, basisProjectionMatrix, projectBiasArray, type Rep } from '../src/equivariance/index.js';
import { RppLinear, RppActivation, RPP_SCALE, relativeEquivarianceError } from '../src/nn/index.js';
import { walker2dExactMirrorObs, antPaperObs } from '../envs/symmetry-maps.js';
import { relErr } from './numeric-helpers.js';
import { biasProjector, projector } from '../src/equivariance/projector.js';
import { heapView } from '../src/kernels/heap-buffers.js';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

/** Dense QQ^T for W [in,out] (vec row-major) and the dense bias projector, as float32 tensors. */
function denseProjectors(repIn: Rep, repOut: Rep): { pw: tf.Tensor2D; pb: tf.Tensor2D } {
  const pw = tf.tensor2d(Float32Array.from(basisProjectionMatrix(equivariantBasis(repIn, repOut))), [repIn.dim * repOut.dim, repIn.dim * repOut.dim]);
  const n = repOut.dim;
  const m = new Float32Array(n * n);
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    const col = projectBiasArray(repOut, e);
    for (let i = 0; i < n; i++) m[i * n + j] = col[i];
  }
  return { pw, pb: tf.tensor2d(m, [n, n]) };
}

/** The layer + activation written with builtin tf ops only. */
function referenceForward(layer: RppLinear, actW: tf.Tensor | null, x: tf.Tensor2D, pw: tf.Tensor2D, pb: tf.Tensor2D, activation: 'swish' | 'relu' = 'swish'): tf.Tensor2D {
  const [nIn, nOut] = [layer.repIn.dim, layer.repOut.dim];
  // Row vector @ symmetric projector. (Not P @ reshape(w): the wasm backend caches its
  // matmul operator by the right operand's buffer id, and a reshape of a variable that
  // is also a right operand elsewhere with another shape crashes XNNPACK.)
  const wEq = tf.reshape(tf.matMul(tf.reshape(layer.wEquiv, [1, nIn * nOut]), pw), [nIn, nOut]);
  const bEq = tf.reshape(tf.matMul(tf.reshape(layer.bEquiv, [1, nOut]), pb), [nOut]);
  const w = layer.wBasic ? tf.add(wEq, layer.wBasic) : wEq;
  const b = layer.bBasic ? tf.add(bEq, layer.bBasic) : bEq;
  const z = tf.add(tf.matMul(x, w), b);
  const sw = activation === 'relu' ? tf.relu(z) : tf.mul(z, tf.sigmoid(z));
  return (actW === null ? sw : tf.mul(sw, tf.add(1, actW))) as tf.Tensor2D;
}

const cases: Array<{ name: string; repIn: Rep; repOut: Rep; activation?: 'swish' | 'relu' }> = [
  { name: 'Z2 Walker2d obs -> hidden 8', repIn: fromMaps(Z2, walker2dExactMirrorObs), repOut: hiddenRep(Z2, 8) },
  { name: 'Z2 Walker2d obs -> hidden 8, relu option', repIn: fromMaps(Z2, walker2dExactMirrorObs), repOut: hiddenRep(Z2, 8), activation: 'relu' },
  // The first 27 entries (root and joints) are closed under the map; the dense reference solver needs a small rep.
  { name: 'Z4 Ant paper obs[0:27] -> hidden 8', repIn: fromMaps(Z4, antPaperObs.slice(0, 27)), repOut: hiddenRep(Z4, 8) },
  { name: 'Z2 hidden 6 -> hidden 6', repIn: hiddenRep(Z2, 6), repOut: hiddenRep(Z2, 6) },
];

for (const { name, repIn, repOut, activation } of cases) {
  describe(`RppLinear + RppActivation vs reference: ${name}`, () => {
    it('forward and gradients of all parameter groups match builtin-op autodiff (<= 1e-4)', () => {
      const layer = new RppLinear({ repIn, repOut, seed: 3 });
      const act = new RppActivation(repOut, { activation });
      // Make every pathway sizeable so each gradient is tested, not just the init.
      tf.tidy(() => {
        layer.wBasic!.assign(tf.randomNormal(layer.wBasic!.shape, 0, 0.3, 'float32', 1));
        layer.bBasic!.assign(tf.randomNormal(layer.bBasic!.shape, 0, 0.3, 'float32', 2));
        layer.bEquiv.assign(tf.randomNormal(layer.bEquiv.shape, 0, 0.3, 'float32', 3));
        act.wBasic!.assign(tf.randomNormal(act.wBasic!.shape, 0, 0.3, 'float32', 4));
      });
      const { pw, pb } = denseProjectors(repIn, repOut);
      const x = tf.randomNormal([32, repIn.dim], 0, 1, 'float32', 5) as tf.Tensor2D;
      const r = tf.randomNormal([32, repOut.dim], 0, 1, 'float32', 6);
      const vars = [...layer.variables, ...act.variables];
      const ours = tf.variableGrads(() => tf.sum(tf.mul(act.apply(layer.apply(x)), r)) as tf.Scalar, vars);
      const ref = tf.variableGrads(() => tf.sum(tf.mul(referenceForward(layer, act.wBasic, x, pw, pb, activation), r)) as tf.Scalar, vars);
      assert.ok(relErr(ours.value.dataSync(), ref.value.dataSync()) < 1e-5);
      for (const v of vars) {
        const g = ours.grads[v.name].dataSync();
        const e = ref.grads[v.name].dataSync();
        assert.ok(relErr(g, e) < 1e-4, `gradient of ${v.name} [${v.shape}] off by ${relErr(g, e)}`);
      }
      // All four groups of the layer (and the activation scale) get a nonzero gradient.
      for (const v of [layer.wEquiv, layer.wBasic!, layer.bEquiv, layer.bBasic!, act.wBasic!]) {
        const g = ours.grads[v.name].dataSync();
        assert.ok(g.some((u) => Math.abs(u) > 1e-6), `zero gradient for [${v.shape}]`);
      }
      tf.dispose([ours.value, ours.grads, ref.value, ref.grads, pw, pb, x, r]);
      layer.dispose();
      act.dispose();
    });
  });
}

describe('RppLinear', () => {
  const repIn = fromMaps(Z2, walker2dExactMirrorObs);
  const repOut = hiddenRep(Z2, 256);

  it('initialises as the paper: lecun_normal (true fan-in), 1e-3 residual, zero b_equiv', () => {
    const layer = new RppLinear({ repIn, repOut, seed: 9 });
    const std = (v: tf.Variable): number => Math.sqrt(tf.tidy(() => tf.mean(tf.square(v)).dataSync()[0]));
    assert.ok(Math.abs(std(layer.wEquiv) * Math.sqrt(17) - 1) < 0.05, `w_equiv std ${std(layer.wEquiv)}`);
    assert.ok(Math.abs((std(layer.wBasic!) * Math.sqrt(17)) / RPP_SCALE - 1) < 0.05);
    assert.equal(std(layer.bEquiv), 0);
    assert.ok(Math.abs((std(layer.bBasic!) * Math.sqrt(256)) / RPP_SCALE - 1) < 0.2);
    const paper = new RppLinear({ repIn, repOut, seed: 9, fanIn: 'paper', initScale: 0.01 });
    assert.ok(Math.abs((std(paper.wEquiv) * Math.sqrt(256)) / 0.01 - 1) < 0.05, 'paper quirk: std 1/sqrt(out), times initScale');
    // Same seed, same init; another seed, another init.
    const again = new RppLinear({ repIn, repOut, seed: 9 });
    const other = new RppLinear({ repIn, repOut, seed: 10 });
    assert.deepEqual(again.wEquiv.dataSync(), layer.wEquiv.dataSync());
    assert.notDeepEqual(other.wEquiv.dataSync(), layer.wEquiv.dataSync());
    for (const l of [layer, paper, again, other]) l.dispose();
  });

  it('basic: false (EMLP) has only the equivariant pathway and is exactly equivariant', () => {
    const P = pseudoscalar(Z2);
    const out = directSum(P, trivial(Z2), hiddenRep(Z2, 4));
    const layer = new RppLinear({ repIn, repOut: out, basic: false, seed: 1 });
    assert.equal(layer.variables.length, 2);
    assert.deepEqual(layer.paramGroups().basic, []);
    const x = tf.randomNormal([64, 17], 0, 1, 'float32', 3) as tf.Tensor2D;
    tf.tidy(() => layer.bEquiv.assign(tf.randomNormal([out.dim], 0, 1, 'float32', 4)));
    assert.ok(relativeEquivarianceError((z) => layer.apply(z), repIn, out, x) < 1e-6);
    // The pseudoscalar channel's bias is projected to 0 (P forces it).
    const y0 = tf.tidy(() => layer.apply(tf.zeros([1, 17]) as tf.Tensor2D).dataSync());
    assert.ok(Math.abs(y0[0]) < 1e-7);
    x.dispose();
    layer.dispose();
  });

  it('recomputes the cached effective weights after any parameter changes', () => {
    const layer = new RppLinear({ repIn, repOut: hiddenRep(Z2, 8), seed: 4 });
    const x = tf.randomNormal([4, 17], 0, 1, 'float32', 8) as tf.Tensor2D;
    const expected = (): Float32Array =>
      tf.tidy(() => {
        const { w, b } = layer.effective();
        return tf.add(tf.matMul(x, w), b).dataSync() as Float32Array;
      });
    const got = (): Float32Array => tf.tidy(() => layer.apply(x).dataSync() as Float32Array);
    assert.ok(relErr(got(), expected()) < 1e-6);
    const before = tf.memory().numTensors;
    for (const v of layer.variables) {
      tf.tidy(() => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.5, 'float32', v.size))));
      assert.ok(relErr(got(), expected()) < 1e-6, `stale output after assigning [${v.shape}]`);
    }
    assert.equal(tf.memory().numTensors, before, 'the cache replaces, not accumulates');
    x.dispose();
    layer.dispose();
  });

  it("builds its effective weights on the wasm heap with the tf ops' bits: P(w_equiv) + w_basic, its rows times 1 + s, P_b(b_equiv) + b_basic", () => {
    const cases: Array<[string, Rep, Rep, boolean]> = [
      ['Z2 RPP', repIn, hiddenRep(Z2, 32), true],
      ['Z2 EMLP', repIn, hiddenRep(Z2, 24), false],
      ['Z4 RPP', fromMaps(Z4, antPaperObs), hiddenRep(Z4, 16), true],
    ];
    for (const [label, rIn, rOut, basic] of cases) {
      const layer = new RppLinear({ repIn: rIn, repOut: rOut, basic, seed: 3 });
      tf.tidy(() => layer.bEquiv.assign(tf.randomNormal([rOut.dim], 0, 1, 'float32', 5)));
      const s = tf.variable(tf.randomNormal([rIn.dim], 0, 0.3, 'float32', 7), false);
      const p = projector(rIn, rOut);
      const bp = biasProjector(rOut);
      for (const scale of [null, s as tf.Tensor1D]) {
        const got = layer.effectiveOnHeap(scale);
        const read = (h: { ptr: number; size: number } | null): number[] | null => (h === null ? null : Array.from(heapView(h)));
        const mine = { w: read(got.w), b: read(got.b), unscaled: read(got.unscaled), scaleCol: read(got.scaleCol) };
        type Record = { w: number[] | null; b: number[] | null; unscaled: number[] | null; scaleCol: number[] | null };
        let want: Record | undefined;
        tf.tidy(() => {
          // RppLinear's tf-op record, written out: the projections are the same group-average kernel.
          const scaleCol = scale === null ? null : (tf.reshape(tf.add(scale, 1), [rIn.dim, 1]) as tf.Tensor2D);
          const { w, scaled } = p.effective(layer.wEquiv as tf.Tensor2D, layer.wBasic as tf.Tensor2D | null, scaleCol);
          const b = bp.effective(layer.bEquiv as tf.Tensor1D, layer.bBasic as tf.Tensor1D | null);
          const arr = (t: tf.Tensor | null): number[] | null => (t === null ? null : Array.from(t.dataSync()));
          want = scaled === null ? { w: arr(w), b: arr(b), unscaled: null, scaleCol: null } : { w: arr(scaled), b: arr(b), unscaled: arr(w), scaleCol: arr(scaleCol) };
        });
        assert.deepEqual(mine, want, `${label}, ${scale === null ? 'no' : 'with an'} input scale`);
      }
      tf.dispose(s);
      p.dispose();
      bp.dispose();
      layer.dispose();
    }
  });

  it('works for outputs wider than the dense bias projector (EMLP, 1030 channels)', () => {
    const layer = new RppLinear({ repIn, repOut: hiddenRep(Z2, 1030), basic: false, seed: 2 });
    tf.tidy(() => layer.bEquiv.assign(tf.randomNormal([1030], 0, 1, 'float32', 5)));
    const x = tf.randomNormal([8, 17], 0, 1, 'float32', 6) as tf.Tensor2D;
    assert.ok(relativeEquivarianceError((z) => layer.apply(z), repIn, layer.repOut, x) < 1e-6);
    x.dispose();
    layer.dispose();
  });

  it('rejects an input of the wrong width', () => {
    const layer = new RppLinear({ repIn, repOut: hiddenRep(Z2, 4), seed: 1 });
    assert.throws(() => tf.tidy(() => layer.apply(tf.zeros([2, 16]) as tf.Tensor2D)), /expected \[batch, 17\]/);
    layer.dispose();
  });
});

describe('RppActivation', () => {
  it('uses swish on permuted channels and tanh on sign-flipped ones (equivariant when w_basic = 0)', () => {
    const P = pseudoscalar(Z2);
    const rep = directSum(hiddenRep(Z2, 4), P, trivial(Z2));
    const act = new RppActivation(rep, { basic: false });
    assert.equal(act.kind, 'mixed');
    const x = tf.tensor2d([[0.5, -1, 2, 0.3, -0.7, 1.5]]);
    const y = tf.tidy(() => act.apply(x).dataSync());
    const sw = (v: number): number => v / (1 + Math.exp(-v));
    const expect = [sw(0.5), sw(-1), sw(2), sw(0.3), Math.tanh(-0.7), sw(1.5)];
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(y[i] - expect[i]) < 1e-6);
    assert.ok(relativeEquivarianceError((z) => act.apply(z), rep, rep, tf.randomNormal([16, 6], 0, 1, 'float32', 1) as tf.Tensor2D) < 1e-6);
    assert.equal(new RppActivation(hiddenRep(Z4, 8)).kind, 'swish');
    assert.equal(new RppActivation(hiddenRep(Z4, 8), { activation: 'relu' }).kind, 'relu');
    assert.throws(() => new RppActivation(rep, { activation: 'relu' }), /relu is not odd/);
    act.dispose();
    x.dispose();
  });
});

describe('relativeEquivarianceError', () => {
  it('matches a hand computation for a linear map that breaks the symmetry', () => {
    // Z2 swap on 2 channels in, identity-rep (trivial) out; f(x) = x0 (not invariant under the swap).
    const repIn = fromMaps(Z2, [[1, 1], [0, 1]]);
    const repOut = trivial(Z2);
    const x = tf.tensor2d([[1, 2], [3, -1]]);
    const f = (z: tf.Tensor2D): tf.Tensor2D => tf.slice(z, [0, 0], [-1, 1]);
    // f(gx) - f(x) = [2-1, -1-3] = [1, -4]; ||.|| = sqrt(17); ||f(x)|| = sqrt(10).
    const err = relativeEquivarianceError(f, repIn, repOut, x);
    assert.ok(Math.abs(err - Math.sqrt(17 / 10)) < 1e-6);
    x.dispose();
  });
});
