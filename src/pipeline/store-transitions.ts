/** Operator: push every transition of each batch into the replay buffer, passing the batch on. */
import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { ReplaySink, StepBatch } from './types.js';

export function storeTransitions<T extends StepBatch>(replay: ReplaySink): MonoTypeOperatorFunction<T> {
  return tap((b: T) => {
    if (b.n === 1) {
      // One env: pass the arrays as they are (typed-array views cost microseconds each).
      replay.add(b.obs, b.actions, b.rewards[0], b.nextObs, b.terminated[0] === 1);
      return;
    }
    for (let i = 0; i < b.n; i++) {
      replay.add(
        b.obs.subarray(i * b.obsDim, (i + 1) * b.obsDim),
        b.actions.subarray(i * b.actDim, (i + 1) * b.actDim),
        b.rewards[i],
        b.nextObs.subarray(i * b.obsDim, (i + 1) * b.obsDim),
        // Truncation is not termination: the learner bootstraps through time limits.
        b.terminated[i] === 1,
      );
    }
  });
}
