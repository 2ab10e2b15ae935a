/**
 * Writes a run directory exactly as laid out in src/run-files.ts. JSON files are
 * written to a temp file and renamed (never half-written); JSONL and CSV records
 * are appended one whole line per write call, synchronously, so an interrupt or
 * crash loses at most the line being produced, never corrupts one.
 */
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from './user-error.js';
import { RUN_FILES, type EpisodeRecord, type EvaluationRecord, type RunStatus, type RunState } from '../run-files.js';

/** CSV columns: EvaluationRecord without `returns` (it is in the JSONL). */
export const EVALUATION_CSV_COLUMNS = ['step', 'meanReturn', 'stdReturn', 'meanLength', 'equivError', 'equivErrorStd', 'alpha', 'criticLoss', 'actorLoss', 'stepsPerSec', 'wallTime'] as const;
export const EPISODE_CSV_COLUMNS = ['step', 'return', 'length'] as const;

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export class RunDir {
  constructor(readonly dir: string) {}

  path(name: keyof typeof RUN_FILES): string {
    return join(this.dir, RUN_FILES[name]);
  }

  /**
   * Check, writing nothing, that a new run may start in `dir`: it holds no run (a run
   * whose start failed before step 0, with no checkpoint, may be started again), and
   * it can be created and written to.
   */
  static checkNew(dir: string): void {
    if (existsSync(join(dir, RUN_FILES.config)) && !RunDir.failedBeforeStart(dir)) {
      throw new UserError(`${dir} already holds a run (config.json exists). Continue it with \`npx rpp-sac resume ${dir}\`, or pass a new --out directory.`);
    }
    let existing = resolve(dir);
    while (!existsSync(existing)) existing = dirname(existing);
    if (!statSync(existing).isDirectory()) throw new UserError(`cannot write to ${dir}: ${existing} is not a directory. Pass another --out.`);
    try {
      accessSync(existing, constants.W_OK);
    } catch {
      throw new UserError(`cannot write to ${dir}: ${existing} is not writable. Pass another --out.`);
    }
  }

  /** A run whose start failed before its first step: status failed at step 0 and no checkpoint. */
  static failedBeforeStart(dir: string): boolean {
    try {
      const status = readJson<RunStatus>(join(dir, RUN_FILES.status));
      return status.state === 'failed' && status.step === 0 && !existsSync(join(dir, RUN_FILES.checkpoints, 'latest', 'manifest.json'));
    } catch {
      return false;
    }
  }

  /** Create the directory for a new run (see checkNew for what is refused). */
  static create(dir: string): RunDir {
    RunDir.checkNew(dir);
    try {
      mkdirSync(join(dir, RUN_FILES.checkpoints), { recursive: true });
    } catch (err) {
      throw new UserError(`cannot write to ${dir}: ${(err as Error).message}. Pass another --out.`);
    }
    return new RunDir(dir);
  }

  /** Open an existing run directory (for resume/eval). */
  static open(dir: string): RunDir {
    if (!existsSync(join(dir, RUN_FILES.config))) {
      throw new UserError(`${dir} is not a run directory (no ${RUN_FILES.config}). Pass the --out directory of an earlier \`npx rpp-sac train\`.`);
    }
    return new RunDir(dir);
  }

  writeJson(name: 'config' | 'meta' | 'status', value: unknown): void {
    writeJsonAtomic(this.path(name), value);
  }

  writeStatus(state: RunState, step: number, totalSteps: number, error?: string): void {
    const s: RunStatus = { state, step, totalSteps, updatedAt: new Date().toISOString(), ...(error === undefined ? {} : { error }) };
    this.writeJson('status', s);
  }

  appendEpisode(r: EpisodeRecord): void {
    this.append('episodesJsonl', 'episodesCsv', EPISODE_CSV_COLUMNS, r as unknown as Record<string, unknown>);
  }

  appendEvaluation(r: EvaluationRecord): void {
    this.append('evaluationsJsonl', 'evaluationsCsv', EVALUATION_CSV_COLUMNS, r as unknown as Record<string, unknown>);
  }

  private append(jsonl: keyof typeof RUN_FILES, csv: keyof typeof RUN_FILES, columns: readonly string[], r: Record<string, unknown>): void {
    appendFileSync(this.path(jsonl), JSON.stringify(r) + '\n');
    const csvPath = this.path(csv);
    const header = existsSync(csvPath) ? '' : columns.join(',') + '\n';
    appendFileSync(csvPath, header + columns.map((c) => csvCell(r[c])).join(',') + '\n');
  }

  /**
   * Drop records written after `step` (a resume from an older checkpoint would
   * otherwise repeat them), and any partial last line. Rewrites atomically.
   */
  truncateAfter(step: number): { episodes: number; evaluations: number } {
    const kept = { episodes: 0, evaluations: 0 };
    const pairs = [
      ['episodesJsonl', 'episodesCsv', EPISODE_CSV_COLUMNS, 'episodes'],
      ['evaluationsJsonl', 'evaluationsCsv', EVALUATION_CSV_COLUMNS, 'evaluations'],
    ] as const;
    for (const [jsonl, csv, columns, key] of pairs) {
      const p = this.path(jsonl);
      if (!existsSync(p)) continue;
      const records: Record<string, unknown>[] = [];
      for (const line of readFileSync(p, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          const r = JSON.parse(line) as Record<string, unknown>;
          if (typeof r.step === 'number' && r.step <= step) records.push(r);
        } catch {
          // a torn last line from a hard kill: drop it
        }
      }
      const tmp = `${p}.tmp-${process.pid}`;
      writeFileSync(tmp, records.map((r) => JSON.stringify(r) + '\n').join(''));
      renameSync(tmp, p);
      const csvTmp = `${this.path(csv)}.tmp-${process.pid}`;
      writeFileSync(csvTmp, columns.join(',') + '\n' + records.map((r) => columns.map((c) => csvCell(r[c])).join(',') + '\n').join(''));
      renameSync(csvTmp, this.path(csv));
      kept[key] = records.length;
    }
    return kept;
  }

  /** Checkpoint directory of the latest checkpoint. */
  get checkpointDir(): string {
    return join(this.dir, RUN_FILES.checkpoints, 'latest');
  }

  get policyDir(): string {
    return join(this.dir, RUN_FILES.policy);
  }
}
