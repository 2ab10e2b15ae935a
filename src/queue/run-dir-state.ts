/**
 * What a worker needs to know about a run directory on the shared results
 * volume: is it finished, can it resume, how far has it got. Reads only the
 * files of src/run-files.ts (run/skip/resume decisions are src/sweep/run-state.ts's); tolerates files caught mid-write (another
 * process owns them), returning "unknown" instead of throwing.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { RUN_FILES, type EvaluationRecord, type RunStatus } from '../run-files.js';

export async function readRunStatus(runDir: string): Promise<RunStatus | null> {
  try {
    const parsed = JSON.parse(await fs.readFile(path.join(runDir, RUN_FILES.status), 'utf8')) as RunStatus;
    return typeof parsed.state === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** The last complete line of evaluations.jsonl (reads only the file's tail). */
export async function readLastEvaluation(runDir: string): Promise<EvaluationRecord | null> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(path.join(runDir, RUN_FILES.evaluationsJsonl), 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    // The last element is '' after a final newline, or a line still being written.
    for (let i = lines.length - 2; i >= 0; i--) {
      try {
        return JSON.parse(lines[i]!) as EvaluationRecord;
      } catch {
        // Torn first line of the tail window: keep looking.
      }
    }
    return null;
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}

/** What a worker reports through `job.updateProgress`. */
export interface RunProgress {
  state: RunStatus['state'] | 'starting';
  step: number;
  totalSteps: number | null;
  /** step / totalSteps, 0..1, null when totalSteps is unknown. */
  fraction: number | null;
  lastEval: { step: number; meanReturn: number } | null;
  hostname: string;
  /** Whether this attempt resumed from a checkpoint. */
  resumed: boolean;
  updatedAt: string;
}

export async function readRunProgress(runDir: string, context: { hostname: string; resumed: boolean }): Promise<RunProgress> {
  const [status, lastEval] = await Promise.all([readRunStatus(runDir), readLastEvaluation(runDir)]);
  const step = status?.step ?? lastEval?.step ?? 0;
  const totalSteps = status?.totalSteps ?? null;
  return {
    state: status?.state ?? 'starting',
    step,
    totalSteps,
    fraction: totalSteps ? Math.min(1, step / totalSteps) : null,
    lastEval: lastEval ? { step: lastEval.step, meanReturn: lastEval.meanReturn } : null,
    hostname: context.hostname,
    resumed: context.resumed,
    updatedAt: new Date().toISOString(),
  };
}
