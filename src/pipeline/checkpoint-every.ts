/**
 * Operator: start `save` each time the env step count reaches a multiple of `every`.
 * The save runs asynchronously but is tracked in `work`, which makes the rollout
 * source pause until it is written, so the checkpoint is one consistent state.
 */
import { defer, tap, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import type { PendingWork } from './pending-work.js';

export function checkpointEvery<T extends { step: number }>(every: number, save: (b: T) => Promise<void>, work: PendingWork): MonoTypeOperatorFunction<T> {
  if (!(every > 0)) throw new Error(`checkpointEvery: 'every' must be > 0, got ${every}`);
  return (source: Observable<T>) =>
    defer(() => {
      let nextAt: number | undefined;
      return source.pipe(
        tap((b: T) => {
          nextAt ??= (Math.floor((b.step - 1) / every) + 1) * every;
          if (b.step < nextAt) return;
          nextAt = (Math.floor(b.step / every) + 1) * every;
          work.track(save(b));
        }),
      );
    });
}
