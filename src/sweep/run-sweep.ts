/**
 * Run a sweep: one child process per run, at most `parallel` at once. Finished runs are
 * skipped, interrupted ones resumed, a crashing run is retried (resumed if it left a
 * checkpoint) and, if it still fails, reported while the other runs go on.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { getDefaultLogger, type Logger } from '../logging.js';
import { runChild, type ChildResult } from './child-run.js';
import { readManifest, writeManifest, manifestPath, pendingEntry, type SweepManifest, type SweepRunEntry } from './manifest.js';
import { planRuns, type PlannedRun } from './plan.js';
import { progressSnapshot, type StepProgress } from './progress.js';
import { decideAction, readRunStatus, type RunAction } from './run-state.js';
import { acquireSweepLock } from './sweep-lock.js';
import type { SweepConfig } from './sweep-config.js';
import { defaultTrainCommand } from './train-command.js';
import { changedTrainFlags } from './changed-flags.js';
import { formatDuration } from './estimate.js';
import { parseTrainArgs } from '../cli/train-options.js';
import type { RunTimeEstimator } from './time-limit.js';

export interface RunSweepOptions {
  config: SweepConfig;
  /** Command prefix before `train ...` / `resume <dir>`. Default: this package's CLI. */
  trainCommand?: string[];
  logger?: Logger;
  /** Abort = stop starting runs, SIGINT the running ones (they checkpoint), mark the sweep interrupted. */
  signal?: AbortSignal;
  /** Milliseconds between progress lines while runs are going. Default 30 000. */
  progressIntervalMs?: number;
  /** Directory that relative paths (config.out) are resolved against. Default process.cwd(). */
  cwd?: string;
  /** Environment of the child processes. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * A shell command run after each run that finishes (sweep --on-run-finished), e.g.
   * `bash scripts/commit-finished-runs.sh runs/results/x` to commit results as they come. It
   * gets RPP_SAC_RUN_DIR, RPP_SAC_RUN_ID and RPP_SAC_SWEEP_DIR; hooks run one at a time in
   * finishing order (two parallel runs' git commits would race for the index), and a failing
   * hook is logged, never fails the sweep.
   */
  onRunFinished?: string;
  /**
   * Train the remaining runs even though runs already in the directory were trained with
   * other train flags (the earlier config is kept in sweep.json's previousConfigs).
   * Default false: refused, naming the differing flags.
   */
  allowChangedFlags?: boolean;
  /**
   * A wall-clock limit (sweep --time-limit, time-limit.ts): a run starts only if its
   * estimate fits before deadlineMs (Date.now() scale); runs that do not are left for the
   * next invocation; at the deadline running runs are interrupted (they checkpoint).
   * fill (sweep --fill-to-limit): start runs that will not finish too, while at least
   * FILL_MIN_SEC are left, for machines whose run directories outlive the processes: the
   * cores stay busy to the limit and the next invocation resumes those runs.
   */
  timeLimit?: { deadlineMs: number; estimator: RunTimeEstimator; fill?: boolean; fillMinSec?: number };
}

/** With timeLimit.fill, a run that cannot finish still starts if this many seconds are left (start-up and a checkpoint take a few). */
export const FILL_MIN_SEC = 120;

/** Why re-running this sweep in sweepDir would mix runs trained with different flags, or null. */
export function changedFlagsError(config: SweepConfig, sweepDir: string): string | null {
  const previous = readManifest(sweepDir);
  if (previous === null) return null;
  const changes = changedTrainFlags(previous.config, config);
  if (changes.length === 0 || !planRuns(config, sweepDir).some((p) => existsSync(p.dir))) return null;
  return (
    `${sweepDir} already holds runs trained with other train flags (${changes.join('; ')}). ` +
    'Use a new sweep directory (--out or --name), or pass --allow-changed-flags to train the remaining runs with the new flags (sweep.json then keeps the earlier config under previousConfigs).'
  );
}

export interface SweepResult {
  sweepDir: string;
  manifest: SweepManifest;
  /** Runs trained to completion in this invocation. */
  finished: number;
  /** Runs already finished before this invocation. */
  skipped: number;
  failed: SweepRunEntry[];
  interrupted: boolean;
}

export async function runSweep(opts: RunSweepOptions): Promise<SweepResult> {
  const logger = opts.logger ?? getDefaultLogger();
  const cwd = opts.cwd ?? process.cwd();
  const sweepDir = resolve(cwd, opts.config.out);
  const trainCommand = opts.trainCommand ?? defaultTrainCommand();
  mkdirSync(sweepDir, { recursive: true });
  const releaseLock = acquireSweepLock(sweepDir);
  try {
    return await runLocked(opts, logger, cwd, sweepDir, trainCommand);
  } finally {
    releaseLock();
  }
}

async function runLocked(opts: RunSweepOptions, logger: Logger, cwd: string, sweepDir: string, trainCommand: string[]): Promise<SweepResult> {
  const planned = planRuns(opts.config, sweepDir);
  const changed = changedFlagsError(opts.config, sweepDir);
  if (changed !== null && !opts.allowChangedFlags) throw new Error(changed);
  const previous = readManifest(sweepDir);
  const now = new Date().toISOString();
  const manifest: SweepManifest = {
    version: 1,
    name: opts.config.name,
    state: 'running',
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    config: opts.config,
    trainCommand,
    runs: planned.map((p) => newEntry(p, sweepDir)),
    ...(previous?.previousConfigs === undefined ? {} : { previousConfigs: previous.previousConfigs }),
  };
  if (changed !== null && previous !== null) {
    manifest.previousConfigs = [...(previous.previousConfigs ?? []), { config: previous.config, replacedAt: now }];
    logger.warn(`${changed.split('. Use')[0]}; training the remaining runs with the new flags (--allow-changed-flags)`);
  }

  const steps = new Map<string, StepProgress>();
  const queue: { plan: PlannedRun; entry: SweepRunEntry }[] = [];
  for (let i = 0; i < planned.length; i++) {
    const plan = planned[i];
    const entry = manifest.runs[i];
    const status = readRunStatus(plan.dir);
    if (decideAction(plan.dir, opts.config.steps) === 'skip') {
      // Keep the record of the invocation that trained it: when it ran, how long, how it ended.
      const before = previous?.runs.find((e) => e.id === plan.id && (e.state === 'finished' || e.state === 'skipped'));
      if (before !== undefined) Object.assign(entry, { exitCode: before.exitCode, startedAt: before.startedAt, endedAt: before.endedAt, durationSec: before.durationSec });
      entry.state = 'skipped';
      entry.actions.push('skip');
      if (status && status.totalSteps < opts.config.steps) {
        logger.warn(
          `run ${plan.id} finished at ${status.totalSteps} steps but the sweep asks for ${opts.config.steps} and it has no checkpoint to continue from; skipping it`,
        );
      }
      continue;
    }
    steps.set(plan.id, {
      startStep: status?.step ?? 0,
      currentStep: status?.step ?? 0,
      totalSteps: status?.totalSteps ?? opts.config.steps,
      learningStarts: learningStartsOf(plan),
    });
    queue.push({ plan, entry });
  }
  writeManifest(sweepDir, manifest);
  logger.info(
    `sweep ${opts.config.name}: ${planned.length} runs (${planned.length - queue.length} already finished), parallel ${opts.config.parallel}, dir ${sweepDir}`,
  );
  logger.debug('sweep train command', { trainCommand });

  const startedMs = Date.now();
  const logProgress = (): void => {
    for (const { plan, entry } of queue) {
      const s = steps.get(plan.id);
      const status = entry.state === 'running' ? readRunStatus(plan.dir) : null;
      if (s && status) s.currentStep = status.step;
    }
    const limitLeftSec = opts.timeLimit === undefined ? undefined : (opts.timeLimit.deadlineMs - Date.now()) / 1000;
    logger.info(progressSnapshot(manifest.runs, steps, (Date.now() - startedMs) / 1000, opts.config.parallel, limitLeftSec).message);
  };
  const timer = setInterval(logProgress, opts.progressIntervalMs ?? 30_000);
  timer.unref();

  // One signal for both ways a sweep stops early: the caller's (Ctrl-C) and the time limit.
  const stop = new AbortController();
  const forward = (): void => stop.abort();
  if (opts.signal?.aborted) stop.abort();
  opts.signal?.addEventListener('abort', forward, { once: true });
  const limit = opts.timeLimit;
  let timeUp = false;
  const deadlineTimer =
    limit === undefined
      ? undefined
      : setTimeout(() => {
          timeUp = true;
          if (!stop.signal.aborted) logger.warn('sweep: time limit reached, stopping the running runs (they checkpoint)');
          stop.abort();
        }, Math.max(0, limit.deadlineMs - Date.now()));
  /** Runs not started because they would not finish before the time limit. */
  const deferred = new Set<SweepRunEntry>();

  const ctx: RunContext = { opts, sweepDir, trainCommand, logger, manifest, steps, cwd, signal: stop.signal };
  /** The --on-run-finished hooks, chained so they run one at a time. */
  let hooks: Promise<void> = Promise.resolve();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length && !stop.signal.aborted) {
      const item = queue[next++];
      if (limit !== undefined) {
        const from = steps.get(item.plan.id)?.startStep ?? 0;
        const needSec = await limit.estimator.estimateSec(item.plan, from);
        const leftSec = (limit.deadlineMs - Date.now()) / 1000;
        if (needSec > leftSec) {
          if (limit.fill === true && leftSec >= (limit.fillMinSec ?? FILL_MIN_SEC)) {
            logger.info(`run ${item.plan.id}: needs ~${formatDuration(needSec)} and ${formatDuration(leftSec)} are left; starting it anyway (--fill-to-limit): it checkpoints at the limit and the next invocation resumes it`);
          } else {
            deferred.add(item.entry);
            logger.info(`run ${item.plan.id}: not started, it needs ~${formatDuration(needSec)} and ${formatDuration(Math.max(0, leftSec))} are left before the time limit`);
            continue;
          }
        }
      }
      const t0 = Date.now();
      await runOne(ctx, item.plan, item.entry);
      const hook = opts.onRunFinished;
      if (hook !== undefined && item.entry.state === 'finished') {
        const plan = item.plan;
        hooks = hooks.then(() => runFinishedHook(ctx, hook, plan));
      }
      const s = steps.get(item.plan.id);
      if (limit !== undefined && item.entry.state === 'finished' && s !== undefined) {
        limit.estimator.observe(item.plan, s.startStep, s.currentStep, (Date.now() - t0) / 1000);
      }
      logProgress();
    }
  };
  // An error in the sweep itself (not a run's failure, which runOne records) stops every
  // worker: running runs are interrupted and checkpoint, the manifest is written, then it is thrown.
  let sweepError: Error | undefined;
  const guarded = async (): Promise<void> => {
    try {
      await worker();
    } catch (err) {
      sweepError ??= err instanceof Error ? err : new Error(String(err));
      stop.abort();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.config.parallel, Math.max(queue.length, 1)) }, guarded));
    await hooks;
  } finally {
    clearInterval(timer);
    if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
    opts.signal?.removeEventListener('abort', forward);
  }

  if (stop.signal.aborted || deferred.size > 0) for (const e of manifest.runs) if (e.state === 'pending') e.state = 'interrupted';
  if (sweepError !== undefined) {
    manifest.stoppedBy = 'error';
  } else if (timeUp || deferred.size > 0) {
    manifest.stoppedBy = 'time-limit';
    const left = manifest.runs.filter((e) => e.state === 'interrupted').length;
    logger.info(`sweep: time limit: ${left} run(s) left for the next invocation, which resumes or starts them`);
  } else if (stop.signal.aborted) {
    manifest.stoppedBy = 'signal';
  }
  // An abort that lands after the last run ended leaves nothing interrupted.
  const interrupted = manifest.runs.some((e) => e.state === 'interrupted');
  const failed = manifest.runs.filter((e) => e.state === 'failed');
  manifest.state = interrupted ? 'interrupted' : failed.length > 0 ? 'failed' : 'finished';
  writeManifest(sweepDir, manifest);
  if (sweepError !== undefined) {
    throw new Error(`sweep ${opts.config.name} stopped: ${sweepError.message}. Runs in progress were interrupted at their last checkpoint; fix the cause and run the same command again to resume.`, { cause: sweepError });
  }

  const finished = manifest.runs.filter((e) => e.state === 'finished').length;
  const skipped = manifest.runs.filter((e) => e.state === 'skipped').length;
  for (const f of failed) logger.error(`run ${f.id} failed after ${f.attempts} attempt(s): ${f.error ?? 'unknown error'} (log: ${f.log})`);
  logger.info(
    `sweep ${opts.config.name} ${manifest.state}: ${finished} trained, ${skipped} skipped, ${failed.length} failed; manifest ${manifestPath(sweepDir)}`,
  );
  return { sweepDir, manifest, finished, skipped, failed, interrupted };
}

interface RunContext {
  opts: RunSweepOptions;
  sweepDir: string;
  trainCommand: string[];
  logger: Logger;
  manifest: SweepManifest;
  steps: Map<string, StepProgress>;
  cwd: string;
  /** Aborted on the caller's signal or at the time limit. */
  signal: AbortSignal;
}

/**
 * The run's learningStarts, for the progress ETA, or undefined where `train` arguments are not
 * this CLI's (a --train-command with flags of its own): the ETA then counts every step, as it
 * cannot tell random-action steps apart; the sweep itself never needs the value.
 */
function learningStartsOf(plan: PlannedRun): number | undefined {
  try {
    return parseTrainArgs(plan.trainArgs.slice(1)).config.learningStarts;
  } catch {
    return undefined;
  }
}

function newEntry(p: PlannedRun, sweepDir: string): SweepRunEntry {
  return pendingEntry(p, relative(sweepDir, p.dir), `logs/${p.id}.log`);
}

async function runOne(ctx: RunContext, plan: PlannedRun, entry: SweepRunEntry): Promise<void> {
  const { opts, logger } = ctx;
  const maxAttempts = 1 + opts.config.retries;
  const t0 = Date.now();
  entry.state = 'running';
  entry.startedAt = new Date(t0).toISOString();
  while (entry.attempts < maxAttempts) {
    const action = decideAction(plan.dir, opts.config.steps);
    if (action === 'skip') {
      entry.state = 'finished';
      break;
    }
    if (action === 'train') setAsideStaleRun(ctx, plan);
    entry.attempts++;
    entry.actions.push(action);
    writeManifest(ctx.sweepDir, ctx.manifest);
    const what = { resume: 'resuming from checkpoint', extend: `continuing to ${opts.config.steps} steps`, train: 'training' }[action];
    logger.info(`run ${plan.id}: ${what} (attempt ${entry.attempts}/${maxAttempts})`);
    const result = await runChild({
      command: ctx.trainCommand,
      args: childArgs(action, plan, opts.config.steps),
      logFile: resolve(ctx.sweepDir, entry.log),
      cwd: ctx.cwd,
      env: opts.env,
      signal: ctx.signal,
    });
    entry.exitCode = result.code;
    const failure = describeFailure(result, plan.dir);
    if (failure === null) {
      entry.state = 'finished';
      entry.error = null;
      break;
    }
    entry.error = failure;
    if (ctx.signal.aborted) {
      entry.state = 'interrupted';
      break;
    }
    // Exit 2 is the CLI's user error (a bad flag or config): retrying cannot help, only crashes are retried.
    const userError = result.code === 2;
    entry.state = entry.attempts < maxAttempts && !userError ? 'running' : 'failed';
    logger.warn(`run ${plan.id} failed (attempt ${entry.attempts}/${maxAttempts}): ${failure}${entry.state === 'running' ? '; retrying' : userError ? '; not retried (a user error: fix the sweep\'s flags)' : ''}`);
    if (userError) break;
  }
  const s = ctx.steps.get(plan.id);
  const status = readRunStatus(plan.dir);
  if (s && status) s.currentStep = status.step;
  entry.endedAt = new Date().toISOString();
  entry.durationSec = (Date.now() - t0) / 1000;
  writeManifest(ctx.sweepDir, ctx.manifest);
}

/** Run the --on-run-finished command for one run; its output goes to the log, a failure is a warning. */
function runFinishedHook(ctx: RunContext, command: string, plan: PlannedRun): Promise<void> {
  return new Promise((done) => {
    const child = spawn(command, {
      shell: true,
      cwd: ctx.cwd,
      env: { ...(ctx.opts.env ?? process.env), RPP_SAC_RUN_DIR: resolve(ctx.cwd, plan.dir), RPP_SAC_RUN_ID: plan.id, RPP_SAC_SWEEP_DIR: ctx.sweepDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    let reported = false;
    const report = (code: number | null, err?: Error): void => {
      if (reported) return;
      reported = true;
      const text = out.trim().slice(-2000);
      if (code === 0) {
        ctx.logger.info(`run ${plan.id}: --on-run-finished done${text ? `: ${text}` : ''}`);
      } else {
        ctx.logger.warn(`run ${plan.id}: --on-run-finished command failed (${err ? err.message : `exit ${code}`})${text ? `: ${text}` : ''}; the sweep goes on`);
      }
      done();
    };
    child.on('error', (err) => report(null, err));
    child.on('close', (code) => report(code));
  });
}

/** Arguments after the train command prefix for an action on a planned run. */
export function childArgs(action: Exclude<RunAction, 'skip'>, plan: PlannedRun, steps: number): string[] {
  if (action === 'resume') return ['resume', plan.dir];
  if (action === 'extend') return ['resume', plan.dir, '--steps', String(steps)];
  return plan.trainArgs;
}

/**
 * A run dir that cannot be resumed (no checkpoint) but is not empty holds a dead attempt;
 * training into it would mix two attempts' evaluations. Move it to <sweep>/.abandoned/
 * (a dot dir, so `compare` ignores it) and start clean.
 */
function setAsideStaleRun(ctx: RunContext, plan: PlannedRun): void {
  if (!existsSync(plan.dir) || readdirSync(plan.dir).length === 0) return;
  const target = join(ctx.sweepDir, '.abandoned', `${plan.id.replace(/\//g, '__')}-${Date.now()}`);
  mkdirSync(dirname(target), { recursive: true });
  renameSync(plan.dir, target);
  ctx.logger.warn(`run ${plan.id}: directory had no checkpoint; moved it to ${relative(ctx.sweepDir, target)} and starting fresh`);
}

/** null if the run succeeded: exit code 0 and status.json says finished. */
function describeFailure(result: ChildResult, runDir: string): string | null {
  if (result.spawnError !== undefined) return `could not start the train command: ${result.spawnError}`;
  const tail = result.tail ? `; last output:\n${result.tail}` : '';
  if (result.code !== 0) return `${result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`}${tail}`;
  const status = readRunStatus(runDir);
  if (status?.state !== 'finished') return `exited 0 but status.json says ${status ? `'${status.state}'` : 'nothing (missing)'}${tail}`;
  return null;
}
