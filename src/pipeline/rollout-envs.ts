/**
 * The training envs of a rollout and where each one is in its episode.
 *
 * Every episode starts with a seeded reset (env i's episode k with seed episodeSeed(i, k)),
 * so an env's whole state at any step follows from its episode index and the actions taken
 * since that reset: MuJoCo is deterministic and the reset seed fixes the env's own RNG.
 * `save()` records exactly that (with the episode's return, length and current observation
 * as a check), and `RolloutEnvs.resume` puts each env back by resetting it and replaying
 * the actions. Replaying restores what writing qpos/qvel back would miss: the constraint
 * solver's warm start, the kinematic quantities some rewards read before a step (they lag
 * one substep), the time-limit count and the env's RNG. It costs at most one episode of
 * env steps per env.
 *
 * Finished envs are reset in the same step (their true final observation is in the
 * batch's nextObs), so no step is spent on a Gymnasium-style next-step autoreset.
 */
import type { Env } from '../../envs/types.js';
import type { StepBatch } from './types.js';

/** Seed of env `env`'s reset for its episode `episode`. */
export type EpisodeSeedFn = (env: number, episode: number) => number;

/** One env's place in its episode, as a checkpoint stores it (plain JSON). */
export interface EnvPlace {
  /** Index of the env's current episode; its reset seed is episodeSeed(env, episode). */
  episode: number;
  /** Steps taken in the episode. */
  length: number;
  /** Undiscounted return so far. */
  return: number;
  /** The actions taken in the episode as given to env.step: [length * actDim] float32, little-endian, base64. */
  actions: string;
  /** The current observation (float32 values), to check the replay against. */
  obs: number[];
}

export interface RolloutEnvsState {
  /** Episodes finished over all envs. */
  finishedEpisodes: number;
  envs: EnvPlace[];
}

export class RolloutEnvs {
  readonly n: number;
  readonly obsDim: number;
  readonly actDim: number;
  private readonly envs: readonly Env[];
  private readonly episodeSeed: EpisodeSeedFn;
  private readonly episode: number[];
  private readonly length: Int32Array;
  private readonly ret: Float64Array;
  /** Actions of each env's current episode, grown by doubling; the first length*actDim are used. */
  private readonly actions: Float32Array[];
  private current: Float32Array;
  private finished = 0;

  private constructor(envs: readonly Env[], episodeSeed: EpisodeSeedFn) {
    if (envs.length === 0) throw new Error('RolloutEnvs: need at least one env');
    this.envs = envs;
    this.episodeSeed = episodeSeed;
    this.n = envs.length;
    this.obsDim = envs[0].observationSpace.shape[0];
    this.actDim = envs[0].actionSpace.shape[0];
    this.episode = new Array<number>(this.n).fill(0);
    this.length = new Int32Array(this.n);
    this.ret = new Float64Array(this.n);
    this.actions = envs.map(() => new Float32Array(64 * this.actDim));
    this.current = new Float32Array(this.n * this.obsDim);
  }

  /**
   * Reset every env for a new episode: episode 0 in a new run. `firstEpisode` (every env's
   * episode index) and `finished` (the count so far) serve a resume without saved places.
   */
  static start(envs: readonly Env[], episodeSeed: EpisodeSeedFn, opts: { firstEpisode?: number; finished?: number } = {}): RolloutEnvs {
    const r = new RolloutEnvs(envs, episodeSeed);
    for (let i = 0; i < r.n; i++) r.current.set(r.beginEpisode(i, opts.firstEpisode ?? 0), i * r.obsDim);
    r.finished = opts.finished ?? 0;
    return r;
  }

  /**
   * Put the envs back where `saved` says they were (see the module comment). `mismatched`
   * lists the envs whose replay did not reproduce the saved return and observation (an
   * env or MuJoCo build that is not the one that saved them); they continue from where the
   * replay took them, or from a fresh episode if the replay ended theirs.
   */
  static resume(envs: readonly Env[], episodeSeed: EpisodeSeedFn, saved: RolloutEnvsState): { envs: RolloutEnvs; mismatched: number[] } {
    const r = new RolloutEnvs(envs, episodeSeed);
    if (saved.envs.length !== r.n) throw new Error(`RolloutEnvs.resume: the saved state has ${saved.envs.length} envs, this rollout ${r.n}`);
    const mismatched: number[] = [];
    for (let i = 0; i < r.n; i++) {
      const place = saved.envs[i];
      const actions = decodeFloats(place.actions);
      if (actions.length !== place.length * r.actDim) throw new Error(`RolloutEnvs.resume: env ${i} has ${actions.length} saved action values, expected length*actDim = ${place.length}*${r.actDim}`);
      let obs: ArrayLike<number> = r.beginEpisode(i, place.episode);
      let ended = false;
      for (let t = 0; t < place.length && !ended; t++) {
        const a = actions.subarray(t * r.actDim, (t + 1) * r.actDim);
        const s = r.envs[i].step(a);
        r.record(i, a, s.reward);
        obs = s.observation;
        ended = s.terminated || s.truncated;
      }
      if (ended) obs = r.beginEpisode(i, place.episode + 1);
      r.current.set(obs, i * r.obsDim);
      const row = r.current.subarray(i * r.obsDim, (i + 1) * r.obsDim);
      if (ended || r.ret[i] !== place.return || place.obs.length !== r.obsDim || row.some((v, j) => v !== place.obs[j])) mismatched.push(i);
    }
    r.finished = saved.finishedEpisodes;
    return { envs: r, mismatched };
  }

  /** Current observations [n * obsDim], row i = env i (a new array after every step). */
  get obs(): Float32Array {
    return this.current;
  }

  /** Episodes finished over all envs. */
  get finishedEpisodes(): number {
    return this.finished;
  }

  /**
   * Step every env with its row of `actions` [n * actDim] (env units); `stepAfter` is the
   * run's env step count after this batch. Finished envs start their next episode.
   */
  step(actions: Float32Array, stepAfter: number): StepBatch {
    const { n, obsDim, actDim } = this;
    if (actions.length !== n * actDim) throw new Error(`rollout: policy returned ${actions.length} numbers, expected n*actDim = ${n * actDim}`);
    const batch: StepBatch = {
      step: stepAfter,
      n,
      obsDim,
      actDim,
      obs: this.current,
      actions,
      rewards: new Float64Array(n),
      nextObs: new Float32Array(n * obsDim),
      terminated: new Uint8Array(n),
      truncated: new Uint8Array(n),
      episodeReturn: new Float64Array(n),
      episodeLength: new Int32Array(n),
    };
    const following = new Float32Array(n * obsDim);
    for (let i = 0; i < n; i++) {
      const a = n === 1 ? actions : actions.subarray(i * actDim, (i + 1) * actDim);
      const r = this.envs[i].step(a);
      this.record(i, a, r.reward);
      batch.nextObs.set(r.observation, i * obsDim);
      batch.rewards[i] = r.reward;
      batch.terminated[i] = r.terminated ? 1 : 0;
      batch.truncated[i] = r.truncated ? 1 : 0;
      batch.episodeReturn[i] = this.ret[i];
      batch.episodeLength[i] = this.length[i];
      if (r.terminated || r.truncated) {
        this.finished += 1;
        following.set(this.beginEpisode(i, this.episode[i] + 1), i * obsDim);
      } else following.set(r.observation, i * obsDim);
    }
    this.current = following;
    return batch;
  }

  /** Each env's place in its episode (copies; JSON-safe). */
  save(): RolloutEnvsState {
    const envs: EnvPlace[] = [];
    for (let i = 0; i < this.n; i++) {
      envs.push({
        episode: this.episode[i],
        length: this.length[i],
        return: this.ret[i],
        actions: encodeFloats(this.actions[i].subarray(0, this.length[i] * this.actDim)),
        obs: Array.from(this.current.subarray(i * this.obsDim, (i + 1) * this.obsDim)),
      });
    }
    return { finishedEpisodes: this.finished, envs };
  }

  private beginEpisode(i: number, episode: number): Float64Array {
    this.episode[i] = episode;
    this.length[i] = 0;
    this.ret[i] = 0;
    return this.envs[i].reset({ seed: this.episodeSeed(i, episode) }).observation;
  }

  private record(i: number, action: ArrayLike<number>, reward: number): void {
    const at = this.length[i] * this.actDim;
    if (at + this.actDim > this.actions[i].length) {
      const grown = new Float32Array(2 * this.actions[i].length);
      grown.set(this.actions[i]);
      this.actions[i] = grown;
    }
    for (let j = 0; j < this.actDim; j++) this.actions[i][at + j] = action[j];
    this.length[i] += 1;
    this.ret[i] += reward;
  }
}

function encodeFloats(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function decodeFloats(s: string): Float32Array {
  const bytes = Buffer.from(s, 'base64');
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
