/**
 * Benchmark 'agents': one full SAC update (obs 17, act 6, 256x256, batch 256) and
 * the same for RPP-SAC (Walker2d-v5 exact mirror, RPP actor, plain critics as in
 * the paper's default), median ms on the current backend, against the arithmetic
 * bound: the update's FLOP count divided by the untransposed 256x256x256 matMul
 * rate measured in the same run. Targets: SAC / bound <= 1.6, RPP-SAC / SAC <= 1.15.
 */
import * as tf from '@tensorflow/tfjs';
import { median, timeIt } from '../bench-util.js';
import { Rng } from '../../src/random.js';
import { ReplayBuffer } from '../../src/replay/replay-buffer.js';
import { SacAgent } from '../../agents/sac.js';
import type { AgentKind } from '../../agents/sac-config.js';
import { symmetry } from '../../envs/symmetries.js';

export const name = 'agents';

const OBS = 17;
const ACT = 6;
const H = 256;
const B = 256;

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

async function updateMs(kind: AgentKind, rb: ReplayBuffer, reps: number): Promise<{ ms: number; kernels: number }> {
  const spec = kind === 'sac' ? null : symmetry('Walker2d-v5', 'exact_mirror');
  const agent = new SacAgent({ config: { agent: kind, hidden: [H, H], batchSize: B, seed: 0 }, obsDim: OBS, actDim: ACT, actionLow: new Array(ACT).fill(-1), actionHigh: new Array(ACT).fill(1), symmetry: spec });
  try {
    const times = await timeIt(() => agent.update(rb, { stats: false }), reps, 5);
    const prof = await tf.profile(() => {
      agent.update(rb, { stats: false });
    });
    return { ms: median(times), kernels: prof.kernels.length };
  } finally {
    agent.dispose();
  }
}

async function matMulGflops(): Promise<number> {
  const a = tf.randomNormal([256, 256]) as tf.Tensor2D;
  const b = tf.randomNormal([256, 256]) as tf.Tensor2D;
  const times = await timeIt(() => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  }, 60, 5);
  a.dispose();
  b.dispose();
  return (2 * 256 ** 3) / (median(times) * 1e6);
}

export async function run(): Promise<Record<string, unknown>> {
  const rb = filledReplay();
  const reps = Number(process.env.RPP_SAC_BENCH_REPS ?? 20);
  // Interleave the measurements so load changes on a shared machine hit all of them alike.
  const gflops1 = await matMulGflops();
  const sac = await updateMs('sac', rb, reps);
  const rpp = await updateMs('rpp-sac', rb, reps);
  const gflops2 = await matMulGflops();
  const gflops = Math.max(gflops1, gflops2);
  const flops = updateFlops(OBS, ACT, [H, H], B);
  const boundMs = flops / (gflops * 1e6);
  return {
    backend: tf.getBackend(),
    updateGflop: +(flops / 1e9).toFixed(3),
    matMul256Gflops: +gflops.toFixed(2),
    boundMs: +boundMs.toFixed(2),
    sacUpdateMs: +sac.ms.toFixed(2),
    rppSacUpdateMs: +rpp.ms.toFixed(2),
    sacKernels: sac.kernels,
    rppSacKernels: rpp.kernels,
    sacOverBound: +(sac.ms / boundMs).toFixed(3),
    rppOverSac: +(rpp.ms / sac.ms).toFixed(3),
    targets: { sacOverBound: 1.6, rppOverSac: 1.15 },
  };
}
