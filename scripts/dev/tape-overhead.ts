/**
 * How much of a network's forward + backward is the gradient tape's bookkeeping? One SAC
 * critic (23 -> 256 -> 256 -> 1, relu, batch 256) and its MSE loss, differentiated two ways
 * with the same kernels:
 *   tape:   tf.variableGrads over Mlp.apply (the training path: customGrad dense ops)
 *   manual: the same fused forward kernels and hand-written backward kernels called in
 *           order under one tidy, no tape
 *   oneNode: the manual forward and backward as one tf.customGrad under variableGrads (the
 *           whole network one tape node; the loss's few ops stay on the tape)
 * The three are interleaved rep by rep so that machine load hits them alike; it prints the
 * medians and the paired tape - manual difference, and checks that all give the same gradients.
 *   node --import tsx scripts/dev/tape-overhead.ts [reps]
 *
 * Measured 2026-12-06, beside a 2-run sweep on 2 cores (so every time about 2x an idle one),
 * medians of 600 reps: tape 3.32 ms, oneNode 3.23, manual 2.91 (gradients agree to 2.3e-7).
 * Folding 3 layer nodes into 1 saves 0.08 ms, ~0.04 ms per node; the rest of manual's lead
 * is variableGrads' fixed cost and the unfused loss's ops, which the real update already
 * fuses into one kernel per loss. So a tape-free SAC update (~27 layer nodes, 2 variableGrads)
 * would save about 0.5 ms of an idle 16.5 ms update: not the lever issue #15 needs.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.js';
import { Mlp } from '../../src/nn/mlp.js';
import { fusedDense, inputGrad, weightGrads } from '../../src/nn/dense.js';
import { reluGrad } from '../../src/nn/relu-grad-kernel.js';
import { Rng } from '../../src/random.js';

const reps = Number(process.argv[2] ?? 300);
await initBackend({});
const B = 256;
const net = new Mlp({ inDim: 23, outDims: [1], hidden: [256, 256], seed: 1 });
const rng = new Rng(2);
const x = tf.tensor2d(Float32Array.from({ length: B * 23 }, () => rng.normal()), [B, 23]);
const y = tf.tensor2d(Float32Array.from({ length: B }, () => rng.normal()), [B, 1]);
const vars = net.variables as tf.Variable[];

function tape(): tf.Tensor[] {
  const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(net.apply(x)[0], y))) as tf.Scalar, vars);
  return vars.map((v) => grads[v.name]);
}

function manual(): tf.Tensor[] {
  return tf.tidy(() => {
    const [l1, l2] = net.trunk;
    const head = net.heads[0];
    const h1 = fusedDense(x, l1.w as tf.Tensor2D, l1.b as tf.Tensor1D, true);
    const h2 = fusedDense(h1, l2.w as tf.Tensor2D, l2.b as tf.Tensor1D, true);
    const q = fusedDense(h2, head.w as tf.Tensor2D, head.b as tf.Tensor1D, false);
    const dq = tf.mul(tf.sub(q, y), 2 / B) as tf.Tensor2D;
    const g3 = weightGrads(h2, dq);
    const dz2 = reluGrad(inputGrad(dq, head.w as tf.Tensor2D, head.wT), h2) as tf.Tensor2D;
    const g2 = weightGrads(h1, dz2);
    const dz1 = reluGrad(inputGrad(dz2, l2.w as tf.Tensor2D, l2.wT), h1) as tf.Tensor2D;
    const g1 = weightGrads(x, dz1);
    return [g1.dW, g1.db, g2.dW, g2.db, g3.dW, g3.db];
  });
}

/** The whole network as one tape node: the manual forward and backward inside a tf.customGrad. */
const wholeNet = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [xi, w1, b1, w2, b2, w3, b3] = args as tf.Tensor[];
  const save = args[args.length - 1] as tf.GradSaveFunc;
  const h1 = fusedDense(xi as tf.Tensor2D, w1 as tf.Tensor2D, b1 as tf.Tensor1D, true);
  const h2 = fusedDense(h1, w2 as tf.Tensor2D, b2 as tf.Tensor1D, true);
  const q = fusedDense(h2, w3 as tf.Tensor2D, b3 as tf.Tensor1D, false);
  save([xi, h1, h2]);
  return {
    value: q,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], sv: tf.Tensor[]) => {
      const [xs, s1, s2] = sv as tf.Tensor2D[];
      const dq = dy as tf.Tensor2D;
      const [l1, l2] = net.trunk;
      const head = net.heads[0];
      const g3 = weightGrads(s2, dq);
      const dz2 = reluGrad(inputGrad(dq, w3 as tf.Tensor2D, head.wT), s2) as tf.Tensor2D;
      const g2 = weightGrads(s1, dz2);
      const dz1 = reluGrad(inputGrad(dz2, w2 as tf.Tensor2D, l2.wT), s1) as tf.Tensor2D;
      const g1 = weightGrads(xs, dz1);
      void l1;
      return [tf.zerosLike(xs), g1.dW, g1.db, g2.dW, g2.db, g3.dW, g3.db];
    },
  };
}) as (...xs: tf.Tensor[]) => tf.Tensor2D;

function oneNode(): tf.Tensor[] {
  const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(wholeNet(x, ...vars), y))) as tf.Scalar, vars);
  return vars.map((v) => grads[v.name]);
}

// Same gradients?
const a = tape();
const b = manual();
let maxRel = 0;
a.forEach((t, i) => {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(t, b[i]))).dataSync()[0] / Math.max(1e-12, tf.max(tf.abs(t)).dataSync()[0]));
  maxRel = Math.max(maxRel, d);
});
[...a, ...b].forEach((t) => t.dispose());

const c = oneNode();
const m2 = manual();
c.forEach((t, i) => {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(t, m2[i]))).dataSync()[0] / Math.max(1e-12, tf.max(tf.abs(t)).dataSync()[0]));
  maxRel = Math.max(maxRel, d);
});
[...c, ...m2].forEach((t) => t.dispose());

const times: Record<'tape' | 'manual' | 'oneNode', number[]> = { tape: [], manual: [], oneNode: [] };
const time = (fn: () => tf.Tensor[]): number => {
  const t0 = performance.now();
  const gs = fn();
  gs[0].dataSync(); // wasm runs synchronously; the read only fences the timing
  const dt = performance.now() - t0;
  gs.forEach((g) => g.dispose());
  return dt;
};
for (let i = 0; i < 30; i++) [tape, manual, oneNode].forEach((f) => time(f)); // warm-up
for (let r = 0; r < reps; r++) {
  times.tape.push(time(tape));
  times.manual.push(time(manual));
  times.oneNode.push(time(oneNode));
}
const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[xs.length >> 1];
const mt = median(times.tape);
const mm = median(times.manual);
const diffs = times.tape.map((t, i) => t - times.manual[i]);
process.stdout.write(
  `${JSON.stringify({ reps, tapeMs: +mt.toFixed(3), manualMs: +mm.toFixed(3), oneNodeMs: +median(times.oneNode).toFixed(3), pairedDiffMedianMs: +median(diffs).toFixed(3), ratio: +(mt / mm).toFixed(3), maxRelGradDiff: maxRel })}\n`,
);
