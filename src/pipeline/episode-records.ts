/**
 * Operator: turn step batches into one EpisodeRecord per finished episode (return,
 * length, env step at its end). Written as a plain subscriber rather than mergeMap:
 * it runs on every env step, and an inner subscription per step costs microseconds.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { EpisodeRecord } from '../run-files.js';
import type { StepBatch } from './types.js';

export function episodeRecords(): OperatorFunction<StepBatch, EpisodeRecord> {
  return (source: Observable<StepBatch>) =>
    new Observable<EpisodeRecord>((subscriber) => {
      let returns = new Float64Array(0);
      let lengths = new Int32Array(0);
      return source.subscribe({
        next(b) {
          if (returns.length !== b.n) {
            returns = new Float64Array(b.n);
            lengths = new Int32Array(b.n);
          }
          for (let i = 0; i < b.n; i++) {
            returns[i] += b.rewards[i];
            lengths[i] += 1;
            if (b.terminated[i] === 1 || b.truncated[i] === 1) {
              subscriber.next({ step: b.step, return: returns[i], length: lengths[i] });
              returns[i] = 0;
              lengths[i] = 0;
            }
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
