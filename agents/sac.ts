/**
 * Soft Actor-Critic (Haarnoja et al. 2018, with automatic temperature), shared by
 * SAC, RPP-SAC and EMLP-SAC: the three differ only by the network factory
 * (agents/networks.ts).
 *
 * Units. The agent works in [-1, 1]^|A| (tanh-squashed); `act`/`randomAction` return
 * env units by the affine map low + (a + 1) * (high - low) / 2 (Gymnasium's
 * RescaleAction). Store the [-1, 1] action (`actUnit`, `randomUnitAction`, or
 * `toUnit(envAction)`) in the replay buffer.
 *
 * One update (CleanRL / SB3 order):
 *   1. target  y = r + gamma (1 - terminated) (min Q'_targ(s', a') - alpha log pi(a'|s')), a' ~ pi(s')
 *   2. critic  minimise mean((Q1 - y)^2 + (Q2 - y)^2)        (+ critic penalty with rppCritic)
 *   3. actor   minimise mean(alpha log pi(a|s) - min(Q1, Q2)(s, a)) + actor penalty, a ~ pi(s)
 *      (the RPP penalties equivWd*sum(w_equiv^2) + basicWd*sum(w_basic^2) enter as their
 *      gradient 2*wd*w inside Adam, before clipping: see l2Coefficients; with penaltyMode
 *      'decoupled' they are AdamW decay w <- w (1 - lr wd) instead)
 *   4. alpha   minimise -log(alpha) (mean log pi + targetEntropy), with log pi from step 3
 *   5. Polyak  target <- tau online + (1 - tau) target
 * alpha is read once at the start (as CleanRL/SB3). The paper's code orders it
 * critic, target, actor, temperature; the difference is one step of staleness.
 *
 * Speed: targets are computed outside the gradient closures (tfjs 4.22 has no
 * stopGradient), noise and its log-density constant are drawn on the host, the
 * discount mask gamma*(1 - terminated) is computed on the host, the temperature
 * gradient is closed-form (no tape), and there is at most one device->host read per
 * update (the stats, only when asked for). On wasm with our matmul kernels the same update
 * runs without the tape (sac-heap-update.ts: the same kernels in the same order on heap
 * buffers, bit-identical); step() below is the tape path every other backend takes.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, type RngState } from '../src/random.js';
import type { ReplayBuffer } from '../src/replay/replay-buffer.js';
import type { SymmetrySpec } from '../envs/types.js';
import { getDefaultLogger, type Logger } from '../src/logging.js';
import type { Network } from '../src/nn/network.js';
import { parseSacConfig, resolveTargetEntropy, type SacConfig, type SacConfigInput } from './sac-config.js';
import { makeActor, makeCritic, symmetryReps, type ActorNet, type CriticNet, type NetworkSpec } from './networks.js';
import { Adam, type AdamState } from './adam.js';
import { actorLoss, alphaLossGrad, criticLoss, criticTarget, polyakUpdate } from './losses.js';
import { drawNoise, stdFromHead, type HostNoise, type StdOptions } from './squashed-gaussian.js';
import { sampleFromHeads } from './squashed-sample-kernel.js';
import { heapUpdateApplies, SacHeapUpdate, type HeapUpdateParts } from './sac-heap-update.js';

export interface SacAgentOptions {
  /** Hyperparameters (parsed with SacConfigSchema: defaults filled, unknown keys refused). */
  config: SacConfigInput;
  obsDim: number;
  actDim: number;
  /** The env's action Box (env units); actions are rescaled from [-1, 1] to it. */
  actionLow: ArrayLike<number>;
  actionHigh: ArrayLike<number>;
  /** The env symmetry for 'rpp-sac' / 'emlp-sac'; ignored (may be null) for 'sac'. */
  symmetry: SymmetrySpec | null;
  logger?: Logger;
}

/** Numbers from one update (read with a single dataSync). */
export interface UpdateStats {
  /** mean((Q1 - y)^2 + (Q2 - y)^2), without the critics' L2 penalty. */
  criticLoss: number;
  /** mean(alpha log pi - min Q), without the actor's L2 penalty. */
  actorLoss: number;
  /** alpha used in this update (before its own step). */
  alpha: number;
  /** -mean log pi(a|s) of the actor step's samples. */
  entropy: number;
  /** mean of min(Q1, Q2) at the actor's samples. */
  qMean: number;
}

export type ActMode = 'stochastic' | 'deterministic';

function statsFrom(s: ArrayLike<number>): UpdateStats {
  return { criticLoss: s[0], actorLoss: s[1], alpha: s[2], entropy: s[3], qMean: s[4] };
}

/** Everything that changes while training, as plain arrays (see agents/checkpoint.ts). */
export interface SacAgentState {
  /** Variable values by group, in network variable order. */
  params: Record<'actor' | 'critic1' | 'critic2' | 'critic1Target' | 'critic2Target' | 'logAlpha', Float32Array[]>;
  adam: Record<'actor' | 'critic' | 'alpha', AdamState>;
  rng: RngState;
  updates: number;
}

/**
 * The L2 penalty coefficient of each of a network's variables (in variable order):
 * equivWd for its equivariant pathway, basicWd for its residual pathway, 0 otherwise
 * (the paper's get_l2). The agent passes these to Adam, which adds 2 c w to the
 * gradient: the same update as adding net.penalty(equivWd, basicWd) to the loss.
 */
export function l2Coefficients(net: Network, equivWd: number, basicWd: number): number[] {
  const groups = net.paramGroups();
  const equiv = new Set(groups.equiv);
  const basic = new Set(groups.basic);
  return net.variables.map((v) => (equiv.has(v) ? equivWd : basic.has(v) ? basicWd : 0));
}

export class SacAgent {
  readonly config: Readonly<SacConfig>;
  readonly obsDim: number;
  readonly actDim: number;
  readonly targetEntropy: number;
  readonly actor: ActorNet;
  readonly critic1: CriticNet;
  readonly critic2: CriticNet;
  readonly critic1Target: CriticNet;
  readonly critic2Target: CriticNet;
  readonly logAlpha: tf.Variable<tf.Rank.R0>;
  private readonly symmetry: SymmetrySpec | null;
  private readonly actionLow: Float32Array;
  private readonly actionScale: Float32Array;
  private readonly std: StdOptions;
  private readonly actorOpt: Adam;
  private readonly criticOpt: Adam;
  private readonly alphaOpt: Adam;
  private readonly criticVars: tf.Variable[];
  private readonly targetVars: tf.Variable[];
  private readonly rng: Rng;
  private readonly logger: Logger;
  private noiseTarget: HostNoise | undefined;
  private noiseActor: HostNoise | undefined;
  private discount: Float32Array | undefined;
  /** The tensor-free update (sac-heap-update.ts), built on first use where it applies. */
  private heapUpdate: SacHeapUpdate | null = null;
  private heapPartsCache: HeapUpdateParts | null = null;
  private _updates = 0;
  private _updatePath: 'heap' | 'tape' | null = null;
  private disposed = false;

  constructor(opts: SacAgentOptions) {
    this.config = parseSacConfig(opts.config);
    const cfg = this.config;
    const { obsDim, actDim } = opts;
    if (!Number.isInteger(obsDim) || obsDim <= 0 || !Number.isInteger(actDim) || actDim <= 0) {
      throw new Error(`SacAgent: obsDim and actDim must be positive integers, got ${obsDim} and ${actDim}`);
    }
    if (opts.actionLow.length !== actDim || opts.actionHigh.length !== actDim) {
      throw new Error(`SacAgent: actionLow/actionHigh must have length actDim=${actDim}, got ${opts.actionLow.length}/${opts.actionHigh.length}`);
    }
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.logger = opts.logger ?? getDefaultLogger();
    this.symmetry = cfg.agent === 'sac' ? null : opts.symmetry;
    if (cfg.agent !== 'sac' && this.symmetry === null) {
      throw new Error(`SacAgent: agent '${cfg.agent}' needs a symmetry spec; pass symmetry (envs symmetry(envId, '${cfg.symmetry}')) or use agent 'sac'.`);
    }
    this.actionLow = new Float32Array(actDim);
    this.actionScale = new Float32Array(actDim);
    for (let j = 0; j < actDim; j++) {
      const lo = opts.actionLow[j];
      const hi = opts.actionHigh[j];
      if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) throw new Error(`SacAgent: action bound ${j} must be finite with high > low, got [${lo}, ${hi}]`);
      this.actionLow[j] = lo;
      this.actionScale[j] = (hi - lo) / 2;
    }
    this.std = { stdParam: cfg.stdParam, logStdMin: cfg.logStdMin, logStdMax: cfg.logStdMax };
    this.targetEntropy = resolveTargetEntropy(cfg.targetEntropy, actDim);
    this.rng = new Rng(cfg.seed * 7919 + 17);

    const spec = (k: number): NetworkSpec => ({
      kind: cfg.agent,
      obsDim,
      actDim,
      hidden: [...cfg.hidden],
      symmetry: this.symmetry,
      seed: cfg.seed * 1000 + k,
      plain: k === 1 ? { activation: cfg.actorActivation, init: cfg.actorInit } : { activation: cfg.criticActivation, init: cfg.criticInit },
    });
    this.actor = makeActor(spec(1), cfg.actorHeadInitScale);
    this.critic1 = makeCritic(spec(2), cfg.rppCritic);
    this.critic2 = makeCritic(spec(3), cfg.rppCritic);
    this.critic1Target = makeCritic(spec(2), cfg.rppCritic);
    this.critic2Target = makeCritic(spec(3), cfg.rppCritic);
    this.criticVars = [...this.critic1.variables, ...this.critic2.variables];
    this.targetVars = [...this.critic1Target.variables, ...this.critic2Target.variables];
    tf.tidy(() => this.targetVars.forEach((t, i) => t.assign(this.criticVars[i])));
    this.logAlpha = tf.tidy(() => tf.variable(tf.scalar(Math.log(cfg.initAlpha)), true));

    const actorL2 = l2Coefficients(this.actor.net, cfg.agent === 'sac' ? 0 : cfg.actorEquivWd, cfg.agent === 'sac' ? 0 : cfg.actorBasicWd);
    const criticRpp = cfg.agent !== 'sac' && cfg.rppCritic;
    const criticL2 = [this.critic1, this.critic2].flatMap((c) => l2Coefficients(c.net, criticRpp ? cfg.criticEquivWd : 0, criticRpp ? cfg.criticBasicWd : 0));
    // penaltyMode 'l2': coefficients enter the gradient (2 c w); 'decoupled': AdamW decay.
    const penalty = (c: number[]): { l2: number[] } | { decay: number[] } => (cfg.penaltyMode === 'decoupled' ? { decay: c } : { l2: c });
    this.actorOpt = new Adam(this.actor.variables, { lr: cfg.actorLr, clipNorm: cfg.gradClipNorm, ...penalty(actorL2) });
    this.criticOpt = new Adam(this.criticVars, { lr: cfg.criticLr, clipNorm: cfg.gradClipNorm, ...penalty(criticL2) });
    this.alphaOpt = new Adam([this.logAlpha], { lr: cfg.alphaLr, clipNorm: cfg.gradClipNorm });
  }

  get kind(): SacConfig['agent'] {
    return this.config.agent;
  }

  /**
   * How the last update ran: 'heap' (the tensor-free update, sac-heap-update.ts) or 'tape'
   * (tf ops under the gradient tape); null before the first. Both give the same bits.
   */
  get updatePath(): 'heap' | 'tape' | null {
    return this._updatePath;
  }

  /** Gradient updates done so far. */
  get updates(): number {
    return this._updates;
  }

  /** Current temperature (one sync). */
  get alpha(): number {
    return Math.exp(this.logAlpha.dataSync()[0]);
  }

  // ---------------------------------------------------------------- acting

  /** Actions in [-1, 1]: tanh(mean) (deterministic) or tanh(mean + std * noise). obs is [n*obsDim] row-major. */
  actUnit(obs: ArrayLike<number>, n: number, mode: ActMode): Float32Array {
    const out = this.actTensor(obs, n, mode);
    const a = out.dataSync() as Float32Array;
    out.dispose();
    return a;
  }

  /** actUnit with an asynchronous read (backends that cannot read synchronously: webgpu in Node). */
  async actUnitAsync(obs: ArrayLike<number>, n: number, mode: ActMode): Promise<Float32Array> {
    const out = this.actTensor(obs, n, mode);
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  private actTensor(obs: ArrayLike<number>, n: number, mode: ActMode): tf.Tensor {
    this.checkAlive();
    if (obs.length !== n * this.obsDim) throw new Error(`SacAgent.act: obs has ${obs.length} values, expected n*obsDim = ${n}*${this.obsDim}`);
    const noise = mode === 'stochastic' ? drawNoise(this.rng, n, this.actDim).noise : null;
    return tf.tidy(() => {
      const x = tf.tensor2d(obs instanceof Float32Array ? obs : Float32Array.from(obs), [n, this.obsDim]);
      const [mean, head] = this.actor.heads(x);
      if (noise === null) return tf.tanh(mean);
      const { std } = stdFromHead(head, this.std);
      return tf.tanh(tf.add(mean, tf.mul(std, tf.tensor2d(noise, [n, this.actDim]))));
    });
  }

  /** Actions in env units (see actUnit). */
  act(obs: ArrayLike<number>, n: number, mode: ActMode): Float32Array {
    return this.toEnvUnits(this.actUnit(obs, n, mode));
  }

  /** act with an asynchronous read (see actUnitAsync). */
  async actAsync(obs: ArrayLike<number>, n: number, mode: ActMode): Promise<Float32Array> {
    return this.toEnvUnits(await this.actUnitAsync(obs, n, mode));
  }

  /** Uniform random actions in [-1, 1] (the first learningStarts steps), from the agent's seeded Rng. */
  randomUnitAction(n: number): Float32Array {
    const a = new Float32Array(n * this.actDim);
    for (let i = 0; i < a.length; i++) a[i] = this.rng.uniform(-1, 1);
    return a;
  }

  /** Uniform random actions in env units. */
  randomAction(n: number): Float32Array {
    return this.toEnvUnits(this.randomUnitAction(n));
  }

  /** [-1, 1] -> [low, high] per action dimension (rows of actDim). */
  toEnvUnits(unit: ArrayLike<number>): Float32Array {
    const out = new Float32Array(unit.length);
    for (let i = 0; i < unit.length; i++) {
      const j = i % this.actDim;
      out[i] = this.actionLow[j] + (unit[i] + 1) * this.actionScale[j];
    }
    return out;
  }

  /** [low, high] -> [-1, 1] (inverse of toEnvUnits, clipped). */
  toUnit(envAction: ArrayLike<number>): Float32Array {
    const out = new Float32Array(envAction.length);
    for (let i = 0; i < envAction.length; i++) {
      const j = i % this.actDim;
      out[i] = Math.min(1, Math.max(-1, (envAction[i] - this.actionLow[j]) / this.actionScale[j] - 1));
    }
    return out;
  }

  // ---------------------------------------------------------------- learning

  /**
   * One gradient step on a minibatch from `replay` (steps 1-5 above). With
   * `stats: true` (default) reads the losses back with one dataSync; with false,
   * no device->host read at all and null is returned.
   */
  update(replay: ReplayBuffer, opts: { stats?: boolean } = {}): UpdateStats | null {
    const r = this.step(replay, opts.stats ?? true);
    if (!(r instanceof tf.Tensor)) return r;
    const s = r.dataSync();
    r.dispose();
    return statsFrom(s);
  }

  /**
   * update() with its stats read asynchronously (`await data()`): the form for backends
   * that cannot read synchronously (webgpu in Node). The step itself is queued on the
   * device before this returns; only the read waits.
   */
  async updateAsync(replay: ReplayBuffer): Promise<UpdateStats> {
    const statsTensor = this.step(replay, true)!;
    if (!(statsTensor instanceof tf.Tensor)) return statsTensor;
    try {
      return statsFrom(await statsTensor.data());
    } finally {
      statsTensor.dispose();
    }
  }

  /**
   * The update; returns the stats when asked: as numbers from the tensor-free update,
   * as one tensor from the tape path (the caller reads and disposes it).
   */
  private step(replay: ReplayBuffer, wantStats: boolean): tf.Tensor | UpdateStats | null {
    this.checkAlive();
    const cfg = this.config;
    const B = cfg.batchSize;
    const { obsDim: od, actDim: ad } = this;
    if (replay.obsDim !== od || replay.actDim !== ad) throw new Error(`SacAgent.update: replay buffer has obs/act dims ${replay.obsDim}/${replay.actDim}, agent ${od}/${ad}`);
    const batch = replay.sample(B);
    this.discount ??= new Float32Array(B);
    for (let i = 0; i < B; i++) this.discount[i] = cfg.gamma * (1 - batch.terminated[i]);
    this.noiseTarget = drawNoise(this.rng, B, ad, this.noiseTarget);
    this.noiseActor = drawNoise(this.rng, B, ad, this.noiseActor);
    const nt = this.noiseTarget;
    const na = this.noiseActor;
    if (heapUpdateApplies(this.heapParts)) {
      this.heapUpdate ??= new SacHeapUpdate(this.heapParts);
      const stats = this.heapUpdate.step(batch, this.discount, nt, na, wantStats);
      this._updates++;
      this._updatePath = 'heap';
      return stats;
    }
    // Kept out of the actor closure's tidy with tf.keep, so disposed by hand below.
    let meanLogProb: tf.Scalar | undefined;
    let qMean: tf.Scalar | undefined;

    const statsTensor: tf.Tensor | undefined = tf.tidy((): tf.Tensor | undefined => {
      const obs = tf.tensor2d(batch.obs, [B, od]);
      const nextObs = tf.tensor2d(batch.nextObs, [B, od]);
      const actions = tf.tensor2d(batch.actions, [B, ad]);
      const rewards = tf.tensor2d(batch.rewards, [B, 1]);
      const discount = tf.tensor2d(this.discount!, [B, 1]);
      const alpha = tf.exp(this.logAlpha);

      // 1. Bellman target, outside any tape.
      const y = (() => {
        const [mean, head] = this.actor.heads(nextObs);
        const { action, logProb } = sampleFromHeads(mean, head, this.std, nt);
        const x = this.critic1Target.input(nextObs, action);
        return criticTarget(rewards, discount, this.critic1Target.qFromInput(x), this.critic2Target.qFromInput(x), alpha, logProb);
      })();

      // 2. Critic step. (The RPP L2 penalties enter as gradient terms inside Adam, see l2Coefficients.)
      // The input (replay obs and actions) is constant: no input gradient.
      const criticIn = this.critic1.input(obs, actions);
      const constIn = { constantInputs: od + ad };
      const c = tf.variableGrads(() => criticLoss(this.critic1.qFromInput(criticIn, constIn), this.critic2.qFromInput(criticIn, constIn), y), this.criticVars);
      this.criticOpt.apply(this.criticVars.map((v) => c.grads[v.name]));

      // 3. Actor step (critic weights are not in the var list, so they get no gradient).
      // Gradients flow to the actor through the critics' action columns only.
      const a = tf.variableGrads(() => {
        const [mean, head] = this.actor.heads(obs, { constantInputs: od });
        const { action, logProb } = sampleFromHeads(mean, head, this.std, na);
        const x = this.critic1.input(obs, action);
        const through = { paramGrads: false, constantInputs: od };
        const q1 = this.critic1.qFromInput(x, through);
        const q2 = this.critic2.qFromInput(x, through);
        meanLogProb = tf.keep(tf.mean(logProb) as tf.Scalar);
        if (wantStats) qMean = tf.keep(tf.mean(tf.minimum(q1, q2)) as tf.Scalar);
        return actorLoss(alpha, logProb, q1, q2);
      }, this.actor.variables as tf.Variable[]);
      this.actorOpt.apply(this.actor.variables.map((v) => a.grads[v.name]));

      // 4. Temperature step, closed-form gradient.
      this.alphaOpt.apply([alphaLossGrad(meanLogProb!, this.targetEntropy)]);

      // 5. Target networks.
      polyakUpdate(this.targetVars, this.criticVars, cfg.tau);

      if (!wantStats) return undefined;
      return tf.stack([c.value, a.value, alpha, tf.neg(meanLogProb!), qMean!]);
    });
    this._updates++;
    this._updatePath = 'tape';
    meanLogProb?.dispose();
    qMean?.dispose();
    return statsTensor ?? null;
  }

  /** What the tensor-free update reads and writes (all fixed for the agent's life). */
  private get heapParts(): HeapUpdateParts {
    const cfg = this.config;
    this.heapPartsCache ??= {
      obsDim: this.obsDim,
      actDim: this.actDim,
      batchSize: cfg.batchSize,
      tau: cfg.tau,
      targetEntropy: this.targetEntropy,
      std: this.std,
      actor: this.actor.net,
      critic1: this.critic1.net,
      critic2: this.critic2.net,
      critic1Target: this.critic1Target.net,
      critic2Target: this.critic2Target.net,
      logAlpha: this.logAlpha,
      criticVars: this.criticVars,
      targetVars: this.targetVars,
      actorOpt: this.actorOpt,
      criticOpt: this.criticOpt,
      alphaOpt: this.alphaOpt,
    };
    return this.heapPartsCache;
  }

  // ---------------------------------------------------------------- symmetry

  /**
   * Relative equivariance errors of the whole action distribution under the group, on a
   * batch of observations [n*obsDim], each the mean over non-identity g of a Frobenius
   * ratio over the batch:
   *   mean: ||mu(rho_obs(g) x) - rho_act(g) mu(x)|| / ||mu(x)||              (pre-tanh mean)
   *   std:  ||sigma(rho_obs(g) x) - |rho_act(g)| sigma(x)|| / ||sigma(x)||   (after the clamps)
   * The Gaussian (and so the squashed policy) is equivariant exactly when both are 0; they
   * are reported side by side, not combined, because they move differently (the std head
   * starts near-constant). null for plain SAC. ~1e-7 for EMLP-SAC; they grow as RPP-SAC
   * uses its residual pathway.
   */
  policyEquivarianceErrors(obs: ArrayLike<number>, n: number): { mean: number; std: number } | null {
    const plan = this.equivariancePlan(obs, n);
    if (plan === null) return null;
    try {
      return plan.errors(plan.heads.map((t) => t.dataSync() as Float32Array));
    } finally {
      plan.heads.forEach((t) => t.dispose());
    }
  }

  /** policyEquivarianceErrors with asynchronous reads (backends without synchronous reads: webgpu in Node). */
  async policyEquivarianceErrorsAsync(obs: ArrayLike<number>, n: number): Promise<{ mean: number; std: number } | null> {
    const plan = this.equivariancePlan(obs, n);
    if (plan === null) return null;
    try {
      return plan.errors((await Promise.all(plan.heads.map((t) => t.data()))) as Float32Array[]);
    } finally {
      plan.heads.forEach((t) => t.dispose());
    }
  }

  /** The heads to read (mean and std of obs, then of each g·obs) and the errors from their values. */
  private equivariancePlan(obs: ArrayLike<number>, n: number): { heads: tf.Tensor[]; errors(values: Float32Array[]): { mean: number; std: number } } | null {
    this.checkAlive();
    if (this.symmetry === null) return null;
    const reps = symmetryReps(this.symmetry, this.obsDim, this.actDim);
    const od = this.obsDim;
    const ad = this.actDim;
    if (obs.length !== n * od) throw new Error(`policyEquivarianceErrors: obs has ${obs.length} values, expected n*obsDim = ${n}*${od}`);
    const headsOf = (x: Float32Array): tf.Tensor[] =>
      tf.tidy(() => {
        const [mean, head] = this.actor.heads(tf.tensor2d(x, [n, od]));
        return [mean, stdFromHead(head, this.std).std];
      });
    const elements = reps.obs.elements();
    const heads = headsOf(Float32Array.from(obs));
    for (let k = 1; k < elements.length; k++) {
      const gObs = elements[k];
      const x = Float32Array.from(obs);
      for (let i = 0; i < n; i++) {
        const row = gObs.apply(Array.prototype.slice.call(obs, i * od, (i + 1) * od) as number[]);
        x.set(row, i * od);
      }
      heads.push(...headsOf(x));
    }
    const errors = (values: Float32Array[]): { mean: number; std: number } => {
      const [baseMean, baseStd] = values;
      const norm = (v: Float32Array): number => Math.max(Math.sqrt(v.reduce((s, a) => s + a * a, 0)), 1e-12);
      let totalMean = 0;
      let totalStd = 0;
      for (let k = 1; k < elements.length; k++) {
        const gAct = reps.act.element(k);
        const m = values[2 * k];
        const sd = values[2 * k + 1];
        let dMean = 0;
        let dStd = 0;
        for (let i = 0; i < n; i++) {
          const gm = gAct.apply(baseMean.subarray(i * ad, (i + 1) * ad));
          const gs = baseStd.subarray(i * ad, (i + 1) * ad);
          for (let j = 0; j < ad; j++) {
            dMean += (m[i * ad + j] - gm[j]) ** 2;
            // |rho_act(g)|: the same permutation, sign +1.
            dStd += (sd[i * ad + j] - gs[gAct.perm[j]]) ** 2;
          }
        }
        totalMean += Math.sqrt(dMean) / norm(baseMean);
        totalStd += Math.sqrt(dStd) / norm(baseStd);
      }
      const count = elements.length - 1;
      return { mean: totalMean / count, std: totalStd / count };
    };
    return { heads, errors };
  }

  // ---------------------------------------------------------------- state

  /**
   * Read every variable and optimiser moment asynchronously; until the next update,
   * getState() and alpha then read nothing from the device. For backends without
   * synchronous reads (webgpu in Node) before a checkpoint.
   */
  async prefetchState(): Promise<void> {
    this.checkAlive();
    await Promise.all([...Object.values(this.variableGroups()).flatMap((vs) => vs.map((v) => v.data())), this.actorOpt.prefetch(), this.criticOpt.prefetch(), this.alphaOpt.prefetch()]);
  }

  getState(): SacAgentState {
    this.checkAlive();
    const read = (vs: readonly tf.Variable[]): Float32Array[] => vs.map((v) => (v.dataSync() as Float32Array).slice());
    return {
      params: {
        actor: read(this.actor.variables),
        critic1: read(this.critic1.variables),
        critic2: read(this.critic2.variables),
        critic1Target: read(this.critic1Target.variables),
        critic2Target: read(this.critic2Target.variables),
        logAlpha: read([this.logAlpha]),
      },
      adam: { actor: this.actorOpt.getState(), critic: this.criticOpt.getState(), alpha: this.alphaOpt.getState() },
      rng: this.rng.getState(),
      updates: this._updates,
    };
  }

  setState(state: SacAgentState): void {
    this.checkAlive();
    const groups = this.variableGroups();
    for (const [name, vars] of Object.entries(groups)) {
      const values = state.params[name as keyof SacAgentState['params']];
      if (values === undefined || values.length !== vars.length) throw new Error(`SacAgent.setState: '${name}' has ${values?.length ?? 0} arrays, this agent ${vars.length} variables`);
      vars.forEach((v, i) => {
        if (values[i].length !== v.size) throw new Error(`SacAgent.setState: ${name}[${i}] has ${values[i].length} values, variable shape [${v.shape.join(', ')}]`);
        tf.tidy(() => v.assign(tf.tensor(values[i], v.shape)));
      });
    }
    this.actorOpt.setState(state.adam.actor);
    this.criticOpt.setState(state.adam.critic);
    this.alphaOpt.setState(state.adam.alpha);
    this.rng.setState(state.rng);
    this._updates = state.updates;
  }

  /** The variables of each group (the same grouping as SacAgentState.params). */
  variableGroups(): Record<keyof SacAgentState['params'], readonly tf.Variable[]> {
    return {
      actor: this.actor.variables,
      critic1: this.critic1.variables,
      critic2: this.critic2.variables,
      critic1Target: this.critic1Target.variables,
      critic2Target: this.critic2Target.variables,
      logAlpha: [this.logAlpha],
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const n of [this.actor, this.critic1, this.critic2, this.critic1Target, this.critic2Target]) n.dispose();
    this.logAlpha.dispose();
    this.actorOpt.dispose();
    this.criticOpt.dispose();
    this.alphaOpt.dispose();
    this.heapUpdate?.dispose();
    this.logger.debug('SacAgent disposed');
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('SacAgent used after dispose()');
  }
}
