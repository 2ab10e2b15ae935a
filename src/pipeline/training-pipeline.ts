/**
 * The training pipeline: rollout batches -> replay buffer -> gradient steps ->
 * (checkpoints), fanned out into episode, evaluation and throttled progress events.
 *
 *   trained$     = source -> storeTransitions -> trainAtRatio -> checkpointEvery (shared)
 *   episodes$    = trained$ -> episodeRecords
 *   evaluations$ = trained$ -> evaluateEvery
 *   progress$    = trained$ -> sampleEveryMs
 */
import { merge, map, share, type Observable } from 'rxjs';
import type { EpisodeRecord, EvaluationRecord } from '../run-files.js';
import { checkpointEvery } from './checkpoint-every.js';
import { episodeRecords } from './episode-records.js';
import { evaluateEvery } from './evaluate-every.js';
import type { PendingWork } from './pending-work.js';
import { sampleEveryMs } from './sample-every-ms.js';
import { storeTransitions } from './store-transitions.js';
import { trainAtRatio, type TrainSchedule, type UpdatesSoFar } from './train-at-ratio.js';
import type { Learner, ReplaySink, StepBatch, TrainedBatch } from './types.js';

export type TrainingEvent =
  | { kind: 'episode'; record: EpisodeRecord }
  | { kind: 'evaluation'; record: EvaluationRecord }
  | { kind: 'progress'; step: number; totalUpdates: number; latestUpdate: TrainedBatch['latestUpdate'] };

export interface TrainingPipelineParts {
  source: Observable<StepBatch>;
  replay: ReplaySink;
  learner: Learner;
  schedule: TrainSchedule;
  /** When resuming: the update count and latest stats the run stopped with (see trainAtRatio). */
  resumeFrom?: UpdatesSoFar;
  evalEvery: number;
  /** May answer with a promise (webgpu in Node); the rollout then waits for it (tracked in checkpoint.work or evalWork). */
  evaluate: (b: TrainedBatch) => EvaluationRecord | Promise<EvaluationRecord>;
  /** Where asynchronous evaluations are tracked (the rollout's pause); default checkpoint.work. */
  evalWork?: PendingWork;
  /** Evaluate once more when this step is reached (the run's budget). */
  finalStep?: number;
  checkpoint?: { every: number; save: (b: TrainedBatch) => Promise<void>; work: PendingWork };
  /** Progress events at most this often (default 1000 ms). */
  progressMs?: number;
  /** Clock for progress sampling (ms); default performance.now. */
  clock?: () => number;
}

export function trainingEvents(p: TrainingPipelineParts): Observable<TrainingEvent> {
  const learned$: Observable<TrainedBatch> = p.source.pipe(storeTransitions(p.replay), trainAtRatio(p.learner, p.schedule, p.resumeFrom));
  const checkpointed$ = p.checkpoint === undefined ? learned$ : learned$.pipe(checkpointEvery(p.checkpoint.every, p.checkpoint.save, p.checkpoint.work));
  const trained$ = checkpointed$.pipe(share());
  const evalWork = p.evalWork ?? p.checkpoint?.work;

  const episodes$ = trained$.pipe(
    episodeRecords(),
    map((record): TrainingEvent => ({ kind: 'episode', record })),
  );
  const evaluations$ = trained$.pipe(
    evaluateEvery(p.evalEvery, p.evaluate, { ...(p.finalStep === undefined ? {} : { finalStep: p.finalStep }), ...(evalWork === undefined ? {} : { work: evalWork }) }),
    map((record): TrainingEvent => ({ kind: 'evaluation', record })),
  );
  const progress$ = trained$.pipe(
    sampleEveryMs(p.progressMs ?? 1000, p.clock),
    map((b): TrainingEvent => ({ kind: 'progress', step: b.step, totalUpdates: b.totalUpdates, latestUpdate: b.latestUpdate })),
  );
  return merge(episodes$, evaluations$, progress$);
}
