/**
 * 'core': forward+backward cost of an RPP MLP against a plain MLP of the same
 * width (obs 17 -> 256 -> 256 -> 6, batch 256, Walker2d mirror reps): the
 * overhead of projecting every layer's weights in each forward pass. Target:
 * rpp / plain <= 1.2. Also measured with tfjs's built-in BatchMatMul gradient
 * (transposed matmuls) to show what the fast gradient buys, and the kernel
 * counts of one step (dispatch overhead matters on wasm).
 */
import * as tf from '@tensorflow/tfjs';
import { walker2dExactMirrorAct, walker2dExactMirrorObs } from '../../envs/symmetry-maps.js';
import { fromMaps, Z2 } from '../../src/equivariance/index.js';
import { useBuiltinMatMulGradient, useFastMatMulGradient } from '../../src/fast-matmul-grad.js';
import { mlp, rppMlp, type Network } from '../../src/nn/index.js';
import { median, timeIt } from '../bench-util.js';

export const name = 'core';

const BATCH = 256;
const HIDDEN = [256, 256];
const REPS = 30;

interface Case {
  label: string;
  net: Network;
}

function step(net: Network, x: tf.Tensor2D): void {
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(net.apply(x)[0])) as tf.Scalar, net.variables as tf.Variable[]);
  value.dataSync();
  value.dispose();
  tf.dispose(grads);
}

async function kernelCount(net: Network, x: tf.Tensor2D): Promise<{ kernels: number; byName: Record<string, number> }> {
  const info = await tf.profile(() => step(net, x));
  const byName: Record<string, number> = {};
  for (const k of info.kernels) byName[k.name] = (byName[k.name] ?? 0) + 1;
  return { kernels: info.kernels.length, byName };
}

export async function run(): Promise<Record<string, unknown>> {
  const repIn = fromMaps(Z2, walker2dExactMirrorObs, 'walker-obs');
  const repOut = fromMaps(Z2, walker2dExactMirrorAct, 'walker-act');

  const cases: Case[] = [
    { label: 'plain_relu', net: mlp({ inDim: 17, outDims: [6], hidden: HIDDEN, seed: 1 }) },
    { label: 'plain_swish', net: mlp({ inDim: 17, outDims: [6], hidden: HIDDEN, activation: 'swish', seed: 1 }) },
    { label: 'rpp', net: rppMlp({ repIn, repsOut: [repOut], hidden: HIDDEN, seed: 1 }) },
    { label: 'emlp', net: rppMlp({ repIn, repsOut: [repOut], hidden: HIDDEN, basic: false, seed: 1 }) },
  ];
  const x = tf.randomNormal([BATCH, 17], 0, 1, 'float32', 7) as tf.Tensor2D;
  const out: Record<string, unknown> = { batch: BATCH, hidden: HIDDEN, reps: REPS, backend: tf.getBackend() };

  for (const grad of ['fast', 'builtin'] as const) {
    if (grad === 'builtin') useBuiltinMatMulGradient();
    else useFastMatMulGradient();
    const ms: Record<string, number> = {};
    // Interleave the cases round by round so machine noise hits them alike.
    const samples: Record<string, number[]> = {};
    for (const c of cases) {
      samples[c.label] = [];
      await timeIt(() => step(c.net, x), 0, 3);
    }
    for (let r = 0; r < REPS; r++) {
      for (const c of cases) samples[c.label].push(...(await timeIt(() => step(c.net, x), 1, 0)));
    }
    for (const c of cases) ms[c.label] = median(samples[c.label]);
    out[`${grad}_grad_ms`] = ms;
    out[`${grad}_ratio_rpp_over_plain_relu`] = ms.rpp / ms.plain_relu;
    out[`${grad}_ratio_rpp_over_plain_swish`] = ms.rpp / ms.plain_swish;
  }
  useFastMatMulGradient();
  const fast = out.fast_grad_ms as Record<string, number>;
  const builtin = out.builtin_grad_ms as Record<string, number>;
  out.fast_gradient_speedup = { plain_relu: builtin.plain_relu / fast.plain_relu, rpp: builtin.rpp / fast.rpp };
  const counts: Record<string, unknown> = {};
  for (const c of cases) counts[c.label] = await kernelCount(c.net, x);
  out.kernels_per_step = counts;
  out.target_ratio = 1.2;
  out.meets_target = (out.fast_ratio_rpp_over_plain_relu as number) <= 1.2;
  for (const c of cases) c.net.dispose();
  x.dispose();
  return out;
}
