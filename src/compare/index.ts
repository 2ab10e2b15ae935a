/** Comparing agents over a sweep: load runs, align curves, statistics, plots, report. */
export { compareSweep, type CompareOptions, type CompareResult } from './compare-sweep.js';
export { loadSweepRuns, type LoadedRun, type LoadedSweep, type UnusableRun } from './load-runs.js';
export { alignCurves, interpolateAt, type AlignedCurves, type Curve } from './align-curves.js';
export { aggregateAcrossEnvs } from './aggregate.js';
export { verdict, formatP, type VerdictInput } from './verdict.js';
export { agentDisplayName, seriesName } from './agent-labels.js';
export { parseThresholds, type ThresholdFor } from './thresholds.js';
export type * from './summary.js';
