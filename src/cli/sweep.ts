/**
 * `rpp-sac sweep`: run env x agent x seed (x grid point) training runs as child processes.
 * Registered on the main program by src/cli/main.ts through `register(program)`.
 */
import { Command, InvalidArgumentError } from 'commander';
import { getDefaultLogger } from '../logging.js';
import { costClass, costLabel, formatDuration, formatRates, measureRates, runSeconds, sweepSeconds, type MeasuredRates } from '../sweep/estimate.js';
import { decideAction, readRunStatus } from '../sweep/run-state.js';
import type { PlannedRun } from '../sweep/plan.js';
import { parseDuration, parseGridAxis } from '../sweep/parse-values.js';
import { SweepRunTimes } from '../sweep/time-limit.js';
import { planRuns } from '../sweep/plan.js';
import { changedFlagsError, childArgs, runSweep } from '../sweep/run-sweep.js';
import { readSweepFile, resolveSweepConfig, type SweepInput } from '../sweep/sweep-config.js';
import { defaultTrainCommand, parseTrainCommand } from '../sweep/train-command.js';
import { join, resolve } from 'node:path';
import { readManifest } from '../../agents/checkpoint.js';
import { RUN_FILES } from '../run-files.js';
import { asUserError, UserError } from '../run/user-error.js';
import { checkPlannedRuns } from './check-sweep-runs.js';
import { parseTrainArgs } from './train-options.js';
import { sweepViaQueue } from './worker.js';

interface SweepCliOptions {
  config?: string;
  env?: string;
  agents?: string;
  seeds?: string;
  steps?: string;
  parallel?: number;
  out?: string;
  name?: string;
  grid?: string[];
  gridAgents?: string;
  retries?: number;
  trainCommand?: string;
  progressEvery?: number;
  dryRun?: boolean;
  /** false with --no-estimate */
  estimate?: boolean;
  allowChangedFlags?: boolean;
  queue?: string;
  results?: string;
  status?: boolean;
  timeLimit?: number;
  fillToLimit?: boolean;
  onRunFinished?: string;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

/** CLI flags over the config file's values; flags not given leave the file's values alone. */
export function sweepInputFromCli(opts: SweepCliOptions, trainArgs: string[]): SweepInput {
  const file: Partial<SweepInput> = opts.config ? readSweepFile(opts.config) : {};
  const grid = opts.grid ? Object.fromEntries(opts.grid.map(parseGridAxis)) : file.grid;
  const missing = (['env', 'agents', 'seeds', 'steps'] as const).filter((k) => opts[k] === undefined && file[k] === undefined);
  if (missing.length > 0) throw new Error(`sweep needs ${missing.map((m) => `--${m}`).join(', ')} (or a --config file that sets them)`);
  return {
    name: opts.name ?? file.name,
    env: (opts.env ?? file.env) as string | string[],
    agents: (opts.agents ?? file.agents) as string | string[],
    variants: file.variants,
    seeds: (opts.seeds ?? file.seeds) as string | number | number[],
    steps: (opts.steps ?? file.steps) as string | number,
    parallel: opts.parallel ?? file.parallel,
    out: opts.out ?? file.out,
    grid,
    gridAgents: opts.gridAgents ?? file.gridAgents,
    trainArgs: [...(file.trainArgs ?? []), ...trainArgs],
    retries: opts.retries ?? file.retries,
  };
}

export function register(program: Command): Command {
  return program
    .command('sweep')
    .description('Train many runs (envs x agents x seeds [x hyperparameter grid]) as child processes; re-running skips finished runs and resumes interrupted ones')
    .argument('[trainArgs...]', 'extra flags for every `train` call, after --, e.g. -- --eval-every 10000')
    .option('--config <file>', 'sweep config file (YAML/JSON, e.g. runs/sweeps/x.yaml); flags override its values')
    .option('--env <ids>', 'environment id(s), comma-separated, e.g. Walker2d-v5')
    .option('--agents <list>', 'agents, comma-separated: kinds sac,rpp-sac,emlp-sac and variants: sac-matched (SAC with the RPP actor\'s swish and LeCun init) or those under variants: in the --config file')
    .option('--seeds <spec>', 'seeds: a range "0-4" or a list "0,3,7"')
    .option('--steps <n>', 'environment steps per run, e.g. 3e5')
    .option('--parallel <n>', 'runs at once (default 1; each run is one process)', positiveInt)
    .option('--out <dir>', 'sweep directory (default runs/sweeps/<name>)')
    .option('--name <name>', 'sweep name (default derived from env, agents, steps and grid axes)')
    .option('--grid <axes...>', 'hyperparameter grid, e.g. --grid equiv_wd=1e-6,1e-4 basic_wd=1e-6,1e-2 (paper names, passed as --actor-equiv-wd/--actor-basic-wd; other axes are run-config keys)')
    .option('--grid-agents <list>', 'agents the grid applies to (default: all but sac, emlp-sac and their variants)')
    .option('--retries <n>', 'retries of a crashed run, resuming from its checkpoint if it has one (default 1)', positiveInt)
    .option('--train-command <cmd>', 'command prefix for `train`/`resume` (default: this CLI; also RPP_SAC_TRAIN_COMMAND)')
    .option('--time-limit <duration>', 'wall-clock limit, e.g. 2h45m, 90m or 3600 (seconds): start a run only if it is expected to finish in time (its estimate: runs of its kind finished in this sweep, else CPU rates measured at start), leave the rest for the next invocation, and at the limit stop the running runs (they checkpoint); for machines whose processes end at a known time', (v: string) => {
      try {
        return parseDuration(v);
      } catch (e) {
        throw new InvalidArgumentError((e as Error).message);
      }
    })
    .option('--fill-to-limit', 'with --time-limit: also start runs that cannot finish before the limit (while 2 minutes are left), so the cores stay busy; they checkpoint at the limit and the next invocation resumes them. Only where the run directories outlive the processes (a kept disk)')
    .option('--on-run-finished <cmd>', 'shell command run after each run that finishes, one at a time, with RPP_SAC_RUN_DIR, RPP_SAC_RUN_ID and RPP_SAC_SWEEP_DIR set; e.g. "bash scripts/commit-finished-runs.sh runs/results/x" to commit results as they come (a failure is logged, the sweep goes on)')
    .option('--progress-every <sec>', 'seconds between progress lines (default 30)', positiveInt)
    .option('--dry-run', 'print the planned runs, what would happen to each and an estimated total time (measured here in a few seconds per network shape); start nothing')
    .option('--no-estimate', 'with --dry-run: skip the time estimate')
    .option('--allow-changed-flags', 're-run a sweep whose runs were trained with other train flags: train the remaining runs with the new ones (sweep.json keeps the earlier config under previousConfigs)')
    .option('--queue <url>', 'enqueue the runs on Redis (redis://host:6379) for `npx rpp-sac worker` machines instead of running them here; see docs/distributed-sweeps.md')
    .option('--results <dir>', 'with --queue: shared results root (same as the workers\' --results); the sweep goes to <dir>/<name>')
    .option('--status', 'with --queue: show queued/running/finished/failed runs of the sweep (needs --name, or the sweep\'s flags)')
    .action(async (trainArgs: string[], opts: SweepCliOptions) => {
      if (opts.queue !== undefined || opts.status) {
        if (opts.queue === undefined) throw new UserError('sweep --status needs --queue <url> (the status of local sweeps is in <sweep dir>/sweep.json)');
        const config = () => asUserError(() => resolveSweepConfig(sweepInputFromCli(opts, trainArgs)));
        process.exitCode = await sweepViaQueue({ queueUrl: opts.queue, resultsDir: opts.results, status: opts.status === true, name: opts.name, config });
        return;
      }
      if (opts.fillToLimit && opts.timeLimit === undefined) throw new UserError('--fill-to-limit needs --time-limit <duration> (it says which runs may start past what fits before the limit).');
      const config = asUserError(() => resolveSweepConfig(sweepInputFromCli(opts, trainArgs)));
      const trainCommand = asUserError(() => (opts.trainCommand ? parseTrainCommand(opts.trainCommand) : defaultTrainCommand()));
      const planned = asUserError(() => planRuns(config, resolve(config.out)));
      // Runs of this package's CLI are checked as `train` reads them; another --train-command reads its own flags.
      if (opts.trainCommand === undefined && !process.env.RPP_SAC_TRAIN_COMMAND?.trim()) {
        for (const w of checkPlannedRuns(planned)) process.stderr.write(`warning: ${w}\n`);
      }
      const changed = changedFlagsError(config, resolve(config.out));
      if (changed !== null && !opts.allowChangedFlags) throw new UserError(changed);
      if (opts.dryRun) {
        const ownCli = opts.trainCommand === undefined && !process.env.RPP_SAC_TRAIN_COMMAND?.trim();
        await printDryRun(planned, config.steps, config.parallel, trainCommand, ownCli && opts.estimate !== false);
        return;
      }
      const ac = new AbortController();
      // SIGINT (Ctrl-C), SIGTERM (kill, job schedulers), SIGHUP (terminal closed): stop starting
      // runs and let running ones checkpoint (they run in their own process groups, so only we signal them).
      const onSigint = (): void => {
        if (ac.signal.aborted) process.exit(130);
        getDefaultLogger().warn('sweep: interrupt received, stopping runs (they checkpoint); press Ctrl-C again to quit at once');
        ac.abort();
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      process.on('SIGHUP', onSigint);
      try {
        const timeLimit =
          opts.timeLimit === undefined ? undefined : {
                deadlineMs: Date.now() + opts.timeLimit * 1000,
                estimator: new SweepRunTimes({ steps: config.steps, parallel: config.parallel }),
                fill: opts.fillToLimit === true,
              };
        const r = await runSweep({ config, trainCommand, signal: ac.signal, progressIntervalMs: (opts.progressEvery ?? 30) * 1000, allowChangedFlags: opts.allowChangedFlags === true, timeLimit, onRunFinished: opts.onRunFinished });
        const left = r.manifest.runs.filter((e) => e.state === 'interrupted').length;
        const byLimit = r.manifest.stoppedBy === 'time-limit';
        process.stdout.write(
          `${byLimit ? 'time limit' : r.manifest.state}: ${r.finished} trained, ${r.skipped} skipped, ${r.failed.length} failed of ${r.manifest.runs.length} runs in ${r.sweepDir}\n` +
            (byLimit ? `${left} run(s) left: run the same sweep command again to resume or start them\n` : '') +
            (r.failed.length > 0 ? `failed: ${r.failed.map((f) => f.id).join(', ')}\n` : '') +
            `compare with: npx rpp-sac compare ${r.sweepDir}\n`,
        );
        // Stopping at the time limit is what was asked for: exit 0 unless a run failed.
        process.exitCode = r.failed.length > 0 ? 1 : r.interrupted && !byLimit ? 130 : 0;
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
        process.off('SIGHUP', onSigint);
      }
    });
}

/**
 * The dry run's listing: each run's action and command, then the number of runs per action
 * and (for runs of this CLI) an estimated time per run and for the sweep, from rates measured
 * here once per network/env shape (src/sweep/estimate.ts).
 */
async function printDryRun(planned: PlannedRun[], steps: number, parallel: number, trainCommand: string[], estimate: boolean): Promise<void> {
  const rates = new Map<string, MeasuredRates>();
  const secs: number[] = [];
  const counts = new Map<string, number>();
  for (const run of planned) {
    const action = decideAction(run.dir, steps);
    counts.set(action, (counts.get(action) ?? 0) + 1);
    let time = '';
    const parsed = estimate && action !== 'skip' ? parseTrainArgs(run.trainArgs.slice(1)) : null;
    if (parsed !== null && (parsed.flags.backend ?? process.env.RPP_SAC_BACKEND) === 'webgpu') {
      // GPU work runs asynchronously and Node reads it back only asynchronously: CPU time says nothing.
      if (estimate) process.stderr.write('no time estimate for --backend webgpu: GPU time cannot be measured as CPU time (use npm run bench -- agents --backend webgpu)\n');
      estimate = false;
    } else if (parsed !== null) {
      const { config, flags } = parsed;
      const cfg = { ...config, totalSteps: steps };
      const key = costClass(cfg);
      if (!rates.has(key)) {
        const measured = await measureRates(cfg, flags.backend);
        process.stderr.write(`measured ${costLabel(cfg, run.agent)}: ${formatRates(measured)} (CPU time)\n`);
        rates.set(key, measured);
      }
      const from = action === 'train' ? 0 : await resumeStep(run.dir);
      const sec = runSeconds(cfg, from, rates.get(key)!);
      secs.push(sec);
      time = ` (~${formatDuration(sec)})`;
    }
    const cmd = action === 'skip' ? '' : `  $ ${[...trainCommand, ...childArgs(action, run, steps)].join(' ')}`;
    process.stdout.write(`${action.padEnd(6)} ${run.id}${time}${cmd}\n`);
  }
  const byAction = [...counts].map(([a, n]) => `${n} ${a}`).join(', ');
  process.stdout.write(`${planned.length} run${planned.length === 1 ? '' : 's'}: ${byAction}\n`);
  if (estimate && secs.length > 0) {
    const total = secs.reduce((a, b) => a + b, 0);
    process.stdout.write(
      `estimated time: ${formatDuration(sweepSeconds(secs, parallel))} at --parallel ${parallel} (${formatDuration(total)} of runs in all; ` +
        `one core per run at the CPU rates measured just now; evaluations at full episode length, an upper bound where episodes end early)\n`,
    );
  }
}

/** Where a resume or extend starts: the checkpoint's step (status.json may be ahead of it). */
async function resumeStep(runDir: string): Promise<number> {
  try {
    return (await readManifest(join(runDir, RUN_FILES.checkpoints, 'latest'))).loop?.step ?? 0;
  } catch {
    return readRunStatus(runDir)?.step ?? 0; // an unreadable checkpoint is resume's error to report
  }
}
