/**
 * Pure SAC math against hand computations: Bellman target, critic/actor/alpha
 * losses, Polyak update, the tanh-squashed log-prob (change of variables checked
 * numerically), Adam against a scalar reference, gradient clipping.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { Rng } from '../src/random.js';
import { actorLoss, alphaLoss, alphaLossGrad, criticLoss, criticTarget, polyakUpdate } from '../agents/losses.js';
import { drawNoise, logOneMinusTanhSq, squashedLogProb, squashedSample, stdFromHead } from '../agents/squashed-gaussian.js';
import { Adam, clipByGlobalNorm } from '../agents/adam.js';
import { l2Coefficients } from '../agents/sac.js';
import { rppMlp } from '../src/nn/index.js';
import { fromMaps, groupFromName } from '../src/equivariance/index.js';
import { hasHostKernel, useHostKernels } from '../src/kernels/host-kernel.js';
import { ADAM_KERNEL, POLYAK_KERNEL } from '../agents/optimizer-kernels.js';
import { SAMPLE_KERNEL, sampleFromHeads } from '../agents/squashed-sample-kernel.js';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

const col = (xs: number[]): tf.Tensor2D => tf.tensor2d(xs, [xs.length, 1]);
const close = (a: number, b: number, tol: number, what = ''): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tol ${tol})`);

describe('SAC losses', () => {
  it('critic target: y = r + gamma(1-d)(min(Q1,Q2) - alpha logp), no bootstrap on terminal rows', () => {
    const r = [1, -2, 0.5];
    const d = [0, 1, 0];
    const q1 = [10, 3, -1];
    const q2 = [8, 4, -2];
    const lp = [-1, 0.5, 2];
    const gamma = 0.9;
    const alpha = 0.2;
    const disc = d.map((x) => gamma * (1 - x));
    const y = criticTarget(col(r), col(disc), col(q1), col(q2), tf.scalar(alpha), col(lp)).dataSync();
    for (let i = 0; i < 3; i++) close(y[i], r[i] + disc[i] * (Math.min(q1[i], q2[i]) - alpha * lp[i]), 1e-5, `y[${i}]`);
    close(y[1], -2, 0, 'terminal row is the reward');
  });

  it('critic loss is mean((q1-y)^2 + (q2-y)^2)', () => {
    const v = criticLoss(col([1, 2]), col([0, 4]), col([1, 1])).dataSync()[0];
    close(v, ((0 + 1) + (1 + 9)) / 2, 1e-6, 'critic loss');
  });

  it('actor loss is mean(alpha logp - min(q1, q2))', () => {
    const v = actorLoss(tf.scalar(0.5), col([-1, 2]), col([3, 1]), col([2, 5])).dataSync()[0];
    close(v, ((0.5 * -1 - 2) + (0.5 * 2 - 1)) / 2, 1e-6, 'actor loss');
  });

  it('the one-kernel target and losses equal the tf-op forms, values and gradients (ties in min included)', () => {
    const q1 = [3, 1, 2, -4, 0.5];
    const q2 = [2, 5, 2, -1, 0.5];
    const lp = [-1, 2, 0.3, -0.2, 1];
    const y = [1, 1, 2.5, -3, 0];
    const run = (host: boolean): number[][] => {
      useHostKernels(host);
      try {
        return tf.tidy(() => {
          const [tq1, tq2, tlp, ty, alpha] = [col(q1), col(q2), col(lp), col(y), tf.scalar(0.4)];
          const target = criticTarget(ty, col([0.9, 0, 0.9, 0.9, 0.9]), tq1, tq2, alpha, tlp);
          const cl = tf.grads((a: tf.Tensor, b: tf.Tensor) => criticLoss(a as tf.Tensor2D, b as tf.Tensor2D, ty))([tq1, tq2]);
          const al = tf.grads((l: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => actorLoss(alpha, l as tf.Tensor2D, a as tf.Tensor2D, b as tf.Tensor2D))([tlp, tq1, tq2]);
          const values = [criticLoss(tq1, tq2, ty), actorLoss(alpha, tlp, tq1, tq2)];
          return [target, ...cl, ...al, ...values].map((t) => Array.from(t.dataSync()));
        });
      } finally {
        useHostKernels(true);
      }
    };
    const fused = run(true);
    const ops = run(false);
    fused.forEach((a, i) => a.forEach((u, j) => close(u, ops[i][j], 1e-6 * (1 + Math.abs(ops[i][j])), `output ${i}[${j}]`)));
  });

  it('alpha loss -logAlpha (mean logp + target) and its closed-form gradient', () => {
    const logAlpha = tf.scalar(Math.log(0.3));
    const mlp = tf.scalar(-0.7);
    close(alphaLoss(logAlpha, mlp, -2).dataSync()[0], -Math.log(0.3) * (-0.7 - 2), 1e-6, 'alpha loss');
    const g = tf.grad((la: tf.Tensor) => alphaLoss(la as tf.Scalar, mlp, -2))(logAlpha).dataSync()[0];
    close(g, alphaLossGrad(mlp, -2).dataSync()[0], 1e-6, 'closed form = autodiff');
    close(g, 2.7, 1e-6, 'gradient = entropy - target');
  });

  it('Polyak update moves targets by tau toward sources', () => {
    const t = tf.variable(tf.tensor1d([0, 10]));
    const s = tf.variable(tf.tensor1d([1, 0]));
    polyakUpdate([t], [s], 0.1);
    const v = t.dataSync();
    close(v[0], 0.1, 1e-6, 't0');
    close(v[1], 9, 1e-6, 't1');
    t.dispose();
    s.dispose();
  });
});

describe('tanh-squashed Gaussian', () => {
  it('log(1 - tanh(u)^2) matches the direct formula and stays finite for large |u|', () => {
    const u = [-3, -0.5, 0, 0.7, 2.5];
    const got = logOneMinusTanhSq(tf.tensor1d(u)).dataSync();
    u.forEach((x, i) => close(got[i], Math.log(1 - Math.tanh(x) ** 2), 1e-5, `u=${x}`));
    const big = logOneMinusTanhSq(tf.tensor1d([30, -30])).dataSync();
    close(big[0], 2 * (Math.LN2 - 30), 1e-3, 'u=30');
    close(big[1], 2 * (Math.LN2 - 30), 1e-3, 'u=-30');
  });

  it('sampled log-prob equals the change-of-variables density of the sampled action', () => {
    const rng = new Rng(3);
    const n = 64;
    const d = 3;
    const mean = tf.tensor2d(Array.from({ length: n * d }, () => rng.normal(0, 0.8)), [n, d]);
    const head = tf.tensor2d(Array.from({ length: n * d }, () => rng.uniform(-1.5, 0.5)), [n, d]);
    const { std, logStd } = stdFromHead(head, { stdParam: 'log-std', logStdMin: -20, logStdMax: 2 });
    const hn = drawNoise(rng, n, d);
    const { action, logProb } = squashedSample(mean, logStd, std, tf.tensor2d(hn.noise, [n, d]), tf.tensor2d(hn.logProbConst, [n, 1]));
    const ref = squashedLogProb(mean, logStd, action);
    const a = logProb.dataSync();
    const b = ref.dataSync();
    const act = action.dataSync();
    let checked = 0;
    for (let i = 0; i < n; i++) {
      // atanh loses precision near |a| = 1 in float32; compare rows away from the edge.
      if (Array.from(act.slice(i * d, (i + 1) * d)).every((x) => Math.abs(x) < 0.99)) {
        close(a[i], b[i], 2e-3, `row ${i}`);
        checked++;
      }
    }
    assert.ok(checked > 32, `enough rows checked (${checked})`);
  });

  it('the 1-D density integrates like the histogram of tanh(u) (finite-difference CDF check)', () => {
    // P(a in [a0-h, a0+h]) = P(u in [atanh(a0-h), atanh(a0+h)]), divided by 2h, vs exp(logp(a0)).
    const m = 0.4;
    const s = 0.9;
    const h = 1e-3;
    for (const a0 of [-0.8, -0.2, 0.3, 0.9]) {
      const fd = normalMass(Math.atanh(a0 - h), Math.atanh(a0 + h), m, s) / (2 * h);
      // Produce a0 through squashedSample: noise = (atanh(a0) - m)/s.
      const z = (Math.atanh(a0) - m) / s;
      const lpConst = -0.5 * z * z - 0.5 * Math.log(2 * Math.PI);
      const { action, logProb } = squashedSample(tf.tensor2d([[m]]), tf.tensor2d([[Math.log(s)]]), tf.tensor2d([[s]]), tf.tensor2d([[z]]), tf.tensor2d([[lpConst]]));
      close(action.dataSync()[0], a0, 1e-5, 'action');
      close(Math.exp(logProb.dataSync()[0]), fd, 2e-3 * Math.max(1, fd), `density at ${a0}`);
    }
  });

  it('softplus std parameterisation clips to [e^min, e^max]', () => {
    const { std, logStd } = stdFromHead(tf.tensor2d([[-50, 0, 50]]), { stdParam: 'softplus', logStdMin: -10, logStdMax: 2 });
    const v = std.dataSync();
    close(v[0], Math.exp(-10), 1e-9, 'low clip');
    close(v[1], Math.log(2), 1e-6, 'softplus(0)');
    close(v[2], Math.exp(2), 1e-4, 'high clip');
    close(logStd.dataSync()[1], Math.log(Math.log(2)), 1e-5, 'logStd');
  });
});

describe('fused policy sample (one kernel forward, one backward)', () => {
  for (const stdParam of ['log-std', 'softplus'] as const) {
    it(`${stdParam}: action, logProb and gradients (mean, head) equal the tf-op path, clips included`, () => {
      assert.ok(hasHostKernel(SAMPLE_KERNEL));
      const B = 16;
      const A = 3;
      const rng = new Rng(5);
      const noise = drawNoise(rng, B, A);
      const std = { stdParam, logStdMin: -2, logStdMax: 1 };
      // Heads from -4 to 4 cross both clip bounds (log-std: -2, 1; softplus: e^-2, e^1).
      const head = tf.tensor2d(Float32Array.from({ length: B * A }, (_, i) => -4 + (8 * i) / (B * A - 1)), [B, A]);
      const mean = tf.tensor2d(Float32Array.from({ length: B * A }, (_, i) => Math.sin(i) * 2), [B, A]);
      const wA = tf.tensor2d(Float32Array.from({ length: B * A }, (_, i) => Math.cos(3 * i)), [B, A]);
      const wL = tf.tensor2d(Float32Array.from({ length: B }, (_, i) => 0.5 - i / B), [B, 1]);
      const run = (host: boolean): Float32Array[] => {
        useHostKernels(host);
        try {
          return tf.tidy(() => {
            const f = (m: tf.Tensor, h: tf.Tensor): tf.Scalar => {
              const { action, logProb } = sampleFromHeads(m as tf.Tensor2D, h as tf.Tensor2D, std, noise);
              return tf.add(tf.sum(tf.mul(action, wA)), tf.sum(tf.mul(logProb, wL))) as tf.Scalar;
            };
            const { action, logProb } = sampleFromHeads(mean, head, std, noise);
            const [gm, gh] = tf.grads(f)([mean, head]);
            return [action, logProb, gm, gh].map((t) => t.dataSync() as Float32Array);
          });
        } finally {
          useHostKernels(true);
        }
      };
      const fused = run(true);
      const ops = run(false);
      ['action', 'logProb', 'd mean', 'd head'].forEach((label, i) =>
        fused[i].forEach((u, j) => close(u, ops[i][j], 2e-5 * (1 + Math.abs(ops[i][j])), `${label}[${j}]`)),
      );
      assert.ok(fused[3].some((u) => u === 0) && fused[3].some((u) => u !== 0), 'some heads are clipped (zero gradient), some are not');
      tf.dispose([head, mean, wA, wL]);
    });
  }
});

describe('Adam and clipping', () => {
  it('matches a scalar reference implementation over several steps', () => {
    const x = tf.variable(tf.tensor1d([1, -2]));
    const y = tf.variable(tf.tensor2d([[0.5]]));
    const opt = new Adam([x, y], { lr: 0.1 });
    const ref = { p: [1, -2, 0.5], m: [0, 0, 0], v: [0, 0, 0] };
    for (let t = 1; t <= 5; t++) {
      const g = [2 * ref.p[0], 3, ref.p[2] - 1];
      tf.tidy(() => opt.apply([tf.tensor1d([g[0], g[1]]), tf.tensor2d([[g[2]]])]));
      for (let i = 0; i < 3; i++) {
        ref.m[i] = 0.9 * ref.m[i] + 0.1 * g[i];
        ref.v[i] = 0.999 * ref.v[i] + 0.001 * g[i] * g[i];
        const mh = ref.m[i] / (1 - 0.9 ** t);
        const vh = ref.v[i] / (1 - 0.999 ** t);
        ref.p[i] -= (0.1 * mh) / (Math.sqrt(vh) + 1e-8);
      }
    }
    const px = x.dataSync();
    close(px[0], ref.p[0], 1e-5, 'x0');
    close(px[1], ref.p[1], 1e-5, 'x1');
    close(y.dataSync()[0], ref.p[2], 1e-5, 'y');
    assert.equal(opt.step, 5);
    opt.dispose();
    x.dispose();
    y.dispose();
  });

  it('an l2 coefficient c gives the same step as adding c*sum(w^2) to the loss', () => {
    const a = tf.variable(tf.tensor1d([0.5, -1.5]));
    const b = tf.variable(tf.tensor1d([0.5, -1.5]));
    const withL2 = new Adam([a], { lr: 0.05, l2: [0.3] });
    const plain = new Adam([b], { lr: 0.05 });
    for (let t = 0; t < 4; t++) {
      tf.tidy(() => withL2.apply([tf.tensor1d([1, 2])]));
      // gradient of (loss + 0.3 * sum(b^2)) = g + 0.6 b
      tf.tidy(() => plain.apply([tf.add(tf.tensor1d([1, 2]), tf.mul(0.6, b))]));
    }
    const pa = a.dataSync();
    const pb = b.dataSync();
    close(pa[0], pb[0], 1e-6, 'w0');
    close(pa[1], pb[1], 1e-6, 'w1');
    for (const x of [withL2, plain, a, b]) x.dispose();
  });

  it('decoupled decay is AdamW: w <- w (1 - lr lambda) before the step, outside clipping and Adam scaling', () => {
    const lr = 0.05;
    const lambda = [2, 0];
    const x = tf.variable(tf.tensor1d([0.5, -1.5]));
    const y = tf.variable(tf.tensor1d([3]));
    const opt = new Adam([x, y], { lr, decay: lambda, clipNorm: 0.1 });
    const ref = { p: [0.5, -1.5, 3], m: [0, 0, 0], v: [0, 0, 0] };
    const owner = [0, 0, 1];
    for (let t = 1; t <= 4; t++) {
      const g = [1, 2, -0.5];
      tf.tidy(() => opt.apply([tf.tensor1d([g[0], g[1]]), tf.tensor1d([g[2]])]));
      // Clipping sees the loss gradient only (its norm is 2.29 > 0.1).
      const norm = Math.hypot(...g);
      const s = 0.1 / Math.max(norm + 1e-6, 0.1);
      for (let i = 0; i < 3; i++) {
        ref.p[i] *= 1 - lr * lambda[owner[i]];
        const gi = g[i] * s;
        ref.m[i] = 0.9 * ref.m[i] + 0.1 * gi;
        ref.v[i] = 0.999 * ref.v[i] + 0.001 * gi * gi;
        ref.p[i] -= (lr * ref.m[i]) / (1 - 0.9 ** t) / (Math.sqrt(ref.v[i] / (1 - 0.999 ** t)) + 1e-8);
      }
    }
    const px = x.dataSync();
    close(px[0], ref.p[0], 1e-5, 'x0');
    close(px[1], ref.p[1], 1e-5, 'x1');
    close(y.dataSync()[0], ref.p[2], 1e-5, 'y (not decayed)');
    assert.throws(() => new Adam([x], { lr: 0.1, decay: [10] }), /lr \* decay must be < 1/);
    for (const z of [opt, x, y]) z.dispose();
  });

  it('l2Coefficients reproduce the network penalty (equivWd on equiv, basicWd on basic)', () => {
    const g = groupFromName('Z2');
    const net = rppMlp({ repIn: fromMaps(g, [[0, -1], [1, 1]]), repsOut: [fromMaps(g, [[0, -1]])], hidden: [6], seed: 3 });
    const coef = l2Coefficients(net, 0.01, 0.2);
    let want = 0;
    net.variables.forEach((v, i) => {
      for (const x of v.dataSync()) want += coef[i] * x * x;
    });
    close(net.penalty(0.01, 0.2).dataSync()[0], want, 1e-6 * Math.max(1, want), 'penalty');
    assert.ok(coef.includes(0.01) && coef.includes(0.2));
    net.dispose();
  });

  for (const clipNorm of [null, 0.5]) {
    it(`the one-kernel Adam step and Polyak average equal the tf-op paths (l2 on, clip ${clipNorm})`, () => {
      assert.ok(hasHostKernel(ADAM_KERNEL) && hasHostKernel(POLYAK_KERNEL), 'wasm runs the optimizer host kernels');
      const shapes = [[3, 4], [4], [4, 2], [2]];
      const run = (hostKernels: boolean): Float32Array[] => {
        useHostKernels(hostKernels);
        try {
          const vars = shapes.map((sh, i) => tf.variable(tf.randomNormal(sh, 0, 1, 'float32', 10 + i)));
          const targets = shapes.map((sh, i) => tf.variable(tf.randomNormal(sh, 0, 1, 'float32', 20 + i)));
          const opt = new Adam(vars, { lr: 0.01, l2: [0.1, 0, 0.3, 0.05], clipNorm });
          for (let t = 0; t < 4; t++) {
            tf.tidy(() => opt.apply(shapes.map((sh, i) => tf.randomNormal(sh, 0, 2, 'float32', 1000 + 100 * t + i))));
            polyakUpdate(targets, vars, 0.2);
          }
          const state = opt.getState();
          const out = [...vars, ...targets].map((v) => v.dataSync() as Float32Array);
          out.push(state.m, state.v);
          tf.dispose([...vars, ...targets]);
          opt.dispose();
          return out;
        } finally {
          useHostKernels(true);
        }
      };
      const kernel = run(true);
      const ops = run(false);
      kernel.forEach((a, i) => a.forEach((u, j) => close(u, ops[i][j], 1e-5 * (1 + Math.abs(ops[i][j])), `tensor ${i} entry ${j}`)));
    });
  }

  it('global-norm clipping scales all gradients together only above the threshold', () => {
    const [a, b] = clipByGlobalNorm([tf.tensor1d([3, 0]), tf.tensor1d([4])], 1);
    close(a.dataSync()[0], 0.6, 1e-5, 'a0');
    close(b.dataSync()[0], 0.8, 1e-5, 'b0');
    const [c] = clipByGlobalNorm([tf.tensor1d([0.3, 0.4])], 1);
    close(c.dataSync()[1], 0.4, 1e-6, 'below threshold unchanged');
  });
});

/** Integral of the N(m, s) density over [lo, hi] by Simpson's rule (an independent check of the density). */
function normalMass(lo: number, hi: number, m: number, s: number): number {
  const pdf = (x: number): number => Math.exp(-0.5 * ((x - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
  const n = 200;
  const h = (hi - lo) / n;
  let acc = pdf(lo) + pdf(hi);
  for (let k = 1; k < n; k++) acc += (k % 2 === 1 ? 4 : 2) * pdf(lo + k * h);
  return (acc * h) / 3;
}
