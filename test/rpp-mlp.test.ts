/**
 * The RPP MLP as a Network: exact equivariance with the residual pathway zeroed
 * (Walker2d mirror, Ant exact mirror 105 -> 8, Ant Z4 paper map),
 * measurable symmetry breaking with it on, penalties, gradients, leaks, seeds.
 */
import { before, describe, it } from 'node:test';
import { useHostKernels } from '../src/kernels/host-kernel.js';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { Z2, Z4, fromMaps, unsignedRep, type Rep } from '../src/equivariance/index.js';
import { rppMlp, relativeEquivarianceError, type Network } from '../src/nn/index.js';
import {
  walker2dExactMirrorObs, walker2dExactMirrorAct, antExactMirrorObs, antExactMirrorAct, antPaperObs, antPaperAct,
} from '../envs/symmetry-maps.js';
import { relErr } from './numeric-helpers.js';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

function zeroBasic(net: Network): void {
  tf.tidy(() => {
    for (const v of net.paramGroups().basic) v.assign(tf.zerosLike(v));
  });
}

/** Give b_equiv nonzero values so the bias pathway is exercised too. */
function randomiseEquivBiases(net: Network, seed: number): void {
  tf.tidy(() => {
    net.paramGroups().equiv.filter((v) => v.rank === 1).forEach((v, i) => v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', seed + i)));
  });
}

const envs: Array<{ name: string; repIn: Rep; repOut: Rep; hidden: number[] }> = [
  { name: 'Walker2d exact mirror (Z2, 17 -> 6)', repIn: fromMaps(Z2, walker2dExactMirrorObs), repOut: fromMaps(Z2, walker2dExactMirrorAct), hidden: [256, 256] },
  { name: 'Ant exact mirror (Z2, 105 -> 8)', repIn: fromMaps(Z2, antExactMirrorObs), repOut: fromMaps(Z2, antExactMirrorAct), hidden: [64, 64] },
  { name: 'Ant paper leg cycle (Z4, 105 -> 8)', repIn: fromMaps(Z4, antPaperObs), repOut: fromMaps(Z4, antPaperAct), hidden: [64, 64] },
];

for (const { name, repIn, repOut, hidden } of envs) {
  describe(`rppMlp: ${name}`, () => {
    it('is equivariant (<= 1e-5) with the basic pathway zeroed, and measurably not with it on', () => {
      // An actor: mean head in the action rep, pre-std head in the unsigned action rep |rho_act|
      // (a std moves with its actuator and is never negated).
      const std = unsignedRep(repOut);
      const net = rppMlp({ repIn, repsOut: [repOut, std], hidden, headInitScale: [1, 1], seed: 5 });
      assert.deepEqual(net.outDims, [repOut.dim, repOut.dim]);
      randomiseEquivBiases(net, 100);
      const x = tf.randomNormal([64, repIn.dim], 0, 1, 'float32', 11) as tf.Tensor2D;
      const mean = (z: tf.Tensor2D): tf.Tensor2D => net.apply(z)[0];
      const preStd = (z: tf.Tensor2D): tf.Tensor2D => net.apply(z)[1];
      const withBasic = relativeEquivarianceError(mean, repIn, repOut, x);
      assert.ok(withBasic > 1e-4, `basic pathway on: error ${withBasic} should be measurably nonzero`);
      zeroBasic(net);
      const errMean = relativeEquivarianceError(mean, repIn, repOut, x);
      const errStd = relativeEquivarianceError(preStd, repIn, std, x);
      assert.ok(errMean <= 1e-5, `mean head error ${errMean}`);
      assert.ok(errStd <= 1e-5, `std head error ${errStd}`);
      x.dispose();
      net.dispose();
    });

    it('the relu option is equivariant too with the basic pathway zeroed', () => {
      const net = rppMlp({ repIn, repsOut: [repOut], hidden: [32, 32], activation: 'relu', seed: 7 });
      randomiseEquivBiases(net, 300);
      zeroBasic(net);
      const x = tf.randomNormal([32, repIn.dim], 0, 1, 'float32', 14) as tf.Tensor2D;
      const err = relativeEquivarianceError((z) => net.apply(z)[0], repIn, repOut, x);
      assert.ok(err <= 1e-5, `relu RPP error ${err}`);
      x.dispose();
      net.dispose();
    });

    it('basic: false (EMLP) is equivariant at init and has no basic parameters', () => {
      const net = rppMlp({ repIn, repsOut: [repOut], hidden, basic: false, seed: 6 });
      assert.equal(net.paramGroups().basic.length, 0);
      randomiseEquivBiases(net, 200);
      const x = tf.randomNormal([32, repIn.dim], 0, 1, 'float32', 12) as tf.Tensor2D;
      const err = relativeEquivarianceError((z) => net.apply(z)[0], repIn, repOut, x);
      assert.ok(err <= 1e-5, `EMLP error ${err}`);
      x.dispose();
      net.dispose();
    });
  });
}

describe('rppMlp parameters, penalty, gradients, memory', () => {
  const repIn = fromMaps(Z2, walker2dExactMirrorObs);
  const repOut = fromMaps(Z2, walker2dExactMirrorAct);

  it('groups parameters by pathway and the penalty matches a hand computation', () => {
    const net = rppMlp({ repIn, repsOut: [repOut, repOut], hidden: [32, 32], seed: 1 });
    const g = net.paramGroups();
    // 2 trunk layers + 2 heads, each with w_equiv and b_equiv; basic: w_basic, b_basic per layer + 2 activation scales.
    assert.equal(g.equiv.length, 8);
    assert.equal(g.basic.length, 10);
    assert.equal(g.other.length, 0);
    assert.equal(net.variables.length, 18);
    assert.equal(new Set([...g.equiv, ...g.basic]).size, net.variables.length);
    const sumSq = (vs: tf.Variable[]): number => vs.reduce((s, v) => s + Array.from(v.dataSync()).reduce((a, u) => a + u * u, 0), 0);
    const expected = 0.3 * sumSq(g.equiv) + 7 * sumSq(g.basic);
    const got = tf.tidy(() => net.penalty(0.3, 7).dataSync()[0]);
    assert.ok(Math.abs(got - expected) <= 1e-5 * expected, `penalty ${got} vs ${expected}`);
    assert.equal(tf.tidy(() => net.penalty(0, 0).dataSync()[0]), 0);
    assert.throws(() => net.penalty(-1, 0), /must be finite and >= 0/);
    net.dispose();
  });

  for (const [activation, hostKernels] of [['swish', true], ['relu', true], ['swish', false]] as const) {
    it(`${activation}${hostKernels ? '' : ', tf-op projections'}: outputs and every gradient equal builtin-op autodiff of the unfolded network (<= 1e-4)`, (t) => {
      useHostKernels(hostKernels);
      t.after(() => useHostKernels(true));
      // The network folds each activation's (1 + w_basic) into the next layer's weight
      // (and relu into the matmul); the reference applies the blocks literally.
      const net = rppMlp({ repIn, repsOut: [repOut, repOut], hidden: [16, 16], activation, seed: 5 });
      tf.tidy(() => {
        for (const [i, v] of net.paramGroups().basic.entries()) v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 60 + i));
      });
      randomiseEquivBiases(net, 70);
      const x = tf.randomNormal([32, 17], 0, 1, 'float32', 14) as tf.Tensor2D;
      const r = [0, 1].map((k) => tf.randomNormal([32, repOut.dim], 0, 1, 'float32', 80 + k));
      const loss = (outs: tf.Tensor[]): tf.Scalar => tf.addN(outs.map((o, k) => tf.sum(tf.mul(o, r[k])))) as tf.Scalar;
      const reference = (): tf.Scalar => {
        let h: tf.Tensor = x;
        for (const b of net.trunk) {
          const { w, b: bias } = b.linear.effective();
          const z = tf.add(tf.matMul(h, w), bias);
          const a = activation === 'relu' ? tf.relu(z) : tf.mul(z, tf.sigmoid(z));
          h = tf.mul(a, tf.add(1, b.activation.wBasic!));
        }
        return loss(net.heads.map((head) => {
          const { w, b } = head.effective();
          return tf.add(tf.matMul(h, w), b);
        }));
      };
      const vars = net.variables as tf.Variable[];
      const ref = tf.variableGrads(reference, vars);
      const ours = tf.variableGrads(() => loss(net.apply(x)), vars);
      assert.ok(Math.abs(ours.value.dataSync()[0] - ref.value.dataSync()[0]) <= 1e-5 * Math.abs(ref.value.dataSync()[0]));
      for (const v of vars) {
        const err = relErr(ours.grads[v.name].dataSync(), ref.grads[v.name].dataSync());
        assert.ok(err < 1e-4, `gradient of [${v.shape}] off by ${err}`);
      }
      tf.dispose([ref.value, ref.grads, ours.value, ours.grads, x, r]);
      net.dispose();
    });
  }

  it('all four parameter groups get nonzero gradients, and memory stays flat', () => {
    const net = rppMlp({ repIn, repsOut: [repOut], hidden: [64, 64], seed: 2 });
    const x = tf.randomNormal([16, 17], 0, 1, 'float32', 3) as tf.Tensor2D;
    const step = (): Record<string, Float32Array> => {
      const { value, grads } = tf.variableGrads(
        () => tf.add(tf.sum(tf.square(net.apply(x)[0])), net.penalty(1e-3, 1e-3)) as tf.Scalar,
        net.variables as tf.Variable[],
      );
      const out: Record<string, Float32Array> = {};
      for (const [k, t] of Object.entries(grads)) out[k] = t.dataSync() as Float32Array;
      tf.dispose([value, grads]);
      return out;
    };
    step();
    const before = tf.memory().numTensors;
    let grads: Record<string, Float32Array> = {};
    for (let i = 0; i < 3; i++) grads = step();
    assert.equal(tf.memory().numTensors, before, 'no tensor leak across forward+backward');
    const layer0 = (net.trunk[0].linear);
    for (const [label, v] of [['w_equiv', layer0.wEquiv], ['w_basic', layer0.wBasic!], ['b_equiv', layer0.bEquiv], ['b_basic', layer0.bBasic!], ['activation w_basic', net.trunk[0].activation.wBasic!]] as const) {
      assert.ok(grads[v.name].some((u) => Math.abs(u) > 1e-7), `${label} has a zero gradient`);
    }
    for (const v of net.variables) assert.ok(grads[v.name].some((u) => u !== 0), `variable [${v.shape}] has an all-zero gradient`);
    x.dispose();
    net.dispose();
  });

  it('paramGrads: false gives the same outputs and input gradients (critic inside the actor loss)', () => {
    const net = rppMlp({ repIn, repsOut: [repOut], hidden: [32, 32], seed: 8 });
    tf.tidy(() => net.paramGroups().basic.forEach((v, i) => v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', 50 + i))));
    const x = tf.randomNormal([8, 17], 0, 1, 'float32', 13);
    const run = (paramGrads: boolean): [Float32Array, Float32Array] =>
      tf.tidy(() => {
        const f = (z: tf.Tensor): tf.Tensor => tf.sum(tf.square(net.apply(z as tf.Tensor2D, { paramGrads })[0]));
        return [f(x).dataSync() as Float32Array, tf.grad(f)(x).dataSync() as Float32Array];
      });
    const [v1, g1] = run(true);
    const before = tf.memory().numTensors;
    const [v2, g2] = run(false);
    assert.equal(tf.memory().numTensors, before);
    assert.ok(Math.abs(v1[0] - v2[0]) <= 1e-5 * Math.abs(v1[0]));
    g1.forEach((u, i) => assert.ok(Math.abs(u - g2[i]) <= 1e-5 * (1 + Math.abs(u))));
    x.dispose();
    net.dispose();
  });

  it('seeds make the init reproducible, head init scale shrinks the head', () => {
    const a = rppMlp({ repIn, repsOut: [repOut], hidden: [16], seed: 42 });
    const b = rppMlp({ repIn, repsOut: [repOut], hidden: [16], seed: 42 });
    const c = rppMlp({ repIn, repsOut: [repOut], hidden: [16], seed: 43 });
    const small = rppMlp({ repIn, repsOut: [repOut], hidden: [16], seed: 42, headInitScale: [0.01] });
    a.variables.forEach((v, i) => assert.deepEqual(v.dataSync(), b.variables[i].dataSync()));
    assert.notDeepEqual(a.variables[0].dataSync(), c.variables[0].dataSync());
    const rms = (v: tf.Variable): number => Math.sqrt(Array.from(v.dataSync()).reduce((s, u) => s + u * u, 0) / v.size);
    const ratio = rms(small.heads[0].wEquiv) / rms(a.heads[0].wEquiv);
    assert.ok(Math.abs(ratio - 0.01) < 1e-6, `head scale ratio ${ratio}`);
    for (const n of [a, b, c, small]) n.dispose();
    assert.throws(() => rppMlp({ repIn, repsOut: [repOut], hidden: [16], headInitScale: [1, 1] }), /headInitScale has 2 entries/);
    assert.throws(() => rppMlp({ repIn, repsOut: [fromMaps(Z4, antPaperAct)], hidden: [16] }), /not a rep of Z2/);
  });
});
