/**
 * The rollout source: steps the envs (a RolloutEnvs) with a policy function and emits
 * one StepBatch per synchronous vector step.
 *
 * Speed: steps run synchronously in chunks (no event-loop turn per step); a chunk
 * ends after `chunkMs` milliseconds, then the source yields once (setImmediate, or
 * the given scheduler) so signals, progress timers and unsubscription get a turn.
 * Unsubscribing between chunks leaves the envs after a whole step, so `envs.save()`
 * then describes a state the next rollout can continue from exactly. A policy that
 * answers with a promise (webgpu in Node) ends the chunk; its step is taken when the
 * actions arrive.
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

    const stepWith = (actions: Float32Array): StepBatch => {
      const batch = envs.step(actions, step + n);
      step += n;
      return batch;
    };

    // After a chunk: wait for pending side work, else schedule the next chunk.
    const afterChunk = (): void => {
      if (opts.pause?.busy) {
        opts.pause.settled().then(scheduleChunk, (err: unknown) => fail(subscriber, err));
      } else scheduleChunk();
    };

    // An asynchronous policy's actions arrived: take the step, then end the chunk.
    const finishStep = (actions: Float32Array): void => {
      if (stopped) return;
      try {
        subscriber.next(stepWith(actions));
      } catch (err) {
        fail(subscriber, err);
        return;
      }
      if (!subscriber.closed) afterChunk();
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
          const actions = policy(envs.obs, n, step);
          if (!(actions instanceof Float32Array)) {
            actions.then(finishStep, (err: unknown) => fail(subscriber, err));
            return;
          }
          subscriber.next(stepWith(actions));
          if (subscriber.closed) return;
        } while (performance.now() - t0 < chunkMs && !(opts.pause?.busy ?? false));
      } catch (err) {
        stopped = true;
        subscriber.error(err);
        return;
      }
      afterChunk();
    }

    function fail(s: Subscriber<StepBatch>, err: unknown): void {
      stopped = true;
      s.error(err);
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
