/**
 * `rpp-sac worker` and `rpp-sac queue-status`: the machine side of
 * distributed sweeps (docs/distributed-sweeps.md).
 *
 *   rpp-sac worker --queue redis://host:6379 --results /shared/sweeps [--concurrency 1]
 *   rpp-sac queue-status --queue redis://host:6379 --sweep NAME [--json]
 * plus `sweepViaQueue`, behind `rpp-sac sweep --queue` / `sweep --status` (src/cli/sweep.ts).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '../logging.js';
import { enqueueSweep, formatQueueStatus, queueStatus, startWorker } from '../queue/index.js';
import type { SweepConfig } from '../sweep/sweep-config.js';
import { parseTrainCommand } from '../sweep/train-command.js';
import { parseRedisUrl, redactRedisUrl } from '../queue/redis-url.js';
import { asUserError, UserError } from '../run/user-error.js';

function positiveInt(flag: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
    return value;
  };
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('Train runs from a sweep queue on Redis until stopped (Ctrl-C hands running runs back to the queue)')
    .requiredOption('--queue <url>', 'Redis holding the queue, e.g. redis://10.0.0.5:6379')
    .requiredOption('--results <dir>', 'shared results root (same tree on every machine, e.g. an NFS mount); runs write <dir>/<sweep>/<env>/<agent>/seed-<n>')
    .option('--concurrency <n>', 'runs trained at once on this machine', positiveInt('--concurrency'), 1)
    .option('--lock-duration <ms>', 'job lock lifetime; a dead worker\'s run is taken over after about this long', positiveInt('--lock-duration'), 60_000)
    .option('--stalled-interval <ms>', 'how often to look for runs of dead workers', positiveInt('--stalled-interval'), 30_000)
    .option('--max-stalled <n>', 'times a run may be taken over from dead workers before it fails', positiveInt('--max-stalled'), 3)
    .option('--progress-interval <ms>', 'how often run progress is published to the queue', positiveInt('--progress-interval'), 5_000)
    .option('--train-command <cmd>', 'command prefix before train/resume (JSON array or words); default RPP_SAC_TRAIN_COMMAND, else this CLI')
    .option('--name <name>', 'worker name shown in queue-status (default <hostname>:<pid>)')
    .option('--log-level <level>', 'winston log level', 'info')
    .action(async (opts: {
      queue: string;
      results: string;
      concurrency: number;
      lockDuration: number;
      stalledInterval: number;
      maxStalled: number;
      progressInterval: number;
      trainCommand?: string;
      name?: string;
      logLevel: string;
    }) => {
      asUserError(() => parseRedisUrl(opts.queue));
      const logger = createLogger({ level: opts.logLevel });
      const fromEnv = process.env.RPP_SAC_TRAIN_COMMAND;
      const trainCommand = opts.trainCommand ? parseTrainCommand(opts.trainCommand) : fromEnv?.trim() ? parseTrainCommand(fromEnv) : undefined;
      const worker = await startWorker({
        queueUrl: opts.queue,
        resultsDir: opts.results,
        concurrency: opts.concurrency,
        lockDurationMs: opts.lockDuration,
        stalledIntervalMs: opts.stalledInterval,
        maxStalledCount: opts.maxStalled,
        progressIntervalMs: opts.progressInterval,
        trainCommand,
        workerName: opts.name,
        logger,
      });
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals): void => {
          if (stopping) {
            logger.warn(`second ${signal}: exiting now; running runs will be taken over after the lock expires`);
            process.exit(130);
          }
          stopping = true;
          logger.info(`${signal}: stopping runs and handing them back to the queue (send again to exit at once)`);
          void worker.close({ requeue: true }).then(resolve, (error: Error) => {
            logger.error('worker shutdown failed', { error: error.message });
            resolve();
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });

  program
    .command('queue-status')
    .description('Show where each run of a queued sweep stands: queued, running (with step and worker), finished, failed')
    .requiredOption('--queue <url>', 'Redis holding the queue, e.g. redis://10.0.0.5:6379')
    .requiredOption('--sweep <name>', 'sweep name (the directory under the results root)')
    .option('--json', 'print the full status as JSON')
    .action(async (opts: { queue: string; sweep: string; json?: boolean }) => {
      const status = await queueStatus(opts.queue, opts.sweep);
      process.stdout.write((opts.json ? JSON.stringify(status, null, 2) : formatQueueStatus(status)) + '\n');
    });
}

export interface SweepViaQueueOptions {
  queueUrl: string;
  /** Shared results root (required to enqueue). */
  resultsDir?: string;
  /** Print the queue status instead of enqueueing. */
  status: boolean;
  /** --name, if given (lets --status work without the sweep's other flags). */
  name?: string;
  /** The sweep config from the sweep command's flags/file; called only when needed. */
  config: () => SweepConfig;
}

/**
 * `rpp-sac sweep --queue URL --results DIR ...` (enqueue) and
 * `rpp-sac sweep --status --queue URL --name NAME` (status), called by src/cli/sweep.ts.
 * Returns the process exit code.
 */
export async function sweepViaQueue(opts: SweepViaQueueOptions): Promise<number> {
  asUserError(() => parseRedisUrl(opts.queueUrl));
  if (opts.status) {
    const name = opts.name ?? opts.config().name;
    const status = await queueStatus(opts.queueUrl, name);
    process.stdout.write(formatQueueStatus(status) + '\n');
    return status.failed.length > 0 ? 1 : 0;
  }
  if (opts.resultsDir === undefined) {
    throw new UserError('sweep --queue needs --results <dir>: the shared results root that every `npx rpp-sac worker --results` also uses');
  }
  const shown = redactRedisUrl(opts.queueUrl);
  const { sweepId, sweepDir, report } = await enqueueSweep({ queueUrl: opts.queueUrl, resultsDir: opts.resultsDir, config: opts.config() });
  process.stdout.write(
    `sweep ${sweepId} on ${shown}: ${report.added.length} added, ${report.present.length} already queued, ` +
      `${report.retried.length} failed runs retried, ${report.skippedFinished.length} finished (skipped)\n` +
      `sweep dir: ${sweepDir}\n` +
      `start workers: npx rpp-sac worker --queue ${shown} --results ${opts.resultsDir}\n` +
      `watch:         npx rpp-sac sweep --status --queue ${shown} --name ${sweepId}\n` +
      `compare:       npx rpp-sac compare ${sweepDir}\n`,
  );
  return 0;
}
