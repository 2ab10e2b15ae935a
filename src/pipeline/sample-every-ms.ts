/**
 * Operator: pass on the first value, then at most one value per `ms` of clock time,
 * and the last value when the source completes. Timer-free (it reads the clock on
 * each value), so it adds no event-loop work and never delays completion.
 */
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';

export function sampleEveryMs<T>(ms: number, clock: () => number = () => performance.now()): MonoTypeOperatorFunction<T> {
  return (source: Observable<T>) =>
    new Observable<T>((subscriber) => {
      let lastAt = -Infinity;
      let held: { value: T } | undefined;
      return source.subscribe({
        next(value) {
          const now = clock();
          if (now - lastAt >= ms) {
            lastAt = now;
            held = undefined;
            subscriber.next(value);
          } else held = { value };
        },
        error: (err: unknown) => subscriber.error(err),
        complete() {
          if (held !== undefined) subscriber.next(held.value);
          subscriber.complete();
        },
      });
    });
}
