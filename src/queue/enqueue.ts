/**
 * Put a sweep's runs on the queue. Idempotent: the BullMQ job id is
 * `<sweepId>|<runKey>`, so enqueueing the same sweep again adds only runs that
 * are not there yet. Runs already finished on disk are skipped, and runs whose
 * job failed for good are retried (they resume from their checkpoint).
 */
import { Queue } from 'bullmq';
import { openRedisChecked } from './connection.js';
import { readRunStatus } from './run-dir-state.js';
import { parseRunJob, RUN_QUEUE_NAME, runDirOf, runJobId, type RunJob } from './run-job.js';

export interface EnqueueOptions {
  /** When the enqueuing machine sees the shared results dir, runs whose status.json says finished are skipped. */
  resultsDir?: string;
  /** Attempts per run before it is marked failed (default 3). */
  attempts?: number;
  /** First retry delay in ms, doubled each attempt (default 30000). */
  backoffMs?: number;
}

export interface EnqueueReport {
  /** New jobs. */
  added: string[];
  /** Already queued, running or completed: left alone. */
  present: string[];
  /** Failed jobs put back in the queue. */
  retried: string[];
  /** Finished on disk: not enqueued. */
  skippedFinished: string[];
}

export async function enqueueRuns(queueUrl: string, sweepId: string, jobs: readonly Omit<RunJob, 'sweepId'>[] | readonly RunJob[], opts: EnqueueOptions = {}): Promise<EnqueueReport> {
  const runs = jobs.map((j) => parseRunJob({ ...j, sweepId }));
  const keys = new Set<string>();
  for (const run of runs) {
    if (keys.has(run.runKey)) throw new Error(`Duplicate runKey ${JSON.stringify(run.runKey)} in sweep ${sweepId}: every run needs its own key (e.g. add the seed or grid point)`);
    keys.add(run.runKey);
  }
  const report: EnqueueReport = { added: [], present: [], retried: [], skippedFinished: [] };
  const connection = await openRedisChecked(queueUrl);
  const queue = new Queue<RunJob>(RUN_QUEUE_NAME, { connection });
  try {
    for (const run of runs) {
      if (opts.resultsDir !== undefined && (await readRunStatus(runDirOf(opts.resultsDir, run)))?.state === 'finished') {
        report.skippedFinished.push(run.runKey);
        continue;
      }
      const jobId = runJobId(sweepId, run.runKey);
      const existing = await queue.getJob(jobId);
      if (existing) {
        if ((await existing.getState()) === 'failed') {
          await existing.retry('failed');
          report.retried.push(run.runKey);
        } else {
          report.present.push(run.runKey);
        }
        continue;
      }
      await queue.add('run', run, {
        jobId,
        attempts: opts.attempts ?? 3,
        backoff: { type: 'exponential', delay: opts.backoffMs ?? 30_000 },
        // Completed and failed jobs stay in Redis: they make re-enqueueing idempotent and feed queueStatus.
        removeOnComplete: false,
        removeOnFail: false,
      });
      report.added.push(run.runKey);
    }
  } finally {
    await queue.close();
    await connection.quit();
  }
  return report;
}
