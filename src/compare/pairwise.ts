/**
 * Each agent against the baseline (SAC) within an env: bootstrap CI of the mean
 * difference, Welch's t-test, probability of improvement, and a plain-words verdict.
 */
import { bootstrapDiffCi, type IntervalMethod } from '../stats/bootstrap.js';
import { mean, std } from '../stats/descriptive.js';
import { detectableDifference } from '../stats/power.js';
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

/** A group's per-seed values of one metric, seed order; null where a run has none (steps never reached). */
export function metricValues(g: GroupSummary, m: PairMetric): (number | null)[] {
  if (m === 'finalReturn') return g.finalReturn.perSeed.map((p) => p.value);
  if (m === 'auc') return g.auc.perSeed.map((p) => p.value);
  return g.stepsToThreshold?.perSeed.map((p) => p.value) ?? [];
}

function metricName(m: PairMetric, threshold: number | null): string {
  if (m === 'finalReturn') return 'final return';
  if (m === 'auc') return 'AUC';
  return `steps to reach ${threshold ?? '?'}`;
}

/** The plain-words verdict of a tested pair (difference and welch set), with Holm's p where known. */
export function pairVerdict(p: PairwiseSummary, threshold: number | null, alpha: number): string {
  if (p.difference === null || p.welch === null) return p.verdict;
  return verdict({
    candidate: p.candidate,
    baseline: p.baseline,
    metric: metricName(p.metric, threshold),
    difference: p.difference.estimate,
    p: p.welch.p,
    nCandidate: p.nCandidate,
    nBaseline: p.nBaseline,
    alpha,
    countNoun: p.metric === 'stepsToThreshold',
    holm: p.holm ?? undefined,
  });
}

export function comparePair(candidate: GroupSummary, baseline: GroupSummary, m: PairMetric, o: PairOptions): PairwiseSummary {
  const a = metricValues(candidate, m);
  const b = metricValues(baseline, m);
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
      holm: null,
      significantAfterHolm: false,
      detectable: null,
      verdict: `Not compared: only ${ra}/${a.length} ${candidate.series} runs and ${rb}/${b.length} ${baseline.series} runs reached ${candidate.stepsToThreshold?.threshold ?? 'the threshold'}.`,
    };
  }
  const av = a as number[];
  const bv = b as number[];
  const difference = bootstrapDiffCi(av, bv, mean, { resamples: o.resamples, confidence: o.confidence, method: o.method, seed: o.seed });
  const w = welchTTest(av, bv);
  const lowerIsBetter = m === 'stepsToThreshold';
  const poi = lowerIsBetter ? probabilityOfImprovement(bv, av) : probabilityOfImprovement(av, bv);
  // Holm's correction needs every test of the report: applyHolm (family-correction.ts) fills it in.
  const pair: PairwiseSummary = {
    ...base,
    difference,
    welch: { t: w.t, df: w.df, p: w.p },
    probabilityOfImprovement: poi,
    significant: w.p < o.alpha,
    holm: null,
    significantAfterHolm: false,
    detectable: finiteOrNull(detectableDifference({ sd: std(av), n: av.length }, { sd: std(bv), n: bv.length }, { alpha: o.alpha, seed: o.seed })),
    verdict: '',
  };
  pair.verdict = pairVerdict(pair, candidate.stepsToThreshold?.threshold ?? null, o.alpha);
  return pair;
}

/** A statistic for summary.json: NaN or infinite (undefined for these seeds) becomes null. */
export const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
