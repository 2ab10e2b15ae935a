/**
 * Sweep progress: runs done/total, running, failed and an ETA. The ETA uses environment
 * steps (from each run's status.json) completed in this invocation per second, so resumed
 * runs and parallel workers are accounted for. Only update-phase steps (from learningStarts
 * on) count, on both sides: a random-action step costs about 1% of one with an update
 * (Walker2d at 256x256: ~4500 against ~45 steps/s), so counting them made a fresh sweep's
 * first ETAs several times too short. Before any update-phase step is reported it falls
 * back to the mean duration of finished runs.
 */
import type { SweepRunEntry } from './manifest.js';

export interface StepProgress {
  /** Steps of this run at sweep start (0 for fresh runs). */
  startStep: number;
  currentStep: number;
  totalSteps: number;
  /** The run's random-action steps before its first update (0 if unknown). */
  learningStarts?: number;
}

export interface ProgressSnapshot {
  total: number;
  done: number;
  skipped: number;
  running: number;
  failed: number;
  etaSec: number | null;
  message: string;
}

export function progressSnapshot(
  runs: readonly SweepRunEntry[],
  steps: ReadonlyMap<string, StepProgress>,
  elapsedSec: number,
  parallel: number,
  /** Seconds to the sweep's --time-limit, when it has one: said beside an ETA that runs past it. */
  limitLeftSec?: number,
): ProgressSnapshot {
  const count = (...states: SweepRunEntry['state'][]): number => runs.filter((r) => states.includes(r.state)).length;
  const total = runs.length;
  const done = count('finished', 'skipped');
  const skipped = count('skipped');
  const running = count('running');
  const failed = count('failed');
  const etaSec = estimateEta(runs, steps, elapsedSec, parallel);
  const beyondLimit = limitLeftSec !== undefined && (etaSec === null || etaSec > limitLeftSec);
  const eta = `${etaSec === null ? 'ETA unknown' : `ETA ${formatDuration(etaSec)}`}${beyondLimit ? `, time limit in ${formatDuration(Math.max(0, limitLeftSec))} (the runs left then resume next time)` : ''}`;
  const message = `sweep: ${done}/${total} done${skipped > 0 ? ` (${skipped} skipped)` : ''}, ${running} running, ${failed} failed, ${eta}`;
  return { total, done, skipped, running, failed, etaSec, message };
}

function estimateEta(runs: readonly SweepRunEntry[], steps: ReadonlyMap<string, StepProgress>, elapsedSec: number, parallel: number): number | null {
  const open = runs.filter((r) => r.state === 'pending' || r.state === 'running');
  if (open.length === 0) return 0;
  let doneThisSession = 0;
  let remaining = 0;
  for (const r of runs) {
    const s = steps.get(r.id);
    const ls = s?.learningStarts ?? 0;
    if (s) doneThisSession += Math.max(0, s.currentStep - Math.max(s.startStep, ls));
    if (r.state === 'pending' || r.state === 'running') remaining += s ? Math.max(0, s.totalSteps - Math.max(s.currentStep, ls)) : Number.NaN;
  }
  if (doneThisSession > 0 && elapsedSec > 0 && Number.isFinite(remaining)) return remaining / (doneThisSession / elapsedSec);
  const durations = runs.filter((r) => r.state === 'finished' && r.durationSec !== null).map((r) => r.durationSec as number);
  if (durations.length === 0) return null;
  const meanDur = durations.reduce((a, b) => a + b, 0) / durations.length;
  return (meanDur * open.length) / parallel;
}

export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}
