/**
 * What size of difference an env's comparisons can see: the seed-to-seed spread pooled over
 * the env's agents, and the true difference two agents of the study's seed count must have
 * for Welch's test to detect it with 80% power (stats/power.ts). Pooled because one agent's
 * standard deviation from 3-5 seeds is itself very uncertain, and this is a property of the
 * env and the metric more than of any one agent; the per-pair figure sits in the pairwise table.
 */
import { mean } from '../stats/descriptive.js';
import { detectableDifference, pooledSd, seedsToDetect } from '../stats/power.js';
import type { SweepManifest } from '../sweep/manifest.js';
import { finiteOrNull, metricValues } from './pairwise.js';
import type { EnvPower, GroupSummary, MetricPower } from './summary.js';

const POWER = 0.8;
/** The effect, as a share of the baseline's mean, whose seed count the report names. */
const SHARE = 0.1;

/**
 * Seeds per agent the sweep planned for this env (its manifest's runs, grouped by run id
 * without the seed), or null without a manifest entry for the env.
 */
export function plannedSeedsPerAgent(manifest: SweepManifest | null, env: string): number | null {
  if (manifest === null) return null;
  const counts = new Map<string, number>();
  for (const r of manifest.runs) {
    if (r.env !== env) continue;
    const group = r.id.replace(/\/seed-\d+$/, '');
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return counts.size === 0 ? null : Math.max(...counts.values());
}

function metricPower(groups: GroupSummary[], baseline: GroupSummary | null, m: 'finalReturn' | 'auc', n: number, alpha: number, seed: number): MetricPower {
  const known = (g: GroupSummary): number[] => metricValues(g, m).filter((v): v is number => v !== null);
  const sd = pooledSd(groups.map(known));
  const base = baseline === null ? [] : known(baseline);
  const baselineMean = base.length > 0 ? mean(base) : null;
  const difference = baselineMean === null ? Number.NaN : SHARE * baselineMean;
  return {
    pooledSd: finiteOrNull(sd),
    detectable: finiteOrNull(detectableDifference({ sd, n }, { sd, n }, { alpha, power: POWER, seed })),
    baselineMean,
    seedsForShare: sd > 0 && difference > 0 ? { share: SHARE, difference, ...seedsToDetect(sd, difference, { alpha, power: POWER, seed }) } : null,
  };
}

/** The env's power figures at the planned seed count (else the largest group's), or null if no agent has 2 seeds. */
export function envPower(groups: GroupSummary[], baseline: GroupSummary | null, planned: number | null, alpha: number, seed: number): EnvPower | null {
  const most = Math.max(0, ...groups.map((g) => g.seeds.length));
  const seedsPerAgent = Math.max(planned ?? 0, most);
  if (most < 2 || seedsPerAgent < 2) return null;
  return {
    seedsPerAgent,
    seedsFrom: planned !== null && planned >= most ? 'sweep plan' : 'runs',
    power: POWER,
    alpha,
    finalReturn: metricPower(groups, baseline, 'finalReturn', seedsPerAgent, alpha, seed),
    auc: metricPower(groups, baseline, 'auc', seedsPerAgent, alpha, seed + 1),
  };
}
