/**
 * The README's part-1 table (where does the prior act?) from the compare summaries of the
 * penalty grids, so the numbers quoted there are the reports' and not copied by hand:
 *   node --import tsx scripts/regime-table.ts l2=runs/results/prior-regime/compare/summary.json \
 *     decoupled=runs/results/prior-regime-decoupled/compare/summary.json
 * One row per grid cell (penalty form, basicWd), Walker2d-v5 then HalfCheetah-v5 columns: the
 * final return (mean and 95% CI from 3 seeds on, else the seeds' values), the AUC's mean, and
 * the final policy equivariance error of the mean and of the std (means over seeds).
 */
import { readFileSync } from 'node:fs';
import { fmt, fmtCi } from '../src/compare/report-markdown.js';
import type { CompareSummary, GroupSummary } from '../src/compare/summary.js';

const ENVS = ['Walker2d-v5', 'HalfCheetah-v5'] as const;

const sources = process.argv.slice(2).map((arg) => {
  const eq = arg.indexOf('=');
  if (eq <= 0) {
    process.stderr.write('usage: node --import tsx scripts/regime-table.ts <form>=<compare dir>/summary.json ...\n');
    process.exit(2);
  }
  return { form: arg.slice(0, eq), summary: JSON.parse(readFileSync(arg.slice(eq + 1), 'utf8')) as CompareSummary };
});

function basicWd(g: GroupSummary): number {
  const wd = g.grid?.basic_wd;
  if (typeof wd !== 'number') throw new Error(`regime-table: group ${g.key} has no numeric basic_wd grid value; is this a penalty-grid sweep?`);
  return wd;
}

function cells(g: GroupSummary | undefined): string[] {
  if (g === undefined) return ['n/a', 'n/a', 'n/a'];
  const finals = g.finalReturn.perSeed.map((p) => (p.value === null ? 'n/a' : fmt(p.value)));
  const ret = finals.length < 3 ? finals.join(', ') : fmtCi(g.finalReturn.mean);
  const err = g.finalEquivError === null ? 'n/a' : fmt(g.finalEquivError.estimate);
  const errStd = g.finalEquivErrorStd === null ? 'n/a' : fmt(g.finalEquivErrorStd.estimate);
  return [ret, fmt(g.auc.mean.estimate), `${err} / ${errStd}`];
}

const header = ['penalty form', 'basicWd', 'seeds', ...ENVS.flatMap((e) => [`${e.replace('-v5', '')}: return at end`, 'AUC', 'error at end, mean / std'])];
const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
for (const { form, summary } of sources) {
  const byEnv = new Map(summary.envs.map((e) => [e.env, new Map(e.groups.map((g) => [basicWd(g), g]))]));
  const wds = [...new Set([...byEnv.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  for (const wd of wds) {
    const groups = ENVS.map((e) => byEnv.get(e)?.get(wd));
    const seeds = [...new Set(groups.map((g) => g?.seeds.length ?? 0))].join('/');
    lines.push(`| ${form} | ${fmt(wd)} | ${seeds} | ${groups.flatMap(cells).join(' | ')} |`);
  }
}
process.stdout.write(lines.join('\n') + '\n');
