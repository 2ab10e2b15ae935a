/** Operator: turn step batches into one EpisodeRecord per finished episode (return, length, env step at its end). */
import { defer, mergeMap, type Observable, type OperatorFunction } from 'rxjs';
import type { EpisodeRecord } from '../run-files.js';
import type { StepBatch } from './types.js';

export function episodeRecords(): OperatorFunction<StepBatch, EpisodeRecord> {
  return (source: Observable<StepBatch>) =>
    defer(() => {
      let returns = new Float64Array(0);
      let lengths = new Int32Array(0);
      return source.pipe(
        mergeMap((b: StepBatch): EpisodeRecord[] => {
          if (returns.length !== b.n) {
            returns = new Float64Array(b.n);
            lengths = new Int32Array(b.n);
          }
          const ended: EpisodeRecord[] = [];
          for (let i = 0; i < b.n; i++) {
            returns[i] += b.rewards[i];
            lengths[i] += 1;
            if (b.terminated[i] === 1 || b.truncated[i] === 1) {
              ended.push({ step: b.step, return: returns[i], length: lengths[i] });
              returns[i] = 0;
              lengths[i] = 0;
            }
          }
          return ended;
        }),
      );
    });
}
