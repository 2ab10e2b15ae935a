/**
 * 'core': forward+backward cost of an RPP MLP against a plain MLP of the same
 * width (obs 17 -> 256 -> 256 -> 6, batch 256, Walker2d mirror reps): the
 * overhead of projecting every layer's weights. Target: rpp / plain <= 1.2.
 *
 * 'rpp' is the paper's RPP MLP (swish); 'rpp_relu' the same with the relu option,
 * which isolates the projection overhead from the activation's cost.
 *
 * Two timings per network, interleaved round by round so machine noise hits all
 * networks alike (medians over REPS rounds; wall time, and process CPU time under
 * `cpu`, which other load disturbs less):
 * - fwd_bwd: tf.variableGrads of a scalar loss with unchanged weights (the
 *   spec'd measurement). RppLinear caches its projected weights while its
 *   variables are unchanged, so here the forward projection is skipped.
 * - train_step: the same plus an SGD update of every variable, as in training:
 *   every step then re-projects (and every network re-packs its new weights).
 * Repeated with tfjs's built-in BatchMatMul gradient (transposed matmuls). The
 * library networks have hand-written backward passes (no BatchMatMul gradient
 * involved), so the comparison that shows what the fast gradient buys is
 * 'plain_relu_autodiff': the same MLP written with tf.matMul + add + relu and
 * differentiated by tfjs. Kernel counts of one fwd_bwd step are reported too.
 */
import * as tf from '@tensorflow/tfjs';
import { walker2dExactMirrorAct, walker2dExactMirrorObs } from '../../envs/symmetry-maps.js';
import { fromMaps, Z2 } from '../../src/equivariance/index.js';
import { useBuiltinMatMulGradient, useFastMatMulGradient } from '../../src/fast-matmul-grad.js';
import { mlp, rppMlp, type Mlp, type Network } from '../../src/nn/index.js';
import { median, timeOnce } from '../bench-util.js';

export const name = 'core';

const BATCH = 256;
const HIDDEN = [256, 256];
const REPS = Number(process.env.RPP_SAC_BENCH_REPS ?? 40);

interface Case {
  label: string;
  net: Network;
}

/** The plain MLP's parameters, applied with autodiff-only ops (exercises the BatchMatMul gradient). */
function autodiffView(net: Mlp): Network {
  return {
    inDim: net.inDim,
    outDims: net.outDims,
    variables: net.variables,
    apply: (x: tf.Tensor2D) =>
      tf.tidy(() => {
        let h: tf.Tensor2D = x;
        for (const l of net.trunk) h = tf.relu(tf.add(tf.matMul(h, l.w), l.b)) as tf.Tensor2D;
        return net.heads.map((l) => tf.add(tf.matMul(h, l.w), l.b) as tf.Tensor2D);
      }),
    paramGroups: () => net.paramGroups(),
    penalty: (e: number, b: number) => net.penalty(e, b),
    dispose: () => undefined,
  };
}

function lossGrads(net: Network, x: tf.Tensor2D): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  return tf.variableGrads(() => tf.sum(tf.square(net.apply(x)[0])) as tf.Scalar, net.variables as tf.Variable[]);
}

function fwdBwd(net: Network, x: tf.Tensor2D): void {
  const { value, grads } = lossGrads(net, x);
  value.dataSync();
  tf.dispose([value, grads]);
}

function trainStep(net: Network, x: tf.Tensor2D, opt: tf.Optimizer): void {
  const { value, grads } = lossGrads(net, x);
  opt.applyGradients(grads);
  value.dataSync();
  tf.dispose([value, grads]);
}

async function kernelCount(net: Network, x: tf.Tensor2D): Promise<number> {
  const info = await tf.profile(() => fwdBwd(net, x));
  return info.kernels.length;
}

/** Medians of wall and process-CPU milliseconds per case. CPU time is the steadier number
 * when other processes compete for the cores (wasm runs on one thread here). */
function timeRounds(cases: Case[], fn: (c: Case) => void): { wall: Record<string, number>; cpu: Record<string, number> } {
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  for (const c of cases) {
    wall[c.label] = [];
    cpu[c.label] = [];
    for (let i = 0; i < 3; i++) fn(c);
  }
  for (let r = 0; r < REPS; r++) {
    for (const c of cases) {
      const t = timeOnce(() => fn(c));
      wall[c.label].push(t.wall);
      cpu[c.label].push(t.cpu);
    }
  }
  const med = (m: Record<string, number[]>): Record<string, number> => Object.fromEntries(cases.map((c) => [c.label, median(m[c.label])]));
  return { wall: med(wall), cpu: med(cpu) };
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

export async function run(): Promise<Record<string, unknown>> {
  const repIn = fromMaps(Z2, walker2dExactMirrorObs, 'walker-obs');
  const repOut = fromMaps(Z2, walker2dExactMirrorAct, 'walker-act');
  const plainRelu = mlp({ inDim: 17, outDims: [6], hidden: HIDDEN, seed: 1 });
  const autodiffNet = mlp({ inDim: 17, outDims: [6], hidden: HIDDEN, seed: 1 });
  const cases: Case[] = [
    { label: 'plain_relu', net: plainRelu },
    { label: 'plain_relu_autodiff', net: autodiffView(autodiffNet) },
    { label: 'plain_swish', net: mlp({ inDim: 17, outDims: [6], hidden: HIDDEN, activation: 'swish', seed: 1 }) },
    { label: 'rpp', net: rppMlp({ repIn, repsOut: [repOut], hidden: HIDDEN, seed: 1 }) },
    { label: 'rpp_relu', net: rppMlp({ repIn, repsOut: [repOut], hidden: HIDDEN, activation: 'relu', seed: 1 }) },
    { label: 'emlp', net: rppMlp({ repIn, repsOut: [repOut], hidden: HIDDEN, basic: false, seed: 1 }) },
  ];
  const x = tf.randomNormal([BATCH, 17], 0, 1, 'float32', 7) as tf.Tensor2D;
  // A tiny learning rate keeps the weights (and timings) stable while still changing every variable.
  const opts = new Map(cases.map((c) => [c.label, tf.train.sgd(1e-9)]));
  const out: Record<string, unknown> = { batch: BATCH, hidden: HIDDEN, reps: REPS, backend: tf.getBackend(), target_ratio: 1.2 };

  for (const grad of ['fast', 'builtin'] as const) {
    if (grad === 'builtin') useBuiltinMatMulGradient();
    else useFastMatMulGradient();
    const fb = timeRounds(cases, (c) => fwdBwd(c.net, x));
    const ts = timeRounds(cases, (c) => trainStep(c.net, x, opts.get(c.label)!));
    const summary = (ms: Record<string, number>): Record<string, number> => ({
      ...Object.fromEntries(Object.entries(ms).map(([k, v]) => [`${k}_ms`, round3(v)])),
      ratio_rpp_over_plain_relu: round3(ms.rpp / ms.plain_relu),
      ratio_rpp_over_plain_swish: round3(ms.rpp / ms.plain_swish),
      ratio_emlp_over_plain_relu: round3(ms.emlp / ms.plain_relu),
      ratio_rpp_relu_over_plain_relu: round3(ms.rpp_relu / ms.plain_relu),
    });
    out[`${grad}_grad`] = { fwd_bwd: summary(fb.wall), train_step: summary(ts.wall), cpu: { fwd_bwd: summary(fb.cpu), train_step: summary(ts.cpu) } };
  }
  useFastMatMulGradient();
  const fast = out.fast_grad as Record<string, Record<string, number>>;
  const builtin = out.builtin_grad as Record<string, Record<string, number>>;
  out.fast_gradient_speedup = {
    plain_relu_autodiff_fwd_bwd: round3(builtin.fwd_bwd.plain_relu_autodiff_ms / fast.fwd_bwd.plain_relu_autodiff_ms),
    plain_relu_autodiff_train_step: round3(builtin.train_step.plain_relu_autodiff_ms / fast.train_step.plain_relu_autodiff_ms),
  };
  out.hand_written_backward_speedup_over_autodiff_fast_grad = round3(fast.fwd_bwd.plain_relu_autodiff_ms / fast.fwd_bwd.plain_relu_ms);
  const counts: Record<string, number> = {};
  for (const c of cases) counts[c.label] = await kernelCount(c.net, x);
  out.kernels_per_fwd_bwd = counts;
  out.meets_target_fwd_bwd = fast.fwd_bwd.ratio_rpp_over_plain_relu <= 1.2;
  out.meets_target_train_step = fast.train_step.ratio_rpp_over_plain_relu <= 1.2;
  out.rpp_relu_meets_target_fwd_bwd = fast.fwd_bwd.ratio_rpp_relu_over_plain_relu <= 1.2;
  // The same ratio from process CPU time (less disturbed by other load; informational).
  out.meets_target_fwd_bwd_cpu = (fast.cpu as unknown as Record<string, Record<string, number>>).fwd_bwd.ratio_rpp_over_plain_relu <= 1.2;
  for (const c of cases) c.net.dispose();
  autodiffNet.dispose();
  for (const o of opts.values()) o.dispose();
  x.dispose();
  return out;
}
