/**
 * Deterministic evaluation: run whole episodes of a policy on its own env
 * instance. A plain synchronous loop (no observables), used by the
 * evaluate-every operator and by `rpp-sac eval`.
 */
import type { Env } from '../../envs/types.js';

export interface EvalResult {
  returns: number[];
  lengths: number[];
}

/** Maps one observation [obsDim] to one action [actDim] in env units. */
export type SingleActFn = (obs: Float32Array) => Float32Array;

/**
 * Run `episodes` episodes. The first reset uses `seed`, later ones continue the
 * env's RNG stream, so every call with the same seed sees the same start states.
 * `maxSteps` guards against an env without a time limit.
 */
export function evaluatePolicy(env: Env, act: SingleActFn, episodes: number, seed: number, maxSteps = 100_000): EvalResult {
  const returns: number[] = [];
  const lengths: number[] = [];
  const obsDim = env.observationSpace.shape[0];
  const obs = new Float32Array(obsDim);
  for (let e = 0; e < episodes; e++) {
    obs.set(env.reset(e === 0 ? { seed } : {}).observation);
    let ret = 0;
    let len = 0;
    for (;;) {
      const r = env.step(act(obs));
      ret += r.reward;
      len += 1;
      if (r.terminated || r.truncated || len >= maxSteps) break;
      obs.set(r.observation);
    }
    returns.push(ret);
    lengths.push(len);
  }
  return { returns, lengths };
}

/** evaluatePolicy with an asynchronous policy (backends without synchronous reads: webgpu in Node). */
export async function evaluatePolicyAsync(env: Env, act: (obs: Float32Array) => Promise<Float32Array>, episodes: number, seed: number, maxSteps = 100_000): Promise<EvalResult> {
  const returns: number[] = [];
  const lengths: number[] = [];
  const obsDim = env.observationSpace.shape[0];
  const obs = new Float32Array(obsDim);
  for (let e = 0; e < episodes; e++) {
    obs.set(env.reset(e === 0 ? { seed } : {}).observation);
    let ret = 0;
    let len = 0;
    for (;;) {
      const r = env.step(await act(obs));
      ret += r.reward;
      len += 1;
      if (r.terminated || r.truncated || len >= maxSteps) break;
      obs.set(r.observation);
    }
    returns.push(ret);
    lengths.push(len);
  }
  return { returns, lengths };
}

export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(v) };
}
