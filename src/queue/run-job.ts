/**
 * One queued job = one training run of a sweep. The job is plain JSON in
 * Redis, so every field is validated when a worker picks it up: a worker
 * must never be talked into writing outside its --results directory.
 */
import path from 'node:path';
import { z } from 'zod';

/** The one BullMQ queue every rpp-sac sweep shares; jobs carry their sweepId. */
export const RUN_QUEUE_NAME = 'rpp-sac-runs';

export interface RunJob {
  /** Sweep this run belongs to (e.g. the sweep directory name). */
  sweepId: string;
  /** The run's key within the sweep, its relative run dir: `<env>/<agent>[/<grid-point>]/seed-<n>`. */
  runKey: string;
  /** `rpp-sac train` arguments without `--out` (the worker adds `--out <results>/<resultsRelDir>`). */
  args: string[];
  /** Where the run writes, relative to each worker's `--results` directory; usually `<sweepId>/<runKey>`. */
  resultsRelDir: string;
}

const relativePath = z
  .string()
  .min(1)
  .refine((p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'), {
    message: 'must be a relative path without ".." segments',
  });

export const runJobSchema = z.object({
  sweepId: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9._+=,-]+$/, { message: 'may only contain letters, digits and . _ + = , - (as sweep names)' })
    .refine((s) => s !== '.' && s !== '..', { message: 'must not be "." or ".."' }),
  runKey: relativePath.refine((s) => !s.includes(':'), { message: 'must not contain ":" (BullMQ job ids cannot)' }),
  args: z.array(z.string()).refine((a) => !a.includes('--out'), { message: 'must not contain --out: the worker sets it from --results' }),
  resultsRelDir: relativePath,
});

/** Validate a job, throwing an error that names the bad field. */
export function parseRunJob(data: unknown): RunJob {
  const result = runJobSchema.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(job)'} ${i.message}`).join('; ');
    throw new Error(`Invalid run job: ${issues}`);
  }
  return result.data;
}

/** Deterministic job id, so enqueueing the same run twice is a no-op. */
export function runJobId(sweepId: string, runKey: string): string {
  return `${sweepId}|${runKey}`;
}

/** The training output log of a job: `<results>/<sweepId>/logs/<runKey>.log`, as a local sweep keeps it. */
export function runLogOf(resultsDir: string, job: Pick<RunJob, 'sweepId' | 'runKey'>): string {
  return path.join(resultsDir, job.sweepId, 'logs', `${job.runKey}.log`);
}

/** The run directory of a job under a worker's results root. */
export function runDirOf(resultsDir: string, job: Pick<RunJob, 'resultsRelDir'>): string {
  return path.join(resultsDir, job.resultsRelDir);
}
