/** Statistics for comparing agents over seeds: pure, seeded functions. */
export { mean, variance, std, percentile, percentileOfSorted, median } from './descriptive.js';
export { trimMean, iqm, type TrimOptions } from './trimmed-mean.js';
export { logGamma, logBeta, regularizedIncompleteBeta } from './special-functions.js';
export { studentTCdf, studentTTwoSidedP, studentTQuantile } from './student-t.js';
export { normalUpperTail } from './normal.js';
export { welchTTest, type WelchResult } from './welch-t-test.js';
export { holmAdjust } from './holm.js';
export { detectableDifference, pooledSd, type GroupSpread, type PowerOptions } from './power.js';
export {
  bootstrapCi,
  bootstrapCis,
  bootstrapDiffCi,
  stratifiedBootstrapCi,
  intervalTailPercent,
  pooledIqm,
  type IntervalMethod,
  type BootstrapOptions,
  type ConfidenceInterval,
  type Statistic,
  type StratifiedAggregate,
} from './bootstrap.js';
export { probabilityOfImprovement, stratifiedProbabilityOfImprovement } from './probability-of-improvement.js';
export { normalizedAuc, stepsToThreshold } from './curve-metrics.js';
