/**
 * Operator: call `evaluate` each time the env step count reaches a multiple of
 * `every` (once per crossing, also when a batch of n envs jumps past it), and once
 * more at `finalStep` if that is not a multiple. Emits what `evaluate` returns.
 * The evaluation itself is synchronous (a plain env loop), so training waits for it.
 * A plain subscriber (not mergeMap): it sees every env step.
 * An evaluation may answer with a promise (webgpu in Node reads asynchronously): it is
 * tracked in `work`, which pauses the rollout until it is done, its record is emitted
 * when it arrives, and completion waits for it.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { PendingWork } from './pending-work.js';

export interface EvaluateEveryOptions {
  /** Also evaluate when the step count reaches this (the run's budget). */
  finalStep?: number;
  /** Where asynchronous evaluations are tracked (the rollout's pause). */
  work?: PendingWork;
}

export function evaluateEvery<T extends { step: number }, R>(every: number, evaluate: (b: T) => R | Promise<R>, opts: EvaluateEveryOptions = {}): OperatorFunction<T, R> {
  if (!(every > 0)) throw new Error(`evaluateEvery: 'every' must be > 0, got ${every}`);
  return (source: Observable<T>) =>
    new Observable<R>((subscriber) => {
      let nextAt: number | undefined;
      let finalDone = false;
      // The last asynchronous evaluation (null when none was started): completion waits for it.
      let pending: Promise<void> | null = null;
      return source.subscribe({
        next(b) {
          // The first batch fixes the schedule, so a resumed run keeps the same grid.
          nextAt ??= (Math.floor((b.step - 1) / every) + 1) * every;
          const atFinal = opts.finalStep !== undefined && b.step >= opts.finalStep && !finalDone;
          if (b.step < nextAt && !atFinal) return;
          nextAt = (Math.floor(b.step / every) + 1) * every;
          if (atFinal) finalDone = true;
          let result: R | Promise<R>;
          try {
            result = evaluate(b);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          if (result instanceof Promise) {
            const done = result.then(
              (r) => subscriber.next(r),
              (err: unknown) => subscriber.error(err),
            );
            pending = (pending ?? Promise.resolve()).then(() => done);
            opts.work?.track(done);
            return;
          }
          subscriber.next(result);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => (pending === null ? subscriber.complete() : void pending.then(() => subscriber.complete())),
      });
    });
}
