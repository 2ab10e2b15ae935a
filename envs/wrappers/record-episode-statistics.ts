/**
 * RecordEpisodeStatistics (Gymnasium, single env): accumulates the episode return and
 * length; on the step where `terminated || truncated`, adds
 * `info.episode = { r: return, l: length, t: seconds since reset (rounded to 1e-6) }`
 * and pushes the values onto bounded queues (most recent `bufferLength` episodes).
 */
import type { Env, ResetResult, StepResult } from '../types.js';
import { Wrapper } from './wrapper.js';

export interface EpisodeStatistics {
  r: number;
  l: number;
  t: number;
}

export class RecordEpisodeStatistics<E extends Env = Env> extends Wrapper<E> {
  readonly returnQueue: number[] = [];
  readonly lengthQueue: number[] = [];
  readonly timeQueue: number[] = [];
  readonly bufferLength: number;
  private episodeReturn = 0;
  private episodeLength = 0;
  private startTime = performance.now();

  constructor(env: E, bufferLength = 100) {
    super(env);
    this.bufferLength = bufferLength;
  }

  override reset(opts?: { seed?: number; options?: Record<string, unknown> }): ResetResult {
    this.episodeReturn = 0;
    this.episodeLength = 0;
    this.startTime = performance.now();
    return this.env.reset(opts);
  }

  override step(action: ArrayLike<number>): StepResult {
    const r = this.env.step(action);
    this.episodeReturn += r.reward;
    this.episodeLength += 1;
    if (r.terminated || r.truncated) {
      const t = Math.round((performance.now() - this.startTime) * 1e3) / 1e6;
      const episode: EpisodeStatistics = { r: this.episodeReturn, l: this.episodeLength, t };
      r.info = { ...r.info, episode };
      push(this.returnQueue, episode.r, this.bufferLength);
      push(this.lengthQueue, episode.l, this.bufferLength);
      push(this.timeQueue, episode.t, this.bufferLength);
    }
    return r;
  }
}

function push(q: number[], x: number, max: number): void {
  q.push(x);
  if (q.length > max) q.shift();
}
