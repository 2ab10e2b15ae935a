/**
 * sweep.json: the sweep's resolved config, train command and the state of every run.
 * Rewritten atomically (tmp file + rename) after every change so a killed sweep leaves
 * a readable manifest. `rpp-sac compare` reads it to find runs and grid values.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SweepConfig } from './sweep-config.js';
import type { RunAction } from './run-state.js';
import type { PlannedRun } from './plan.js';

export const SWEEP_MANIFEST = 'sweep.json';

export type SweepRunState = 'pending' | 'running' | 'finished' | 'skipped' | 'failed' | 'interrupted';

export interface SweepRunEntry {
  id: string;
  env: string;
  /** The name listed in the sweep's agents (a kind or a variant). */
  agent: string;
  /** The agent kind trained; absent in manifests written before variants (then agent is the kind). */
  kind?: string;
  seed: number;
  grid: Record<string, number> | null;
  gridLabel: string | null;
  /** Run directory relative to the sweep dir. */
  dir: string;
  state: SweepRunState;
  /** Processes started for this run in the latest sweep invocation. */
  attempts: number;
  /** Actions of the latest invocation ('skip': finished earlier; a skipped run keeps the exit code and times of the invocation that trained it). */
  actions: RunAction[];
  exitCode: number | null;
  error: string | null;
  /** Child output log, relative to the sweep dir. */
  log: string;
  startedAt: string | null;
  endedAt: string | null;
  durationSec: number | null;
}

export interface SweepManifest {
  version: 1;
  name: string;
  state: 'running' | 'finished' | 'failed' | 'interrupted';
  createdAt: string;
  updatedAt: string;
  config: SweepConfig;
  trainCommand: string[];
  runs: SweepRunEntry[];
  /** Why the latest invocation ended early: a signal (Ctrl-C, SIGTERM), its --time-limit, or an error in the sweep itself. */
  stoppedBy?: 'signal' | 'time-limit' | 'error';
  /**
   * Earlier configs of this sweep whose train flags differ from `config` (a re-run with
   * --allow-changed-flags): runs trained before `replacedAt` may have used them.
   */
  previousConfigs?: { config: SweepConfig; replacedAt: string }[];
}

/** A planned run's entry before it has run: dir relative to the sweep dir, log where its output will go ('' if none). */
export function pendingEntry(p: PlannedRun, dir: string, log: string): SweepRunEntry {
  return {
    id: p.id,
    env: p.env,
    agent: p.agent,
    kind: p.kind,
    seed: p.seed,
    grid: p.grid,
    gridLabel: p.gridLabel,
    dir,
    state: 'pending',
    attempts: 0,
    actions: [],
    exitCode: null,
    error: null,
    log,
    startedAt: null,
    endedAt: null,
    durationSec: null,
  };
}

export function manifestPath(sweepDir: string): string {
  return join(sweepDir, SWEEP_MANIFEST);
}

export function readManifest(sweepDir: string): SweepManifest | null {
  const path = manifestPath(sweepDir);
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Sweep manifest ${path} is not valid JSON (${(err as Error).message}); delete it to rebuild it from the run directories`);
  }
  const m = parsed as SweepManifest;
  if (m.version !== 1 || !Array.isArray(m.runs)) throw new Error(`Sweep manifest ${path} has an unknown format (version ${String(m.version)})`);
  return m;
}

export function writeManifest(sweepDir: string, manifest: SweepManifest): void {
  const path = manifestPath(sweepDir);
  manifest.updatedAt = new Date().toISOString();
  writeFileSync(path + '.tmp', JSON.stringify(manifest, null, 2) + '\n');
  renameSync(path + '.tmp', path);
}
