/**
 * Network factories: the only place where SAC, RPP-SAC and EMLP-SAC differ.
 *
 * - 'sac':      plain MLPs (src/nn mlp).
 * - 'rpp-sac':  rppMlp with the residual (basic) pathway on: W = A + B.
 * - 'emlp-sac': rppMlp with basic off: strictly equivariant.
 *
 * With a symmetry (rpp/emlp), the actor maps the observation rep (the whole observation:
 * every spec's map covers it) to the action rep rho_act for the mean head and to the
 * unsigned action rep |rho_act| for the log-std / pre-std head. An
 * equivariant Gaussian policy needs std(g s) = |rho_act(g)| std(s): where the symmetry
 * swaps actuators (Walker2d's legs, Ant's, Humanoid's limbs) the spreads must swap with
 * them; a std is never negated. Where rho_act only flips signs this is the trivial rep,
 * the paper's action_std_rep = |A| T0 (Hopper, HalfCheetah, Swimmer). exp / softplus and
 * the clamps act per entry, so they commute with a permutation. A critic maps
 * obs (+) act to one invariant scalar.
 */
import * as tf from '@tensorflow/tfjs';
import type { ApplyOptions, Network } from '../src/nn/network.js';
import { mlp, rppMlp } from '../src/nn/index.js';
import { directSum, fromMaps, groupFromName, trivial, unsignedRep, type Rep } from '../src/equivariance/index.js';
import type { SymmetrySpec } from '../envs/types.js';
import type { AgentKind, PlainActivation, PlainInit } from './sac-config.js';

/** The policy network: obs -> [mean (pre-tanh), std head]. */
export interface ActorNet {
  readonly net: Network;
  readonly variables: readonly tf.Variable[];
  /** opts: as Network.apply (e.g. constantInputs: obsDim where obs needs no gradient). */
  heads(obs: tf.Tensor2D, opts?: ApplyOptions): [tf.Tensor2D, tf.Tensor2D];
  penalty(equivWd: number, basicWd: number): tf.Scalar;
  dispose(): void;
}

/** One Q network: (obs, act) -> Q [batch, 1]. */
export interface CriticNet {
  readonly net: Network;
  readonly variables: readonly tf.Variable[];
  q(obs: tf.Tensor2D, act: tf.Tensor2D): tf.Tensor2D;
  /** The network input for (obs, act): concat of obs and act. Shared by twin critics of the same kind. */
  input(obs: tf.Tensor2D, act: tf.Tensor2D): tf.Tensor2D;
  /**
   * Q from a prepared input (saves one concat per critic when two critics see the
   * same batch). opts.paramGrads = false: gradients flow to x only (the critic inside
   * the actor loss), skipping the weight-gradient matmuls; opts.constantInputs: the
   * leading columns of x that need no gradient (see ApplyOptions).
   */
  qFromInput(x: tf.Tensor2D, opts?: ApplyOptions): tf.Tensor2D;
  penalty(equivWd: number, basicWd: number): tf.Scalar;
  dispose(): void;
}

export interface NetworkSpec {
  kind: AgentKind;
  obsDim: number;
  actDim: number;
  hidden: number[];
  /** Required for 'rpp-sac' and 'emlp-sac', ignored for 'sac'. */
  symmetry: SymmetrySpec | null;
  seed: number;
  /** Activation and init of a plain MLP (default relu, orthogonal); RPP/EMLP networks ignore them. */
  plain?: { activation: PlainActivation; init: PlainInit };
}

export interface SymmetryReps {
  obs: Rep;
  act: Rep;
}

/** The observation and action reps of a symmetry spec, checked against the env's sizes. */
export function symmetryReps(spec: SymmetrySpec, obsDim: number, actDim: number): SymmetryReps {
  const group = groupFromName(spec.group);
  if (spec.obs.length !== obsDim) {
    throw new Error(`Symmetry '${spec.name}': its obs map has ${spec.obs.length} entries but the observation has ${obsDim}. Use the spec made for this env.`);
  }
  if (spec.act.length !== actDim) throw new Error(`Symmetry '${spec.name}': its act map has ${spec.act.length} entries but the action has ${actDim}. Use the spec made for this env.`);
  return { obs: fromMaps(group, spec.obs, `${spec.name}.obs`), act: fromMaps(group, spec.act, `${spec.name}.act`) };
}

function needSymmetry(spec: NetworkSpec): SymmetryReps {
  if (spec.symmetry === null) throw new Error(`Agent '${spec.kind}' needs a symmetry spec (envs symmetry(envId, name)); use agent 'sac' for an env without one.`);
  return symmetryReps(spec.symmetry, spec.obsDim, spec.actDim);
}

/** Build the actor. headInitScale applies to both heads (paper: 0.01). */
export function makeActor(spec: NetworkSpec, headInitScale = 1): ActorNet {
  let net: Network;
  if (spec.kind === 'sac') {
    net = mlp({ inDim: spec.obsDim, outDims: [spec.actDim, spec.actDim], hidden: spec.hidden, ...spec.plain, headInitScale: [headInitScale, headInitScale], seed: spec.seed });
  } else {
    const reps = needSymmetry(spec);
    net = rppMlp({
      repIn: reps.obs,
      repsOut: [reps.act, unsignedRep(reps.act)],
      hidden: spec.hidden,
      basic: spec.kind === 'rpp-sac',
      headInitScale: [headInitScale, headInitScale],
      seed: spec.seed,
    });
  }
  checkOutDims(net, [spec.actDim, spec.actDim], 'actor');
  return {
    net,
    variables: net.variables,
    heads(obs, opts = {}) {
      const [mean, std] = net.apply(obs, opts);
      return [mean, std];
    },
    penalty: (e, b) => net.penalty(e, b),
    dispose: () => net.dispose(),
  };
}

/** Build one critic. rpp: whether this critic uses the symmetry (config rppCritic). */
export function makeCritic(spec: NetworkSpec, rpp: boolean): CriticNet {
  let net: Network;
  if (spec.kind === 'sac' || !rpp) {
    net = mlp({ inDim: spec.obsDim + spec.actDim, outDims: [1], hidden: spec.hidden, ...spec.plain, seed: spec.seed });
  } else {
    const reps = needSymmetry(spec);
    net = rppMlp({
      repIn: directSum(reps.obs, reps.act),
      repsOut: [trivial(reps.obs.group, 1)],
      hidden: spec.hidden,
      basic: spec.kind === 'rpp-sac',
      seed: spec.seed,
    });
  }
  checkOutDims(net, [1], 'critic');
  return {
    net,
    variables: net.variables,
    q(obs, act) {
      return net.apply(tf.concat([obs, act], 1) as tf.Tensor2D)[0];
    },
    input(obs, act) {
      return tf.concat([obs, act], 1) as tf.Tensor2D;
    },
    qFromInput(x, opts = {}) {
      return net.apply(x, opts)[0];
    },
    penalty: (e, b) => net.penalty(e, b),
    dispose: () => net.dispose(),
  };
}

function checkOutDims(net: Network, want: number[], what: string): void {
  if (net.outDims.length !== want.length || net.outDims.some((d, i) => d !== want[i])) {
    throw new Error(`${what} network has output widths [${net.outDims.join(', ')}], expected [${want.join(', ')}]`);
  }
}
