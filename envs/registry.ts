/**
 * Registry of the v5 envs: `await make(id, opts)` builds the env (loading MuJoCo once per
 * process) and wraps it in a TimeLimit with the registered max_episode_steps, as
 * Gymnasium's `gym.make`. `maxEpisodeSteps` overrides the limit; -1 (or Infinity) disables it.
 * Step-before-reset is rejected by the base env itself (Gymnasium's OrderEnforcing).
 */
import { loadMujoco } from './mujoco-loader.js';
import type { MujocoEnv } from './mujoco-env.js';
import { InvertedPendulumEnv, type InvertedPendulumOptions } from './inverted-pendulum.js';
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
}

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

register(
  { id: 'InvertedPendulum-v5', maxEpisodeSteps: 1000, rewardThreshold: 950, obsDim: 4, actDim: 1, actLow: -3, actHigh: 3 },
  (o) => new InvertedPendulumEnv(o as InvertedPendulumOptions),
);

/** The registered env ids. */
export function envIds(): string[] {
  return [...REGISTRY.keys()];
}

/** Static facts about a registered env (default options). */
export function envSpec(id: string): EnvSpec {
  return { ...lookup(id).spec };
}

/**
 * Create an env by id, wrapped in a TimeLimit. Async because MuJoCo's WASM module loads
 * asynchronously; after the first call, creating envs is cheap.
 */
export async function make(id: string, opts: MakeOptions = {}): Promise<Env> {
  const entry = lookup(id);
  await loadMujoco();
  const { maxEpisodeSteps, ...envOpts } = opts;
  const env = entry.create(envOpts);
  const limit = maxEpisodeSteps ?? entry.spec.maxEpisodeSteps;
  if (typeof limit !== 'number' || Number.isNaN(limit)) {
    env.close();
    throw new Error(`make('${id}'): maxEpisodeSteps must be a number (-1 disables the time limit), got ${String(limit)}.`);
  }
  if (limit === -1 || limit === Infinity) return env;
  return new TimeLimit(env, limit);
}

function lookup(id: string): Entry {
  const entry = REGISTRY.get(id);
  if (entry !== undefined) return entry;
  const ids = envIds();
  const closest = ids.reduce((best, cand) => (editDistance(id.toLowerCase(), cand.toLowerCase()) < editDistance(id.toLowerCase(), best.toLowerCase()) ? cand : best), ids[0]);
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
