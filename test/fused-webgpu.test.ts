/**
 * The fused WebGPU programs of the SAC update (agents/loss-webgpu.ts,
 * agents/squashed-sample-webgpu.ts), through the functions the agent calls
 * (criticTarget, criticLoss, actorLoss, sampleFromHeads), each against
 *   - its composite tf-op twin on webgpu (useWebgpuKernels(false)), and
 *   - the wasm backend's host kernel (agents/loss-kernels.ts, squashed-sample-kernel.ts),
 * forward values and gradients, to <= 1e-5 relative (||got - want|| / ||want|| per
 * output), on batches 1, 7 and 256 (and action dims 1, 6 and 17 for the sample).
 * The loss gradients are taken with dLoss = 1.7, so its scaling is checked too.
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

describe('dispatches on webgpu, fused against the tf-op twin (batch 256, action dim 6)', () => {
  it('each fused op runs its own shaders, in fewer dispatches than its twin; forward + backward as documented', (t) => {
    if (skip !== false) return t.skip(skip);
    const d = lossData(256);
    const s = sampleCases.find((c) => c.b === 256 && c.dim === 6 && c.std.stdParam === 'log-std')!;
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
    console.log(`# fused-webgpu: dispatches ${JSON.stringify(table)}`);
  });
});
