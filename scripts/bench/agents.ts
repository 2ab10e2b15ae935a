/**
 * Benchmark 'agents': one full SAC update (obs 17, act 6, 256x256, batch 256) and
 * the same for RPP-SAC (Walker2d-v5 exact mirror, RPP actor, plain critics as in
 * the paper's default), and the matched baseline (plain SAC whose actor takes the RPP
 * networks' swish and LeCun init: what the prior costs over the same activation), median ms on the current backend, against the arithmetic
 * bound: the update's FLOP count divided by the untransposed 256x256x256 matMul
 * rate measured in the same run. Targets: SAC / bound <= 1.6; issue 15: SAC update
 * <= 15 ms, RPP-SAC / SAC <= 1.1 (matched / SAC: no target, reported).
 * Reported as ratios of medians (`wall`, `cpu`), of the fastest reps (`wallMin`), and
 * as medians of per-rep ratios (`wallPaired`: each update against the matmuls timed
 * just before it, which cancels slow drifts in machine speed).
 *
 * On webgpu (runGpu below) the same three updates are timed to completion on the
 * device (a batch of updates, then until the queue is idle, per update), with the
 * kernels per update and the device->host reads per update, without stats (must be 0)
 * and with stats (updateAsync: 1).
 *
 * Matmul paths (issue 15): every update is timed on our own kernels (the default on
 * wasm, src/kernels/own-matmul.ts) and on the XNNPACK reference path, interleaved;
 * `*Xnnpack` keys and `ownSpeedup` compare them. `ownBoundMs` is the update's FLOPs at
 * our own 256^3 kernel's rate; `sacOverPytorch` divides by PyTorch's single-thread
 * update on this machine kind (6.8-8.0 ms, issue 15). `shapes` gives GFLOP/s per
 * shape class and form, ours beside tfjs's (tfjs's as the reference path issues them:
 * _FusedMatMul, and explicit transposes before untransposed matmuls). `matmulFloorMs` is
 * the update's 37 products alone, straight on our kernels (matmul-floor.ts), and
 * `sacOverFloor` the update against it: what dispatch, tape, allocation and the
 * non-matmul kernels add. Update paths: the default on wasm is the tensor-free update
 * (agents/sac-heap-update.ts); `*Tape` keys time the tape path on the same kernels, and
 * `heapSpeedup*` is tape / tensor-free.
 */
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { median, timeOnce } from '../bench-util.js';
import { currentBackend } from '../../src/backend.js';
import { webgpuIdle } from '../../src/backend-webgpu.js';
import { countReads, countReadsAsync } from '../../src/kernels/backend-reads.js';
import { fusedDense } from '../../src/nn/dense.js';
import { describeMatmulPath, hasOwnMatmul, ownDense, ownMatMulNT, ownMatmulMode, ownWeightGrads, useOwnMatmul, type OwnMatmulMode } from '../../src/kernels/own-matmul.js';
import { heapUpdateAllowed, useHeapUpdate } from '../../agents/sac-heap-update.js';
import { Rng } from '../../src/random.js';
import { simdPeakGflops } from './simd-peak.js';
import { matmulFloor } from './matmul-floor.js';
import { ReplayBuffer } from '../../src/replay/replay-buffer.js';
import { SacAgent } from '../../agents/sac.js';
import type { AgentKind, SacConfigInput } from '../../agents/sac-config.js';
import { symmetry } from '../../envs/symmetries.js';

export const name = 'agents';

const OBS = 17;
const ACT = 6;
const H = 256;
const B = 256;
/** PyTorch 1.13 (OpenBLAS, one thread), the same update on this machine kind (issue 15). */
const PYTORCH_MS: [number, number] = [6.8, 8.0];

/**
 * FLOPs of one update (multiply-add = 2), from the layer shapes. With F(net) the
 * forward cost of a network on a batch (sum over layers of 2*B*in*out):
 *   1. target:  actor forward + 2 target-critic forwards         F_a + 2 F_c
 *   2. critics: 2 forwards + 2 backwards; a backward is dW for every layer plus
 *               dX for every layer but the first (its input needs no gradient)
 *                                                                2 F_c + 2 (2 F_c - L1_c)
 *   3. actor:   actor forward, 2 critic forwards, critic backward for dX only
 *               (all layers, down to the action input), actor backward (dW all,
 *               dX all but the first)                             F_a + 2 F_c + 2 F_c + (2 F_a - L1_a)
 * where L1 is the first layer's forward cost. Total = 4 F_a + 12 F_c - 2 L1_c - L1_a.
 * Elementwise ops, Adam and Polyak are O(params) and left out (a lower bound).
 */
export function updateFlops(obs: number, act: number, hidden: number[], batch: number): number {
  const layerCost = (dims: number[]): number[] => dims.slice(1).map((d, i) => 2 * batch * dims[i] * d);
  const actorLayers = [...layerCost([obs, ...hidden]), 2 * batch * hidden[hidden.length - 1] * 2 * act];
  const criticLayers = layerCost([obs + act, ...hidden, 1]);
  const Fa = actorLayers.reduce((a, b) => a + b, 0);
  const Fc = criticLayers.reduce((a, b) => a + b, 0);
  return 4 * Fa + 12 * Fc - 2 * criticLayers[0] - actorLayers[0];
}

function filledReplay(): ReplayBuffer {
  const rb = new ReplayBuffer({ capacity: 20_000, obsDim: OBS, actDim: ACT, seed: 1 });
  const rng = new Rng(2);
  const v = (n: number): number[] => Array.from({ length: n }, () => rng.normal());
  for (let i = 0; i < 5000; i++) rb.add(v(OBS), v(ACT).map(Math.tanh), rng.normal(), v(OBS), rng.random() < 0.02);
  return rb;
}

function makeAgent(kind: AgentKind, extra: SacConfigInput = {}): SacAgent {
  const spec = kind === 'sac' ? null : symmetry('Walker2d-v5', 'exact_mirror');
  return new SacAgent({ config: { agent: kind, hidden: [H, H], batchSize: B, seed: 0, ...extra }, obsDim: OBS, actDim: ACT, actionLow: new Array(ACT).fill(-1), actionHigh: new Array(ACT).fill(1), symmetry: spec });
}

async function kernelCount(agent: SacAgent, rb: ReplayBuffer): Promise<number> {
  const prof = await tf.profile(() => {
    agent.update(rb, { stats: false });
  });
  return prof.kernels.length;
}

/** The webgpu form: updates timed until the device is idle; kernels and reads per update. */
async function runGpu(): Promise<Record<string, unknown>> {
  const rb = filledReplay();
  const reps = Number(process.env.RPP_SAC_BENCH_REPS ?? 5);
  const perRep = Number(process.env.RPP_SAC_BENCH_GPU_UPDATES ?? 4);
  const agents = { sac: makeAgent('sac'), rppSac: makeAgent('rpp-sac'), matched: makeAgent('sac', { actorActivation: 'swish', actorInit: 'lecun' }) };
  const a = tf.randomNormal([256, 256]) as tf.Tensor2D;
  const b = tf.randomNormal([256, 256]) as tf.Tensor2D;
  try {
    // Warm-up: shader compilation happens on first use of each program.
    const t0 = performance.now();
    for (const agent of Object.values(agents)) for (let i = 0; i < 2; i++) agent.update(rb, { stats: false });
    tf.tidy(() => tf.matMul(a, b));
    await webgpuIdle(tf);
    const warmupMs = performance.now() - t0;
    const times: Record<string, number[]> = { sac: [], rppSac: [], matched: [], matMul256: [] };
    for (let r = 0; r < reps; r++) {
      let t = performance.now();
      for (let k = 0; k < 10; k++) tf.tidy(() => tf.matMul(a, b));
      await webgpuIdle(tf);
      times.matMul256.push((performance.now() - t) / 10);
      for (const [key, agent] of Object.entries(agents)) {
        t = performance.now();
        for (let k = 0; k < perRep; k++) agent.update(rb, { stats: false });
        await webgpuIdle(tf);
        times[key].push((performance.now() - t) / perRep);
      }
    }
    const flops = updateFlops(OBS, ACT, [H, H], B);
    const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    const gflops = (2 * 256 ** 3) / (med.matMul256 * 1e6);
    const boundMs = flops / (gflops * 1e6);
    const reads = (agent: SacAgent): number => countReads(() => agent.update(rb, { stats: false })).reads;
    // GPU programs dispatched per update (tf.profile's kernel count includes Reshape/Identity, which dispatch nothing on webgpu).
    const dispatches = (agent: SacAgent): number => {
      const be = tf.backend() as unknown as { runWebGPUProgram: (...args: unknown[]) => unknown };
      const orig = be.runWebGPUProgram;
      let n = 0;
      be.runWebGPUProgram = function (this: unknown, ...args: unknown[]) {
        n++;
        return orig.apply(this, args);
      };
      try {
        agent.update(rb, { stats: false });
      } finally {
        be.runWebGPUProgram = orig;
      }
      return n;
    };
    const readsWithStats = async (agent: SacAgent): Promise<number> => (await countReadsAsync(() => agent.updateAsync(rb))).reads;
    await webgpuIdle(tf);
    return {
      backend: tf.getBackend(),
      adapter: currentBackend()?.adapter,
      updateGflop: +(flops / 1e9).toFixed(3),
      reps,
      updatesPerRep: perRep,
      loadAvg1m: +loadavg()[0].toFixed(2),
      warmupMs: +warmupMs.toFixed(0),
      matMul256Ms: +med.matMul256.toFixed(3),
      matMul256Gflops: +gflops.toFixed(2),
      boundMs: +boundMs.toFixed(2),
      sacUpdateMs: +med.sac.toFixed(2),
      rppSacUpdateMs: +med.rppSac.toFixed(2),
      matchedUpdateMs: +med.matched.toFixed(2),
      sacOverBound: +(med.sac / boundMs).toFixed(3),
      rppOverSac: +(med.rppSac / med.sac).toFixed(3),
      sacKernels: await kernelCount(agents.sac, rb),
      rppSacKernels: await kernelCount(agents.rppSac, rb),
      matchedKernels: await kernelCount(agents.matched, rb),
      gpuDispatchesPerUpdate: { sac: dispatches(agents.sac), rppSac: dispatches(agents.rppSac), matched: dispatches(agents.matched) },
      readsPerUpdate: { sac: reads(agents.sac), rppSac: reads(agents.rppSac), matched: reads(agents.matched) },
      readsPerUpdateWithStats: { sac: await readsWithStats(agents.sac), rppSac: await readsWithStats(agents.rppSac) },
    };
  } finally {
    for (const agent of Object.values(agents)) agent.dispose();
    a.dispose();
    b.dispose();
  }
}

/**
 * Median CPU milliseconds per call of each fn, measured alternately (reps of
 * `inner` calls each; CPU time is steadier under load, alternation cancels drift).
 */
function cpuMsPaired(fns: Array<() => void>, reps = 11, inner = 10): number[] {
  for (const fn of fns) for (let i = 0; i < 3; i++) fn();
  const ts: number[][] = fns.map(() => []);
  for (let r = 0; r < reps; r++) {
    fns.forEach((fn, k) => ts[k].push(timeOnce(() => {
      for (let i = 0; i < inner; i++) fn();
    }).cpu / inner));
  }
  return ts.map(median);
}

/**
 * GFLOP/s per shape class (batch, in, out of a dense layer) and form: forward
 * act(x W + b), input gradient dz W^T, weight and bias gradients x^T dz, sum(dz);
 * ours (RppMatMul) beside tfjs's reference-path ops.
 */
function shapeRates(initial: OwnMatmulMode): Record<string, Record<string, { own: number; tfjs: number }>> {
  const classes: Array<[string, number, number, number]> = [
    ['first layer 17 -> 256', B, OBS, H],
    ['first layer 23 -> 256', B, OBS + ACT, H],
    ['hidden 256 -> 256', B, H, H],
    ['head 256 -> 6', B, H, ACT],
  ];
  const out: Record<string, Record<string, { own: number; tfjs: number }>> = {};
  for (const [label, m, nIn, nOut] of classes) {
    const x = tf.randomNormal([m, nIn]) as tf.Tensor2D;
    const w = tf.randomNormal([nIn, nOut]) as tf.Tensor2D;
    const b = tf.randomNormal([nOut]) as tf.Tensor1D;
    const dz = tf.randomNormal([m, nOut]) as tf.Tensor2D;
    const flops = 2 * m * nIn * nOut;
    const tidy = (fn: () => unknown) => (): void => tf.tidy(() => {
      fn();
    });
    const xnnpack = (fn: () => unknown) => (): void => {
      useOwnMatmul('off');
      try {
        tidy(fn)();
      } finally {
        useOwnMatmul(initial);
      }
    };
    const rates = (own: () => unknown, ref: () => unknown): { own: number; tfjs: number } => {
      const [a, b] = cpuMsPaired([tidy(own), ref]).map((ms) => +(flops / (ms * 1e6)).toFixed(1));
      return { own: a, tfjs: b };
    };
    out[label] = {
      'nn x W + b, relu': rates(() => ownDense(x, w, b, true), xnnpack(() => fusedDense(x, w, b, true))),
      'nt dz W^T': rates(() => ownMatMulNT(dz, w), tidy(() => tf.matMul(dz, tf.transpose(w)))),
      'tn x^T dz, sum(dz)': rates(() => ownWeightGrads(x, dz), tidy(() => [tf.matMul(tf.transpose(x), dz), tf.matMul(tf.ones([1, m]), dz)])),
    };
    tf.dispose([x, w, b, dz]);
  }
  return out;
}

export async function run(): Promise<Record<string, unknown>> {
  if (tf.getBackend() === 'webgpu') return runGpu();
  const rb = filledReplay();
  const reps = Number(process.env.RPP_SAC_BENCH_REPS ?? 20);
  const sac = makeAgent('sac');
  const rpp = makeAgent('rpp-sac');
  const matched = makeAgent('sac', { actorActivation: 'swish', actorInit: 'lecun' });
  const a = tf.randomNormal([256, 256]) as tf.Tensor2D;
  const b = tf.randomNormal([256, 256]) as tf.Tensor2D;
  const bias = tf.zeros([256]) as tf.Tensor1D;
  const matMul = (): void => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  };
  const ownMatMul = (): void => {
    const c = ownDense(a, b, bias, false);
    c.dataSync();
    c.dispose();
  };
  // The default path (on wasm our kernels, in the flavour this runtime validates, and the
  // tensor-free update), the tape path on the same kernels, then the XNNPACK reference.
  const own = hasOwnMatmul();
  const initial = ownMatmulMode();
  const initialHeap = heapUpdateAllowed();
  type PathKey = 'default' | 'tape' | 'off';
  const setPath = (p: PathKey): void => {
    useOwnMatmul(p === 'off' ? 'off' : initial);
    useHeapUpdate(p === 'default' ? initialHeap : false);
  };
  const paths: PathKey[] = own ? (initialHeap ? ['default', 'tape', 'off'] : ['default', 'off']) : ['default'];
  const matmul = describeMatmulPath();
  // The update's 37 products straight on our kernels, in the same flavour: what the update costs without tfjs.
  const floor = own ? matmulFloor(matmul.includes('relaxed_madd')) : null;
  type T = { wall: number; cpu: number };
  /** 'default': the process's path (ours and tensor-free unless RPP_SAC_MATMUL=xnnpack or RPP_SAC_UPDATE=tape); 'tape': ours under the tape; 'off': XNNPACK. */
  const key = (p: PathKey): string => p;
  const perPath = (): Record<string, T[]> => ({ sac: [], rpp: [], matched: [] });
  const times: Record<string, Record<string, T[]>> = Object.fromEntries(paths.map((p) => [key(p), perPath()]));
  try {
    for (let i = 0; i < 5; i++) {
      for (const p of paths) {
        setPath(p);
        sac.update(rb, { stats: false });
        rpp.update(rb, { stats: false });
        matched.update(rb, { stats: false });
      }
      matMul();
      if (own) ownMatMul();
      floor?.run();
    }
    // Interleave the measurements rep by rep, so load changes on a shared
    // machine hit all of them alike; ratios are taken between medians of the same run.
    const tMm: T[] = [];
    const tOwnMm: T[] = [];
    const tFloor: T[] = [];
    for (let r = 0; r < reps; r++) {
      if (floor !== null) tFloor.push(timeOnce(() => floor.run()));
      // 5 matmuls timed together: one is near the cpuUsage resolution.
      tMm.push(timeOnce(() => {
        for (let k = 0; k < 5; k++) matMul();
      }));
      if (own) tOwnMm.push(timeOnce(() => {
        for (let k = 0; k < 5; k++) ownMatMul();
      }));
      for (const p of paths) {
        setPath(p);
        times[key(p)].sac.push(timeOnce(() => sac.update(rb, { stats: false })));
        times[key(p)].rpp.push(timeOnce(() => rpp.update(rb, { stats: false })));
        times[key(p)].matched.push(timeOnce(() => matched.update(rb, { stats: false })));
      }
    }
    setPath('default');
    const flops = updateFlops(OBS, ACT, [H, H], B);
    // The 128-bit SIMD ceiling of this machine in our kernels' flavour (CPU time, ~0.5 s).
    const peak = simdPeakGflops(matmul.includes('relaxed_madd'));
    const min = (xs: number[]): number => Math.min(...xs);
    const r2 = (v: number): number => +v.toFixed(2);
    const r3 = (v: number): number => +v.toFixed(3);
    const summary = (key: 'wall' | 'cpu', stat: (xs: number[]) => number = median): Record<string, unknown> => {
      const mm = stat(tMm.map((t) => t[key])) / 5;
      const gflops = (2 * 256 ** 3) / (mm * 1e6);
      const boundMs = flops / (gflops * 1e6);
      const ms = (p: string, which: string): number => stat(times[p][which].map((t) => t[key]));
      const sacMs = ms('default', 'sac');
      const rppMs = ms('default', 'rpp');
      const matchedMs = ms('default', 'matched');
      const out: Record<string, unknown> = {
        matMul256Ms: r3(mm),
        matMul256Gflops: r2(gflops),
        boundMs: r2(boundMs),
        sacUpdateMs: r2(sacMs),
        rppSacUpdateMs: r2(rppMs),
        sacOverBound: r3(sacMs / boundMs),
        rppOverSac: r3(rppMs / sacMs),
        matchedUpdateMs: r2(matchedMs),
        matchedOverSac: r3(matchedMs / sacMs),
        rppOverMatched: r3(rppMs / matchedMs),
        sacOverPytorch: [r2(sacMs / PYTORCH_MS[1]), r2(sacMs / PYTORCH_MS[0])],
      };
      if (own) {
        const ownMm = stat(tOwnMm.map((t) => t[key])) / 5;
        const ownGflops = (2 * 256 ** 3) / (ownMm * 1e6);
        const ownBoundMs = flops / (ownGflops * 1e6);
        const xSac = ms('off', 'sac');
        const xRpp = ms('off', 'rpp');
        const floorMs = stat(tFloor.map((t) => t[key]));
        Object.assign(out, {
          ownMatMul256Gflops: r2(ownGflops),
          ownMatMul256OverPeak: r3(ownGflops / peak),
          peakBoundMs: r2(flops / (peak * 1e6)),
          sacOverPeakBound: r3(sacMs / (flops / (peak * 1e6))),
          ownBoundMs: r2(ownBoundMs),
          sacOverOwnBound: r3(sacMs / ownBoundMs),
          sacUpdateMsXnnpack: r2(xSac),
          rppSacUpdateMsXnnpack: r2(xRpp),
          rppOverSacXnnpack: r3(xRpp / xSac),
          ownSpeedupSac: r3(xSac / sacMs),
          ownSpeedupRpp: r3(xRpp / rppMs),
          matmulFloorMs: r2(floorMs),
          sacOverFloor: r3(sacMs / floorMs),
        });
      }
      if (times.tape !== undefined) {
        const tSac = ms('tape', 'sac');
        const tRpp = ms('tape', 'rpp');
        const tMatched = ms('tape', 'matched');
        Object.assign(out, {
          sacUpdateMsTape: r2(tSac),
          rppSacUpdateMsTape: r2(tRpp),
          matchedUpdateMsTape: r2(tMatched),
          rppOverSacTape: r3(tRpp / tSac),
          heapSpeedupSac: r3(tSac / sacMs),
          heapSpeedupRpp: r3(tRpp / rppMs),
          heapSpeedupMatched: r3(tMatched / matchedMs),
        });
      }
      return out;
    };
    // The same ratios rep by rep (each update against the matmuls timed just before it),
    // then the median: slow drifts of the machine's speed cancel within a rep.
    const paired = (key: 'wall' | 'cpu'): Record<string, number> => {
      const bound = (r: number): number => flops / (((2 * 256 ** 3) / ((tMm[r][key] / 5) * 1e6)) * 1e6);
      const t = times.default;
      const reps_ = t.sac.map((_, r) => r);
      const out: Record<string, number> = {
        sacOverBound: r3(median(reps_.map((r) => t.sac[r][key] / bound(r)))),
        rppOverSac: r3(median(reps_.map((r) => t.rpp[r][key] / t.sac[r][key]))),
        matchedOverSac: r3(median(reps_.map((r) => t.matched[r][key] / t.sac[r][key]))),
      };
      if (own) {
        out.ownSpeedupSac = r3(median(reps_.map((r) => times.off.sac[r][key] / t.sac[r][key])));
        out.sacOverFloor = r3(median(reps_.map((r) => t.sac[r][key] / tFloor[r][key])));
      }
      if (times.tape !== undefined) {
        out.heapSpeedupSac = r3(median(reps_.map((r) => times.tape.sac[r][key] / t.sac[r][key])));
        out.heapSpeedupRpp = r3(median(reps_.map((r) => times.tape.rpp[r][key] / t.rpp[r][key])));
      }
      return out;
    };
    const kernels: Record<string, Record<string, number>> = {};
    for (const p of paths) {
      setPath(p);
      kernels[p === 'off' ? 'xnnpack' : p] = { sac: await kernelCount(sac, rb), rppSac: await kernelCount(rpp, rb), matched: await kernelCount(matched, rb) };
    }
    setPath('default');
    return {
      backend: tf.getBackend(),
      matmul,
      updateGflop: +(flops / 1e9).toFixed(3),
      simdPeakGflops: +peak.toFixed(1),
      reps,
      // Other processes on the machine inflate every number; ratios within one run stay comparable.
      loadAvg1m: +loadavg()[0].toFixed(2),
      wall: summary('wall'),
      cpu: summary('cpu'),
      // Fastest rep of each: the least disturbed by other load (not the headline number).
      wallMin: summary('wall', min),
      wallPaired: paired('wall'),
      ...(own ? { shapes: shapeRates(initial) } : {}),
      kernels,
      targets: { sacUpdateMs: 15, sacOverBound: 1.6, rppOverSac: 1.1 },
    };
  } finally {
    setPath('default');
    sac.dispose();
    rpp.dispose();
    matched.dispose();
    tf.dispose([a, b, bias]);
  }
}
