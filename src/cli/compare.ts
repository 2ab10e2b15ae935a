/**
 * `rpp-sac compare <sweepDir>`: statistics, plots and a Markdown report comparing the
 * agents of a sweep. Registered on the main program by src/cli/main.ts through `register(program)`.
 */
import { Command, InvalidArgumentError } from 'commander';
import { CompareInputError } from '../compare/compare-input-error.js';
import { compareSweep } from '../compare/compare-sweep.js';
import type { IntervalMethod } from '../stats/bootstrap.js';
import { UserError } from '../run/user-error.js';

interface CompareCliOptions {
  out?: string;
  threshold?: string;
  baseline?: string;
  resamples?: number;
  curveResamples?: number;
  ci?: IntervalMethod;
  seed?: number;
  alpha?: number;
  minSeeds?: number;
  maxStep?: number;
  finalWindow?: number;
  includeFailed?: boolean;
  finishedOnly?: boolean;
  png: boolean;
}

function int(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

function intervalMethod(value: string): IntervalMethod {
  if (value !== 'expanded' && value !== 'percentile') throw new InvalidArgumentError("expected 'expanded' or 'percentile'");
  return value;
}

function probability(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number in (0, 1)');
  return n;
}

export function register(program: Command): Command {
  return program
    .command('compare')
    .description('Compare the agents of a sweep: aligned curves, tables with bootstrap CIs, Welch tests, plots, report.md and summary.json, and for each pair compared every config key and network fact in which the two differ')
    .argument('<sweepDir>', 'sweep directory (from `npx rpp-sac sweep`) or any directory of <env>/<agent>/seed-<n> run dirs')
    .option('--out <dir>', 'output directory (default <sweepDir>/compare)')
    .option('--threshold <x>', 'return threshold for steps-to-threshold: one number or per env, e.g. Hopper-v5=3000,Walker2d-v5=4000')
    .option('--baseline <agent>', 'agent (or sweep variant, e.g. sac-matched) the others are compared with (default sac)')
    .option('--resamples <n>', 'bootstrap resamples for table CIs (default 2000)', int(1))
    .option('--curve-resamples <n>', 'bootstrap resamples per curve point (default 1000)', int(1))
    .option('--ci <method>', "how bootstrap CIs are read off the resamples: expanded (default; Hesterberg's expanded percentile, near 95% coverage at 5 seeds) or percentile (rliable's; about 84% for a mean at 5 seeds)", intervalMethod)
    .option('--seed <n>', 'bootstrap seed (default 0)', int(0))
    .option('--alpha <a>', 'significance level of the verdicts (default 0.05)', probability)
    .option('--min-seeds <k>', 'extend curves to steps reached by at least k seeds of an agent (default: all seeds)', int(1))
    .option('--max-step <n>', 'compare at this step at most', int(1))
    .option('--final-window <steps>', 'final return = mean return of the evaluations in the last <steps> before the end step, e.g. 20000 for the last 5 of a run evaluated every 5k (default 0: the end step alone; one evaluation of a changing policy is noisy)', int(0))
    .option('--include-failed', 'keep runs whose status is failed (default: left out and listed)')
    .option('--finished-only', 'leave out runs that are still running or were interrupted (listed with their step), e.g. for a report of a study in progress')
    .option('--no-png', 'write SVG plots only')
    .action(async (sweepDir: string, opts: CompareCliOptions) => {
      const r = await compareSweep(sweepDir, {
        outDir: opts.out,
        threshold: opts.threshold,
        baseline: opts.baseline,
        resamples: opts.resamples,
        curveResamples: opts.curveResamples,
        ciMethod: opts.ci,
        seed: opts.seed,
        alpha: opts.alpha,
        minSeeds: opts.minSeeds,
        maxStep: opts.maxStep,
        finalWindow: opts.finalWindow,
        includeFailed: opts.includeFailed,
        finishedOnly: opts.finishedOnly,
        png: opts.png,
      }).catch((err: unknown) => {
        throw err instanceof CompareInputError ? new UserError(err.message) : err;
      });
      const lines = [`report: ${r.reportPath}`, `summary: ${r.summaryPath}`];
      for (const env of r.summary.envs) {
        lines.push(`${env.env} (at step ${env.endStep}):`);
        for (const p of env.pairwise.filter((x) => x.metric === 'finalReturn')) lines.push(`  ${p.verdict}`);
      }
      process.stdout.write(lines.join('\n') + '\n');
    });
}
