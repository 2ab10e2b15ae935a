/**
 * SyncVectorEnv: N envs stepped one after another in this thread, batched.
 *
 * Autoreset mode: NEXT_STEP (Gymnasium's default, `metadata.autoresetMode = 'next_step'`).
 * When sub-env i ends (terminated or truncated) at step t, step t returns its terminal obs,
 * reward and flags as usual. The NEXT step() call then IGNORES action i, resets sub-env i and
 * returns for it: the reset observation, reward 0, terminated = false, truncated = false and
 * the reset info; `autoreset[i]` is true on that call. So a learner must not store the
 * transition (obs_t -> obs_{t+1}) for a sub-env whose `autoreset[i]` is true.
 *
 * Layout: observations are one Float64Array [numEnvs * obsDim], row i = sub-env i (float64,
 * as Gymnasium's MuJoCo observation spaces); actions are given the same way
 * ([numEnvs * actDim], or one array per sub-env). Rewards are a Float64Array [numEnvs];
 * terminated/truncated/autoreset are boolean arrays; infos are one object per sub-env
 * (not Gymnasium's dict-of-arrays form).
 */
import { Box } from './box.js';
import { make, type MakeOptions } from './registry.js';
import type { BoxSpace, Env, Info } from './types.js';
import { RecordEpisodeStatistics } from './wrappers/record-episode-statistics.js';

export interface VectorResetResult {
  /** [numEnvs * obsDim], row-major. */
  observations: Float64Array;
  infos: Info[];
}

export interface VectorStepResult {
  /** [numEnvs * obsDim], row-major. */
  observations: Float64Array;
  rewards: Float64Array;
  terminated: boolean[];
  truncated: boolean[];
  /** True where this call reset the sub-env (its action was ignored): not a real transition. */
  autoreset: boolean[];
  infos: Info[];
}

export class SyncVectorEnv {
  readonly envs: Env[];
  readonly numEnvs: number;
  readonly obsDim: number;
  readonly actDim: number;
  readonly singleObservationSpace: BoxSpace;
  readonly singleActionSpace: BoxSpace;
  /** The batched action space [numEnvs * actDim] (flattened). */
  readonly actionSpace: Box;
  readonly metadata: { autoresetMode: 'next_step'; renderFps: number; dt: number };
  private readonly needsAutoreset: boolean[];
  private hasReset = false;
  private closed = false;

  constructor(envs: Env[]) {
    if (envs.length === 0) throw new Error('SyncVectorEnv needs at least one env.');
    this.envs = envs;
    this.numEnvs = envs.length;
    const first = envs[0];
    this.singleObservationSpace = first.observationSpace;
    this.singleActionSpace = first.actionSpace;
    this.obsDim = first.observationSpace.shape[0];
    this.actDim = first.actionSpace.shape[0];
    for (let i = 1; i < envs.length; i++) {
      const e = envs[i];
      if (e.observationSpace.shape[0] !== this.obsDim || e.actionSpace.shape[0] !== this.actDim) {
        throw new Error(`SyncVectorEnv: sub-env ${i} (${e.id}) has obs/act dims ${e.observationSpace.shape[0]}/${e.actionSpace.shape[0]}, but sub-env 0 has ${this.obsDim}/${this.actDim}; all sub-envs must match.`);
      }
    }
    const low = new Float64Array(this.numEnvs * this.actDim);
    const high = new Float64Array(this.numEnvs * this.actDim);
    for (let i = 0; i < this.numEnvs; i++) {
      low.set(this.singleActionSpace.low, i * this.actDim);
      high.set(this.singleActionSpace.high, i * this.actDim);
    }
    this.actionSpace = new Box(low, high);
    this.metadata = { autoresetMode: 'next_step', renderFps: first.metadata.renderFps, dt: first.metadata.dt };
    this.needsAutoreset = new Array<boolean>(this.numEnvs).fill(false);
  }

  /** Reset every sub-env; with a seed, sub-env i gets seed + i. */
  reset(opts: { seed?: number; options?: Record<string, unknown> } = {}): VectorResetResult {
    this.checkOpen();
    const observations = new Float64Array(this.numEnvs * this.obsDim);
    const infos: Info[] = [];
    for (let i = 0; i < this.numEnvs; i++) {
      const r = this.envs[i].reset({ seed: opts.seed === undefined ? undefined : opts.seed + i, options: opts.options });
      observations.set(r.observation, i * this.obsDim);
      infos.push(r.info);
      this.needsAutoreset[i] = false;
    }
    this.hasReset = true;
    return { observations, infos };
  }

  /** Step every sub-env (NEXT_STEP autoreset, see the module doc). */
  step(actions: ArrayLike<number> | ArrayLike<number>[]): VectorStepResult {
    this.checkOpen();
    if (!this.hasReset) throw new Error('SyncVectorEnv: step() called before reset(); call vec.reset() first.');
    const perEnv = this.splitActions(actions);
    const observations = new Float64Array(this.numEnvs * this.obsDim);
    const rewards = new Float64Array(this.numEnvs);
    const terminated = new Array<boolean>(this.numEnvs).fill(false);
    const truncated = new Array<boolean>(this.numEnvs).fill(false);
    const autoreset = new Array<boolean>(this.numEnvs).fill(false);
    const infos: Info[] = [];
    for (let i = 0; i < this.numEnvs; i++) {
      const env = this.envs[i];
      if (this.needsAutoreset[i]) {
        const r = env.reset();
        observations.set(r.observation, i * this.obsDim);
        infos.push(r.info);
        autoreset[i] = true;
        this.needsAutoreset[i] = false;
        continue;
      }
      const r = env.step(perEnv(i));
      observations.set(r.observation, i * this.obsDim);
      rewards[i] = r.reward;
      terminated[i] = r.terminated;
      truncated[i] = r.truncated;
      infos.push(r.info);
      this.needsAutoreset[i] = r.terminated || r.truncated;
    }
    return { observations, rewards, terminated, truncated, autoreset, infos };
  }

  close(): void {
    if (this.closed) return;
    for (const e of this.envs) e.close();
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('SyncVectorEnv: used after close(); create a new one.');
  }

  private splitActions(actions: ArrayLike<number> | ArrayLike<number>[]): (i: number) => ArrayLike<number> {
    const n = this.numEnvs;
    const d = this.actDim;
    if (Array.isArray(actions) && actions.length === n && typeof actions[0] !== 'number') {
      const rows = actions as ArrayLike<number>[];
      return (i) => rows[i];
    }
    const flat = actions as ArrayLike<number>;
    if (flat.length !== n * d) {
      throw new Error(`SyncVectorEnv: actions must be numEnvs * actDim = ${n} * ${d} = ${n * d} numbers (row i for sub-env i) or ${n} arrays of ${d}; got length ${flat.length}.`);
    }
    if (flat instanceof Float64Array || flat instanceof Float32Array) return (i) => flat.subarray(i * d, (i + 1) * d);
    return (i) => Array.prototype.slice.call(flat, i * d, (i + 1) * d) as number[];
  }
}

export interface MakeVecOptions extends MakeOptions {
  /** Wrap each sub-env in RecordEpisodeStatistics (info.episode at episode ends). Default false. */
  recordEpisodeStatistics?: boolean;
  /** Extra wrapping per sub-env, applied after the TimeLimit and before RecordEpisodeStatistics, e.g. (e) => new RescaleAction(e). */
  wrap?: (env: Env, index: number) => Env;
}

/** `n` copies of `make(id, opts)` in a SyncVectorEnv. */
export async function makeVec(id: string, n: number, opts: MakeVecOptions = {}): Promise<SyncVectorEnv> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`makeVec: n must be a positive integer, got ${n}.`);
  const { recordEpisodeStatistics, wrap, ...makeOpts } = opts;
  const envs: Env[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const made = await make(id, makeOpts);
      let env: Env;
      try {
        env = wrap === undefined ? made : wrap(made, i);
      } catch (err) {
        made.close();
        throw err;
      }
      envs.push(recordEpisodeStatistics === true ? new RecordEpisodeStatistics(env) : env);
    }
  } catch (err) {
    for (const e of envs) e.close();
    throw err;
  }
  return new SyncVectorEnv(envs);
}
