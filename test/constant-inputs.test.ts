/**
 * ApplyOptions.constantInputs: the layer that reads the input skips the gradient of
 * its first n columns. Checked on plain and RPP MLPs (the RPP layer with a folded
 * residual scale in its second layer), on our matmul kernels and on the XNNPACK path,
 * with and without parameter gradients: the input gradient equals the full one in the
 * live columns (1e-6 relative: the live columns are the same sums, only the output is
 * written in place of a wider one) and is exactly zero in the constant ones, and every
 * parameter gradient is bitwise the one computed without the option.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { useOwnMatmul, type OwnMatmulMode } from '../src/kernels/own-matmul.js';
import { Z2, directSum, fromMaps, trivial } from '../src/equivariance/index.js';
import { Mlp } from '../src/nn/mlp.js';
import { rppMlp, type Network } from '../src/nn/index.js';
import { walker2dExactMirrorAct, walker2dExactMirrorObs } from '../envs/symmetry-maps.js';
import { relErr, uniform } from './numeric-helpers.js';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

after(() => {
  useOwnMatmul('auto');
});

const OBS = 17;
const ACT = 6;
const IN = OBS + ACT;
const BATCH = 64;

interface Grads {
  dx: Float32Array;
  params: Float32Array[];
}

/** The input gradient and (paramGrads) every parameter gradient of sum(Q * r). */
function grads(net: Network, x: tf.Tensor2D, r: tf.Tensor2D, paramGrads: boolean, constantInputs: number | undefined): Grads {
  return tf.tidy(() => {
    const opts = { paramGrads, ...(constantInputs === undefined ? {} : { constantInputs }) };
    const loss = (xi: tf.Tensor): tf.Scalar => tf.sum(tf.mul(net.apply(xi as tf.Tensor2D, opts)[0], r));
    const dx = tf.grad(loss)(x).dataSync() as Float32Array;
    if (!paramGrads) return { dx, params: [] };
    const g = tf.variableGrads(() => loss(x), [...net.variables]);
    return { dx, params: net.variables.map((v) => g.grads[v.name].dataSync() as Float32Array) };
  });
}

const nets: Array<{ name: string; make: () => Network }> = [
  { name: 'plain MLP 23 -> 64 -> 64 -> 1 (relu)', make: () => new Mlp({ inDim: IN, outDims: [1], hidden: [64, 64], seed: 4 }) },
  {
    name: 'RPP MLP obs (+) act -> 64 -> 64 -> 1 (Walker2d mirror)',
    make: () => {
      const obs = fromMaps(Z2, walker2dExactMirrorObs);
      const act = fromMaps(Z2, walker2dExactMirrorAct);
      return rppMlp({ repIn: directSum(obs, act), repsOut: [trivial(Z2, 1)], hidden: [64, 64], basic: true, seed: 4 });
    },
  },
];

for (const mode of ['auto', 'off'] as OwnMatmulMode[]) {
  describe(`constantInputs on the ${mode === 'off' ? 'XNNPACK' : 'own-kernel'} path`, () => {
    before(() => useOwnMatmul(mode));

    for (const { name, make } of nets) {
      it(`${name}: live columns match the full gradient, constant ones are 0, parameter gradients unchanged`, () => {
        const net = make();
        const x = tf.tensor2d(uniform(BATCH * IN, 21), [BATCH, IN]);
        const r = tf.tensor2d(uniform(BATCH, 22), [BATCH, 1]);
        try {
          for (const paramGrads of [true, false]) {
            const full = grads(net, x, r, paramGrads, undefined);
            assert.ok(full.dx.some((v) => v !== 0), 'the full input gradient is not all zero');
            for (const c of [0, OBS, IN]) {
              const before = tf.memory().numTensors;
              const got = grads(net, x, r, paramGrads, c);
              assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
              for (let i = 0; i < BATCH; i++) {
                for (let j = 0; j < c; j++) assert.equal(got.dx[i * IN + j], 0, `paramGrads ${paramGrads}, constantInputs ${c}: dx[${i}, ${j}] is constant, must be 0`);
              }
              const live = (g: Float32Array): number[] => Array.from(g).filter((_, k) => k % IN >= c);
              if (c < IN) {
                const e = relErr(live(got.dx), live(full.dx));
                assert.ok(e <= 1e-6, `paramGrads ${paramGrads}, constantInputs ${c}: live columns rel err ${e}`);
              }
              assert.equal(got.params.length, full.params.length);
              got.params.forEach((p, k) => assert.deepEqual(p, full.params[k], `paramGrads ${paramGrads}, constantInputs ${c}: parameter ${k} gradient changed`));
            }
          }
        } finally {
          net.dispose();
          x.dispose();
          r.dispose();
        }
      });
    }
  });
}
