/**
 * A queue worker: takes run jobs from Redis and runs each as a child process
 * writing into the shared results directory.
 *
 * Failure handling is BullMQ's, configured here rather than re-implemented:
 *  - a non-zero exit fails the attempt; the job's `attempts`/`backoff` (set by
 *    enqueueRuns) retry it, and the retry resumes from the run's checkpoint;
 *  - the job lock (lockDuration, renewed by the worker) keeps one writer per
 *    run dir; when a worker dies the lock expires, another worker's stalled
 *    check (stalledInterval) puts the job back in the queue, up to
 *    maxStalledCount times, and whoever takes it resumes from the checkpoint.
 */
import { EventEmitter } from 'node:events';
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker, WaitingError, type Job } from 'bullmq';
import { getDefaultLogger, type Logger } from '../logging.js';
import { openRedisChecked } from './connection.js';
import type { Redis } from 'ioredis';
import { decideAction } from '../sweep/run-state.js';
import { pathExists, readRunProgress, readRunStatus, type RunProgress } from './run-dir-state.js';
import { parseRunJob, RUN_QUEUE_NAME, runDirOf, runLogOf, type RunJob } from './run-job.js';
import { defaultTrainCommand, startGuarded, trainInvocation, type GuardedProcess } from './train-process.js';
import { redactRedisUrl } from './redis-url.js';

export interface RunWorkerOptions {
  /** redis://host:port[/db] */
  queueUrl: string;
  /** Shared results root; each job writes `<resultsDir>/<resultsRelDir>`. */
  resultsDir: string;
  /** Runs trained at once by this worker. Default 1 (training already uses the cores). */
  concurrency?: number;
  /** Command prefix before `train ...`/`resume ...`; default this package's CLI run by this Node. */
  trainCommand?: readonly string[];
  /** How long a job lock lives without renewal, ms (default 60000). A dead worker's run is reclaimed after about this long. */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs, ms (default 30000). */
  stalledIntervalMs?: number;
  /** How many times a run may be reclaimed from dead workers before it fails (default 3). */
  maxStalledCount?: number;
  /** How often run progress is read from the run dir and published, ms (default 5000). */
  progressIntervalMs?: number;
  /** Name shown in progress and logs (default `<hostname>:<pid>`). */
  workerName?: string;
  logger?: Logger;
}

/** What a completed job returns (stored by BullMQ as the job's return value). */
export interface RunJobResult {
  runDir: string;
  /** True when the run was already finished on disk and nothing was started. */
  skipped: boolean;
  resumed: boolean;
  worker: string;
  step: number | null;
}

export interface QueueWorkerEvents {
  started: [runKey: string, info: { resumed: boolean; pid: number | undefined }];
  progress: [runKey: string, progress: RunProgress & { worker: string }];
  completed: [runKey: string, result: RunJobResult];
  failed: [runKey: string, error: Error];
}

export interface RunWorker extends EventEmitter<QueueWorkerEvents> {
  readonly name: string;
  /**
   * Stop taking jobs. With `requeue` (the CLI's SIGTERM/SIGINT), running
   * trainings are stopped and their jobs go straight back to the queue without
   * using an attempt; otherwise close waits for them to finish.
   */
  close(opts?: { requeue?: boolean }): Promise<void>;
}

class QueueRunWorker extends EventEmitter<QueueWorkerEvents> implements RunWorker {
  readonly name: string;
  private readonly running = new Map<string, GuardedProcess>();
  private requeueing = false;
  private worker: Worker<RunJob, RunJobResult> | undefined;
  private connection: Redis | undefined;
  private readonly logger: Logger;
  private readonly trainCommand: readonly string[];

  constructor(private readonly opts: RunWorkerOptions) {
    super();
    this.name = opts.workerName ?? `${os.hostname()}:${process.pid}`;
    this.logger = opts.logger ?? getDefaultLogger();
    this.trainCommand = opts.trainCommand ?? defaultTrainCommand();
  }

  async start(): Promise<void> {
    await fs.mkdir(this.opts.resultsDir, { recursive: true });
    this.connection = await openRedisChecked(this.opts.queueUrl, { logger: this.logger });
    this.worker = new Worker<RunJob, RunJobResult>(RUN_QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: this.connection,
      name: this.name,
      concurrency: this.opts.concurrency ?? 1,
      lockDuration: this.opts.lockDurationMs ?? 60_000,
      stalledInterval: this.opts.stalledIntervalMs ?? 30_000,
      maxStalledCount: this.opts.maxStalledCount ?? 3,
      // Jobs are taken only once startWorker has returned (see the end of start()).
      autorun: false,
    });
    this.worker.on('error', (error) => this.logger.warn('queue worker error', { error: error.message }));
    // Lost the lock (e.g. cut off from Redis): another worker may take the run, so stop writing it.
    this.worker.on('lockRenewalFailed', (jobIds) => {
      for (const id of jobIds) {
        const child = this.running.get(id);
        if (child) {
          this.logger.warn('lost the job lock; stopping its training so another worker can resume it', { jobId: id });
          child.stop();
        }
      }
    });
    await this.worker.waitUntilReady();
    this.logger.info('queue worker ready', { worker: this.name, queue: redactRedisUrl(this.opts.queueUrl), results: this.opts.resultsDir });
    // Take jobs from the next macrotask on, after the caller of startWorker has attached its
    // listeners. With BullMQ's autorun the main loop fetched a waiting job as soon as the main
    // connection was up, before the blocking one (which waitUntilReady also waits for): the
    // job's 'started' event could fire before startWorker resolved, and nobody heard it.
    setImmediate(() => {
      this.worker?.run().catch((error: Error) => this.logger.error('queue worker stopped taking jobs', { error: error.message }));
    });
  }

  private async process(job: Job<RunJob, RunJobResult>, token: string | undefined): Promise<RunJobResult> {
    const data = parseRunJob(job.data);
    const runDir = runDirOf(this.opts.resultsDir, data);
    // The same decision as a local sweep (src/sweep/run-state.ts): skip finished, resume from a checkpoint, else train.
    const action = decideAction(runDir);
    if (action === 'skip') {
      this.logger.info('run already finished on disk; nothing to do', { runKey: data.runKey });
      const result: RunJobResult = { runDir: data.resultsRelDir, skipped: true, resumed: false, worker: this.name, step: (await readRunStatus(runDir))?.step ?? null };
      this.emit('completed', data.runKey, result);
      return result;
    }
    const resume = action === 'resume';
    if (!resume && (await pathExists(runDir))) await this.setAside(runDir, data);
    await fs.mkdir(path.dirname(runDir), { recursive: true });

    const argv = trainInvocation(this.trainCommand, data, runDir, resume);
    let lastReported = '';
    const report = async (): Promise<void> => {
      const progress = { ...(await readRunProgress(runDir, { hostname: os.hostname(), resumed: resume })), worker: this.name };
      const key = `${progress.state}:${progress.step}:${progress.lastEval?.step ?? ''}`;
      if (key === lastReported) return;
      lastReported = key;
      await job.updateProgress(progress);
      this.emit('progress', data.runKey, progress);
    };
    // The training output of every attempt, on the shared volume next to the sweep's runs.
    const logFile = runLogOf(this.opts.resultsDir, data);
    await fs.mkdir(path.dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile, { flags: 'a' });
    log.on('error', (error) => this.logger.warn('cannot write the run log', { logFile, error: error.message }));
    log.write(`=== ${new Date().toISOString()} worker ${this.name} attempt ${job.attemptsMade + 1}: ${argv.join(' ')}\n`);
    const child = startGuarded(argv, {
      onTick: report,
      tickMs: this.opts.progressIntervalMs ?? 5000,
      onOutput: (text) => {
        log.write(text);
        this.logger.debug(text.trimEnd(), { runKey: data.runKey });
      },
    });
    this.running.set(job.id!, child);
    this.logger.info(resume ? 'resuming run from checkpoint' : 'starting run', { runKey: data.runKey, attempt: job.attemptsMade + 1, pid: child.pid });
    this.emit('started', data.runKey, { resumed: resume, pid: child.pid });
    if (this.requeueing) child.stop();

    const exit = await child.done;
    this.running.delete(job.id!);
    log.write(`=== exit ${exit.exitCode ?? exit.signal}\n`);
    await new Promise<void>((resolve) => log.end(resolve));
    await report().catch(() => undefined);

    if (this.requeueing && exit.exitCode !== 0) {
      // Shutting down: hand the run back without spending an attempt; the next worker resumes it.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (exit.exitCode !== 0) {
      const how = exit.exitCode !== null ? `exit code ${exit.exitCode}` : `signal ${exit.signal}`;
      const error = new Error(`${data.runKey}: training failed with ${how} (${argv.join(' ')}; full output in ${logFile})\n${exit.outputTail.trim().split('\n').slice(-15).join('\n')}`);
      this.emit('failed', data.runKey, error);
      throw error;
    }
    const final = await readRunStatus(runDir);
    const result: RunJobResult = { runDir: data.resultsRelDir, skipped: false, resumed: resume, worker: this.name, step: final?.step ?? null };
    this.logger.info('run finished', { runKey: data.runKey, step: result.step });
    this.emit('completed', data.runKey, result);
    return result;
  }

  /** A run dir without a checkpoint cannot resume; keep it for inspection but out of the sweep tree. */
  private async setAside(runDir: string, data: RunJob): Promise<void> {
    const target = path.join(this.opts.resultsDir, '.abandoned', `${data.resultsRelDir.replace(/[\\/]/g, '__')}-${Date.now()}`);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.rename(runDir, target);
    this.logger.warn('run dir had no checkpoint; moved it aside and starting fresh', { runKey: data.runKey, movedTo: target });
  }

  async close(opts: { requeue?: boolean } = {}): Promise<void> {
    if (opts.requeue) {
      this.requeueing = true;
      for (const child of this.running.values()) child.stop();
    }
    await this.worker?.close();
    await this.connection?.quit();
  }
}

/** Start a worker that serves every sweep on the queue until `close()`. */
export async function startWorker(opts: RunWorkerOptions): Promise<RunWorker> {
  const worker = new QueueRunWorker(opts);
  try {
    await worker.start();
  } catch (error) {
    await worker.close().catch(() => undefined);
    throw error;
  }
  return worker;
}
