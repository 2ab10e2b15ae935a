/**
 * Plain-words verdicts for a pairwise comparison, e.g.
 * "RPP-SAC's final return is higher than SAC's, but the difference is not significant at 5% (p=0.31, 5 seeds)".
 */

export interface VerdictInput {
  candidate: string;
  baseline: string;
  /** Noun phrase: "final return", "AUC", "steps to reach 3000". */
  metric: string;
  /** candidate - baseline. */
  difference: number;
  p: number;
  nCandidate: number;
  nBaseline: number;
  alpha: number;
  /** For steps-to-threshold: lower is better, and we say "fewer"/"more". */
  countNoun?: boolean;
  /** p after Holm's correction over the report's family of tests (said only where p alone is significant). */
  holm?: { p: number; family: number };
}

export function formatP(p: number): string {
  if (p < 0.001) return 'p<0.001';
  return `p=${Number(p.toPrecision(2))}`;
}

function seedsPhrase(a: number, b: number): string {
  if (a === b) return a === 1 ? '1 seed' : `${a} seeds`;
  return `${a} vs ${b} seeds`;
}

function percent(alpha: number): string {
  return `${Number((alpha * 100).toPrecision(3))}%`;
}

export function verdict(v: VerdictInput): string {
  const seeds = seedsPhrase(v.nCandidate, v.nBaseline);
  const pos = `${v.candidate}'s ${v.metric}`;
  if (v.difference === 0) {
    return v.countNoun ? `${v.candidate} needs as many ${v.metric} as ${v.baseline} (${seeds}).` : `${pos} equals ${v.baseline}'s (${seeds}).`;
  }
  const dir = v.countNoun ? (v.difference > 0 ? 'more' : 'fewer') : v.difference > 0 ? 'higher' : 'lower';
  const head = v.countNoun ? `${v.candidate} needs ${dir} ${v.metric} than ${v.baseline}` : `${pos} is ${dir} than ${v.baseline}'s`;
  if (Number.isNaN(v.p)) return `${head}, but significance cannot be tested (needs at least 2 seeds per agent and some spread; ${seeds}).`;
  if (v.p < v.alpha) {
    const sig = `${head}, and the difference is significant at ${percent(v.alpha)} (${formatP(v.p)}, ${seeds})`;
    if (v.holm === undefined || v.holm.family < 2) return `${sig}.`;
    const adjusted = formatP(v.holm.p).replace(/^p/, 'adjusted p');
    const family = `Holm's correction for the ${v.holm.family} tests in this report`;
    return v.holm.p < v.alpha ? `${sig}, also after ${family} (${adjusted}).` : `${sig}, but not after ${family} (${adjusted}).`;
  }
  return `${head}, but the difference is not significant at ${percent(v.alpha)} (${formatP(v.p)}, ${seeds}).`;
}
