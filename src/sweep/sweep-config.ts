/**
 * The sweep configuration: which envs, agents, seeds and hyperparameter grid to run,
 * from CLI flags or a YAML/JSON file (validated with zod; unknown keys are errors).
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatNumber, parseList, parseSeeds, parseSteps } from './parse-values.js';
import { resolveAgents, type AgentVariant } from './agent-variants.js';

const stringOrList = z.union([z.string(), z.array(z.string()).min(1)]);

/**
 * Agent kinds a grid skips unless named in gridAgents (with their variants, e.g. sac-matched):
 * plain SAC and the strictly equivariant EMLP-SAC have no residual-pathway prior
 * (equiv_wd/basic_wd), so gridding them would only repeat identical runs.
 */
export const UNGRIDDED_BY_DEFAULT = ['sac', 'emlp-sac'];

/** The file format (keys as users write them in runs/sweeps/*.yaml). */
export const sweepFileSchema = z.strictObject({
  /** Sweep name; default output dir is runs/sweeps/<name>. Default: the file's base name. */
  name: z.string().min(1).optional(),
  /** One env id or a list. */
  env: stringOrList,
  /** Agents: kinds (sac, rpp-sac, emlp-sac) or variant names (sac-matched, or one defined under variants), comma string or list. */
  agents: stringOrList,
  /** Named variants: { name: { agent: <kind>, trainArgs: [flags] } }, each its own directory and compare group. */
  variants: z
    .record(z.string(), z.strictObject({ agent: z.string(), trainArgs: z.array(z.string()), description: z.string().optional() }))
    .optional(),
  /** "0-4", "0,1,2", a number or a list of numbers. */
  seeds: z.union([z.string(), z.number().int().nonnegative(), z.array(z.number().int().nonnegative()).min(1)]),
  /** Environment steps per run, e.g. 3e5. */
  steps: z.union([z.number(), z.string()]),
  /** Runs at once. */
  parallel: z.number().int().positive().optional(),
  /** Sweep directory. */
  out: z.string().min(1).optional(),
  /** Hyperparameter grid, e.g. { equiv_wd: [1e-6, 1e-4], basic_wd: [1e-6, 1e-2] }. */
  grid: z.record(z.string(), z.array(z.number()).min(1)).optional(),
  /** Agents the grid applies to. Default: every agent except sac and emlp-sac (no residual-pathway prior). */
  gridAgents: stringOrList.optional(),
  /** Extra flags passed to every `train` call, e.g. ["--eval-every", "10000"]. */
  trainArgs: z.array(z.string()).optional(),
  /** Retries of a crashed run (resume from checkpoint if one exists). Default 1. */
  retries: z.number().int().nonnegative().optional(),
});
export type SweepFile = z.infer<typeof sweepFileSchema>;

/** A fully resolved sweep configuration (what sweep.json records). */
export interface SweepConfig {
  name: string;
  envs: string[];
  /** Names as listed: kinds and variant names. */
  agents: string[];
  /** What each name in agents runs: its kind and extra train flags (none for a kind). */
  variants: Record<string, AgentVariant>;
  seeds: number[];
  steps: number;
  parallel: number;
  out: string;
  /** Axis name -> values, in the order given. Empty object = no grid. */
  grid: Record<string, number[]>;
  gridAgents: string[];
  trainArgs: string[];
  retries: number;
}

/** Loosely-typed input from CLI flags or a parsed file, before resolution. */
export interface SweepInput {
  name?: string;
  env: string | string[];
  agents: string | string[];
  variants?: Record<string, AgentVariant>;
  seeds: string | number | number[];
  steps: string | number;
  parallel?: number;
  out?: string;
  grid?: Record<string, number[]>;
  gridAgents?: string | string[];
  trainArgs?: string[];
  retries?: number;
}

export function resolveSweepConfig(input: SweepInput): SweepConfig {
  const envs = parseList(input.env, 'envs (--env)');
  const agents = parseList(input.agents, 'agents (--agents)');
  const variants = resolveAgents(agents, input.variants);
  const seeds = parseSeeds(input.seeds);
  const steps = parseSteps(input.steps);
  const parallel = input.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`--parallel must be a positive integer, got ${parallel}`);
  const grid = input.grid ?? {};
  for (const [k, vs] of Object.entries(grid)) {
    if (vs.length === 0) throw new Error(`Grid axis ${k} has no values`);
    if (vs.some((v) => !Number.isFinite(v))) throw new Error(`Grid axis ${k} has a non-finite value: ${vs.join(', ')}`);
  }
  const gridAgents =
    input.gridAgents !== undefined ? parseList(input.gridAgents, 'grid agents (--grid-agents)') : agents.filter((a) => !UNGRIDDED_BY_DEFAULT.includes(variants[a].agent));
  for (const a of gridAgents) {
    if (!agents.includes(a)) throw new Error(`Grid agent "${a}" is not among the sweep's agents (${agents.join(', ')})`);
  }
  if (Object.keys(grid).length > 0 && gridAgents.length === 0) {
    throw new Error('A grid was given but no agent takes it (sac, emlp-sac and their variants are excluded by default); name them with --grid-agents / gridAgents');
  }
  const name = input.name ?? defaultSweepName(envs, agents, steps, grid);
  if (!/^[A-Za-z0-9._+=,-]+$/.test(name)) throw new Error(`Sweep name "${name}" may only contain letters, digits and . _ + = , -`);
  const retries = input.retries ?? 1;
  if (!Number.isInteger(retries) || retries < 0) throw new Error(`retries must be a non-negative integer, got ${retries}`);
  return {
    name,
    envs,
    agents,
    variants,
    seeds,
    steps,
    parallel,
    out: input.out ?? `runs/sweeps/${name}`,
    grid,
    gridAgents,
    trainArgs: input.trainArgs ?? [],
    retries,
  };
}

/** Deterministic default name, so re-running the same command finds the same sweep dir. */
export function defaultSweepName(envs: string[], agents: string[], steps: number, grid: Record<string, number[]>): string {
  const parts = [envs.join('+'), agents.join('+'), formatNumber(steps)];
  if (Object.keys(grid).length > 0) parts.push('grid-' + Object.keys(grid).join('+'));
  return parts.join('_');
}

/** Read and validate a sweep file (YAML or JSON); CLI overrides are applied by the caller. */
export function readSweepFile(path: string): SweepInput {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read sweep config ${path}: ${(err as Error).message}`);
  }
  const parsed = sweepFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Invalid sweep config ${path}:\n${z.prettifyError(parsed.error)}\nKnown keys: ${Object.keys(sweepFileSchema.shape).join(', ')}`);
  }
  const f = parsed.data;
  return {
    name: f.name ?? basename(path, extname(path)),
    env: f.env,
    agents: f.agents,
    variants: f.variants,
    seeds: f.seeds,
    steps: f.steps,
    parallel: f.parallel,
    out: f.out,
    grid: f.grid,
    gridAgents: f.gridAgents,
    trainArgs: f.trainArgs,
    retries: f.retries,
  };
}
