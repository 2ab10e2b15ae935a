/**
 * Recorded evaluation episodes (`rpp-sac eval <run> --record <file>`), format
 * `rpp-sac-episodes` version 1: one JSON object, readable in Node and in the browser
 * viewer (this file imports nothing from Node).
 *
 *   {
 *     "format": "rpp-sac-episodes", "version": 1,
 *     "envId": "Swimmer-v5",          // registered env id (default options)
 *     "dt": 0.04,                     // seconds per env step (timestep * frameSkip)
 *     "nq": 5, "nv": 5, "nu": 2,
 *     "seed": 1000,                   // seed of the first reset; later episodes continue the env RNG
 *     "deterministic": true,
 *     "episodes": [{
 *       "qpos":    [[...nq], ...],     // length+1 frames: frame 0 is the reset state, frame t the state after step t
 *       "qvel":    [[...nv], ...],     // likewise
 *       "actions": [[...nu], ...],     // length rows: the action applied at step t (env units)
 *       "rewards": [...],              // length values
 *       "terminated": false, "truncated": true, "return": 12.3, "length": 1000
 *     }, ...]
 *   }
 *
 * Numbers are written by JSON.stringify, which round-trips float64 exactly, so replaying
 * the actions from frame 0 with the same MuJoCo build reproduces every frame bit for bit.
 * A viewer only sets qpos/qvel per frame (mj_forward) and never needs the policy.
 */
import type { Env } from '../../envs/types.js';

export const EPISODES_FORMAT = 'rpp-sac-episodes';
export const EPISODES_VERSION = 1;

export interface RecordedEpisode {
  qpos: number[][];
  qvel: number[][];
  actions: number[][];
  rewards: number[];
  terminated: boolean;
  truncated: boolean;
  return: number;
  length: number;
}

export interface EpisodeRecording {
  format: typeof EPISODES_FORMAT;
  version: number;
  envId: string;
  dt: number;
  nq: number;
  nv: number;
  nu: number;
  seed: number;
  deterministic: boolean;
  episodes: RecordedEpisode[];
}

/** What recording needs from an env beyond the Env contract (MujocoEnv has both). */
export interface StateSource {
  getState(): { qpos: Float64Array; qvel: Float64Array };
}

/**
 * Run `episodes` episodes of `act` on `env` (reset with `seed` first, then continuing
 * the env RNG, exactly as evaluatePolicy) and record every frame. `state` reads the
 * unwrapped MuJoCo env's qpos/qvel.
 */
export async function recordEpisodes(
  env: Env,
  state: StateSource & { nq: number; nv: number; nu: number },
  act: (obs: Float32Array) => ArrayLike<number> | Promise<ArrayLike<number>>,
  episodes: number,
  seed: number,
  maxSteps = 100_000,
): Promise<EpisodeRecording> {
  const out: RecordedEpisode[] = [];
  const obs = new Float32Array(env.observationSpace.shape[0]);
  for (let e = 0; e < episodes; e++) {
    obs.set(env.reset(e === 0 ? { seed } : {}).observation);
    const s0 = state.getState();
    const ep: RecordedEpisode = { qpos: [Array.from(s0.qpos)], qvel: [Array.from(s0.qvel)], actions: [], rewards: [], terminated: false, truncated: false, return: 0, length: 0 };
    for (;;) {
      const a = Array.from(await act(obs));
      const r = env.step(a);
      const s = state.getState();
      ep.actions.push(a);
      ep.rewards.push(r.reward);
      ep.qpos.push(Array.from(s.qpos));
      ep.qvel.push(Array.from(s.qvel));
      ep.return += r.reward;
      ep.length += 1;
      if (r.terminated || r.truncated || ep.length >= maxSteps) {
        ep.terminated = r.terminated;
        ep.truncated = r.truncated;
        break;
      }
      obs.set(r.observation);
    }
    out.push(ep);
  }
  return { format: EPISODES_FORMAT, version: EPISODES_VERSION, envId: env.id, dt: env.metadata.dt, nq: state.nq, nv: state.nv, nu: state.nu, seed, deterministic: true, episodes: out };
}

/** Check a parsed file; throws a message naming the first problem. */
export function checkRecording(x: unknown): EpisodeRecording {
  const r = x as Partial<EpisodeRecording> | null;
  if (r === null || typeof r !== 'object' || r.format !== EPISODES_FORMAT) throw new Error(`not an rpp-sac episode recording (format '${String(r?.format)}', expected '${EPISODES_FORMAT}').`);
  if (r.version !== EPISODES_VERSION) throw new Error(`episode recording version ${String(r.version)}, this reader reads ${EPISODES_VERSION}.`);
  if (typeof r.envId !== 'string' || !Array.isArray(r.episodes)) throw new Error('episode recording: envId or episodes missing.');
  r.episodes.forEach((ep, i) => {
    const n = ep.length;
    if (ep.qpos.length !== n + 1 || ep.qvel.length !== n + 1 || ep.actions.length !== n || ep.rewards.length !== n) {
      throw new Error(`episode recording: episode ${i} has length ${n} but ${ep.qpos.length} qpos, ${ep.qvel.length} qvel frames (expected ${n + 1}), ${ep.actions.length} actions and ${ep.rewards.length} rewards (expected ${n}).`);
    }
    if (ep.qpos.some((q) => q.length !== r.nq) || ep.qvel.some((q) => q.length !== r.nv)) throw new Error(`episode recording: episode ${i} has a frame whose qpos/qvel length is not nq=${r.nq}/nv=${r.nv}.`);
  });
  return r as EpisodeRecording;
}
