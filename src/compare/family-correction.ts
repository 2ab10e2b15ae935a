/**
 * Holm's correction over every pairwise test of a report. Why: a study of 4 agents x 2
 * metrics x 2 envs runs 16 tests against the baseline; at 5% each, one "significant"
 * difference somewhere is more likely than not by chance alone. The report keeps each
 * test's own p and says, for those significant alone, whether they survive the family.
 */
import { holmAdjust } from '../stats/holm.js';
import { pairVerdict } from './pairwise.js';
import type { EnvSummary } from './summary.js';

export function applyHolm(envs: readonly EnvSummary[], alpha: number): void {
  const tested = envs.flatMap((env) => env.pairwise.filter((p) => p.welch !== null && !Number.isNaN(p.welch.p)).map((p) => ({ env, p })));
  const adjusted = holmAdjust(tested.map(({ p }) => (p.welch as { p: number }).p));
  tested.forEach(({ env, p }, i) => {
    p.holm = { p: adjusted[i], family: tested.length };
    p.significantAfterHolm = adjusted[i] < alpha;
    p.verdict = pairVerdict(p, env.threshold, alpha);
  });
}
