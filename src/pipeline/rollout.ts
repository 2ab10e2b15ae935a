/**
 * The rollout source: steps n environments with a policy function and emits one
 * StepBatch per synchronous vector step.
 *
 * Speed: steps run synchronously in chunks (no event-loop turn per step); a chunk
 * ends after `chunkMs` milliseconds, then the source yields once (setImmediate, or
 * the given scheduler) so signals, progress timers and unsubscription get a turn.
 * Finished envs are reset in the same step (their true final observation is in
 * `nextObs`), so no step is wasted on a Gymnasium-style next-step autoreset.
 */
import { Observable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import type { Env } from '../../envs/types.js';
import type { PendingWork } from './pending-work.js';
import type { PolicyFn, StepBatch } from './types.js';

export interface RolloutOptions {
  envs: readonly Env[];
  policy: PolicyFn;
  /** Complete once this many env steps were taken in total (may overshoot by up to n-1 with n envs). */
  totalSteps: number;
  /** Steps already taken (when resuming); counting continues from here. */
  startStep?: number;
  /** Env i is first reset with seed resetSeed + i. */
  resetSeed: number;
  /** Yield to the event loop at least this often (default 25 ms). */
  chunkMs?: number;
  /** Schedule chunks on this scheduler (tests: TestScheduler); default setImmediate. */
  scheduler?: SchedulerLike;
  /** Async side work: end the chunk while it is busy and wait for it before stepping on. */
  pause?: PendingWork;
}

export function rollout(opts: RolloutOptions): Observable<StepBatch> {
  const { envs, policy, totalSteps, resetSeed } = opts;
  if (envs.length === 0) throw new Error('rollout: need at least one env');
  if (!(totalSteps >= 0)) throw new Error(`rollout: totalSteps must be >= 0, got ${totalSteps}`);
  const n = envs.length;
  const obsDim = envs[0].observationSpace.shape[0];
  const actDim = envs[0].actionSpace.shape[0];
  const chunkMs = opts.chunkMs ?? 25;

  return new Observable<StepBatch>((subscriber) => {
    let step = opts.startStep ?? 0;
    let obs = new Float32Array(n * obsDim);
    let stopped = false;
    let immediate: ReturnType<typeof setImmediate> | undefined;
    let scheduled: Subscription | undefined;

    const scheduleChunk = (): void => {
      if (stopped) return;
      if (opts.scheduler !== undefined) scheduled = opts.scheduler.schedule(runChunk);
      else immediate = setImmediate(runChunk);
    };

    const stepOnce = (): StepBatch => {
      const actions = policy(obs, n, step);
      if (actions.length !== n * actDim) throw new Error(`rollout: policy returned ${actions.length} numbers, expected n*actDim = ${n * actDim}`);
      const batch: StepBatch = {
        step: step + n,
        n,
        obsDim,
        actDim,
        obs,
        actions,
        rewards: new Float64Array(n),
        nextObs: new Float32Array(n * obsDim),
        terminated: new Uint8Array(n),
        truncated: new Uint8Array(n),
      };
      const following = new Float32Array(n * obsDim);
      for (let i = 0; i < n; i++) {
        const r = envs[i].step(n === 1 ? actions : actions.subarray(i * actDim, (i + 1) * actDim));
        batch.nextObs.set(r.observation, i * obsDim);
        batch.rewards[i] = r.reward;
        batch.terminated[i] = r.terminated ? 1 : 0;
        batch.truncated[i] = r.truncated ? 1 : 0;
        if (r.terminated || r.truncated) following.set(envs[i].reset().observation, i * obsDim);
        else following.set(r.observation, i * obsDim);
      }
      step += n;
      obs = following;
      return batch;
    };

    function runChunk(): void {
      if (stopped) return;
      try {
        const t0 = performance.now();
        do {
          if (step >= totalSteps) {
            stopped = true;
            subscriber.complete();
            return;
          }
          subscriber.next(stepOnce());
          if (subscriber.closed) return;
        } while (performance.now() - t0 < chunkMs && !(opts.pause?.busy ?? false));
      } catch (err) {
        stopped = true;
        subscriber.error(err);
        return;
      }
      if (opts.pause?.busy) {
        opts.pause.settled().then(scheduleChunk, (err: unknown) => fail(subscriber, err));
      } else scheduleChunk();
    }

    const fail = (s: Subscriber<StepBatch>, err: unknown): void => {
      stopped = true;
      s.error(err);
    };

    try {
      for (let i = 0; i < n; i++) obs.set(envs[i].reset({ seed: resetSeed + i }).observation, i * obsDim);
    } catch (err) {
      subscriber.error(err);
      return;
    }
    // Start on the next turn so every subscriber of a shared stream is attached first.
    scheduleChunk();

    return () => {
      stopped = true;
      if (immediate !== undefined) clearImmediate(immediate);
      scheduled?.unsubscribe();
    };
  });
}
