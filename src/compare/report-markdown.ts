/**
 * report.md: per env, the plots (relative paths), a table per agent with CIs, the
 * comparisons against the baseline with plain-words verdicts, and how many seeds
 * contribute along the curves.
 */
import { finalReturnWhere } from './final-steps.js';
import type { ConfidenceInterval, IntervalMethod } from '../stats/bootstrap.js';
import type { CompareSummary, EnvSummary, GroupSummary, MetricPower } from './summary.js';
import { formatNumber } from '../sweep/parse-values.js';
import { formatP } from './verdict.js';

/** Readable number: 4 significant digits, no exponent for returns. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  if (a >= 1e-3 || a === 0) return String(Number(v.toPrecision(4)));
  return v.toExponential(2);
}

/**
 * Fewest seeds (per agent; for a difference, on the smaller side) for which a report prints an
 * interval. Why: with one seed every resample is the data ("[x, x]" would read as certainty);
 * with two, any bootstrap interval of a mean is the two values' range, which holds the true
 * mean half the time (two draws straddle the median with probability 1/2), not 95%.
 */
export const MIN_SEEDS_FOR_CI = 3;

export function fmtCi(ci: ConfidenceInterval | null): string {
  if (ci === null) return 'n/a';
  const n = ci.minSamples;
  if (n !== undefined && n < MIN_SEEDS_FOR_CI) return `${fmt(ci.estimate)} (${n} seed${n === 1 ? '' : 's'}, no CI)`;
  return `${fmt(ci.estimate)} [${fmt(ci.low)}, ${fmt(ci.high)}]`;
}

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

function groupTable(env: EnvSummary): string[] {
  const hasStt = env.threshold !== null;
  const hasEquiv = env.groups.some((g) => g.finalEquivError !== null);
  const hasEquivStd = env.groups.some((g) => g.finalEquivErrorStd !== null);
  const head = ['Agent', 'Seeds', 'Final return, mean [95% CI]', 'Final return, IQM [95% CI]', 'AUC, mean [95% CI]'];
  if (hasStt) head.push(`Steps to ${fmt(env.threshold)}, mean of runs reaching it [95% CI]`, 'Reached');
  if (hasEquiv) head.push('Equivariance error at end [95% CI]');
  if (hasEquivStd) head.push("Std's equivariance error at end [95% CI]");
  const lines = [row(head), row(head.map(() => '---'))];
  for (const g of env.groups) {
    const cells = [g.series, String(g.seeds.length), fmtCi(g.finalReturn.mean), fmtCi(g.finalReturn.iqm), fmtCi(g.auc.mean)];
    if (hasStt) {
      const s = g.stepsToThreshold;
      cells.push(s ? fmtCi(s.meanOfReached) : 'n/a', s ? `${s.reached}/${s.n}` : 'n/a');
    }
    if (hasEquiv) cells.push(fmtCi(g.finalEquivError));
    if (hasEquivStd) cells.push(fmtCi(g.finalEquivErrorStd));
    lines.push(row(cells));
  }
  return lines;
}

function pairTable(env: EnvSummary): string[] {
  if (env.pairwise.length === 0) return [];
  const metricLabel = { finalReturn: 'final return', auc: 'AUC', stepsToThreshold: `steps to ${fmt(env.threshold)}` } as const;
  const lines = [
    row(['Agent', 'Metric', `Difference vs ${env.baseline ?? 'baseline'} [95% CI]`, "Welch's p", "Holm's p", 'Detectable at 80% power', 'P(improvement)']),
    row(['---', '---', '---', '---', '---', '---', '---']),
  ];
  for (const p of env.pairwise) {
    lines.push(
      row([
        p.candidate,
        metricLabel[p.metric],
        fmtCi(p.difference),
        p.welch ? (Number.isNaN(p.welch.p) ? 'n/a' : formatP(p.welch.p).replace(/^p=/, '')) : 'n/a',
        p.holm ? formatP(p.holm.p).replace(/^p=/, '') : 'n/a',
        p.detectable === undefined || p.detectable === null ? 'n/a' : fmt(p.detectable),
        p.probabilityOfImprovement === null ? 'n/a' : fmt(p.probabilityOfImprovement),
      ]),
    );
  }
  return lines;
}

function seedsAlongCurves(g: GroupSummary): string {
  const changes: string[] = [];
  let prev = -1;
  for (const p of g.returnCurve) {
    if (p.nSeeds !== prev) changes.push(`${p.nSeeds} from step ${p.step}`);
    prev = p.nSeeds;
  }
  const last = g.returnCurve[g.returnCurve.length - 1];
  return `${g.series}: ${changes.join(', ')}${last ? ` (curve ends at step ${last.step})` : ''}; last evaluation per seed: ${g.seeds
    .map((s, i) => `seed ${s} @ ${g.lastSteps[i]}`)
    .join(', ')}`;
}

/** A config value or network fact as table text: lists joined, numbers short, n/a for missing. */
function fmtSetting(v: unknown): string {
  if (v === null || v === undefined) return 'n/a';
  if (Array.isArray(v)) return v.map(fmtSetting).join(',');
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e9 ? String(v) : formatNumber(v);
  if (typeof v === 'object') {
    const varies = (v as { varies?: unknown[] }).varies;
    return Array.isArray(varies) ? `varies: ${varies.map(fmtSetting).join(' / ')}` : JSON.stringify(v);
  }
  return String(v);
}

/** Every config key and network fact in which each compared agent differs from the baseline. */
function setupSection(env: EnvSummary): string[] {
  if (env.setupDifferences.length === 0) return [];
  const base = env.baseline ?? 'baseline';
  const out = [
    `### What differs from ${base}`,
    '',
    `Every config key (config.json; keys a run predates at their defaults; the seed left out) and network fact derived from it in which each agent's runs differ from ${base}'s. A difference in return can only be credited to these. "(unused)": the agent does not use the key.`,
    '',
    row(['Agent', 'Setting', "Agent's value", `${base}'s value`]),
    row(['---', '---', '---', '---']),
  ];
  for (const c of env.setupDifferences) {
    if (c.differences.length === 0) out.push(row([c.candidate, '(none)', '', '']));
    for (const d of c.differences) {
      const mark = (side: 'candidate' | 'baseline'): string => (d.unusedBy.includes(side) ? ' (unused)' : '');
      out.push(row([c.candidate, d.source === 'config' ? `\`${d.key}\`` : d.key, fmtSetting(d.candidate) + mark('candidate'), fmtSetting(d.baseline) + mark('baseline')]));
    }
  }
  const notes = env.groups.filter((g) => g.setup.note !== null).map((g) => `- ${g.series}: ${g.setup.note}`);
  return [...out, '', ...(notes.length > 0 ? [...notes, ''] : [])];
}

/** Every config key of the compared runs (config.json, seed left out), one column per agent group. */
function hyperparameterSection(env: EnvSummary): string[] {
  const keys = [...new Set(env.groups.flatMap((g) => Object.keys(g.setup.config)))].sort();
  if (keys.length === 0) return [];
  const out = [
    '### Hyperparameters',
    '',
    "Each agent's config keys as its runs' config.json records them (keys a run predates at their defaults; the seed left out). \"(unused)\": the agent does not use the key.",
    '',
    row(['Key', ...env.groups.map((g) => g.series)]),
    row(['---', ...env.groups.map(() => '---')]),
  ];
  for (const k of keys) out.push(row([`\`${k}\``, ...env.groups.map((g) => (k in g.setup.config ? fmtSetting(g.setup.config[k]) : '') + (g.setup.unused.includes(k) ? ' (unused)' : ''))]));
  return [...out, ''];
}

function envSection(env: EnvSummary): string[] {
  const out: string[] = [`## ${env.env}`, ''];
  const n = env.groups.reduce((a, g) => a + g.seeds.length, 0);
  out.push(
    `${env.groups.length} agent configuration(s), ${n} runs. Final return is the evaluation return ${finalReturnWhere(env)}${(env.finalSteps?.length ?? 1) > 1 ? ` (--final-window), ${env.endStep} being` : ','} the last step every included run of this env reached; AUC is the area under the return curve from step ${env.startStep} to ${env.endStep} divided by that range (the average return over training).`,
    '',
  );
  if (env.plots.returnCurves) out.push(`![${env.env} return curves](${env.plots.returnCurves})`, '');
  out.push('### Per agent', '', ...groupTable(env), '', ...hyperparameterSection(env));
  if (env.pairwise.length > 0) {
    out.push(`### Against ${env.baseline}`, '', ...pairTable(env), '');
    for (const p of env.pairwise) out.push(`- ${p.verdict}`);
    out.push('', ...powerSection(env), ...setupSection(env));
  } else if (env.groups.length > 1) {
    out.push('No baseline agent found for pairwise comparisons.', '');
  }
  const figs: string[] = [];
  if (env.plots.returnIqmCurves) figs.push(`![${env.env} IQM return curves](${env.plots.returnIqmCurves})`);
  if (env.plots.finalReturn) figs.push(`![${env.env} final return](${env.plots.finalReturn})`);
  if (env.plots.equivError) figs.push(`![${env.env} policy equivariance error](${env.plots.equivError})`);
  if (env.plots.equivErrorStd) figs.push(`![${env.env} policy std's equivariance error](${env.plots.equivErrorStd})`);
  if (figs.length > 0) out.push('### Figures', '', ...figs.flatMap((f) => [f, '']));
  for (const hm of env.heatMaps) {
    out.push(`### Prior-strength grid: ${hm.agent}`, '');
    if (hm.plot) out.push(`![${env.env} ${hm.agent} grid](${hm.plot})`, '');
    out.push(row([hm.xAxis, ...(hm.yAxis ? [hm.yAxis] : []), 'Mean final return', 'Seeds']), row(['---', ...(hm.yAxis ? ['---'] : []), '---', '---']));
    for (const c of hm.cells) out.push(row([formatNumber(c.x), ...(hm.yAxis && c.y !== null ? [formatNumber(c.y)] : []), fmt(c.meanFinalReturn), String(c.nSeeds)]));
    out.push('');
  }
  out.push('### Seeds contributing along the curves', '', ...env.groups.map((g) => `- ${seedsAlongCurves(g)}`), '');
  return out;
}

/** The env's power paragraph: what size of difference its comparisons can detect at the study's seed count. */
function powerSection(env: EnvSummary): string[] {
  const pw = env.power;
  if (pw === undefined || pw === null || pw.finalReturn.detectable === null) return [];
  const share = (m: MetricPower): string =>
    m.baselineMean !== null && m.baselineMean > 0 && m.detectable !== null ? ` (${Math.round((100 * m.detectable) / m.baselineMean)}% of ${env.baseline}'s mean)` : '';
  const parts = [`${fmt(pw.finalReturn.detectable)} in final return${share(pw.finalReturn)}`];
  if (pw.auc.detectable !== null) parts.push(`${fmt(pw.auc.detectable)} in AUC${share(pw.auc)}`);
  const sds = [`final return ${fmt(pw.finalReturn.pooledSd)}`, ...(pw.auc.pooledSd !== null ? [`AUC ${fmt(pw.auc.pooledSd)}`] : [])].join(', ');
  const source = pw.seedsFrom === 'sweep plan' ? "the sweep's plan" : 'the most any agent has here';
  const seedsFor = (m: MetricPower, name: string): string | null => {
    const s = m.seedsForShare;
    if (s === undefined || s === null) return null;
    return `${s.atLeast ? 'more than ' : 'about '}${s.seeds} seeds per agent in ${name} (a difference of ${fmt(s.difference)})`;
  };
  const needs = [seedsFor(pw.finalReturn, 'final return'), seedsFor(pw.auc, 'AUC')].filter((x): x is string => x !== null);
  const effect = pw.finalReturn.seedsForShare?.share ?? pw.auc.seedsForShare?.share;
  const needText = needs.length > 0 && effect !== undefined ? ` To detect a true difference of ${Math.round(100 * effect)}% of ${env.baseline}'s mean as often, a study would need ${needs.join(' and ')}.` : '';
  return [
    `Power: with ${pw.seedsPerAgent} seeds per agent (${source}) and this env's seed-to-seed standard deviation pooled over its agents (${sds}), a two-sided ${pw.alpha * 100}% Welch test detects a true difference of about ${parts.join(' and ')} in ${pw.power * 100}% of studies (simulated with normal seeds). Smaller true differences mostly read as not significant, so "not significant" here does not mean "no difference".${needText}`,
    '',
  ];
}

function holmText(summary: CompareSummary): string {
  const family = summary.envs.flatMap((e) => e.pairwise).find((p) => p.holm)?.holm?.family ?? 0;
  if (family < 2) return '';
  return `, and Holm's p is Welch's corrected for all ${family} tests in this report (every env, agent and metric), so that a difference called significant after it is not just one of many tries`;
}

function intervalMethodText(method: IntervalMethod, confidence: number): string {
  const c = `${confidence * 100}%`;
  if (method === 'percentile') return `intervals are ${c} percentile bootstrap CIs (rliable's; they cover less than ${c} with few seeds: about 84% for a mean of 5 normal seeds)`;
  return `intervals are ${c} expanded percentile bootstrap CIs (Hesterberg 2015: the resamples read at the tail P(Z > sqrt(n/(n-1)) t_{n-1}) instead of ${Number((((1 - confidence) / 2) * 100).toPrecision(6))}%, n the seeds per agent, or the smaller side of a difference; the plain percentile interval covers about 84% for a mean of 5 normal seeds, this one about 91%, and for a difference of two 5-seed means 88% and 96%)`;
}

export function renderReport(summary: CompareSummary, title: string): string {
  const o = summary.options;
  const out: string[] = [
    `# ${title}`,
    '',
    `Sweep: \`${summary.sweepDir}\` (relative to this report), compared ${summary.createdAt}.`,
    '',
    `Method: ${intervalMethodText(o.ciMethod ?? 'percentile', o.confidence)} over seeds (${o.resamples} resamples, ${o.curveResamples} for curve bands, seed ${o.seed}; none with fewer than ${MIN_SEEDS_FOR_CI} seeds, where any bootstrap interval is only the seeds' range); IQM is the interquartile mean as in rliable (scipy trim_mean 25%) with a stratified bootstrap CI; p-values are from Welch's two-sided t-test, significance at ${o.alpha * 100}%${holmText(summary)}; P(improvement) is the probability that a random seed of the agent beats a random seed of the baseline (ties count half); "detectable at 80% power" is the true difference Welch's test at this level would detect in 80% of studies, simulated with normal seeds of the two groups' standard deviations and counts (with few seeds those are themselves uncertain: an order of size). With few seeds, treat every verdict as tentative.`,
    '',
  ];
  for (const env of summary.envs) out.push(...envSection(env));
  if (summary.aggregate) {
    const a = summary.aggregate;
    out.push(
      '## Across envs',
      '',
      `Scores: ${a.normalisation} (${a.envs.join(', ')}). IQM and mean with stratified bootstrap CIs (seeds resampled within each env); P(improvement) over ${a.baseline} averaged over envs.`,
      '',
      ...(a.plot ? [`![IQM across envs](${a.plot})`, ''] : []),
      row(['Agent', 'Runs', 'Normalised IQM [95% CI]', 'Normalised mean [95% CI]', `P(improvement over ${a.baseline})`]),
      row(['---', '---', '---', '---', '---']),
      ...a.rows.map((r) => row([r.series, String(r.nRuns), fmtCi(r.iqm), fmtCi(r.mean), r.probabilityOfImprovement === null ? 'n/a' : fmt(r.probabilityOfImprovement)])),
      '',
    );
  }
  if (summary.excluded.length > 0) {
    out.push('## Runs left out', '', ...summary.excluded.map((e) => `- \`${e.id}\`: ${e.reason}`), '');
  }
  if (summary.warnings.length > 0) out.push('## Warnings', '', ...summary.warnings.map((w) => `- ${w}`), '');
  return out.join('\n');
}
