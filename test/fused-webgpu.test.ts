/**
 * The fused WebGPU programs of the SAC update (agents/loss-webgpu.ts,
 * agents/squashed-sample-webgpu.ts, src/nn/relu-grad-webgpu.ts,
 * src/equivariance/group-average-webgpu.ts), through the functions the agent calls
 * (criticTarget, criticLoss, actorLoss, sampleFromHeads, reluGrad and denseRelu's
 * backward, the RPP layers' weight and bias projectors), each against
 *   - its composite tf-op twin on webgpu (useWebgpuKernels(false)), and
 *   - the wasm backend's host kernel (agents/loss-kernels.ts, squashed-sample-kernel.ts,
 *     relu-grad-kernel.ts, group-average-kernel.ts),
 * forward values and gradients, to <= 1e-5 relative (||got - want|| / ||want|| per
 * output), on batches 1, 7 and 256 (and action dims 1, 6 and 17 for the sample).
 * The loss gradients are taken with dLoss = 1.7, so its scaling is checked too.
 * The relu backward on batch 256 and hidden 256 behind inputs 17 to 365 wide; the group
 * average on every projected weight and bias of the RPP actor and critic (hidden 256)
 * for the real symmetry specs of Walker2d, HalfCheetah, Ant (Z4) and Humanoid.
 *
 * The host kernels and the fused programs give the target y (critic loss) and alpha
 * (actor loss) a zero gradient: both are constants where the agent uses these losses.
 * The tf-op twin differentiates them, so those two are compared with the host kernel only.
 *
 * Also: the fused path really runs (its shaders are dispatched) and dispatches fewer
 * programs than the twin. Needs a WebGPU adapter (see test/sac-update-webgpu.test.ts);
 * skipped with the reason printed where none can be created.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend, releaseBackend } from '../src/backend.js';
import { probeWebgpuAdapter } from '../src/backend-webgpu.js';
import { hasHostKernel } from '../src/kernels/host-kernel.js';
import { directSum, fromMaps, groupFromName, hiddenRep, trivial, unsignedRep, WeightProjector, BiasProjector, type Rep } from '../src/equivariance/index.js';
import { GROUP_AVERAGE_KERNEL } from '../src/equivariance/group-average-kernel.js';
import { denseRelu } from '../src/nn/dense.js';
import { RELU_GRAD_KERNEL, reluGrad } from '../src/nn/relu-grad-kernel.js';
import { symmetry } from '../envs/symmetries.js';
import { useWebgpuKernels } from '../src/kernels/webgpu-kernel.js';
import { Rng } from '../src/random.js';
import { createLogger } from '../src/logging.js';
import { actorLoss, criticLoss, criticTarget } from '../agents/losses.js';
import { ACTOR_LOSS_KERNEL, CRITIC_LOSS_KERNEL, CRITIC_TARGET_KERNEL } from '../agents/loss-kernels.js';
import { drawNoise, type HostNoise, type StdOptions } from '../agents/squashed-gaussian.js';
import { SAMPLE_KERNEL, sampleFromHeads } from '../agents/squashed-sample-kernel.js';
import { recordDispatches } from './fixtures/webgpu-dispatches.js';
import { relErr, uniform } from './numeric-helpers.js';

const quiet = createLogger({ silent: true });
const TOL = 1e-5;
const BATCHES = [1, 7, 256];
const DIMS = [1, 6, 17];
const DLOSS = 1.7;
const STDS: StdOptions[] = [
  { stdParam: 'log-std', logStdMin: -5, logStdMax: 2 },
  { stdParam: 'softplus', logStdMin: -5, logStdMax: 2 },
];

type Outputs = Record<string, Float32Array>;

/** Read every tensor (asynchronously: webgpu in Node has no dataSync) and dispose them. */
async function read(named: Record<string, tf.Tensor>): Promise<Outputs> {
  const out: Outputs = {};
  for (const [k, t] of Object.entries(named)) out[k] = (await t.data()) as Float32Array;
  tf.dispose(Object.values(named));
  return out;
}

// ---------------------------------------------------------------- the cases

interface LossData {
  b: number;
  rewards: Float32Array;
  discount: Float32Array;
  q1: Float32Array;
  q2: Float32Array;
  logProb: Float32Array;
  alpha: number;
}

/** Spread-out columns; every third q2 equals q1 (tf.minimum's tie rule), every fourth row terminal. */
function lossData(b: number): LossData {
  const scale = (a: Float32Array, s: number): Float32Array => a.map((x) => x * s);
  const q1 = scale(uniform(b, 11 + b), 20);
  const q2 = scale(uniform(b, 12 + b), 20);
  for (let i = 0; i < b; i += 3) q2[i] = q1[i];
  const discount = new Float32Array(b).map((_, i) => (i % 4 === 3 ? 0 : 0.99));
  return { b, rewards: scale(uniform(b, 13 + b), 4), discount, q1, q2, logProb: scale(uniform(b, 14 + b), 12), alpha: 0.3 };
}

const col = (a: Float32Array): tf.Tensor2D => tf.tensor2d(a, [a.length, 1]);

/** criticTarget's y, on the active backend and path. */
function targetRun(d: LossData): Record<string, tf.Tensor> {
  return tf.tidy(() => ({ y: criticTarget(col(d.rewards), col(d.discount), col(d.q1), col(d.q2), tf.scalar(d.alpha), col(d.logProb)) }));
}

/** criticLoss and its gradients (dLoss = DLOSS), on the active backend and path. y stands in for the target. */
function criticRun(d: LossData): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const [q1, q2, y] = [col(d.q1), col(d.q2), col(d.logProb)];
    const loss = criticLoss(q1, q2, y);
    const [dq1, dq2, dy] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.mul(criticLoss(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D), DLOSS))([q1, q2, y]);
    return { loss, dq1, dq2, dy };
  });
}

/** actorLoss and its gradients (dLoss = DLOSS), on the active backend and path. */
function actorRun(d: LossData): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const [lp, q1, q2, alpha] = [col(d.logProb), col(d.q1), col(d.q2), tf.scalar(d.alpha)];
    const loss = actorLoss(alpha, lp, q1, q2);
    const f = (al: tf.Tensor, l: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.mul(actorLoss(al as tf.Scalar, l as tf.Tensor2D, a as tf.Tensor2D, b as tf.Tensor2D), DLOSS);
    const [dAlpha, dLogProb, dq1, dq2] = tf.grads(f)([alpha, lp, q1, q2]);
    return { loss, dLogProb, dq1, dq2, dAlpha };
  });
}

interface SampleData {
  b: number;
  dim: number;
  std: StdOptions;
  mean: Float32Array;
  head: Float32Array;
  noise: HostNoise;
  /** Weights of action and logProb in the scalar whose gradient is taken (generic dAction, dLogProb). */
  wAction: Float32Array;
  wLogProb: Float32Array;
}

/**
 * Means in [-4, 4] (tanh near saturation too); heads across both clip bounds (outside
 * both, and for 'log-std' exactly on them: the clip passes the gradient there).
 */
function sampleData(b: number, dim: number, std: StdOptions): SampleData {
  const n = b * dim;
  const seed = 1000 * b + 10 * dim + (std.stdParam === 'log-std' ? 0 : 1);
  const mean = uniform(n, seed).map((x) => 8 * x);
  const head = std.stdParam === 'log-std' ? uniform(n, seed + 1).map((x) => 16 * x - 1.5) : uniform(n, seed + 1).map((x) => 22 * x);
  if (std.stdParam === 'log-std') {
    head[0] = std.logStdMin;
    if (n > 1) head[n - 1] = std.logStdMax;
  }
  const noise = drawNoise(new Rng(seed + 2), b, dim);
  return { b, dim, std, mean, head, noise, wAction: uniform(n, seed + 3), wLogProb: uniform(b, seed + 4) };
}

/** sampleFromHeads' action and logProb, and the gradients of sum(wA action) + sum(wL logProb). */
function sampleRun(d: SampleData): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const mean = tf.tensor2d(d.mean, [d.b, d.dim]);
    const head = tf.tensor2d(d.head, [d.b, d.dim]);
    const { action, logProb } = sampleFromHeads(mean, head, d.std, d.noise);
    const wA = tf.tensor2d(d.wAction, [d.b, d.dim]);
    const wL = tf.tensor2d(d.wLogProb, [d.b, 1]);
    const f = (m: tf.Tensor, h: tf.Tensor): tf.Tensor => {
      const s = sampleFromHeads(m as tf.Tensor2D, h as tf.Tensor2D, d.std, d.noise);
      return tf.add(tf.sum(tf.mul(s.action, wA)), tf.sum(tf.mul(s.logProb, wL)));
    };
    const [dMean, dHead] = tf.grads(f)([mean, head]);
    return { action, logProb, dMean, dHead };
  });
}

const lossKey = (kind: string, b: number): string => `${kind}/b=${b}`;
const sampleKey = (d: { b: number; dim: number; std: StdOptions }): string => `sample/b=${d.b}/dim=${d.dim}/${d.std.stdParam}`;

const sampleCases = BATCHES.flatMap((b) => DIMS.flatMap((dim) => STDS.map((std) => sampleData(b, dim, std))));

/** A relu backward: dy and y [rows, cols], y with every fifth entry exactly 0 and about half negative. */
interface ReluData {
  rows: number;
  cols: number;
  dy: Float32Array;
  y: Float32Array;
}

function reluData(rows: number, cols: number): ReluData {
  const n = rows * cols;
  const y = uniform(n, 31 + n);
  for (let i = 0; i < n; i += 5) y[i] = 0;
  return { rows, cols, dy: uniform(n, 32 + n).map((x) => 3 * x), y };
}

/** reluGrad(dy, y) on the active backend and path. */
function reluRun(d: ReluData): Record<string, tf.Tensor> {
  return tf.tidy(() => ({ 'reluGrad dz': reluGrad(tf.tensor2d(d.dy, [d.rows, d.cols]), tf.tensor2d(d.y, [d.rows, d.cols])) }));
}

/** A hidden layer relu(x W + b) as an update runs it (batch 256, 256 wide), inputs `inDim` wide. */
interface DenseData {
  inDim: number;
  x: Float32Array;
  w: Float32Array;
  b: Float32Array;
  /** Weights of the outputs in the scalar whose gradients are taken. */
  c: Float32Array;
}

const HIDDEN = 256;
const DENSE_INPUTS = [17, 23, 365, 256];

function denseData(inDim: number): DenseData {
  const s = (a: Float32Array, k: number): Float32Array => a.map((v) => k * v);
  return { inDim, x: s(uniform(256 * inDim, 41 + inDim), 4), w: s(uniform(inDim * HIDDEN, 42 + inDim), 2 / Math.sqrt(inDim)), b: s(uniform(HIDDEN, 43 + inDim), 0.2), c: uniform(256 * HIDDEN, 44 + inDim) };
}

/** denseRelu's value and its gradients dx, dW, db of sum(c y), on the active backend and path (its backward runs reluGrad). */
function denseRun(d: DenseData): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const x = tf.tensor2d(d.x, [256, d.inDim]);
    const w = tf.tensor2d(d.w, [d.inDim, HIDDEN]);
    const b = tf.tensor1d(d.b);
    const c = tf.tensor2d(d.c, [256, HIDDEN]);
    const y = denseRelu(x, w, b);
    const [dx, dW, db] = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(denseRelu(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D), c)))([x, w, b]);
    return { 'dense y': y, 'dense dx': dx, 'dense dW': dW, 'dense db': db };
  });
}

/** One projected map of an RPP network: its weight [in, out] and its bias [out] (when `bias`). */
interface ProjectionCase {
  label: string;
  repIn: Rep;
  repOut: Rep;
  bias: boolean;
}

/**
 * Every projection of the RPP actor and critic for a symmetry spec, as networks.ts builds
 * them (hidden 256): actor first layer, hidden -> hidden, the mean and std heads; critic
 * first layer (obs + act) and its Q head. Weights and biases alike.
 */
function projectionCases(envId: string, name: string): ProjectionCase[] {
  const spec = symmetry(envId, name);
  const group = groupFromName(spec.group);
  const obs = fromMaps(group, spec.obs, `${spec.name}.obs`);
  const act = fromMaps(group, spec.act, `${spec.name}.act`);
  const hidden = hiddenRep(group, HIDDEN);
  const tag = `${envId} ${name} (${spec.group})`;
  return [
    { label: `${tag} actor obs ${obs.dim} -> hidden`, repIn: obs, repOut: hidden, bias: true },
    { label: `${tag} hidden -> hidden`, repIn: hidden, repOut: hidden, bias: true },
    { label: `${tag} mean head -> act ${act.dim}`, repIn: hidden, repOut: act, bias: true },
    { label: `${tag} std head -> |act| ${act.dim}`, repIn: hidden, repOut: unsignedRep(act), bias: true },
    { label: `${tag} critic obs+act ${obs.dim + act.dim} -> hidden`, repIn: directSum(obs, act), repOut: hidden, bias: false },
    { label: `${tag} Q head -> 1`, repIn: hidden, repOut: trivial(group, 1), bias: true },
  ];
}

const projections = [
  ...projectionCases('Walker2d-v5', 'exact_mirror'),
  ...projectionCases('HalfCheetah-v5', 'paper'),
  ...projectionCases('Ant-v5', 'rotation90'),
  ...projectionCases('Humanoid-v5', 'exact_mirror'),
];

/**
 * P(w) and P_b(b) through the projectors' differentiable apply, and their gradients
 * (P(c), P_b(cb)) of sum(c P(w)) + sum(cb P_b(b)), on the active backend and path.
 * Fresh projectors each run (their tables live on the backend they ran on).
 */
function projectionRun(c: ProjectionCase, seed: number): Record<string, tf.Tensor> {
  const wp = new WeightProjector(c.repIn, c.repOut);
  const bp = new BiasProjector(c.repOut);
  const [nIn, nOut] = [c.repIn.dim, c.repOut.dim];
  try {
    return tf.tidy(() => {
      const w = tf.tensor2d(uniform(nIn * nOut, seed), [nIn, nOut]);
      const cw = tf.tensor2d(uniform(nIn * nOut, seed + 1), [nIn, nOut]);
      const out: Record<string, tf.Tensor> = { 'P(w)': wp.apply(w), 'dP(w)': tf.grad((v: tf.Tensor) => tf.sum(tf.mul(wp.apply(v as tf.Tensor2D), cw)))(w) };
      if (c.bias) {
        const b = tf.tensor1d(uniform(nOut, seed + 2));
        const cb = tf.tensor1d(uniform(nOut, seed + 3));
        out['P_b(b)'] = bp.apply(b);
        out['dP_b(b)'] = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(bp.apply(v as tf.Tensor1D), cb)))(b);
      }
      return out;
    });
  } finally {
    wp.dispose();
    bp.dispose();
  }
}

const RELU_SHAPES: Array<[number, number]> = [
  [256, 256],
  [7, 33],
  [1, 1],
];
const reluKey = (d: { rows: number; cols: number }): string => `relu/${d.rows}x${d.cols}`;
const denseKey = (inDim: number): string => `dense-relu/${inDim}->${HIDDEN}`;

// ---------------------------------------------------------------- setup

let skip: string | false = false;
/** The wasm host kernels' outputs by case, computed before switching to webgpu. */
const host = new Map<string, Outputs>();
/** Worst relative differences seen, by comparison. */
const worst: Record<string, number> = {};
let cpuForward: boolean | undefined;

before(async () => {
  const probe = await probeWebgpuAdapter();
  if (probe.adapter === null) {
    skip = `no WebGPU adapter: ${probe.reason}`;
    console.log(`# fused-webgpu: skipped, ${skip}`);
    return;
  }
  console.log(`# fused-webgpu: adapter ${probe.adapter.description}`);
  await initBackend({ backend: 'wasm', logger: quiet });
  for (const k of [CRITIC_TARGET_KERNEL, CRITIC_LOSS_KERNEL, ACTOR_LOSS_KERNEL, SAMPLE_KERNEL]) assert.ok(hasHostKernel(k), `wasm runs the host kernel ${k}`);
  for (const b of BATCHES) {
    const d = lossData(b);
    host.set(lossKey('target', b), await read(targetRun(d)));
    host.set(lossKey('critic', b), await read(criticRun(d)));
    host.set(lossKey('actor', b), await read(actorRun(d)));
  }
  for (const d of sampleCases) host.set(sampleKey(d), await read(sampleRun(d)));
  assert.ok(hasHostKernel(RELU_GRAD_KERNEL) && hasHostKernel(GROUP_AVERAGE_KERNEL), 'wasm runs the relu-backward and group-average host kernels');
  for (const [rows, cols] of RELU_SHAPES) host.set(reluKey({ rows, cols }), await read(reluRun(reluData(rows, cols))));
  for (const inDim of DENSE_INPUTS) host.set(denseKey(inDim), await read(denseRun(denseData(inDim))));
  for (const [i, c] of projections.entries()) host.set(c.label, await read(projectionRun(c, 100 + 10 * i)));
  await initBackend({ backend: 'webgpu', logger: quiet });
  // The twin as it runs in an update, on the GPU: by default webgpu computes small ops whose
  // inputs are all still on the host (as this test's freshly made inputs are) on the CPU.
  cpuForward = tf.env().getBool('WEBGPU_CPU_FORWARD');
  tf.env().set('WEBGPU_CPU_FORWARD', false);
});

after(() => {
  useWebgpuKernels(true);
  if (cpuForward !== undefined) tf.env().set('WEBGPU_CPU_FORWARD', cpuForward);
  if (Object.keys(worst).length > 0) console.log(`# fused-webgpu: worst relative differences ${JSON.stringify(Object.fromEntries(Object.entries(worst).map(([k, v]) => [k, +v.toExponential(2)])))}`);
  releaseBackend();
});

/** The case on webgpu, fused and as the tf-op twin. */
async function onWebgpu(run: () => Record<string, tf.Tensor>): Promise<{ fused: Outputs; twin: Outputs }> {
  useWebgpuKernels(true);
  const fused = await read(run());
  useWebgpuKernels(false);
  try {
    return { fused, twin: await read(run()) };
  } finally {
    useWebgpuKernels(true);
  }
}

/** Assert got[k] ~ want[k] for each of keys, recording the worst difference under `label`. */
function close(label: string, got: Outputs, want: Outputs, keys: string[], where: string): void {
  for (const k of keys) {
    assert.equal(got[k].length, want[k].length, `${where} ${k}: length`);
    for (const v of got[k]) assert.ok(Number.isFinite(v), `${where} ${k}: non-finite value ${v}`);
    const e = relErr(got[k], want[k]);
    worst[`${label} ${k}`] = Math.max(worst[`${label} ${k}`] ?? 0, e);
    assert.ok(e <= TOL, `${where} ${k}: ${label} differ by ${e.toExponential(2)} relative (tolerance ${TOL})`);
  }
}

// ---------------------------------------------------------------- tests

describe('fused SAC losses on webgpu (loss-webgpu.ts) equal the tf-op twin and the wasm host kernels', () => {
  for (const b of BATCHES) {
    it(`batch ${b}: criticTarget, criticLoss and actorLoss, values and gradients`, async (t) => {
      if (skip !== false) return t.skip(skip);
      const d = lossData(b);
      const cases: Array<{ kind: string; run: () => Record<string, tf.Tensor>; twinKeys: string[]; hostKeys: string[] }> = [
        { kind: 'target', run: () => targetRun(d), twinKeys: ['y'], hostKeys: ['y'] },
        { kind: 'critic', run: () => criticRun(d), twinKeys: ['loss', 'dq1', 'dq2'], hostKeys: ['loss', 'dq1', 'dq2', 'dy'] },
        { kind: 'actor', run: () => actorRun(d), twinKeys: ['loss', 'dLogProb', 'dq1', 'dq2'], hostKeys: ['loss', 'dLogProb', 'dq1', 'dq2', 'dAlpha'] },
      ];
      for (const c of cases) {
        const { fused, twin } = await onWebgpu(c.run);
        close('fused vs twin', fused, twin, c.twinKeys, `${c.kind} b=${b}`);
        close('fused vs host', fused, host.get(lossKey(c.kind, b))!, c.hostKeys, `${c.kind} b=${b}`);
      }
    });
  }
});

describe('fused squashed-Gaussian sample on webgpu (squashed-sample-webgpu.ts) equals the tf-op twin and the wasm host kernels', () => {
  for (const b of BATCHES) {
    for (const std of STDS) {
      it(`batch ${b}, ${std.stdParam}: action, logProb, dMean, dHead for action dims ${DIMS.join(', ')}`, async (t) => {
        if (skip !== false) return t.skip(skip);
        for (const d of sampleCases.filter((c) => c.b === b && c.std === std)) {
          const { fused, twin } = await onWebgpu(() => sampleRun(d));
          const keys = ['action', 'logProb', 'dMean', 'dHead'];
          close('fused vs twin', fused, twin, keys, sampleKey(d));
          close('fused vs host', fused, host.get(sampleKey(d))!, keys, sampleKey(d));
        }
      });
    }
  }
});

describe('fused relu backward on webgpu (relu-grad-webgpu.ts) equals the tf-op twin and the wasm host kernel', () => {
  it(`reluGrad on ${RELU_SHAPES.map((r) => r.join('x')).join(', ')} (zeros and negatives in y)`, async (t) => {
    if (skip !== false) return t.skip(skip);
    for (const [rows, cols] of RELU_SHAPES) {
      const d = reluData(rows, cols);
      const { fused, twin } = await onWebgpu(() => reluRun(d));
      close('fused vs twin', fused, twin, ['reluGrad dz'], reluKey(d));
      close('fused vs host', fused, host.get(reluKey(d))!, ['reluGrad dz'], reluKey(d));
    }
  });

  for (const inDim of DENSE_INPUTS) {
    it(`denseRelu ${inDim} -> ${HIDDEN}, batch 256: value and gradients dx, dW, db`, async (t) => {
      if (skip !== false) return t.skip(skip);
      const d = denseData(inDim);
      const { fused, twin } = await onWebgpu(() => denseRun(d));
      const keys = ['dense y', 'dense dx', 'dense dW', 'dense db'];
      close('fused vs twin', fused, twin, keys, denseKey(inDim));
      close('fused vs host', fused, host.get(denseKey(inDim))!, keys, denseKey(inDim));
    });
  }
});

describe('fused group average on webgpu (group-average-webgpu.ts) equals the tf-op twin and the wasm host kernel', () => {
  for (const [i, c] of projections.entries()) {
    it(`${c.label}: P(w)${c.bias ? ', P_b(b)' : ''} and gradients`, async (t) => {
      if (skip !== false) return t.skip(skip);
      const { fused, twin } = await onWebgpu(() => projectionRun(c, 100 + 10 * i));
      const keys = c.bias ? ['P(w)', 'dP(w)', 'P_b(b)', 'dP_b(b)'] : ['P(w)', 'dP(w)'];
      close('fused vs twin', fused, twin, keys, c.label);
      close('fused vs host', fused, host.get(c.label)!, keys, c.label);
    });
  }
});

describe('dispatches on webgpu, fused against the tf-op twin (batch 256, action dim 6)', () => {
  it('each fused op runs its own shaders, in fewer dispatches than its twin; forward + backward as documented', (t) => {
    if (skip !== false) return t.skip(skip);
    const d = lossData(256);
    const s = sampleCases.find((c) => c.b === 256 && c.dim === 6 && c.std.stdParam === 'log-std')!;
    const relu = reluData(256, 256);
    const hidden = projections.find((c) => c.label.startsWith('Walker2d-v5') && c.label.endsWith('hidden -> hidden'))!;
    const wp = new WeightProjector(hidden.repIn, hidden.repOut);
    const cw = tf.tensor2d(uniform(HIDDEN * HIDDEN, 8), [HIDDEN, HIDDEN]);
    // Gradients only for the inputs the agent differentiates (the others are constants there).
    // fused: the dispatches of fused programs, forward and backward.
    const ops: Array<{ name: string; run: () => tf.Tensor | tf.Tensor[]; fused: number; shader: string }> = [
      { name: 'criticTarget', run: () => criticTarget(col(d.rewards), col(d.discount), col(d.q1), col(d.q2), tf.scalar(d.alpha), col(d.logProb)), fused: 1, shader: 'rpp_critic_target' },
      {
        name: 'criticLoss + dq1, dq2',
        run: () => {
          const y = col(d.logProb);
          return tf.grads((a: tf.Tensor, b: tf.Tensor) => criticLoss(a as tf.Tensor2D, b as tf.Tensor2D, y))([col(d.q1), col(d.q2)]);
        },
        fused: 3,
        shader: 'rpp_critic_loss',
      },
      {
        name: 'actorLoss + dLogProb, dq1, dq2',
        run: () => {
          const alpha = tf.scalar(d.alpha);
          return tf.grads((l: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => actorLoss(alpha, l as tf.Tensor2D, a as tf.Tensor2D, b as tf.Tensor2D))([col(d.logProb), col(d.q1), col(d.q2)]);
        },
        fused: 4,
        shader: 'rpp_actor_loss',
      },
      {
        name: 'sampleFromHeads + dMean, dHead',
        run: () => {
          const f = (m: tf.Tensor, h: tf.Tensor): tf.Tensor => {
            const r = sampleFromHeads(m as tf.Tensor2D, h as tf.Tensor2D, s.std, s.noise);
            return tf.add(tf.sum(r.action), tf.sum(r.logProb));
          };
          return tf.grads(f)([tf.tensor2d(s.mean, [s.b, s.dim]), tf.tensor2d(s.head, [s.b, s.dim])]);
        },
        // 2 forward (action, logProb) + 2 backward (dMean, dHead); the test's own sums, add and their gradients come on top.
        fused: 4,
        shader: 'rpp_sample_action',
      },
      { name: 'reluGrad 256x256', run: () => reluGrad(tf.tensor2d(relu.dy, [256, 256]), tf.tensor2d(relu.y, [256, 256])), fused: 1, shader: 'rpp_relu_grad' },
      {
        name: 'P(w) + dw, Walker2d hidden 256 -> 256',
        // 1 forward, 1 backward (P(dy)); the test's sum of c P(w) and its gradient come on top.
        run: () => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(wp.apply(v as tf.Tensor2D), cw)))(tf.tensor2d(uniform(HIDDEN * HIDDEN, 7), [HIDDEN, HIDDEN])),
        fused: 2,
        shader: 'rpp_group_average',
      },
    ];
    const table: Record<string, { fused: number; twin: number }> = {};
    for (const op of ops) {
      const programs = (on: boolean): string[] => {
        useWebgpuKernels(on);
        try {
          const r = recordDispatches(() => tf.tidy(op.run));
          tf.dispose(r.result);
          return r.programs;
        } finally {
          useWebgpuKernels(true);
        }
      };
      const fused = programs(true);
      const twin = programs(false);
      table[op.name] = { fused: fused.length, twin: twin.length };
      assert.ok(fused.some((k) => k.startsWith(op.shader)), `${op.name}: the fused shader ${op.shader} ran (dispatched: ${fused.join(', ')})`);
      assert.ok(!twin.some((k) => k.startsWith('rpp_')), `${op.name}: the twin runs no fused shader`);
      assert.equal(fused.filter((k) => k.startsWith('rpp_')).length, op.fused, `${op.name}: fused dispatches (${fused.join(', ')})`);
      assert.ok(fused.length < twin.length, `${op.name}: fused ${fused.length} dispatches, twin ${twin.length}`);
    }
    wp.dispose();
    cw.dispose();
    console.log(`# fused-webgpu: dispatches ${JSON.stringify(table)}`);
  });
});
