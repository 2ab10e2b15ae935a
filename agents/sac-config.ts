/**
 * The SAC / RPP-SAC / EMLP-SAC hyperparameters: one zod schema, documented field by
 * field (the CLI builds --help and flags from the `.describe()` texts), with defaults
 * that follow Stable-Baselines3 / CleanRL practice for plain SAC. The values used by
 * the RPP paper's code (mfinzi/residual-pathway-priors, RL/train_rpp.py and
 * configs/sac_default.py) are given in each description as "paper: ...";
 * `PAPER_OVERRIDES` collects them.
 */
import { z } from 'zod';

export const AGENT_KINDS = ['sac', 'rpp-sac', 'emlp-sac'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

/** Activations and inits of the plain MLPs (src/nn/mlp.ts); RPP/EMLP networks always use swish and LeCun normal. */
export const PLAIN_ACTIVATIONS = ['relu', 'swish'] as const;
export const PLAIN_INITS = ['orthogonal', 'lecun'] as const;
export type PlainActivation = (typeof PLAIN_ACTIVATIONS)[number];
export type PlainInit = (typeof PLAIN_INITS)[number];

export const SacConfigSchema = z
  .object({
    agent: z
      .enum(AGENT_KINDS)
      .default('sac')
      .describe("Agent: 'sac' (plain MLPs), 'rpp-sac' (Residual Pathway Prior layers: equivariant + residual pathway), 'emlp-sac' (strictly equivariant layers, residual pathway off). All three share one code path; only the network factory differs."),
    symmetry: z
      .string()
      .min(1)
      .default('auto')
      .describe("Which symmetry of the env the RPP/EMLP networks use: 'auto' (the env's exact mirror where it has one, else the RPP paper's map: HalfCheetah's and Hopper's misspecified front/back flip), 'exact' (the env's mirror; an error where there is none), 'paper' (the RPP paper's choice) or a spec name from envs/symmetries. meta.json records the spec used. Ignored for agent 'sac'."),
    rppCritic: z
      .boolean()
      .default(false)
      .describe('Use RPP/EMLP layers in the critics too (paper flag --rpp_value; paper default: false, critics are plain MLPs).'),
    hidden: z
      .array(z.number().int().positive())
      .min(1)
      .default([256, 256])
      .describe('Hidden layer widths of actor and critics (SB3, CleanRL, paper: [256, 256]).'),
    actorActivation: z
      .enum(PLAIN_ACTIVATIONS)
      .default('relu')
      .describe("Activation of a plain-MLP actor (agent 'sac'): 'relu' (SB3, CleanRL, paper's SAC baseline) or 'swish' (what the RPP/EMLP actors use). RPP/EMLP actors always use swish; with actorInit 'lecun' this gives a plain actor that differs from RPP-SAC's only in the prior (runs/README.md, 'A matched baseline')."),
    actorInit: z
      .enum(PLAIN_INITS)
      .default('orthogonal')
      .describe("Weight init of a plain-MLP actor (agent 'sac'): 'orthogonal' = orthogonal(sqrt 2) (paper's SAC baseline, CleanRL-style) or 'lecun' = LeCun normal, truncated, std 1/sqrt(fan_in) (the RPP/EMLP layers' equivariant-pathway draw). Biases 0 and heads times actorHeadInitScale either way."),
    criticActivation: z
      .enum(PLAIN_ACTIVATIONS)
      .default('relu')
      .describe("Activation of plain-MLP critics (every agent's critics unless rppCritic): 'relu' (all peers, paper) or 'swish'."),
    criticInit: z
      .enum(PLAIN_INITS)
      .default('orthogonal')
      .describe("Weight init of plain-MLP critics (every agent's critics unless rppCritic): 'orthogonal' (sqrt 2; paper) or 'lecun' (as the RPP layers)."),
    actorLr: z.number().positive().default(3e-4).describe('Adam learning rate of the actor (SB3, CleanRL, paper: 3e-4).'),
    criticLr: z.number().positive().default(3e-4).describe('Adam learning rate of the twin critics (SB3, paper: 3e-4; CleanRL: 1e-3).'),
    alphaLr: z.number().positive().default(3e-4).describe('Adam learning rate of log(alpha), the entropy temperature (SB3, paper: 3e-4; CleanRL uses the critic lr).'),
    gamma: z.number().min(0).max(1).default(0.99).describe('Discount factor (0.99 everywhere; rl-zoo uses 0.999 for Swimmer).'),
    tau: z.number().min(0).max(1).default(0.005).describe('Polyak coefficient for the target critics, target <- tau*online + (1-tau)*target, every gradient step (all peers: 0.005).'),
    batchSize: z.number().int().positive().default(256).describe('Minibatch size per gradient step (SB3, CleanRL, paper: 256).'),
    bufferSize: z.number().int().positive().default(1_000_000).describe('Replay buffer capacity in transitions (all peers: 1e6). Storage is allocated lazily in chunks as it fills.'),
    learningStarts: z
      .number()
      .int()
      .nonnegative()
      .default(10_000)
      .describe('Environment steps with uniform random actions and no updates before learning starts (rl-zoo and paper: 1e4; CleanRL: 5e3; SB3 default: 100).'),
    gradientSteps: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('Gradient steps per environment step (update-to-data ratio; all peers: 1).'),
    targetEntropy: z
      .union([z.literal('auto'), z.literal('paper'), z.number()])
      .default('auto')
      .describe("Entropy target for the automatic temperature: 'auto' = -|A| (SB3, CleanRL), 'paper' = -|A|/2 (RPP paper), or a number."),
    initAlpha: z.number().positive().default(1.0).describe('Initial entropy temperature alpha; log(alpha) is the trained parameter (SB3, CleanRL log_alpha=0, paper: 1.0).'),
    gradClipNorm: z
      .number()
      .positive()
      .nullable()
      .default(null)
      .describe('Global gradient-norm clip applied per optimiser (actor, critics, alpha) before Adam; null = off (SB3, CleanRL: off; paper: 0.5).'),
    actorEquivWd: z.number().nonnegative().default(1e-6).describe('Actor L2 penalty on the equivariant pathway, equivWd*sum(w^2) with no 1/2 (paper --equiv_wd: 1e-6). No effect on plain MLPs.'),
    actorBasicWd: z.number().nonnegative().default(1e-6).describe('Actor L2 penalty on the residual (basic) pathway (paper --basic_wd: 1e-6). No effect on plain MLPs.'),
    penaltyMode: z
      .enum(['l2', 'decoupled'])
      .default('l2')
      .describe(
        "How the RPP penalties act (the *EquivWd / *BasicWd values). 'l2' (paper): wd*sum(w^2) in the loss; its gradient 2*wd*w enters Adam beside the loss gradient, so its pull is measured against the loss's scale (it weakens as Q grows, and differs between envs with different reward scales). 'decoupled': AdamW-style w <- w*(1 - lr*wd) every step, outside Adam's normalisation: the same shrink rate whatever the loss scale (wd = 100 at lr 3e-4 removes 3% of the residual pathway per step).",
      ),
    criticEquivWd: z.number().nonnegative().default(0).describe('Critic L2 penalty on the equivariant pathway (paper --cequiv_wd: 0). Only used with rppCritic.'),
    criticBasicWd: z.number().nonnegative().default(0).describe('Critic L2 penalty on the residual pathway (paper --cbasic_wd: 0). Only used with rppCritic.'),
    stdParam: z
      .enum(['log-std', 'softplus'])
      .default('log-std')
      .describe("How the policy's second head becomes a standard deviation: 'log-std' = exp(clip(head, logStdMin, logStdMax)) (SB3, Spinning Up), 'softplus' = clip(softplus(head), exp(logStdMin), exp(logStdMax)) (paper, with -10 and 2)."),
    logStdMin: z.number().default(-20).describe('Lower clamp of log(std) (SB3, Spinning Up: -20; paper: -10 on the softplus std).'),
    logStdMax: z.number().default(2).describe('Upper clamp of log(std) (SB3, Spinning Up, paper: 2).'),
    actorHeadInitScale: z
      .number()
      .positive()
      .default(1)
      .describe("Init scale of the actor's mean and std heads (SB3, CleanRL: 1; paper --small_init: 0.01)."),
    evalEvery: z.number().int().positive().default(10_000).describe('Run a deterministic evaluation every this many environment steps (paper, rl-zoo: 1e4).'),
    evalEpisodes: z.number().int().positive().default(10).describe('Episodes per evaluation, on a separate env seeded seed+1000, actions tanh(mean) (paper, rl-zoo: 10).'),
    seed: z.number().int().nonnegative().default(0).describe('Seed for network init, exploration noise, replay sampling and envs (paper default: 42).'),
  })
  .strict();

export type SacConfig = z.infer<typeof SacConfigSchema>;
export type SacConfigInput = z.input<typeof SacConfigSchema>;

/** The RPP paper's SAC settings (RL/train_rpp.py defaults), to merge over the defaults. */
export const PAPER_OVERRIDES: Partial<SacConfig> = {
  learningStarts: 10_000,
  targetEntropy: 'paper',
  gradClipNorm: 0.5,
  stdParam: 'softplus',
  logStdMin: -10,
  logStdMax: 2,
  actorHeadInitScale: 0.01,
  actorEquivWd: 1e-6,
  actorBasicWd: 1e-6,
  seed: 42,
};

/** Parse and freeze a config; throws a readable error naming every bad field. */
export function parseSacConfig(input: unknown): Readonly<SacConfig> {
  const r = SacConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new Error(`Invalid SAC config:\n${lines.join('\n')}\nSee the field descriptions in agents/sac-config.ts (or --help).`);
  }
  const cfg = r.data;
  if (cfg.logStdMin >= cfg.logStdMax) throw new Error(`Invalid SAC config: logStdMin (${cfg.logStdMin}) must be below logStdMax (${cfg.logStdMax}).`);
  return Object.freeze(cfg);
}

/** The entropy target for an action space of dimension actDim. */
export function resolveTargetEntropy(target: SacConfig['targetEntropy'], actDim: number): number {
  if (target === 'auto') return -actDim;
  if (target === 'paper') return -actDim / 2;
  return target;
}
