#!/usr/bin/env node
/**
 * The `rpp-sac` command line: train, resume, eval (this file), plus sweep, compare
 * and the queue worker registered from their own modules.
 *
 *   rpp-sac train --env Walker2d-v5 --agent rpp-sac --symmetry exact --seed 0 --steps 1e6
 *   rpp-sac train --preset Walker2d-v5 --agent sac --seed 1
 *   rpp-sac resume runs/Walker2d-v5-rpp-sac-seed0-20260101-120000
 *   rpp-sac eval runs/... --episodes 10
 *
 * User errors (bad flags, config files, run directories) print one clear message
 * and exit 2; interrupted runs exit 130 (SIGINT) or 143 (SIGTERM).
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readJson } from '../run/run-dir.js';
import { resolveRunConfig, checkLayer, type RunConfig } from '../run/run-config.js';
import type { TrainRunResult } from '../run/train-run.js';
import { UserError, isUserError } from '../run/user-error.js';
import { RUN_FILES, type RunStatus } from '../run-files.js';
import { addTrainOptions, backendOption, stopAtOption, trainConfigOf, type TrainFlags } from './train-options.js';

// TensorFlow.js, the agents and the sweep/compare/queue modules take seconds to load,
// so they are imported only by the commands that need them: a bad flag or config
// file is reported at once.
const OWN_COMMANDS = ['train', 'resume', 'eval'];

const require = createRequire(import.meta.url);

function packageVersion(): string {
  for (const p of ['../../package.json', '../../../package.json']) {
    try {
      return (require(p) as { version: string }).version;
    } catch {
      // try the next layout (src/ via tsx, or dist/src/)
    }
  }
  return 'unknown';
}

type RunFlags = TrainFlags;

function readStatus(runDir: string): RunStatus | null {
  try {
    return readJson<RunStatus>(join(runDir, RUN_FILES.status));
  } catch {
    return null;
  }
}

function stamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Default run directory: runs/<env>-<agent>-seed<seed>-<time>. */
export function defaultRunDir(cfg: Pick<RunConfig, 'env' | 'agent' | 'seed'>): string {
  return join('runs', `${cfg.env}-${cfg.agent}-seed${cfg.seed}-${stamp()}`);
}

function exitCodeOf(r: TrainRunResult): number {
  if (r.state === 'finished' || r.stoppedBy === 'stopAtStep') return 0;
  return r.stoppedBy === 'SIGTERM' ? 143 : 130;
}

function report(r: TrainRunResult): void {
  const ev = r.lastEvaluation;
  process.stdout.write(
    JSON.stringify({ state: r.state, step: r.step, runDir: r.runDir, lastEvaluation: ev === null ? null : { step: ev.step, meanReturn: ev.meanReturn, stdReturn: ev.stdReturn } }) + '\n',
  );
}

/** Run `train` (new) or `resume` in this process, print the result line and set the exit code. */
async function startTraining(runDir: string, config: Readonly<RunConfig>, mode: 'new' | 'resume', opts: RunFlags): Promise<void> {
  const { trainRun } = await import('../run/train-run.js');
  const result = await trainRun({
    runDir,
    config,
    mode,
    command: ['rpp-sac', ...process.argv.slice(2)],
    handleSignals: true,
    ...(opts.backend === undefined ? {} : { backend: opts.backend }),
    ...(opts.logLevel === undefined ? {} : { logLevel: opts.logLevel }),
    ...(opts.progress === false ? { progressBar: false } : {}),
    ...(opts.stopAt === undefined ? {} : { stopAtStep: opts.stopAt }),
  });
  report(result);
  process.exitCode = exitCodeOf(result);
}

/** The program; with `withOthers`, also the sweep, compare and queue commands (slow to import). */
export async function buildProgram(withOthers: boolean): Promise<Command> {
  const program = new Command('rpp-sac')
    .description('Soft Actor-Critic and RPP-SAC for MuJoCo locomotion (TensorFlow.js + MuJoCo WebAssembly)')
    .version(packageVersion())
    .showSuggestionAfterError(true)
    // Commander's own errors (unknown option, bad flag value) are thrown to main(), which exits 2 like every user error.
    .exitOverride();

  const train = program
    .command('train')
    .description(
      'Train one agent on one env. Config resolution (later wins): defaults < --preset < --config file < flags. ' +
        'Writes config.json, meta.json, status.json, log.jsonl, episodes.jsonl/csv, evaluations.jsonl/csv, checkpoints/ and policy/ under --out.',
    );
  addTrainOptions(train).action(async (opts: RunFlags) => {
    const config = trainConfigOf(opts);
    await startTraining(opts.out ?? defaultRunDir(config), config, 'new', opts);
  });

  program
    .command('resume <runDir>')
    .description('Continue a run from its latest checkpoint with its saved config.json (episodes/evaluations after the checkpoint are dropped and redone).')
    .option('--steps <n>', 'raise the step budget (totalSteps) of the run', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new UserError(`--steps ${v}: expected a positive integer (1e6 notation is fine).`);
      return n;
    })
    .addOption(backendOption())
    .option('--log-level <level>', 'winston level')
    .option('--no-progress', 'no progress bar')
    .addOption(stopAtOption())
    .action(async (runDir: string, opts: RunFlags & { steps?: number }) => {
      const configPath = join(runDir, RUN_FILES.config);
      let saved: Record<string, unknown>;
      try {
        saved = readJson<Record<string, unknown>>(configPath);
      } catch {
        throw new UserError(`${runDir} is not a run directory (cannot read ${configPath}). Pass the --out directory of an earlier \`npx rpp-sac train\`.`);
      }
      const config = resolveRunConfig({ file: checkLayer(saved, configPath), flags: opts.steps === undefined ? {} : { totalSteps: opts.steps } });
      const status = readStatus(runDir);
      if (status?.state === 'finished' && status.step >= config.totalSteps) {
        throw new UserError(`${runDir} already finished its ${status.step} steps. To train further, raise the budget: npx rpp-sac resume ${runDir} --steps <more than ${status.step}>.`);
      }
      await startTraining(runDir, config, 'resume', opts);
    });

  program
    .command('eval <runDir>')
    .description("Deterministic episodes of a run's exported policy; prints mean and std of the return.")
    .option('--episodes <n>', 'episodes to run', (v) => Number(v), 10)
    .option('--seed <n>', "seed of the first reset (default: the run's seed + 1000, as in training-time evaluations)", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UserError(`--seed ${v}: expected a non-negative integer.`);
      return n;
    })
    .option('--json', 'print the result as one JSON object')
    .option('--record <file>', 'also write every frame of the episodes (qpos/qvel, actions, rewards) to this JSON file, for `rpp-sac view` (format: src/run/episode-record.ts)')
    .addOption(backendOption())
    .action(async (runDir: string, opts: { episodes: number; seed?: number; json?: boolean; backend?: string; record?: string }) => {
      const { createLogger } = await import('../logging.js');
      const { evalRun } = await import('../run/eval-run.js');
      const logger = createLogger({ level: process.env.RPP_SAC_LOG_LEVEL ?? 'warn' });
      const r = await evalRun({ runDir, episodes: opts.episodes, logger, ...(opts.seed === undefined ? {} : { seed: opts.seed }), ...(opts.backend === undefined ? {} : { backend: opts.backend }), ...(opts.record === undefined ? {} : { record: opts.record }) });
      if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stdout.write(`${r.env}: mean return ${r.meanReturn.toFixed(2)} ± ${r.stdReturn.toFixed(2)} (std) over ${r.episodes} deterministic episodes, mean length ${r.meanLength.toFixed(1)}, seed ${r.seed}\n`);
    });

  if (withOthers) {
    (await import('./sweep.js')).register(program);
    (await import('./compare.js')).register(program);
    (await import('./worker.js')).register(program);
    (await import('./view.js')).register(program);
  }
  return program;
}

async function main(): Promise<void> {
  try {
    const command = process.argv[2];
    const program = await buildProgram(command === undefined || !OWN_COMMANDS.includes(command));
    await program.parseAsync(process.argv);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (err instanceof CommanderError) {
      // Commander has printed its message (or the help / version).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
    } else if (isUserError(err)) {
      process.stderr.write(`error: ${msg}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`error: ${msg}\n${process.env.RPP_SAC_DEBUG ? `${(err as Error).stack ?? ''}\n` : '(set RPP_SAC_DEBUG=1 to see the stack trace)\n'}`);
      process.exitCode = 1;
    }
  }
  // tfjs/wasm and MuJoCo keep no work pending once a command is done; exit now so no stray handle holds the process.
  process.exit(process.exitCode ?? 0);
}

await main();
