/** The RxJS rollout pipeline: a rollout source, small operators, and their composition for training. */
export * from './types.js';
export { PendingWork } from './pending-work.js';
export { rollout, type RolloutOptions } from './rollout.js';
export { RolloutEnvs, type EpisodeSeedFn, type EnvPlace, type RolloutEnvsState } from './rollout-envs.js';
export { storeTransitions } from './store-transitions.js';
export { trainAtRatio, updatesDue, type TrainSchedule, type UpdatesSoFar } from './train-at-ratio.js';
export { episodeRecords } from './episode-records.js';
export { evaluateEvery, type EvaluateEveryOptions } from './evaluate-every.js';
export { checkpointEvery } from './checkpoint-every.js';
export { evaluatePolicy, meanStd, type EvalResult, type SingleActFn } from './evaluate-policy.js';
export { trainingEvents, type TrainingEvent, type TrainingPipelineParts } from './training-pipeline.js';
export { sampleEveryMs } from './sample-every-ms.js';
