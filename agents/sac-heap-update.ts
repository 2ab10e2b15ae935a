/**
 * SAC's update without the gradient tape (issue 15): on the wasm backend with our matmul
 * kernels, an agent's update calls the kernels its tape path runs (agents/sac.ts step), in
 * the same order and on the same values, but on heap buffers allocated once per agent: no
 * tfjs dispatch, no tape, no tensor allocated per kernel. The variables (and Adam's moments)
 * stay tensors; each optimiser or Polyak step writes their next values into fresh buffers
 * that they then take by assign(), as the tape path's kernels do.
 *
 * Same kernels, same order, same inputs: the parameters after any number of updates are
 * bit-identical to the tape path's (test/sac-heap-update.test.ts), so runs, checkpoints and
 * seeds do not depend on which of the two ran. The reductions tfjs itself runs in the tape
 * path are reproduced exactly: Mean (a sequential float32 sum, then / n), the RPP scale
 * gradient's Sum (rowDot), and the temperature gradient -(mean log pi + target entropy) in
 * float32. A few tfjs ops remain, each on data that the tape path gives them too: alpha =
 * exp(log alpha) (one scalar), the RPP layers' effective weights (once per parameter
 * change), swish's sigmoid (one kernel per swish layer and forward), AdamW's decay.
 *
 * Which agents: all three kinds, with relu or swish networks (every configuration the
 * config schema allows), on wasm with our matmul kernels and host kernels on. Other
 * backends, RPP_SAC_MATMUL=xnnpack, and RPP_SAC_UPDATE=tape (or useHeapUpdate(false)) take
 * the tape path.
 */
import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, runOnHeap, type HeapArray } from '../src/kernels/host-kernel.js';
import { HeapBuffers, heapView } from '../src/kernels/heap-buffers.js';
import { hasOwnMatmul } from '../src/kernels/own-matmul.js';
import { Mlp } from '../src/nn/mlp.js';
import { heapRunnable, MlpOnHeap, type HeapPass, type NetworkOnHeap } from '../src/nn/mlp-heap.js';
import { RppMlp } from '../src/nn/rpp-mlp.js';
import { rppHeapRunnable, RppMlpOnHeap } from '../src/nn/rpp-mlp-heap.js';
import type { ReplayBatch } from '../src/replay/replay-buffer.js';
import type { Network } from '../src/nn/network.js';
import { DENSE_ONE_GRAD_KERNEL, DENSE_ONE_KERNEL } from '../src/nn/dense-one-kernel.js';
import { RELU_GRAD_KERNEL } from '../src/nn/relu-grad-kernel.js';
import { SWISH_GRAD_KERNEL } from '../src/nn/swish-grad-kernel.js';
import { GROUP_AVERAGE_KERNEL } from '../src/equivariance/group-average-kernel.js';
import type { Adam } from './adam.js';
import { ACTOR_LOSS_GRAD_KERNEL, ACTOR_LOSS_KERNEL, CRITIC_LOSS_GRAD_KERNEL, CRITIC_LOSS_KERNEL, CRITIC_TARGET_KERNEL } from './loss-kernels.js';
import { polyakOnHeap } from './losses.js';
import { ADAM_KERNEL, POLYAK_KERNEL } from './optimizer-kernels.js';
import type { HostNoise, StdOptions } from './squashed-gaussian.js';
import { SAMPLE_GRAD_KERNEL, SAMPLE_KERNEL } from './squashed-sample-kernel.js';

let enabled: boolean | undefined;

function enabledFromEnv(): boolean {
  const v = ((typeof process === 'undefined' ? undefined : process.env.RPP_SAC_UPDATE) ?? 'auto').trim().toLowerCase();
  if (v === 'auto' || v === 'heap') return true;
  if (v === 'tape') return false;
  throw new Error(`RPP_SAC_UPDATE='${v}': use auto (the tensor-free update where it applies) or tape.`);
}

/** Allow (true, the default) or forbid the tensor-free update process-wide; tests and benchmarks compare the two paths this way. */
export function useHeapUpdate(on: boolean): void {
  enabled = on;
}

/** Whether the tensor-free update is allowed now (useHeapUpdate, else RPP_SAC_UPDATE). */
export function heapUpdateAllowed(): boolean {
  enabled ??= enabledFromEnv();
  return enabled;
}

/** Everything of an agent the update reads and writes. */
export interface HeapUpdateParts {
  obsDim: number;
  actDim: number;
  batchSize: number;
  tau: number;
  targetEntropy: number;
  std: StdOptions;
  actor: Network;
  critic1: Network;
  critic2: Network;
  critic1Target: Network;
  critic2Target: Network;
  logAlpha: tf.Variable;
  criticVars: readonly tf.Variable[];
  targetVars: readonly tf.Variable[];
  actorOpt: Adam;
  criticOpt: Adam;
  alphaOpt: Adam;
}

/** The numbers of one update, as SacAgent reports them. */
export interface HeapUpdateStats {
  criticLoss: number;
  actorLoss: number;
  alpha: number;
  entropy: number;
  qMean: number;
}

/** The host kernels the update runs on heap (the tape path runs them as tfjs kernels). */
const KERNELS = [
  ADAM_KERNEL, POLYAK_KERNEL, SAMPLE_KERNEL, SAMPLE_GRAD_KERNEL, CRITIC_TARGET_KERNEL, CRITIC_LOSS_KERNEL, CRITIC_LOSS_GRAD_KERNEL, ACTOR_LOSS_KERNEL, ACTOR_LOSS_GRAD_KERNEL,
  RELU_GRAD_KERNEL, SWISH_GRAD_KERNEL, DENSE_ONE_KERNEL, DENSE_ONE_GRAD_KERNEL, GROUP_AVERAGE_KERNEL,
];

/** Whether the tensor-free update runs for these parts now (see the file comment). */
export function heapUpdateApplies(p: HeapUpdateParts): boolean {
  if (!heapUpdateAllowed() || !hasOwnMatmul() || !KERNELS.every((k) => hasHostKernel(k))) return false;
  const nets = [p.actor, p.critic1, p.critic2, p.critic1Target, p.critic2Target];
  return nets.every(runnable);
}

function runnable(n: Network): boolean {
  return (n instanceof Mlp && heapRunnable(n)) || (n instanceof RppMlp && rppHeapRunnable(n));
}

function onHeap(n: Network, batch: number, buffers: HeapBuffers): NetworkOnHeap {
  if (n instanceof Mlp) return new MlpOnHeap(n, batch, buffers);
  if (n instanceof RppMlp) return new RppMlpOnHeap(n, batch, buffers);
  throw new Error('SacHeapUpdate: a network that is neither an Mlp nor an RppMlp');
}

/** float32 mean as tfjs's wasm Mean computes it: a sequential float32 sum, then / n. */
function meanF32(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s = Math.fround(s + x[i]);
  return Math.fround(s / x.length);
}

export class SacHeapUpdate {
  readonly #p: HeapUpdateParts;
  readonly #buf = new HeapBuffers();
  readonly #actor: NetworkOnHeap;
  readonly #c1: NetworkOnHeap;
  readonly #c2: NetworkOnHeap;
  readonly #c1T: NetworkOnHeap;
  readonly #c2T: NetworkOnHeap;
  readonly #passes: Record<'actor' | 'c1' | 'c2' | 'c1T' | 'c2T', HeapPass>;
  /** Batch inputs, critic inputs (obs | action rows), and the small columns of the losses. */
  readonly #h: Record<
    'obs' | 'nextObs' | 'rewards' | 'discount' | 'xCritic' | 'xTarget' | 'xActor' | 'sample' | 'logProb' | 'y' | 'dq1' | 'dq2' | 'dy' | 'dLogProb' | 'dx1' | 'dx2' | 'dSample' | 'dMean' | 'dHead' | 'alpha' | 'one' | 'scalar' | 'dAlpha' | 'alphaGrad',
    HeapArray
  >;

  constructor(p: HeapUpdateParts) {
    this.#p = p;
    const B = p.batchSize;
    const [od, ad] = [p.obsDim, p.actDim];
    this.#actor = onHeap(p.actor, B, this.#buf);
    this.#c1 = onHeap(p.critic1, B, this.#buf);
    this.#c2 = onHeap(p.critic2, B, this.#buf);
    this.#c1T = onHeap(p.critic1Target, B, this.#buf);
    this.#c2T = onHeap(p.critic2Target, B, this.#buf);
    this.#passes = { actor: this.#actor.newPass(), c1: this.#c1.newPass(), c2: this.#c2.newPass(), c1T: this.#c1T.newPass(), c2T: this.#c2T.newPass() };
    const a = (n: number): HeapArray => this.#buf.alloc(n);
    const cin = od + ad;
    this.#h = {
      obs: a(B * od),
      nextObs: a(B * od),
      rewards: a(B),
      discount: a(B),
      xCritic: a(B * cin),
      xTarget: a(B * cin),
      xActor: a(B * cin),
      sample: a(B * (ad + 1)),
      logProb: a(B),
      y: a(B),
      dq1: a(B),
      dq2: a(B),
      dy: a(B),
      dLogProb: a(B),
      dx1: a(B * cin),
      dx2: a(B * cin),
      dSample: a(B * (ad + 1)),
      dMean: a(B * ad),
      dHead: a(B * ad),
      alpha: a(1),
      one: a(1),
      scalar: a(1),
      dAlpha: a(1),
      alphaGrad: a(1),
    };
    heapView(this.#h.one)[0] = 1;
  }

  /**
   * One update on a sampled batch, its discount column gamma (1 - terminated) and the
   * two noise draws (target, then actor), as SacAgent.step draws them. Returns the
   * stats when asked (they cost a loss forward and a mean), else null.
   */
  step(batch: ReplayBatch, discount: Float32Array, noiseTarget: HostNoise, noiseActor: HostNoise, wantStats: boolean): HeapUpdateStats | null {
    const p = this.#p;
    const h = this.#h;
    const buf = this.#buf;
    const [B, od, ad] = [p.batchSize, p.obsDim, p.actDim];
    const cin = od + ad;
    buf.write(h.obs, batch.obs);
    buf.write(h.nextObs, batch.nextObs);
    buf.write(h.rewards, batch.rewards);
    buf.write(h.discount, discount);
    // alpha = exp(log alpha) by tfjs's Exp, as in the tape path (one scalar kernel).
    const alpha = tf.tidy(() => tf.exp(p.logAlpha).dataSync()[0]);
    heapView(h.alpha)[0] = alpha;

    // 1. Bellman target: actor on s', a' ~ pi(s'), the target critics on (s', a').
    this.#actor.forward(h.nextObs, this.#passes.actor);
    this.#sample(noiseTarget, h.xTarget, h.nextObs);
    this.#c1T.forward(h.xTarget, this.#passes.c1T);
    this.#c2T.forward(h.xTarget, this.#passes.c2T);
    runOnHeap(CRITIC_TARGET_KERNEL, [h.rewards, h.discount, this.#passes.c1T.heads[0], this.#passes.c2T.heads[0], h.logProb, h.alpha], [h.y], null);

    // 2. Critic step on (s, a) from the buffer; the input is constant.
    this.#rows(h.xCritic, h.obs, od, batch.actions, ad);
    const q1 = this.#passes.c1.heads[0];
    const q2 = this.#passes.c2.heads[0];
    this.#c1.forward(h.xCritic, this.#passes.c1);
    this.#c2.forward(h.xCritic, this.#passes.c2);
    let criticLoss = 0;
    if (wantStats) {
      runOnHeap(CRITIC_LOSS_KERNEL, [q1, q2, h.y], [h.scalar], null);
      criticLoss = heapView(h.scalar)[0];
    }
    runOnHeap(CRITIC_LOSS_GRAD_KERNEL, [q1, q2, h.y, h.one], [h.dq1, h.dq2, h.dy], null);
    this.#c2.backward(h.xCritic, this.#passes.c2, [h.dq2], true, cin, null);
    this.#c1.backward(h.xCritic, this.#passes.c1, [h.dq1], true, cin, null);
    p.criticOpt.applyOnHeap([...this.#c1.grads, ...this.#c2.grads]);

    // 3. Actor step: a ~ pi(s), gradients through the (updated) critics' action columns.
    this.#actor.forward(h.obs, this.#passes.actor);
    this.#sample(noiseActor, h.xActor, h.obs);
    this.#c1.forward(h.xActor, this.#passes.c1);
    this.#c2.forward(h.xActor, this.#passes.c2);
    const meanLogProb = meanF32(heapView(h.logProb));
    let actorLoss = 0;
    let qMean = 0;
    if (wantStats) {
      const [v1, v2] = [heapView(q1), heapView(q2)];
      qMean = meanF32(v1.map((v, i) => Math.min(v, v2[i])));
      runOnHeap(ACTOR_LOSS_KERNEL, [h.logProb, q1, q2, h.alpha], [h.scalar], null);
      actorLoss = heapView(h.scalar)[0];
    }
    runOnHeap(ACTOR_LOSS_GRAD_KERNEL, [h.logProb, q1, q2, h.alpha, h.one], [h.dLogProb, h.dq1, h.dq2, h.dAlpha], null);
    this.#c2.backward(h.xActor, this.#passes.c2, [h.dq2], false, od, h.dx2);
    this.#c1.backward(h.xActor, this.#passes.c1, [h.dq1], false, od, h.dx1);
    // The sample's output gradient: the two critics' action columns summed, then d log pi.
    const [dx1, dx2, dS, dLp] = [heapView(h.dx1), heapView(h.dx2), heapView(h.dSample), heapView(h.dLogProb)];
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < ad; j++) dS[b * (ad + 1) + j] = dx2[b * cin + od + j] + dx1[b * cin + od + j];
      dS[b * (ad + 1) + ad] = dLp[b];
    }
    const [, head] = this.#passes.actor.heads;
    runOnHeap(SAMPLE_GRAD_KERNEL, [head, h.sample, h.dSample], [h.dMean, h.dHead], this.#sampleSpec(noiseActor));
    this.#actor.backward(h.obs, this.#passes.actor, [h.dMean, h.dHead], true, od, null);
    p.actorOpt.applyOnHeap(this.#actor.grads);

    // 4. Temperature: d/d log alpha = -(mean log pi + target entropy), in float32 as tf.add and tf.neg.
    heapView(h.alphaGrad)[0] = -Math.fround(meanLogProb + Math.fround(p.targetEntropy));
    p.alphaOpt.applyOnHeap([h.alphaGrad]);

    // 5. Target networks.
    polyakOnHeap(p.targetVars, p.criticVars, p.tau);

    if (!wantStats) return null;
    return { criticLoss, actorLoss, alpha, entropy: -meanLogProb, qMean };
  }

  #sampleSpec(noise: HostNoise): { std: StdOptions; noise: Float32Array; logProbConst: Float32Array; batch: number; dim: number } {
    return { std: this.#p.std, noise: noise.noise, logProbConst: noise.logProbConst, batch: this.#p.batchSize, dim: this.#p.actDim };
  }

  /**
   * a ~ pi from the actor pass's heads (the sample kernel: action columns, then log pi),
   * log pi into its column buffer, and the critics' input rows (obs | action) into x.
   */
  #sample(noise: HostNoise, x: HeapArray, obs: HeapArray): void {
    const h = this.#h;
    const [mean, head] = this.#passes.actor.heads;
    runOnHeap(SAMPLE_KERNEL, [mean, head], [h.sample], this.#sampleSpec(noise));
    const ad = this.#p.actDim;
    const s = heapView(h.sample);
    const lp = heapView(h.logProb);
    for (let b = 0; b < lp.length; b++) lp[b] = s[b * (ad + 1) + ad];
    this.#rows(x, obs, this.#p.obsDim, s, ad, ad + 1);
  }

  /** x [B, od + ad] = rows of obs [B, od] next to the first ad of each row of act (row stride actStride). */
  #rows(x: HeapArray, obs: HeapArray, od: number, act: Float32Array, ad: number, actStride = ad): void {
    const xv = heapView(x);
    const ov = heapView(obs);
    const cin = od + ad;
    for (let b = 0; b < this.#p.batchSize; b++) {
      xv.set(ov.subarray(b * od, (b + 1) * od), b * cin);
      xv.set(act.subarray(b * actStride, b * actStride + ad), b * cin + od);
    }
  }

  dispose(): void {
    for (const n of [this.#actor, this.#c1, this.#c2, this.#c1T, this.#c2T]) n.dispose();
    this.#buf.dispose();
  }
}
