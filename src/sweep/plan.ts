/**
 * Expand a sweep configuration into the list of runs: seed x env x agent x grid point (seeds outermost),
 * each with its directory `<sweep>/<env>/<agent>[/<grid-point>]/seed-<n>` and its train flags. `agent`
 * is the name listed in the sweep (a kind, or a variant such as sac-matched, which trains its kind
 * with the variant's flags in its own directory).
 */
import { join } from 'node:path';
import type { SweepConfig } from './sweep-config.js';
import { formatNumber } from './parse-values.js';

export interface PlannedRun {
  /** Path relative to the sweep dir, '/'-separated; unique id of the run in the sweep. */
  id: string;
  env: string;
  /** The name listed in the sweep's agents: a kind or a variant (the run's directory and compare group). */
  agent: string;
  /** The agent kind trained (`--agent`): agent itself, or the variant's kind. */
  kind: string;
  seed: number;
  /** Hyperparameter values of the grid point, or null if the agent is not gridded. */
  grid: Record<string, number> | null;
  /** Directory name of the grid point (e.g. "equiv_wd=1e-6,basic_wd=1e-2"), or null. */
  gridLabel: string | null;
  /** Absolute or sweep-relative run directory as passed to `train --out`. */
  dir: string;
  /** Arguments after the train command prefix for a fresh run. */
  trainArgs: string[];
}

/** Cartesian product of the grid axes, first axis varying slowest. */
export function gridPoints(grid: Record<string, number[]>): Record<string, number>[] {
  let points: Record<string, number>[] = [{}];
  for (const [axis, values] of Object.entries(grid)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [axis]: v })));
  }
  return points;
}

export function gridLabel(point: Record<string, number>): string {
  return Object.entries(point)
    .map(([k, v]) => `${k}=${formatNumber(v)}`)
    .join(',');
}

/** Parse a grid-point directory name back into values (inverse of gridLabel), or null if it is not one. */
export function parseGridLabel(label: string): Record<string, number> | null {
  const out: Record<string, number> = {};
  for (const part of label.split(',')) {
    const m = /^([A-Za-z][A-Za-z0-9_-]*)=(.+)$/.exec(part);
    if (!m) return null;
    const v = Number(m[2]);
    if (!Number.isFinite(v)) return null;
    out[m[1]] = v;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/**
 * The RPP paper's flag names (RL/train_rpp.py) for the prior strengths, mapped to the
 * run-config keys they mean: --equiv_wd/--basic_wd are the actor's, --cequiv_wd/--cbasic_wd
 * the critic's.
 */
export const PAPER_GRID_ALIASES: Readonly<Record<string, string>> = {
  equiv_wd: 'actorEquivWd',
  basic_wd: 'actorBasicWd',
  equivWd: 'actorEquivWd',
  basicWd: 'actorBasicWd',
  cequiv_wd: 'criticEquivWd',
  cbasic_wd: 'criticBasicWd',
};

/**
 * The `train` flag of a grid axis: paper aliases first (equiv_wd -> --actor-equiv-wd), then
 * the train CLI's rule for config keys, kebab-case (actorBasicWd / actor_basic_wd ->
 * --actor-basic-wd). Names starting with -- pass through unchanged.
 */
export function gridFlag(axis: string): string {
  if (axis.startsWith('--')) return axis;
  const key = PAPER_GRID_ALIASES[axis] ?? axis;
  return '--' + key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase();
}

export function planRuns(config: SweepConfig, sweepDir: string): PlannedRun[] {
  const points = gridPoints(config.grid);
  const hasGrid = Object.keys(config.grid).length > 0;
  const runs: PlannedRun[] = [];
  for (const env of config.envs) {
    for (const agent of config.agents) {
      const agentPoints: (Record<string, number> | null)[] = hasGrid && config.gridAgents.includes(agent) ? points : [null];
      for (const point of agentPoints) {
        const label = point ? gridLabel(point) : null;
        for (const seed of config.seeds) {
          const parts = [env, agent, ...(label ? [label] : []), `seed-${seed}`];
          const dir = join(sweepDir, ...parts);
          const gridArgs = point ? Object.entries(point).flatMap(([k, v]) => [gridFlag(k), formatNumber(v)]) : [];
          // A variant's flags come last: they win over the sweep's trainArgs.
          const variant = config.variants[agent] ?? { agent, trainArgs: [] };
          runs.push({
            id: parts.join('/'),
            env,
            agent,
            kind: variant.agent,
            seed,
            grid: point,
            gridLabel: label,
            dir,
            trainArgs: ['train', '--env', env, '--agent', variant.agent, '--seed', String(seed), '--steps', String(config.steps), '--out', dir, ...gridArgs, ...config.trainArgs, ...variant.trainArgs],
          });
        }
      }
    }
  }
  // Seed-major order: every env x agent x grid cell gets seed 0 before any gets seed 1. A sweep
  // that stops part-way (a session ends, a machine is lost) then leaves a balanced study (n
  // seeds in every cell) instead of complete cells next to empty ones. Stable sort: within a
  // seed, env x agent x grid order as written.
  const seedRank = new Map(config.seeds.map((s, i) => [s, i]));
  return runs
    .map((r, i) => ({ r, i }))
    .sort((a, b) => seedRank.get(a.r.seed)! - seedRank.get(b.r.seed)! || a.i - b.i)
    .map(({ r }) => r);
}
