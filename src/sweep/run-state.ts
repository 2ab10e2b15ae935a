/**
 * What to do with a planned run given what is already on disk: skip a finished run,
 * resume one that stopped with a checkpoint, start the rest from scratch.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES, type RunStatus } from '../run-files.js';

/**
 * skip: finished; resume: continue from the checkpoint (`rpp-sac resume <dir>`);
 * extend: finished with a smaller budget than asked, continue with `resume <dir> --steps N`;
 * train: start from scratch.
 */
export type RunAction = 'skip' | 'resume' | 'extend' | 'train';

/** status.json of a run dir, or null if missing or unreadable (a run killed mid-write). */
export function readRunStatus(runDir: string): RunStatus | null {
  const path = join(runDir, RUN_FILES.status);
  if (!existsSync(path)) return null;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as RunStatus;
    return typeof s === 'object' && s !== null && typeof s.state === 'string' ? s : null;
  } catch {
    return null;
  }
}

/**
 * Where `rpp-sac resume` looks for the checkpoint (src/run/run-dir.ts: checkpoints/latest)
 * and the file a complete checkpoint always has (agents/checkpoint.ts writes it last,
 * inside an atomic directory swap). `train` creates an empty checkpoints/ at start, so
 * the directory alone says nothing.
 */
export const LATEST_CHECKPOINT_MANIFEST = ['latest', 'manifest.json'] as const;

export function hasCheckpoint(runDir: string): boolean {
  return existsSync(join(runDir, RUN_FILES.checkpoints, ...LATEST_CHECKPOINT_MANIFEST));
}

/**
 * finished -> skip (or extend, when `targetSteps` is above the run's budget and a checkpoint
 * exists); any other state with a checkpoint -> resume (a 'running' status on disk at sweep
 * start means the previous sweep was killed); otherwise train from scratch.
 */
export function decideAction(runDir: string, targetSteps?: number): RunAction {
  const status = readRunStatus(runDir);
  if (status?.state === 'finished') {
    return targetSteps !== undefined && status.totalSteps < targetSteps && hasCheckpoint(runDir) ? 'extend' : 'skip';
  }
  if (status !== null && hasCheckpoint(runDir)) return 'resume';
  return 'train';
}
