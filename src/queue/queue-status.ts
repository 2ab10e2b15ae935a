/** Where each run of a sweep stands on the queue (for `rpp-sac sweep --status`). */
import { Queue, type Job } from 'bullmq';
import { openRedisChecked } from './connection.js';
import type { RunProgress } from './run-dir-state.js';
import { RUN_QUEUE_NAME, type RunJob } from './run-job.js';
import type { RunJobResult } from './worker.js';

export interface QueuedRun {
  runKey: string;
  resultsRelDir: string;
  /** Attempts that ended (failed or finished) so far. */
  attemptsMade: number;
  /** Last progress a worker published (running runs; kept after they end). */
  progress: (RunProgress & { worker?: string }) | null;
  /** Failure message of the last failed attempt. */
  failedReason: string | null;
  result: RunJobResult | null;
}

export interface SweepQueueStatus {
  sweepId: string;
  /** Waiting, prioritized, or delayed (backoff before a retry). */
  queued: QueuedRun[];
  running: QueuedRun[];
  finished: QueuedRun[];
  /** Out of attempts. */
  failed: QueuedRun[];
}

function summarize(job: Job<RunJob, RunJobResult>): QueuedRun {
  const progress = job.progress;
  return {
    runKey: job.data.runKey,
    resultsRelDir: job.data.resultsRelDir,
    attemptsMade: job.attemptsMade,
    progress: typeof progress === 'object' && progress !== null ? (progress as RunProgress) : null,
    failedReason: job.failedReason ?? null,
    result: job.returnvalue ?? null,
  };
}

export async function queueStatus(queueUrl: string, sweepId: string): Promise<SweepQueueStatus> {
  const connection = await openRedisChecked(queueUrl);
  const queue = new Queue<RunJob, RunJobResult>(RUN_QUEUE_NAME, { connection });
  try {
    const collect = async (types: Parameters<typeof queue.getJobs>[0]): Promise<QueuedRun[]> => {
      const jobs = await queue.getJobs(types, 0, -1);
      return jobs
        .filter((job): job is Job<RunJob, RunJobResult> => job !== undefined && job !== null && job.data?.sweepId === sweepId)
        .map(summarize)
        .sort((a, b) => a.runKey.localeCompare(b.runKey));
    };
    return {
      sweepId,
      queued: await collect(['waiting', 'delayed', 'prioritized', 'waiting-children']),
      running: await collect(['active']),
      finished: await collect(['completed']),
      failed: await collect(['failed']),
    };
  } finally {
    await queue.close();
    await connection.quit();
  }
}

/** One line per run, for terminals. */
export function formatQueueStatus(status: SweepQueueStatus): string {
  const lines = [`sweep ${status.sweepId}: ${status.queued.length} queued, ${status.running.length} running, ${status.finished.length} finished, ${status.failed.length} failed`];
  const describe = (label: string, run: QueuedRun): string => {
    const p = run.progress;
    const where = p?.worker ? ` on ${p.worker}` : '';
    const step = p ? ` step ${p.step}${p.totalSteps ? `/${p.totalSteps}` : ''}` : '';
    const ret = p?.lastEval ? ` return ${p.lastEval.meanReturn.toFixed(1)}` : '';
    const why = run.failedReason ? ` (${run.failedReason.split('\n')[0]})` : '';
    return `  ${label.padEnd(8)} ${run.runKey}${step}${ret}${where}${why}`;
  };
  for (const run of status.running) lines.push(describe('running', run));
  for (const run of status.queued) lines.push(describe('queued', run));
  for (const run of status.failed) lines.push(describe('failed', run));
  for (const run of status.finished) lines.push(describe('finished', run));
  return lines.join('\n');
}
