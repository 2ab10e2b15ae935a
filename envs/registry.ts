/**
 * Registry of the v5 envs: `await make(id, opts)` builds the env (loading MuJoCo once per
 * process) and wraps it in a TimeLimit with the registered max_episode_steps, as
 * Gymnasium's `gym.make`. `maxEpisodeSteps` overrides the limit; -1 (or Infinity) disables it.
 * Step-before-reset is rejected by the base env itself (Gymnasium's OrderEnforcing).
 */
import { loadMujoco } from './mujoco-loader.js';
import type { MujocoEnv } from './mujoco-env.js';
import { AntEnv, type AntOptions } from './ant.js';
import { HalfCheetahEnv, type HalfCheetahOptions } from './half-cheetah.js';
import { HopperEnv, type HopperOptions } from './hopper.js';
import { HumanoidEnv, type HumanoidOptions } from './humanoid.js';
import { InvertedDoublePendulumEnv, type InvertedDoublePendulumOptions } from './inverted-double-pendulum.js';
import { InvertedPendulumEnv, type InvertedPendulumOptions } from './inverted-pendulum.js';
import { ReacherEnv, type ReacherOptions } from './reacher.js';
import { SwimmerEnv, type SwimmerOptions } from './swimmer.js';
import { Walker2dEnv, type Walker2dOptions } from './walker2d.js';
import type { Env } from './types.js';
import { TimeLimit } from './wrappers/time-limit.js';

export interface EnvSpec {
  id: string;
  /** TimeLimit length; Reacher 50, all others 1000. */
  maxEpisodeSteps: number;
  /** Gymnasium's reward_threshold, or null where none is registered. */
  rewardThreshold: number | null;
  /** Observation length with the default options. */
  obsDim: number;
  actDim: number;
  /** Actuator control range (Box bounds of the action space). */
  actLow: number;
  actHigh: number;
  /** Constructor options accepted besides xmlFile and frameSkip (camelCase v5 kwargs). */
  options: readonly string[];
}

/** Options every env accepts. */
const COMMON_OPTIONS = ['xmlFile', 'frameSkip'];

export interface MakeOptions {
  /** Override the registered TimeLimit; -1 or Infinity disables it. */
  maxEpisodeSteps?: number;
  /** Other keys are passed to the env constructor (camelCase v5 kwargs, e.g. xmlFile, ctrlCostWeight). */
  [key: string]: unknown;
}

interface Entry {
  spec: EnvSpec;
  create(opts: Record<string, unknown>): MujocoEnv;
}

const REGISTRY = new Map<string, Entry>();

function register(spec: EnvSpec, create: (opts: Record<string, unknown>) => MujocoEnv): void {
  REGISTRY.set(spec.id, { spec, create });
}

// Facts from Gymnasium's registration (max_episode_steps, reward_threshold) and the v5 models.
register(
  {
    id: 'HalfCheetah-v5', maxEpisodeSteps: 1000, rewardThreshold: 4800, obsDim: 17, actDim: 6, actLow: -1, actHigh: 1,
    options: ['forwardRewardWeight', 'ctrlCostWeight', 'resetNoiseScale', 'excludeCurrentPositionsFromObservation'],
  },
  (o) => new HalfCheetahEnv(o as HalfCheetahOptions),
);
register(
  {
    id: 'Hopper-v5', maxEpisodeSteps: 1000, rewardThreshold: 3800, obsDim: 11, actDim: 3, actLow: -1, actHigh: 1,
    options: ['forwardRewardWeight', 'ctrlCostWeight', 'healthyReward', 'terminateWhenUnhealthy', 'healthyStateRange', 'healthyZRange', 'healthyAngleRange', 'resetNoiseScale', 'excludeCurrentPositionsFromObservation'],
  },
  (o) => new HopperEnv(o as HopperOptions),
);
register(
  {
    id: 'Walker2d-v5', maxEpisodeSteps: 1000, rewardThreshold: null, obsDim: 17, actDim: 6, actLow: -1, actHigh: 1,
    options: ['forwardRewardWeight', 'ctrlCostWeight', 'healthyReward', 'terminateWhenUnhealthy', 'healthyZRange', 'healthyAngleRange', 'resetNoiseScale', 'excludeCurrentPositionsFromObservation'],
  },
  (o) => new Walker2dEnv(o as Walker2dOptions),
);
register(
  {
    id: 'Ant-v5', maxEpisodeSteps: 1000, rewardThreshold: 6000, obsDim: 105, actDim: 8, actLow: -1, actHigh: 1,
    options: ['mainBody', 'forwardRewardWeight', 'ctrlCostWeight', 'contactCostWeight', 'healthyReward', 'terminateWhenUnhealthy', 'healthyZRange', 'contactForceRange', 'resetNoiseScale', 'excludeCurrentPositionsFromObservation', 'includeCfrcExtInObservation'],
  },
  (o) => new AntEnv(o as AntOptions),
);
register(
  {
    id: 'Swimmer-v5', maxEpisodeSteps: 1000, rewardThreshold: 360, obsDim: 8, actDim: 2, actLow: -1, actHigh: 1,
    options: ['forwardRewardWeight', 'ctrlCostWeight', 'resetNoiseScale', 'excludeCurrentPositionsFromObservation'],
  },
  (o) => new SwimmerEnv(o as SwimmerOptions),
);
register(
  {
    id: 'Humanoid-v5', maxEpisodeSteps: 1000, rewardThreshold: null, obsDim: 348, actDim: 17, actLow: -0.4, actHigh: 0.4,
    options: ['forwardRewardWeight', 'ctrlCostWeight', 'contactCostWeight', 'contactCostRange', 'healthyReward', 'terminateWhenUnhealthy', 'healthyZRange', 'resetNoiseScale', 'excludeCurrentPositionsFromObservation', 'includeCinertInObservation', 'includeCvelInObservation', 'includeQfrcActuatorInObservation', 'includeCfrcExtInObservation'],
  },
  (o) => new HumanoidEnv(o as HumanoidOptions),
);
register(
  {
    id: 'InvertedPendulum-v5', maxEpisodeSteps: 1000, rewardThreshold: 950, obsDim: 4, actDim: 1, actLow: -3, actHigh: 3,
    options: ['resetNoiseScale'],
  },
  (o) => new InvertedPendulumEnv(o as InvertedPendulumOptions),
);
register(
  {
    id: 'InvertedDoublePendulum-v5', maxEpisodeSteps: 1000, rewardThreshold: 9100, obsDim: 9, actDim: 1, actLow: -1, actHigh: 1,
    options: ['healthyReward', 'resetNoiseScale'],
  },
  (o) => new InvertedDoublePendulumEnv(o as InvertedDoublePendulumOptions),
);
register(
  {
    id: 'Reacher-v5', maxEpisodeSteps: 50, rewardThreshold: -3.75, obsDim: 10, actDim: 2, actLow: -1, actHigh: 1,
    options: ['rewardDistWeight', 'rewardControlWeight', 'resetNoiseScale'],
  },
  (o) => new ReacherEnv(o as ReacherOptions),
);

/** The registered env ids. */
export function envIds(): string[] {
  return [...REGISTRY.keys()];
}

/** Static facts about a registered env (default options). */
export function envSpec(id: string): EnvSpec {
  const spec = lookup(id).spec;
  return { ...spec, options: [...spec.options] };
}

/**
 * Create an env by id, wrapped in a TimeLimit. Async because MuJoCo's WASM module loads
 * asynchronously; after the first call, creating envs is cheap.
 */
export async function make(id: string, opts: MakeOptions = {}): Promise<Env> {
  const entry = lookup(id);
  await loadMujoco();
  const { maxEpisodeSteps, ...envOpts } = opts;
  checkOptionKeys(entry.spec, envOpts);
  const env = entry.create(envOpts);
  const limit = maxEpisodeSteps ?? entry.spec.maxEpisodeSteps;
  if (typeof limit !== 'number' || Number.isNaN(limit)) {
    env.close();
    throw new Error(`make('${id}'): maxEpisodeSteps must be a number (-1 disables the time limit), got ${String(limit)}.`);
  }
  if (limit === -1 || limit === Infinity) return env;
  return new TimeLimit(env, limit);
}

/** Unknown option keys are an error (as Gymnasium's unexpected kwargs), with the closest valid key. */
function checkOptionKeys(spec: EnvSpec, opts: Record<string, unknown>): void {
  const valid = [...COMMON_OPTIONS, ...spec.options, 'maxEpisodeSteps'];
  for (const key of Object.keys(opts)) {
    if (valid.includes(key)) continue;
    const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const closest = valid.includes(camel) ? camel : nearest(key, valid);
    throw new Error(`make('${spec.id}'): unknown option '${key}'. Did you mean '${closest}'? Valid options: ${valid.join(', ')}.`);
  }
}

function nearest(word: string, candidates: string[]): string {
  const w = word.toLowerCase();
  return candidates.reduce((best, cand) => (editDistance(w, cand.toLowerCase()) < editDistance(w, best.toLowerCase()) ? cand : best), candidates[0]);
}

function lookup(id: string): Entry {
  const entry = REGISTRY.get(id);
  if (entry !== undefined) return entry;
  const ids = envIds();
  const closest = nearest(id, ids);
  throw new Error(`Unknown env id '${id}'. Did you mean '${closest}'? Valid ids: ${ids.join(', ')}.`);
}

/** Levenshtein distance, to suggest the closest registered id. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
