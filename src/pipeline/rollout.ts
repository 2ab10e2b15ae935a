/**
 * The rollout source: steps the envs (a RolloutEnvs) with a policy function and emits
 * one StepBatch per synchronous vector step.
 *
 * Speed: steps run synchronously in chunks (no event-loop turn per step); a chunk
 * ends after `chunkMs` milliseconds, then the source yields once (setImmediate, or
 * the given scheduler) so signals, progress timers and unsubscription get a turn.
 * Unsubscribing between chunks leaves the envs after a whole step, so `envs.save()`
 * then describes a state the next rollout can continue from exactly.
 */
import { Observable, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import type { PendingWork } from './pending-work.js';
import type { RolloutEnvs } from './rollout-envs.js';
import type { PolicyFn, StepBatch } from './types.js';

export interface RolloutOptions {
  /** The envs, already at their start (RolloutEnvs.start or .resume); stepping moves them on. */
  envs: RolloutEnvs;
  policy: PolicyFn;
  /** Complete once this many env steps were taken in total (may overshoot by up to n-1 with n envs). */
  totalSteps: number;
  /** Steps already taken (when resuming); counting continues from here. */
  startStep?: number;
  /** Yield to the event loop at least this often (default 25 ms). */
  chunkMs?: number;
  /** Schedule chunks on this scheduler (tests: TestScheduler); default setImmediate. */
  scheduler?: SchedulerLike;
  /** Async side work: end the chunk while it is busy and wait for it before stepping on. */
  pause?: PendingWork;
}

export function rollout(opts: RolloutOptions): Observable<StepBatch> {
  const { envs, policy, totalSteps } = opts;
  if (!(totalSteps >= 0)) throw new Error(`rollout: totalSteps must be >= 0, got ${totalSteps}`);
  const n = envs.n;
  const chunkMs = opts.chunkMs ?? 25;

  return new Observable<StepBatch>((subscriber) => {
    let step = opts.startStep ?? 0;
    let stopped = false;
    let immediate: ReturnType<typeof setImmediate> | undefined;
    let scheduled: Subscription | undefined;

    const scheduleChunk = (): void => {
      if (stopped) return;
      if (opts.scheduler !== undefined) scheduled = opts.scheduler.schedule(runChunk);
      else immediate = setImmediate(runChunk);
    };

    const stepOnce = (): StepBatch => {
      const batch = envs.step(policy(envs.obs, n, step), step + n);
      step += n;
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

    // Start on the next turn so every subscriber of a shared stream is attached first.
    scheduleChunk();

    return () => {
      stopped = true;
      if (immediate !== undefined) clearImmediate(immediate);
      scheduled?.unsubscribe();
    };
  });
}
