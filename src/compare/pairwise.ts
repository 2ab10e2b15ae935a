/**
 * Each agent against the baseline (SAC) within an env: bootstrap CI of the mean
 * difference, Welch's t-test, probability of improvement, and a plain-words verdict.
 */
import { bootstrapDiffCi, type IntervalMethod } from '../stats/bootstrap.js';
import { mean } from '../stats/descriptive.js';
import { probabilityOfImprovement } from '../stats/probability-of-improvement.js';
import { welchTTest } from '../stats/welch-t-test.js';
import type { GroupSummary, PairMetric, PairwiseSummary } from './summary.js';
import { verdict } from './verdict.js';

export interface PairOptions {
  resamples: number;
  confidence: number;
  method: IntervalMethod;
  alpha: number;
  seed: number;
}

function values(g: GroupSummary, m: PairMetric): (number | null)[] {
  if (m === 'finalReturn') return g.finalReturn.perSeed.map((p) => p.value);
  if (m === 'auc') return g.auc.perSeed.map((p) => p.value);
  return g.stepsToThreshold?.perSeed.map((p) => p.value) ?? [];
}

function metricName(m: PairMetric, g: GroupSummary): string {
  if (m === 'finalReturn') return 'final return';
  if (m === 'auc') return 'AUC';
  return `steps to reach ${g.stepsToThreshold?.threshold ?? '?'}`;
}

export function comparePair(candidate: GroupSummary, baseline: GroupSummary, m: PairMetric, o: PairOptions): PairwiseSummary {
  const a = values(candidate, m);
  const b = values(baseline, m);
  const base = { metric: m, candidate: candidate.series, baseline: baseline.series, nCandidate: a.length, nBaseline: b.length };
  if (a.some((v) => v === null) || b.some((v) => v === null)) {
    // Runs that never reached the threshold have no step count; a mean over the others would flatter the slower agent.
    const ra = a.filter((v) => v !== null).length;
    const rb = b.filter((v) => v !== null).length;
    return {
      ...base,
      difference: null,
      welch: null,
      probabilityOfImprovement: null,
      significant: false,
      verdict: `Not compared: only ${ra}/${a.length} ${candidate.series} runs and ${rb}/${b.length} ${baseline.series} runs reached ${candidate.stepsToThreshold?.threshold ?? 'the threshold'}.`,
    };
  }
  const av = a as number[];
  const bv = b as number[];
  const difference = bootstrapDiffCi(av, bv, mean, { resamples: o.resamples, confidence: o.confidence, method: o.method, seed: o.seed });
  const w = welchTTest(av, bv);
  const lowerIsBetter = m === 'stepsToThreshold';
  const poi = lowerIsBetter ? probabilityOfImprovement(bv, av) : probabilityOfImprovement(av, bv);
  return {
    ...base,
    difference,
    welch: { t: w.t, df: w.df, p: w.p },
    probabilityOfImprovement: poi,
    significant: w.p < o.alpha,
    verdict: verdict({
      candidate: candidate.series,
      baseline: baseline.series,
      metric: metricName(m, candidate),
      difference: difference.estimate,
      p: w.p,
      nCandidate: av.length,
      nBaseline: bv.length,
      alpha: o.alpha,
      countNoun: lowerIsBetter,
    }),
  };
}
