/**
 * One whole SAC update (SacAgent.update) against a reference written out here from the
 * SAC equations with plain tfjs ops and autodiff: none of the agent's losses, samplers,
 * optimiser or network code is called for the reference. Same weights, same minibatch
 * (the replay buffer's draw), same noise (the agent's Rng, drawn in its order: the target
 * step's [batch, act] normals, then the actor step's).
 *
 * The reference:
 *   networks  y = x (P(w_equiv) + w_basic) + P_b(b_equiv) + b_basic with P(W) = 1/|G| sum_g
 *             rho_in(g) W rho_out(g)^T from dense signed-permutation matrices; hidden
 *             activation swish(z) * (1 + s); plain MLP layers x W + b with their activation
 *   policy    u = mean + std * eps, a = tanh(u), log pi = sum_j [log N(u_j; mean_j, std_j)
 *             - log(1 - tanh(u_j)^2)], written 2 (log 2 - u - softplus(-2u)) (exact, finite)
 *   target    y = r + gamma (1 - terminated) (min(Q1', Q2')(s', a') - alpha log pi(a'|s'))
 *   critic    mean((Q1 - y)^2) + mean((Q2 - y)^2) + cEquivWd sum(w_equiv^2) + cBasicWd sum(w_basic^2)
 *   actor     mean(alpha log pi(a|s) - min(Q1, Q2)(s, a)) + aEquivWd sum(..) + aBasicWd sum(..),
 *             with the critics after their step
 *   alpha     -log(alpha) (mean log pi + targetEntropy), log pi of the actor step
 *   Adam      PyTorch's, per optimiser over all its variables: the L2 terms reach it as their
 *             autodiff gradient 2 wd w, then the global-norm clip (when set), then
 *             m, v, bias corrections 1 - beta^t (host, float64)
 *   Polyak    target <- tau online' + (1 - tau) target
 * Checked after the update: every parameter (actor, both critics, both targets), the first
 * and second moments of the actor, critic and alpha optimisers, and alpha agree to <= 1e-5
 * relative (||agent - ref|| / ||ref|| per tensor; measured <= 1.3e-7), and each parameter's
 * step w1 - w0 to <= 1e-3 (see STEP_TOL). The batch holds terminated rows; the agent is
 * RPP-SAC with nonzero actor and critic penalties; a first case has RPP critics (so critic
 * L2 terms) and the log-std head, a second plain critics, the softplus std, the paper's
 * entropy target and a clip norm that binds for all three optimisers; a third case is plain
 * SAC (relu MLPs, no penalties). On wasm all three run the tensor-free update
 * (agents/sac-heap-update.ts), bit-identical to the tape path. Three agent updates
 * run first, so Adam's step count is 4 and the targets differ from the critics. Each of
 * these, left out of the reference, fails the test: the terminated mask, either penalty
 * term of either network, the clipping.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { useBuiltinMatMulGradient, useFastMatMulGradient } from '../src/fast-matmul-grad.js';
import { Rng } from '../src/random.js';
import { REPLAY_FIELDS, ReplayBuffer, type ReplayField } from '../src/replay/replay-buffer.js';
import { Mlp } from '../src/nn/mlp.js';
import { RppMlp } from '../src/nn/rpp-mlp.js';
import type { RppLinear } from '../src/nn/rpp-linear.js';
import type { RppActivation } from '../src/nn/rpp-activation.js';
import type { Network } from '../src/nn/network.js';
import type { Rep } from '../src/equivariance/rep.js';
import { SacAgent, type SacAgentState } from '../agents/sac.js';
import type { SacConfigInput } from '../agents/sac-config.js';
import { resolveSymmetry } from '../agents/symmetry-choice.js';
import { relErr } from './numeric-helpers.js';

const ENV = 'Walker2d-v5'; // exact mirror: swaps the legs and flips signs
const OBS = 17;
const ACT = 6;
const B = 32;
const TOL = 1e-5;
/**
 * For the steps w1 - w0: float32 storage of w (~6e-8 |w|) is ~3e-5 of an Adam step here
 * (measured <= 3e-5; dropping one L2 term or the terminated mask moves a step by >= 1e-2).
 */
const STEP_TOL = 1e-3;

before(async () => {
  await initBackend({ backend: 'wasm' });
});

// ------------------------------------------------------------------ reference networks

/** A network as a pure function of its parameters (in the network's variable order). */
type NetFn = (params: tf.Tensor[], x: tf.Tensor2D) => tf.Tensor2D[];
/** Which parameters carry which L2 coefficient: 'equiv', 'basic' or none. */
type Prior = ('equiv' | 'basic' | null)[];

function matrix(g: { toMatrix(): Float64Array; size: number }): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(g.toMatrix()), [g.size, g.size]);
}

/** P(W) = 1/|G| sum_g rho_in(g) W rho_out(g)^T, W [in, out]. */
function projectWeight(w: tf.Tensor2D, repIn: Rep, repOut: Rep): tf.Tensor2D {
  const gIn = repIn.elements();
  const gOut = repOut.elements();
  const terms = gIn.map((g, k) => tf.matMul(tf.matMul(matrix(g), w), matrix(gOut[k]), false, true));
  return tf.div(tf.addN(terms), gIn.length) as tf.Tensor2D;
}

/** P_b(b) = 1/|G| sum_g rho_out(g) b. */
function projectBias(b: tf.Tensor1D, repOut: Rep): tf.Tensor1D {
  const terms = repOut.elements().map((g) => tf.reshape(tf.matMul(matrix(g), tf.reshape(b, [-1, 1])), [-1]));
  return tf.div(tf.addN(terms), terms.length) as tf.Tensor1D;
}

const swishOf = (z: tf.Tensor): tf.Tensor => tf.mul(z, tf.sigmoid(z));

function activate(kind: string, z: tf.Tensor2D, rep?: Rep): tf.Tensor2D {
  if (kind === 'relu') return tf.relu(z);
  if (kind === 'tanh') return tf.tanh(z);
  if (kind === 'swish') return swishOf(z) as tf.Tensor2D;
  // mixed: tanh on the channels some element sign-flips, swish on the rest
  const mask = tf.tensor1d(rep!.signFlippedChannels().map((f) => (f ? 1 : 0)));
  return tf.add(tf.mul(mask, tf.tanh(z)), tf.mul(tf.sub(1, mask), swishOf(z))) as tf.Tensor2D;
}

function referenceNet(net: Network): { fn: NetFn; prior: Prior } {
  const index = (v: tf.Variable): number => {
    const i = net.variables.indexOf(v);
    assert.ok(i >= 0);
    return i;
  };
  const prior: Prior = net.variables.map(() => null);
  if (net instanceof Mlp) {
    const layers = [...net.trunk, ...net.heads].map((l) => ({ w: index(l.w), b: index(l.b) }));
    const hidden = net.trunk.length;
    const fn: NetFn = (p, x) => {
      let h = x;
      for (let k = 0; k < hidden; k++) h = activate(net.activation, tf.add(tf.matMul(h, p[layers[k].w]), p[layers[k].b]) as tf.Tensor2D);
      return layers.slice(hidden).map((l) => tf.add(tf.matMul(h, p[l.w]), p[l.b]) as tf.Tensor2D);
    };
    return { fn, prior };
  }
  assert.ok(net instanceof RppMlp, 'a network of the agent is neither Mlp nor RppMlp');
  const linear = (l: RppLinear) => {
    prior[index(l.wEquiv)] = 'equiv';
    prior[index(l.bEquiv)] = 'equiv';
    if (l.wBasic !== null) prior[index(l.wBasic)] = 'basic';
    if (l.bBasic !== null) prior[index(l.bBasic)] = 'basic';
    const ids = { wE: index(l.wEquiv), bE: index(l.bEquiv), wB: l.wBasic === null ? -1 : index(l.wBasic), bB: l.bBasic === null ? -1 : index(l.bBasic) };
    return (p: tf.Tensor[], h: tf.Tensor2D): tf.Tensor2D => {
      let w = projectWeight(p[ids.wE] as tf.Tensor2D, l.repIn, l.repOut);
      let b = projectBias(p[ids.bE] as tf.Tensor1D, l.repOut);
      if (ids.wB >= 0) w = tf.add(w, p[ids.wB]) as tf.Tensor2D;
      if (ids.bB >= 0) b = tf.add(b, p[ids.bB]) as tf.Tensor1D;
      return tf.add(tf.matMul(h, w), b) as tf.Tensor2D;
    };
  };
  const act = (a: RppActivation) => {
    const s = a.wBasic === null ? -1 : index(a.wBasic);
    if (s >= 0) prior[s] = 'basic';
    return (p: tf.Tensor[], z: tf.Tensor2D): tf.Tensor2D => {
      const y = activate(a.kind, z, a.rep);
      return s < 0 ? y : (tf.mul(y, tf.add(1, p[s])) as tf.Tensor2D);
    };
  };
  const blocks = net.trunk.map((b) => ({ linear: linear(b.linear), act: act(b.activation) }));
  const heads = net.heads.map(linear);
  const fn: NetFn = (p, x) => {
    let h = x;
    for (const b of blocks) h = b.act(p, b.linear(p, h));
    return heads.map((head) => head(p, h));
  };
  return { fn, prior };
}

/** equivWd sum(w_equiv^2) + basicWd sum(w_basic^2) over one network's parameters. */
function penalty(params: tf.Tensor[], prior: Prior, equivWd: number, basicWd: number): tf.Scalar {
  const terms = params.flatMap((p, i) => (prior[i] === null ? [] : [tf.mul(prior[i] === 'equiv' ? equivWd : basicWd, tf.sum(tf.square(p)))]));
  return (terms.length === 0 ? tf.scalar(0) : tf.addN(terms)) as tf.Scalar;
}

// ------------------------------------------------------------------ reference Adam (PyTorch)

interface AdamIn {
  t: number;
  m: Float32Array;
  v: Float32Array;
}

/** One Adam step over all of an optimiser's variables (flattened in order); returns new params and moments. */
function adamStep(params: Float32Array[], grads: Float32Array[], s: AdamIn, lr: number, clip: number | null): { params: Float64Array[]; m: Float64Array; v: Float64Array; clipScale: number } {
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-8;
  const t = s.t + 1;
  let sq = 0;
  for (const g of grads) for (const x of g) sq += x * x;
  const scale = clip === null ? 1 : Math.min(1, clip / (Math.sqrt(sq) + 1e-6));
  const m = new Float64Array(s.m.length);
  const v = new Float64Array(s.v.length);
  const out: Float64Array[] = [];
  let k = 0;
  params.forEach((p, i) => {
    const np = new Float64Array(p.length);
    for (let j = 0; j < p.length; j++, k++) {
      const g = grads[i][j] * scale;
      m[k] = b1 * s.m[k] + (1 - b1) * g;
      v[k] = b2 * s.v[k] + (1 - b2) * g * g;
      const mHat = m[k] / (1 - b1 ** t);
      const vHat = v[k] / (1 - b2 ** t);
      np[j] = p[j] - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
    out.push(np);
  });
  assert.equal(k, s.m.length);
  return { params: out, m, v, clipScale: scale };
}

// ------------------------------------------------------------------ the test

function fillReplay(seed: number): ReplayBuffer {
  const replay = new ReplayBuffer({ capacity: 64, obsDim: OBS, actDim: ACT, seed: 9 });
  const rng = new Rng(seed);
  const vec = (n: number, s: number): number[] => Array.from({ length: n }, () => s * rng.normal());
  for (let i = 0; i < 64; i++) {
    const action = Array.from({ length: ACT }, () => rng.uniform(-0.99, 0.99));
    replay.add(vec(OBS, 1), action, rng.normal(1, 2), vec(OBS, 1), i % 3 === 0);
  }
  return replay;
}

const cases: { name: string; config: SacConfigInput }[] = [
  {
    name: 'RPP-SAC, RPP critics, log-std head, no clipping',
    config: { rppCritic: true, stdParam: 'log-std', gradClipNorm: null, targetEntropy: 'auto', criticEquivWd: 0.02, criticBasicWd: 0.3 },
  },
  {
    name: 'RPP-SAC, plain critics, softplus std, paper entropy target, clipping at 0.05',
    config: { rppCritic: false, stdParam: 'softplus', logStdMin: -10, logStdMax: 2, gradClipNorm: 0.05, targetEntropy: 'paper' },
  },
  {
    // Plain SAC takes the tensor-free update on wasm (agents/sac-heap-update.ts).
    name: 'SAC (relu MLPs), log-std head, clipping at 0.05',
    config: { agent: 'sac', stdParam: 'log-std', gradClipNorm: 0.05, targetEntropy: 'auto' },
  },
];

describe('SacAgent.update against a reference from the SAC equations (plain tfjs ops + autodiff)', () => {
  for (const c of cases) {
    it(`${c.name}: parameters, Adam moments and alpha agree to <= ${TOL} relative`, () => {
      const config: SacConfigInput = {
        agent: 'rpp-sac',
        symmetry: 'exact',
        hidden: [16, 16],
        batchSize: B,
        gamma: 0.97,
        tau: 0.05,
        actorLr: 3e-3,
        criticLr: 2e-3,
        alphaLr: 5e-3,
        initAlpha: 0.3,
        actorEquivWd: 0.01,
        actorBasicWd: 0.5,
        seed: 4,
        ...c.config,
      };
      const agent = new SacAgent({ config, obsDim: OBS, actDim: ACT, actionLow: new Array(ACT).fill(-1), actionHigh: new Array(ACT).fill(1), symmetry: resolveSymmetry(ENV, { agent: config.agent ?? 'rpp-sac', symmetry: 'exact' }) });
      const cfg = agent.config;
      const replay = fillReplay(2);
      try {
        for (let k = 0; k < 3; k++) agent.update(replay, { stats: false });
        const s0 = agent.getState();
        assert.equal(s0.adam.critic.t, 3);

        // The minibatch the agent will draw, then the buffer's RNG put back.
        const replayState = replay.getState();
        const rows = Object.fromEntries(REPLAY_FIELDS.map((f) => [f, Float32Array.from(replay.exportField(f)[0])])) as Record<ReplayField, Float32Array>;
        const drawn = replay.sample(B);
        const batch = { obs: drawn.obs.slice(), actions: drawn.actions.slice(), rewards: drawn.rewards.slice(), nextObs: drawn.nextObs.slice(), terminated: drawn.terminated.slice() };
        replay.setState(replayState, rows);
        const terminatedRows = batch.terminated.reduce((a, b) => a + b, 0);
        assert.ok(terminatedRows > 0 && terminatedRows < B, `the batch should mix terminated and live rows, has ${terminatedRows}/${B} terminated`);
        // The noise the agent will draw: its Rng, target step first, then actor step, row-major.
        const noiseRng = new Rng();
        noiseRng.setState(s0.rng);
        const normals = (): Float32Array => Float32Array.from({ length: B * ACT }, () => noiseRng.normal());
        const epsTarget = normals();
        const epsActor = normals();

        agent.update(replay);
        const s1 = agent.getState();
        // On wasm every agent takes the tensor-free update (whose bits equal the tape path's: test/sac-heap-update).
        assert.equal(agent.updatePath, 'heap');

        const ref = referenceUpdate(agent, s0, batch, epsTarget, epsActor, cfg);
        const check = (what: string, got: ArrayLike<number>, want: ArrayLike<number>): void => {
          const e = relErr(got, want);
          assert.ok(e <= TOL, `${what}: relative error ${e.toExponential(2)} > ${TOL}`);
        };
        const step = (x: ArrayLike<number>, from: ArrayLike<number>): number[] => Array.from(x, (v, j) => v - from[j]);
        for (const g of ['actor', 'critic1', 'critic2', 'critic1Target', 'critic2Target'] as const) {
          s1.params[g].forEach((p, i) => {
            check(`${g}[${i}]`, p, ref.params[g][i]);
            // The step itself, w1 - w0: a sharper view than w1 (a step is ~lr of w).
            const e = relErr(step(p, s0.params[g][i]), step(ref.params[g][i], s0.params[g][i]));
            assert.ok(e <= STEP_TOL, `${g}[${i}]: the update step differs by ${e.toExponential(2)} relative > ${STEP_TOL}`);
          });
        }
        for (const g of ['actor', 'critic', 'alpha'] as const) {
          assert.equal(s1.adam[g].t, s0.adam[g].t + 1);
          check(`${g} Adam m`, s1.adam[g].m, ref.adam[g].m);
          check(`${g} Adam v`, s1.adam[g].v, ref.adam[g].v);
        }
        check('alpha', [Math.exp(s1.params.logAlpha[0][0])], [Math.exp(ref.logAlpha)]);
        if (cfg.gradClipNorm !== null) assert.ok(ref.clipScale.actor < 1 && ref.clipScale.critic < 1, `clipping should bind: scales ${JSON.stringify(ref.clipScale)}`);
        // The update actually moved things (a no-op agent would pass the checks above only if the reference were one too).
        assert.ok(relErr(s1.params.actor[0], s0.params.actor[0]) > 100 * TOL && relErr(s1.params.critic1[0], s0.params.critic1[0]) > 100 * TOL);
      } finally {
        agent.dispose();
      }
    });
  }
});

interface RefOut {
  params: Record<'actor' | 'critic1' | 'critic2' | 'critic1Target' | 'critic2Target', Float64Array[]>;
  adam: Record<'actor' | 'critic' | 'alpha', { m: Float64Array; v: Float64Array }>;
  logAlpha: number;
  /** The clip factor each optimiser's gradient got (1 = not clipped). */
  clipScale: Record<'actor' | 'critic' | 'alpha', number>;
}

function referenceUpdate(
  agent: SacAgent,
  s0: SacAgentState,
  batch: { obs: Float32Array; actions: Float32Array; rewards: Float32Array; nextObs: Float32Array; terminated: Float32Array },
  epsTarget: Float32Array,
  epsActor: Float32Array,
  cfg: SacAgent['config'],
): RefOut {
  // tfjs's own MatMul gradient for the reference (the agent registers a faster one).
  useBuiltinMatMulGradient();
  tf.engine().startScope();
  try {
    const actorNet = referenceNet(agent.actor.net);
    const criticNet = [referenceNet(agent.critic1.net), referenceNet(agent.critic2.net)];
    const aWd = { equiv: cfg.actorEquivWd, basic: cfg.actorBasicWd };
    const cWd = { equiv: cfg.criticEquivWd, basic: cfg.criticBasicWd };
    const targetEntropy = cfg.targetEntropy === 'auto' ? -ACT : cfg.targetEntropy === 'paper' ? -ACT / 2 : cfg.targetEntropy;
    const tensors = (arrs: ArrayLike<number>[], like: readonly tf.Variable[]): tf.Tensor[] => arrs.map((a, i) => tf.tensor(Float32Array.from(a), like[i].shape));
    const read = (ts: tf.Tensor[]): Float32Array[] => ts.map((t) => t.dataSync() as Float32Array);

    {
      const obs = tf.tensor2d(batch.obs, [B, OBS]);
      const nextObs = tf.tensor2d(batch.nextObs, [B, OBS]);
      const actions = tf.tensor2d(batch.actions, [B, ACT]);
      const rewards = tf.tensor2d(batch.rewards, [B, 1]);
      const notDone = tf.sub(1, tf.tensor2d(batch.terminated, [B, 1]));
      const logAlpha0 = s0.params.logAlpha[0][0];
      const alpha = Math.exp(logAlpha0);

      const policy = (params: tf.Tensor[], s: tf.Tensor2D, eps: Float32Array): { a: tf.Tensor2D; logPi: tf.Tensor2D } => {
        const [mean, head] = actorNet.fn(params, s);
        let std: tf.Tensor2D;
        let logStd: tf.Tensor2D;
        if (cfg.stdParam === 'log-std') {
          logStd = tf.clipByValue(head, cfg.logStdMin, cfg.logStdMax);
          std = tf.exp(logStd);
        } else {
          std = tf.clipByValue(tf.softplus(head), Math.exp(cfg.logStdMin), Math.exp(cfg.logStdMax));
          logStd = tf.log(std);
        }
        const e = tf.tensor2d(eps, [B, ACT]);
        const u = tf.add(mean, tf.mul(std, e));
        // log N(u; mean, std) = -((u - mean) / std)^2 / 2 - log std - log(2 pi) / 2
        const logN = tf.sub(tf.sub(tf.mul(-0.5, tf.square(tf.div(tf.sub(u, mean), std))), logStd), 0.5 * Math.log(2 * Math.PI));
        const logJacobian = tf.mul(2, tf.sub(tf.sub(Math.LN2, u), tf.softplus(tf.mul(-2, u))));
        return { a: tf.tanh(u) as tf.Tensor2D, logPi: tf.sum(tf.sub(logN, logJacobian), 1, true) as tf.Tensor2D };
      };
      const q = (k: number, params: tf.Tensor[], s: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D => criticNet[k].fn(params, tf.concat([s, a], 1) as tf.Tensor2D)[0];

      // Bellman target with the target critics, no gradient.
      const actor0 = tensors(s0.params.actor, agent.actor.variables);
      const c0 = [tensors(s0.params.critic1, agent.critic1.variables), tensors(s0.params.critic2, agent.critic2.variables)];
      const targets0 = [tensors(s0.params.critic1Target, agent.critic1.variables), tensors(s0.params.critic2Target, agent.critic2.variables)];
      const next = policy(actor0, nextObs, epsTarget);
      const qNext = tf.minimum(q(0, targets0[0], nextObs, next.a), q(1, targets0[1], nextObs, next.a));
      const y = tf.add(rewards, tf.mul(tf.mul(cfg.gamma, notDone), tf.sub(qNext, tf.mul(alpha, next.logPi))));

      // Critic step.
      const n1 = c0[0].length;
      const criticLoss = (...ps: tf.Tensor[]): tf.Scalar => {
        const p1 = ps.slice(0, n1);
        const p2 = ps.slice(n1);
        const mse = tf.add(tf.mean(tf.square(tf.sub(q(0, p1, obs, actions), y))), tf.mean(tf.square(tf.sub(q(1, p2, obs, actions), y))));
        return tf.addN([mse, penalty(p1, criticNet[0].prior, cWd.equiv, cWd.basic), penalty(p2, criticNet[1].prior, cWd.equiv, cWd.basic)]) as tf.Scalar;
      };
      const gCritic = read(tf.grads(criticLoss)([...c0[0], ...c0[1]]));
      const critic = adamStep([...s0.params.critic1, ...s0.params.critic2], gCritic, s0.adam.critic, cfg.criticLr, cfg.gradClipNorm);
      const critic1 = critic.params.slice(0, n1);
      const critic2 = critic.params.slice(n1);

      // Actor step against the updated critics.
      const c1 = [tensors(critic1, agent.critic1.variables), tensors(critic2, agent.critic2.variables)];
      let meanLogPi = 0;
      const actorLoss = (...ps: tf.Tensor[]): tf.Scalar => {
        const { a, logPi } = policy(ps, obs, epsActor);
        meanLogPi = tf.mean(logPi).dataSync()[0];
        const minQ = tf.minimum(q(0, c1[0], obs, a), q(1, c1[1], obs, a));
        return tf.add(tf.mean(tf.sub(tf.mul(alpha, logPi), minQ)), penalty(ps, actorNet.prior, aWd.equiv, aWd.basic)) as tf.Scalar;
      };
      const gActor = read(tf.grads(actorLoss)(actor0));
      const actor = adamStep(s0.params.actor, gActor, s0.adam.actor, cfg.actorLr, cfg.gradClipNorm);

      // Temperature step: d/d log(alpha) of -log(alpha) (mean log pi + target entropy).
      const gAlpha = read([tf.grad((la: tf.Tensor) => tf.mul(tf.neg(la), meanLogPi + targetEntropy))(tf.scalar(logAlpha0))]);
      const alphaStep = adamStep([s0.params.logAlpha[0]], gAlpha, s0.adam.alpha, cfg.alphaLr, cfg.gradClipNorm);

      // Polyak.
      const polyak = (online: Float64Array[], target: Float32Array[]): Float64Array[] => online.map((o, i) => o.map((x, j) => cfg.tau * x + (1 - cfg.tau) * target[i][j]));
      return {
        params: {
          actor: actor.params,
          critic1,
          critic2,
          critic1Target: polyak(critic1, s0.params.critic1Target),
          critic2Target: polyak(critic2, s0.params.critic2Target),
        },
        adam: { actor: { m: actor.m, v: actor.v }, critic: { m: critic.m, v: critic.v }, alpha: { m: alphaStep.m, v: alphaStep.v } },
        logAlpha: alphaStep.params[0][0],
        clipScale: { actor: actor.clipScale, critic: critic.clipScale, alpha: alphaStep.clipScale },
      };
    }
  } finally {
    tf.engine().endScope();
    useFastMatMulGradient();
  }
}
