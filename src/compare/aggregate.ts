/**
 * Across-env aggregate as in rliable: final returns normalised per env by the baseline's
 * mean final return on that env, then the IQM (and mean) over all runs of all envs with a
 * stratified bootstrap CI (envs are the strata, seeds resampled within each), and the
 * probability of improvement over the baseline averaged over envs.
 */
import { stratifiedBootstrapCi, pooledIqm, type IntervalMethod } from '../stats/bootstrap.js';
import { mean } from '../stats/descriptive.js';
import { stratifiedProbabilityOfImprovement } from '../stats/probability-of-improvement.js';
import type { AggregateSummary, EnvSummary, GroupSummary } from './summary.js';

export interface AggregateOptions {
  resamples: number;
  confidence: number;
  method: IntervalMethod;
  seed: number;
}

function finals(g: GroupSummary): number[] {
  return g.finalReturn.perSeed.map((p) => p.value).filter((v): v is number => v !== null);
}

/** null when fewer than 2 envs, or a baseline is missing or has a non-positive mean return on some env. */
export function aggregateAcrossEnvs(envs: readonly EnvSummary[], o: AggregateOptions, warnings: string[]): AggregateSummary | null {
  if (envs.length < 2) return null;
  const baselines = envs.map((e) => e.groups.find((g) => g.series === e.baseline));
  if (baselines.some((b) => b === undefined)) {
    warnings.push('No across-env aggregate: the baseline agent is missing on some env');
    return null;
  }
  const scale = baselines.map((b) => mean(finals(b as GroupSummary)));
  const bad = envs.filter((_, i) => !(scale[i] > 0)).map((e) => e.env);
  if (bad.length > 0) {
    warnings.push(`No across-env aggregate: the baseline's mean final return is not positive on ${bad.join(', ')}, so it cannot normalise scores`);
    return null;
  }
  const seriesInAll = envs[0].groups.map((g) => g.series).filter((s) => envs.every((e) => e.groups.some((g) => g.series === s)));
  const baselineStrata = envs.map((e, i) => finals(baselines[i] as GroupSummary).map((v) => v / scale[i]));
  const rows = seriesInAll.map((series, k) => {
    const strata = envs.map((e, i) => finals(e.groups.find((g) => g.series === series) as GroupSummary).map((v) => v / scale[i]));
    const opts = { resamples: o.resamples, confidence: o.confidence, method: o.method, seed: o.seed + 31 * k };
    return {
      series,
      nRuns: strata.reduce((a, s) => a + s.length, 0),
      iqm: stratifiedBootstrapCi(strata, pooledIqm, opts),
      mean: stratifiedBootstrapCi(strata, (s) => mean(s.flat()), { ...opts, seed: opts.seed + 1 }),
      probabilityOfImprovement: series === envs[0].baseline ? null : stratifiedProbabilityOfImprovement(strata, baselineStrata),
    };
  });
  return {
    normalisation: `final return divided by ${envs[0].baseline}'s mean final return on the same env`,
    baseline: envs[0].baseline as string,
    envs: envs.map((e) => e.env),
    rows,
    plot: null,
  };
}
