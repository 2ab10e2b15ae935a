/**
 * Find and read the runs of a sweep directory (or any directory of run dirs): every
 * directory holding evaluations.jsonl. Env, agent, seed and grid point come from
 * sweep.json when the run is listed there, else from the path
 * `<env>/<agent>[/<grid-point>]/seed-<n>`, else from the run's config.json. Each run's
 * config.json and the symmetry spec meta.json records are read too (run-setup.ts).
 */
import { CompareInputError } from './compare-input-error.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { RUN_FILES, type EvaluationRecord, type RunMeta, type RunStatus } from '../run-files.js';
import { readManifest, type SweepRunEntry } from '../sweep/manifest.js';
import { parseGridLabel, gridLabel } from '../sweep/plan.js';
import { readRunStatus } from '../sweep/run-state.js';

export interface LoadedRun {
  /** Path relative to the sweep dir, '/'-separated. */
  id: string;
  dir: string;
  env: string;
  agent: string;
  seed: number;
  grid: Record<string, number> | null;
  gridLabel: string | null;
  status: RunStatus | null;
  /** config.json as written (null if missing or unreadable). */
  config: Record<string, unknown> | null;
  /** The symmetry spec the run's networks used, as meta.json records it (null: plain SAC, or a run that predates the record). */
  symmetrySpec: string | null;
  /** Sorted by step, one record per step (the last one written wins, as after a resume). */
  evaluations: EvaluationRecord[];
  /** Problems met while reading (bad lines), for the report. */
  warnings: string[];
}

export interface UnusableRun {
  id: string;
  reason: string;
}

export interface LoadedSweep {
  runs: LoadedRun[];
  unusable: UnusableRun[];
}

export function loadSweepRuns(sweepDir: string): LoadedSweep {
  if (!existsSync(sweepDir)) throw new CompareInputError(`Sweep directory ${sweepDir} does not exist`);
  const manifest = readManifest(sweepDir);
  const manifests = new ManifestLookup(sweepDir);

  const runs: LoadedRun[] = [];
  const unusable: UnusableRun[] = [];
  for (const dir of findRunDirs(sweepDir)) {
    const id = relative(sweepDir, dir).split(sep).join('/') || '.';
    const found = manifests.entryFor(dir);
    // Path rules apply relative to the sweep that holds the run (compare can be pointed at a parent of several sweeps).
    const identity = identify(found?.relId ?? id, dir, found?.entry);
    if (typeof identity === 'string') {
      unusable.push({ id, reason: identity });
      continue;
    }
    const { evaluations, warnings } = readEvaluations(join(dir, RUN_FILES.evaluationsJsonl));
    if (evaluations.length === 0) {
      unusable.push({ id, reason: 'no evaluations yet' });
      continue;
    }
    const config = readJsonObject(join(dir, RUN_FILES.config));
    const meta = readJsonObject(join(dir, RUN_FILES.meta)) as Partial<RunMeta> | null;
    runs.push({ id, dir, ...identity, status: readRunStatus(dir), config, symmetrySpec: meta?.symmetry?.spec ?? null, evaluations, warnings });
  }
  // Manifest runs that never produced a directory are worth a line in the report.
  for (const e of manifest?.runs ?? []) {
    const id = e.dir.split(sep).join('/');
    if (!runs.some((r) => r.id === id) && !unusable.some((u) => u.id === id)) unusable.push({ id, reason: `no run directory (sweep state: ${e.state})` });
  }
  runs.sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
  if (runs.length === 0) {
    throw new CompareInputError(`No runs with evaluations found under ${sweepDir}; expected <env>/<agent>/seed-<n>/${RUN_FILES.evaluationsJsonl} (run \`npx rpp-sac sweep\` first)`);
  }
  return { runs, unusable };
}

/**
 * Finds the sweep.json that lists a run: the nearest one between the run dir and the
 * compared root, so `compare runs/sweeps` still knows each run's grid point.
 */
class ManifestLookup {
  private readonly cache = new Map<string, Map<string, SweepRunEntry> | null>();

  constructor(private readonly root: string) {}

  entryFor(runDir: string): { entry: SweepRunEntry | undefined; relId: string } | null {
    let dir = dirname(runDir);
    for (;;) {
      const entries = this.entries(dir);
      if (entries) {
        const relId = relative(dir, runDir).split(sep).join('/');
        return { entry: entries.get(relId), relId };
      }
      if (dir === this.root || relative(this.root, dir).startsWith('..') || dirname(dir) === dir) return null;
      dir = dirname(dir);
    }
  }

  private entries(dir: string): Map<string, SweepRunEntry> | null {
    if (!this.cache.has(dir)) {
      const m = readManifest(dir);
      this.cache.set(dir, m ? new Map(m.runs.map((e) => [e.dir.split(sep).join('/'), e])) : null);
    }
    return this.cache.get(dir) ?? null;
  }
}

function findRunDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (existsSync(join(dir, RUN_FILES.evaluationsJsonl))) {
      out.push(dir);
      return;
    }
    if (depth > 8) return;
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      // logs/ holds sweep child logs; checkpoints/ and policy/ belong to runs.
      if (ent.isDirectory() && !['logs', RUN_FILES.checkpoints, RUN_FILES.policy, 'node_modules'].includes(ent.name) && !ent.name.startsWith('.')) {
        walk(join(dir, ent.name), depth + 1);
      }
    }
  };
  walk(root, 0);
  return out;
}

type Identity = Pick<LoadedRun, 'env' | 'agent' | 'seed' | 'grid' | 'gridLabel'>;

function identify(id: string, dir: string, entry: SweepRunEntry | undefined): Identity | string {
  if (entry) return { env: entry.env, agent: entry.agent, seed: entry.seed, grid: entry.grid, gridLabel: entry.gridLabel };
  const parts = id.split('/');
  const seedMatch = /^seed-(\d+)$/.exec(parts[parts.length - 1] ?? '');
  if (seedMatch && (parts.length === 3 || parts.length === 4)) {
    const grid = parts.length === 4 ? parseGridLabel(parts[2]) : null;
    if (parts.length === 3 || grid) {
      return { env: parts[0], agent: parts[1], seed: Number(seedMatch[1]), grid, gridLabel: grid ? gridLabel(grid) : null };
    }
  }
  const configPath = join(dir, RUN_FILES.config);
  if (existsSync(configPath)) {
    try {
      const c = JSON.parse(readFileSync(configPath, 'utf8')) as { env?: unknown; agent?: unknown; seed?: unknown };
      if (typeof c.env === 'string' && typeof c.agent === 'string' && typeof c.seed === 'number') {
        return { env: c.env, agent: c.agent, seed: c.seed, grid: null, gridLabel: null };
      }
    } catch {
      // fall through to the error below
    }
  }
  return 'cannot tell env/agent/seed: not in sweep.json, path is not <env>/<agent>[/<grid>]/seed-<n>, and config.json lacks env/agent/seed';
}

function readJsonObject(path: string): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function readEvaluations(path: string): { evaluations: EvaluationRecord[]; warnings: string[] } {
  const warnings: string[] = [];
  const byStep = new Map<number, EvaluationRecord>();
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const rec = JSON.parse(line) as EvaluationRecord;
      if (typeof rec.step !== 'number' || typeof rec.meanReturn !== 'number' || !Number.isFinite(rec.meanReturn)) {
        warnings.push(`line ${i + 1}: missing step/meanReturn`);
        return;
      }
      byStep.set(rec.step, rec);
    } catch {
      // A run killed mid-write can leave a partial last line.
      warnings.push(`line ${i + 1}: not valid JSON`);
    }
  });
  return { evaluations: [...byStep.values()].sort((a, b) => a.step - b.step), warnings };
}
