/**
 * The README's study table from a compare summary.json, so the numbers quoted there are
 * the report's and not copied by hand:
 *   node --import tsx src/cli/main.ts compare runs/results/prior-study --finished-only --out /tmp/cmp
 *   node --import tsx scripts/study-table.ts /tmp/cmp/summary.json
 * One row per env, one column per agent (the run directories' agent names, e.g. sac-matched).
 * A cell: returns at the final step per seed (up to 3 seeds), or their mean with its CI (more),
 * then the AUC's mean and, in brackets, the final policy equivariance error's mean.
 */
import { readFileSync } from 'node:fs';
import { fmt, fmtCi } from '../src/compare/report-markdown.js';
import type { CompareSummary, GroupSummary } from '../src/compare/summary.js';

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: node --import tsx scripts/study-table.ts <compare dir>/summary.json\n');
  process.exit(2);
}
const summary = JSON.parse(readFileSync(path, 'utf8')) as CompareSummary;

/** The agent's directory name (runs are <env>/<agent>/seed-<n>), which names sweep variants. */
const column = (g: GroupSummary): string => g.runIds[0].split('/').at(-2) ?? g.agent;

function cell(g: GroupSummary): string {
  const finals = g.finalReturn.perSeed.map((p) => (p.value === null ? 'n/a' : fmt(p.value)));
  const ret = finals.length <= 3 ? finals.join(', ') : `${fmtCi(g.finalReturn.mean)}, ${finals.length} seeds`;
  const err = g.finalEquivError === null ? '' : ` (${fmt(g.finalEquivError.estimate)})`;
  return `${ret}; AUC ${fmt(g.auc.mean.estimate)}${err}`;
}

const columns = [...new Set(summary.envs.flatMap((e) => e.groups.map(column)))];
const lines = [`| env | ${columns.join(' | ')} |`, `| --- | ${columns.map(() => '---').join(' | ')} |`];
for (const env of summary.envs) {
  const byColumn = new Map(env.groups.map((g) => [column(g), g]));
  lines.push(`| ${env.env} (at ${env.endStep}) | ${columns.map((c) => (byColumn.has(c) ? cell(byColumn.get(c) as GroupSummary) : 'n/a')).join(' | ')} |`);
}
process.stdout.write(lines.join('\n') + '\n');
