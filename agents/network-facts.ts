/**
 * What an agent's networks are, from its config alone (no tensors, no training): for the
 * actor and each critic, the kind of network, activation, init, the hidden widths it really
 * has, its trainable parameter count, the free parameters of its equivariant pathway, and
 * the penalty it carries; and which config keys the agent does not use. `rpp-sac compare`
 * states these facts for every pair of agents it compares.
 *
 * Mirrors the factories in networks.ts (test/network-facts.test.ts checks the counts
 * against built agents). Pure: no tfjs import, so `compare` stays light.
 */
import { groupFromName } from '../src/equivariance/group.js';
import { directSum, equivariantDimension, fromMaps, hiddenRep, trivial, unsignedRep, type Rep } from '../src/equivariance/rep.js';
import type { SymmetrySpec } from '../envs/types.js';
import { formatNumber } from '../src/sweep/parse-values.js';
import type { SacConfig } from './sac-config.js';

export interface NetworkFacts {
  /** 'plain MLP', 'RPP' (equivariant + residual pathway) or 'EMLP' (strictly equivariant). */
  network: 'plain MLP' | 'RPP' | 'EMLP';
  activation: string;
  init: string;
  /** Hidden widths as built (RPP/EMLP round each to a multiple of the group order). */
  hidden: number[];
  /** Trainable values: what the optimiser updates (RPP: both pathways and the activations' scales). */
  params: number;
  /** RPP/EMLP: dimension of the equivariant pathway after projection (weights and biases); null for a plain MLP. */
  equivariantParams: number | null;
  /** The prior's penalty on this network, e.g. 'l2: equiv 1e-6, basic 1e-6', or 'none'. */
  penalty: string;
}

export interface AgentFacts {
  /** The symmetry the RPP/EMLP networks use, e.g. 'exact_mirror (Z2, exact)'; null for plain SAC. */
  symmetry: string | null;
  actor: NetworkFacts;
  /** One of the twin critics (both are built alike). */
  critic: NetworkFacts;
}

/** Trainable values of a plain MLP in -> hidden -> each head. */
function plainParams(inDim: number, hidden: readonly number[], outs: readonly number[]): number {
  let n = 0;
  let prev = inDim;
  for (const h of hidden) {
    n += prev * h + h;
    prev = h;
  }
  for (const o of outs) n += prev * o + o;
  return n;
}

function plainFacts(inDim: number, hidden: readonly number[], outs: readonly number[], activation: string, init: string): NetworkFacts {
  return {
    network: 'plain MLP',
    activation,
    init: init === 'lecun' ? 'lecun normal' : 'orthogonal(sqrt 2)',
    hidden: [...hidden],
    params: plainParams(inDim, hidden, outs),
    equivariantParams: null,
    penalty: 'none',
  };
}

/** An RPP/EMLP MLP (rpp-mlp.ts): RppLinear layers over hiddenRep(G, width), an activation per hidden layer. */
function rppFacts(repIn: Rep, hidden: readonly number[], repsOut: readonly Rep[], basic: boolean, penalty: string): NetworkFacts {
  const hiddenReps = hidden.map((w) => hiddenRep(repIn.group, w));
  let params = 0;
  let equivariantParams = 0;
  const linear = (a: Rep, b: Rep): void => {
    params += (basic ? 2 : 1) * (a.dim * b.dim + b.dim);
    equivariantParams += equivariantDimension(a, b) + equivariantDimension(trivial(b.group, 1), b);
  };
  let prev = repIn;
  for (const h of hiddenReps) {
    linear(prev, h);
    if (basic) params += h.dim; // the activation's residual scale w_basic
    prev = h;
  }
  for (const r of repsOut) linear(prev, r);
  return {
    network: basic ? 'RPP' : 'EMLP',
    activation: basic ? 'swish * (1 + w_basic)' : 'swish',
    init: basic ? 'lecun normal (projected) + 1e-3 lecun normal residual' : 'lecun normal (projected)',
    hidden: hiddenReps.map((r) => r.dim),
    params,
    equivariantParams,
    penalty,
  };
}

function penaltyText(cfg: SacConfig, equivWd: number, basicWd: number, basic: boolean): string {
  const parts = [`equiv ${formatNumber(equivWd)}`, ...(basic ? [`basic ${formatNumber(basicWd)}`] : [])];
  return `${cfg.penaltyMode}: ${parts.join(', ')}`;
}

/**
 * The facts of an agent with this config on an env with these sizes. symmetry: the spec its
 * RPP/EMLP networks use (agents/symmetry-choice.ts resolveSymmetry, or the one meta.json
 * records); ignored for 'sac'.
 */
export function agentFacts(cfg: SacConfig, obsDim: number, actDim: number, symmetry: SymmetrySpec | null): AgentFacts {
  const criticPlain = (): NetworkFacts => plainFacts(obsDim + actDim, cfg.hidden, [1], cfg.criticActivation, cfg.criticInit);
  if (cfg.agent === 'sac') {
    return { symmetry: null, actor: plainFacts(obsDim, cfg.hidden, [actDim, actDim], cfg.actorActivation, cfg.actorInit), critic: criticPlain() };
  }
  if (symmetry === null) throw new Error(`agentFacts: agent '${cfg.agent}' needs its symmetry spec.`);
  const group = groupFromName(symmetry.group);
  const obs = fromMaps(group, symmetry.obs, `${symmetry.name}.obs`);
  const act = fromMaps(group, symmetry.act, `${symmetry.name}.act`);
  if (obs.dim !== obsDim || act.dim !== actDim) throw new Error(`agentFacts: symmetry '${symmetry.name}' maps ${obs.dim} -> ${act.dim} values, the env has ${obsDim} -> ${actDim}.`);
  const basic = cfg.agent === 'rpp-sac';
  return {
    symmetry: `${symmetry.name} (${symmetry.group}, ${symmetry.exact ? 'exact' : 'not exact'})`,
    actor: rppFacts(obs, cfg.hidden, [act, unsignedRep(act)], basic, penaltyText(cfg, cfg.actorEquivWd, cfg.actorBasicWd, basic)),
    critic: cfg.rppCritic ? rppFacts(directSum(obs, act), cfg.hidden, [trivial(group, 1)], basic, penaltyText(cfg, cfg.criticEquivWd, cfg.criticBasicWd, basic)) : criticPlain(),
  };
}

/** Config keys with no effect on this agent (e.g. actorActivation on an RPP actor, the penalties on plain networks). */
export function unusedKeys(cfg: SacConfig): Set<keyof SacConfig> {
  const out = new Set<keyof SacConfig>();
  const actorPlain = cfg.agent === 'sac';
  const criticPlain = cfg.agent === 'sac' || !cfg.rppCritic;
  if (actorPlain) out.add('symmetry').add('rppCritic').add('actorEquivWd').add('actorBasicWd');
  else out.add('actorActivation').add('actorInit');
  if (cfg.agent === 'emlp-sac') out.add('actorBasicWd').add('criticBasicWd');
  if (criticPlain) out.add('criticEquivWd').add('criticBasicWd');
  else out.add('criticActivation').add('criticInit');
  if (actorPlain && criticPlain) out.add('penaltyMode');
  return out;
}
