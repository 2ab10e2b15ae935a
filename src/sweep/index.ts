/** Multi-seed sweeps: plan runs, run them as child processes, record sweep.json. */
export { resolveSweepConfig, readSweepFile, defaultSweepName, sweepFileSchema, type SweepConfig, type SweepInput, type SweepFile } from './sweep-config.js';
export { parseSeeds, parseSteps, parseList, parseGridAxis, parseDuration, formatNumber } from './parse-values.js';
export { planRuns, gridPoints, gridLabel, parseGridLabel, gridFlag, type PlannedRun } from './plan.js';
export { BUILTIN_VARIANTS, resolveAgents, type AgentVariant } from './agent-variants.js';
export { decideAction, readRunStatus, hasCheckpoint, type RunAction } from './run-state.js';
export { defaultTrainCommand, parseTrainCommand } from './train-command.js';
export { runChild, type ChildResult, type ChildRunOptions } from './child-run.js';
export { readManifest, writeManifest, manifestPath, SWEEP_MANIFEST, type SweepManifest, type SweepRunEntry, type SweepRunState } from './manifest.js';
export { progressSnapshot, formatDuration, type ProgressSnapshot, type StepProgress } from './progress.js';
export { acquireSweepLock, SWEEP_LOCK } from './sweep-lock.js';
export { runSweep, childArgs, type RunSweepOptions, type SweepResult } from './run-sweep.js';
export { SweepRunTimes, MEASURED_MARGIN, OBSERVED_MARGIN, type RunTimeEstimator } from './time-limit.js';
