/**
 * `rpp-sac sweep --queue URL --results ROOT`: plan a sweep exactly as the local
 * runner does (src/sweep/plan.ts), write its sweep.json under the shared
 * results root, and enqueue one job per run for the workers.
 *
 * In queue mode the sweep directory is `<ROOT>/<config.name>` on every
 * machine (each machine may mount ROOT at a different path); config.out and
 * config.parallel are not used (workers' --concurrency sets parallelism).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { planRuns, type PlannedRun } from '../sweep/plan.js';
import { pendingEntry, readManifest, writeManifest, type SweepManifest } from '../sweep/manifest.js';
import type { SweepConfig } from '../sweep/sweep-config.js';
import { enqueueRuns, type EnqueueReport } from './enqueue.js';
import type { RunJob } from './run-job.js';
import { redactRedisUrl } from './redis-url.js';

export interface EnqueueSweepOptions {
  queueUrl: string;
  /** Shared results root, the same tree the workers get as --results. */
  resultsDir: string;
  config: SweepConfig;
  /** First retry delay of a failed run, ms, doubled per attempt (default 30000). */
  backoffMs?: number;
}

export interface EnqueueSweepResult {
  sweepId: string;
  sweepDir: string;
  report: EnqueueReport;
}

/** A planned run's `train ...` arguments without the leading `train` and the `--out <dir>` pair (workers add their own). */
export function queueArgs(trainArgs: readonly string[]): string[] {
  const args = trainArgs[0] === 'train' ? trainArgs.slice(1) : [...trainArgs];
  const out = args.indexOf('--out');
  if (out >= 0) args.splice(out, 2);
  return args;
}

export function runJobsOf(sweepId: string, planned: readonly Pick<PlannedRun, 'id' | 'trainArgs'>[]): RunJob[] {
  return planned.map((p) => ({ sweepId, runKey: p.id, args: queueArgs(p.trainArgs), resultsRelDir: `${sweepId}/${p.id}` }));
}

export async function enqueueSweep(opts: EnqueueSweepOptions): Promise<EnqueueSweepResult> {
  const sweepId = opts.config.name;
  const sweepDir = path.join(opts.resultsDir, sweepId);
  const planned = planRuns(opts.config, sweepDir);
  await fs.mkdir(sweepDir, { recursive: true });

  // sweep.json lets `rpp-sac compare` label runs (grid values) as for a local sweep.
  const previous = readManifest(sweepDir);
  const now = new Date().toISOString();
  const manifest: SweepManifest = {
    version: 1,
    name: sweepId,
    state: 'running',
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    config: opts.config,
    trainCommand: ['rpp-sac', 'worker', '--queue', redactRedisUrl(opts.queueUrl)],
    // Workers write each run under its id; their logs stay on the worker.
    runs: planned.map((p) => pendingEntry(p, p.id, '')),
  };
  writeManifest(sweepDir, manifest);

  const report = await enqueueRuns(opts.queueUrl, sweepId, runJobsOf(sweepId, planned), {
    resultsDir: opts.resultsDir,
    attempts: 1 + opts.config.retries,
    backoffMs: opts.backoffMs,
  });
  return { sweepId, sweepDir, report };
}
