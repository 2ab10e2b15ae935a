/**
 * `rpp-sac eval <runDir>`: deterministic episodes of a run's exported policy
 * (<run>/policy) on a fresh env. Needs only the policy export, not a checkpoint.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../backend.js';
import type { Logger } from '../logging.js';
import { loadPolicy } from '../../agents/policy-loader.js';
import type { MujocoEnv } from '../../envs/mujoco-env.js';
import { make } from '../../envs/registry.js';
import { unwrap } from '../../envs/wrappers/wrapper.js';
import { evaluatePolicyAsync, meanStd } from '../pipeline/evaluate-policy.js';
import { recordEpisodes } from './episode-record.js';
import { RunDir, readJson } from './run-dir.js';
import type { RunConfig } from './run-config.js';
import { UserError } from './user-error.js';

export interface EvalRunOptions {
  runDir: string;
  episodes: number;
  /** Seed of the first reset (default: the run's seed + 1000, the training-time evaluation seed). */
  seed?: number;
  backend?: string;
  /** Also write every frame of the episodes to this file (format: src/run/episode-record.ts). */
  record?: string;
  logger: Logger;
}

export interface EvalRunResult {
  env: string;
  episodes: number;
  seed: number;
  meanReturn: number;
  stdReturn: number;
  meanLength: number;
  returns: number[];
}

export async function evalRun(opts: EvalRunOptions): Promise<EvalRunResult> {
  const run = RunDir.open(opts.runDir);
  if (!existsSync(join(run.policyDir, 'policy.json'))) {
    throw new UserError(`${opts.runDir} has no exported policy yet (${run.policyDir}/policy.json). It is written at each checkpoint and at the end of training.`);
  }
  if (!Number.isInteger(opts.episodes) || opts.episodes <= 0) throw new UserError(`--episodes must be a positive integer, got ${opts.episodes}.`);
  const cfg = readJson<RunConfig>(run.path('config'));
  await initBackend({ ...(opts.backend === undefined ? {} : { backend: opts.backend }), logger: opts.logger });
  const policy = await loadPolicy(run.policyDir);
  const env = await make(cfg.env);
  try {
    const seed = opts.seed ?? cfg.seed + 1000;
    let res: { returns: number[]; lengths: number[] };
    // Read with `await data()`: works on every backend (webgpu in Node has no sync reads).
    if (opts.record === undefined) {
      res = await evaluatePolicyAsync(env, (obs) => policy.actAsync(obs), opts.episodes, seed);
    } else {
      const rec = await recordEpisodes(env, unwrap(env) as MujocoEnv, (obs) => policy.actAsync(obs), opts.episodes, seed);
      writeFileSync(opts.record, JSON.stringify(rec));
      res = { returns: rec.episodes.map((e) => e.return), lengths: rec.episodes.map((e) => e.length) };
    }
    const { mean, std } = meanStd(res.returns);
    return { env: cfg.env, episodes: opts.episodes, seed, meanReturn: mean, stdReturn: std, meanLength: meanStd(res.lengths).mean, returns: res.returns };
  } finally {
    env.close();
    policy.dispose();
  }
}
