/**
 * Operator: one EpisodeRecord per finished episode (return, length, env step at its
 * end), read from the batch's per-env episode totals (kept by RolloutEnvs, so an
 * episode that spans a resume is counted whole). A map over each batch, not mergeMap:
 * it runs on every env step, and an inner subscription per step costs microseconds.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { EpisodeRecord } from '../run-files.js';
import type { StepBatch } from './types.js';

export function episodeRecords(): OperatorFunction<StepBatch, EpisodeRecord> {
  return (source: Observable<StepBatch>) =>
    new Observable<EpisodeRecord>((subscriber) =>
      source.subscribe({
        next(b) {
          for (let i = 0; i < b.n; i++) {
            if (b.terminated[i] === 1 || b.truncated[i] === 1) subscriber.next({ step: b.step, return: b.episodeReturn[i], length: b.episodeLength[i] });
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
