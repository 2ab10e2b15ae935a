/**
 * A minimal synchronous SAC training loop, CleanRL style, top to bottom: one env,
 * one replay buffer, one agent, deterministic evaluation on a separate env. The
 * CLI uses the RxJS pipeline (src/pipeline); this loop is the reference the
 * learning and resume tests run.
 *
 * Reproducibility and resume. Every training episode is reset with its own seed
 * derived from (seed, episode index), and evaluation episodes likewise from
 * (seed + 1000, evaluation episode index), so no env RNG state needs saving. The
 * time limit is applied here (the env is made without TimeLimit) so a mid-episode
 * checkpoint can restore it; the MuJoCo state (qpos, qvel) is restored through the
 * env's getState/setState when it has them.
 */
import { make, envSpec } from '../envs/registry.js';
import type { Env } from '../envs/types.js';
import { unwrap } from '../envs/wrappers/wrapper.js';
import { ReplayBuffer } from '../src/replay/replay-buffer.js';
import { getDefaultLogger, type Logger } from '../src/logging.js';
import { SacAgent } from './sac.js';
import { parseSacConfig, type SacConfig, type SacConfigInput } from './sac-config.js';
import { resolveSymmetry } from './symmetry-choice.js';
import { loadCheckpoint, saveCheckpoint, type LoopState } from './checkpoint.js';

export interface TrainLoopOptions {
  envId: string;
  config: SacConfigInput;
  /** Constructor options for the env (v5 kwargs); the time limit is handled by the loop. */
  envOptions?: Record<string, unknown>;
  logger?: Logger;
  /** Called after each evaluation. */
  onEvaluation?: (e: LoopEvaluation) => void;
}

export interface LoopEvaluation {
  step: number;
  meanReturn: number;
  returns: number[];
  meanLength: number;
  equivError: number | null;
  seconds: number;
}

export interface LoopEpisode {
  step: number;
  return: number;
  length: number;
}

/** Seed of training episode `k` (a fixed 32-bit mix of the run seed and k). */
export function episodeSeed(seed: number, k: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(k, 0x85ebca6b)) >>> 0;
}

interface StatefulEnv {
  getState(): { qpos: Float64Array; qvel: Float64Array };
  setState(qpos: ArrayLike<number>, qvel: ArrayLike<number>): void;
}

function stateful(env: Env): StatefulEnv | null {
  const e = unwrap(env) as Partial<StatefulEnv>;
  return typeof e.getState === 'function' && typeof e.setState === 'function' ? (e as StatefulEnv) : null;
}

export class TrainLoop {
  readonly envId: string;
  readonly config: Readonly<SacConfig>;
  readonly agent: SacAgent;
  readonly replay: ReplayBuffer;
  readonly evaluations: LoopEvaluation[] = [];
  readonly episodes: LoopEpisode[] = [];
  private readonly env: Env;
  private readonly evalEnv: Env;
  private readonly maxEpisodeSteps: number;
  private readonly logger: Logger;
  private readonly onEvaluation?: (e: LoopEvaluation) => void;
  private state: LoopState;
  private obs: Float64Array;

  private constructor(opts: TrainLoopOptions, env: Env, evalEnv: Env) {
    this.envId = opts.envId;
    this.config = parseSacConfig(opts.config);
    this.logger = opts.logger ?? getDefaultLogger();
    this.onEvaluation = opts.onEvaluation;
    this.env = env;
    this.evalEnv = evalEnv;
    this.maxEpisodeSteps = envSpec(opts.envId).maxEpisodeSteps;
    const obsDim = env.observationSpace.shape[0];
    const actDim = env.actionSpace.shape[0];
    this.agent = new SacAgent({
      config: this.config,
      obsDim,
      actDim,
      actionLow: env.actionSpace.low,
      actionHigh: env.actionSpace.high,
      symmetry: resolveSymmetry(opts.envId, this.config),
      logger: this.logger,
    });
    this.replay = new ReplayBuffer({ capacity: this.config.bufferSize, obsDim, actDim, seed: this.config.seed + 1 });
    this.state = { step: 0, episode: 0, evalEpisode: 0, episodeReturn: 0, episodeLength: 0, obs: [], envQpos: null, envQvel: null };
    this.obs = env.reset({ seed: episodeSeed(this.config.seed, 0) }).observation;
  }

  /** Make the envs and agent; with `resumeFrom`, continue from that checkpoint directory. */
  static async create(opts: TrainLoopOptions & { resumeFrom?: string }): Promise<TrainLoop> {
    const envOpts = { ...(opts.envOptions ?? {}), maxEpisodeSteps: -1 };
    const env = await make(opts.envId, envOpts);
    const evalEnv = await make(opts.envId, envOpts);
    const loop = new TrainLoop(opts, env, evalEnv);
    if (opts.resumeFrom !== undefined) await loop.restore(opts.resumeFrom);
    return loop;
  }

  get step(): number {
    return this.state.step;
  }

  /** Train until `totalSteps` environment steps (evaluating every evalEvery steps). */
  run(totalSteps: number): void {
    const cfg = this.config;
    while (this.state.step < totalSteps) {
      const s = this.state;
      const unit = s.step < cfg.learningStarts ? this.agent.randomUnitAction(1) : this.agent.actUnit(this.obs, 1, 'stochastic');
      const r = this.env.step(this.agent.toEnvUnits(unit));
      s.episodeLength++;
      s.episodeReturn += r.reward;
      // Only a true terminal state stops bootstrapping; the time limit is a truncation.
      this.replay.add(this.obs, unit, r.reward, r.observation, r.terminated);
      this.obs = r.observation;
      if (r.terminated || r.truncated || s.episodeLength >= this.maxEpisodeSteps) {
        this.episodes.push({ step: s.step + 1, return: s.episodeReturn, length: s.episodeLength });
        s.episode++;
        s.episodeReturn = 0;
        s.episodeLength = 0;
        this.obs = this.env.reset({ seed: episodeSeed(cfg.seed, s.episode) }).observation;
      }
      s.step++;
      if (s.step >= cfg.learningStarts) {
        for (let g = 0; g < cfg.gradientSteps; g++) {
          const stats = this.agent.update(this.replay, { stats: s.step % 1000 === 0 && g === 0 });
          if (stats !== null) this.logger.debug(`step ${s.step}`, stats);
        }
      }
      if (s.step % cfg.evalEvery === 0) this.evaluate();
    }
  }

  /** evalEpisodes deterministic episodes (actions tanh(mean)) on the evaluation env. */
  evaluate(): LoopEvaluation {
    const t0 = performance.now();
    const cfg = this.config;
    const returns: number[] = [];
    const lengths: number[] = [];
    const seen: number[] = [];
    for (let k = 0; k < cfg.evalEpisodes; k++) {
      let obs = this.evalEnv.reset({ seed: episodeSeed(cfg.seed + 1000, this.state.evalEpisode++) }).observation;
      let ret = 0;
      let len = 0;
      for (;;) {
        if (seen.length < 256 * obs.length) for (const v of obs) seen.push(v);
        const r = this.evalEnv.step(this.agent.act(obs, 1, 'deterministic'));
        ret += r.reward;
        len++;
        obs = r.observation;
        if (r.terminated || r.truncated || len >= this.maxEpisodeSteps) break;
      }
      returns.push(ret);
      lengths.push(len);
    }
    const od = this.agent.obsDim;
    const n = Math.floor(seen.length / od);
    const e: LoopEvaluation = {
      step: this.state.step,
      meanReturn: returns.reduce((a, b) => a + b, 0) / returns.length,
      returns,
      meanLength: lengths.reduce((a, b) => a + b, 0) / lengths.length,
      equivError: this.agent.policyEquivarianceErrors(Float32Array.from(seen.slice(0, n * od)), n)?.mean ?? null,
      seconds: (performance.now() - t0) / 1000,
    };
    this.evaluations.push(e);
    this.logger.info(`eval step ${e.step}: return ${e.meanReturn.toFixed(1)} (length ${e.meanLength.toFixed(0)})${e.equivError === null ? '' : `, equiv error ${e.equivError.toExponential(2)}`}`);
    this.onEvaluation?.(e);
    return e;
  }

  /** Save everything needed to continue exactly (agent, replay, loop and env state). */
  async save(dir: string): Promise<void> {
    const env = stateful(this.env);
    const st = env?.getState();
    const loopState: LoopState = {
      ...this.state,
      obs: Array.from(this.obs),
      envQpos: st ? Array.from(st.qpos) : null,
      envQvel: st ? Array.from(st.qvel) : null,
    };
    await saveCheckpoint(dir, { envId: this.envId, agent: this.agent, replay: this.replay, loop: loopState });
  }

  private async restore(dir: string): Promise<void> {
    const { loop, manifest } = await loadCheckpoint(dir, { envId: this.envId, agent: this.agent, replay: this.replay });
    if (manifest.replay === null) throw new Error(`Checkpoint ${dir} was saved without its replay buffer; the loop cannot resume exactly from it.`);
    if (loop === null) throw new Error(`Checkpoint ${dir} has no training-loop state (it was saved without one); cannot resume the loop from it.`);
    this.state = { ...loop };
    // Put the env where it was: a fresh seeded reset (clears needs-reset), then the saved MuJoCo state.
    this.obs = this.env.reset({ seed: episodeSeed(this.config.seed, loop.episode) }).observation;
    const env = stateful(this.env);
    if (loop.envQpos !== null && loop.envQvel !== null) {
      if (env === null) throw new Error(`Checkpoint ${dir} holds an env state but env ${this.envId} has no setState.`);
      env.setState(loop.envQpos, loop.envQvel);
    }
    this.obs = Float64Array.from(loop.obs);
  }

  dispose(): void {
    this.agent.dispose();
    this.env.close();
    this.evalEnv.close();
  }
}
