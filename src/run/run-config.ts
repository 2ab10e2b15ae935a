/**
 * The resolved, frozen config of one training run: every SAC hyperparameter
 * (agents/sac-config.ts) plus the run-level fields below. It is what config.json
 * holds and what `resume` reads back.
 *
 * Resolution order (later wins): schema defaults < preset < config file < flags.
 */
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { totalmem } from 'node:os';
import { extname, isAbsolute, join, resolve as resolvePath, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import YAML from 'yaml';
import { SacConfigSchema, type SacConfig } from '../../agents/sac-config.js';
import { UserError } from './user-error.js';

export const RunFieldsSchema = z.object({
  env: z.string().min(1).describe('Environment id, e.g. Walker2d-v5 (InvertedPendulum-v5, HalfCheetah-v5, Hopper-v5, Ant-v5, Swimmer-v5, Humanoid-v5, ...).'),
  totalSteps: z.number().int().positive().default(1_000_000).describe('Training budget in environment steps (peers: 1e6; rl-zoo Humanoid: 2e6).'),
  numEnvs: z.number().int().positive().default(1).describe('Training envs stepped together; each env step still earns gradientSteps updates (SB3/CleanRL num_envs).'),
  checkpointEvery: z.number().int().positive().default(100_000).describe('Write a checkpoint (agent, optimisers, replay buffer) every this many env steps; one is always written at the end and on Ctrl-C.'),
  checkpointReplay: z.boolean().default(true).describe('Include the replay buffer in checkpoints (needed for an exact resume; ~8*obsDim bytes per stored transition).'),
});

export const RunConfigSchema = z.object({ ...RunFieldsSchema.shape, ...SacConfigSchema.shape }).strict();

export type RunConfig = z.infer<typeof RunConfigSchema>;

/** The SAC part of a run config (what the agent is constructed from). */
export function sacPart(cfg: RunConfig): SacConfig {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(SacConfigSchema.shape)) out[k] = (cfg as Record<string, unknown>)[k];
  return out as SacConfig;
}

/**
 * Why a run will make no gradient update at all, or null: the first learningStarts steps
 * take random actions and train nothing (10000 by default), so a budget at or below them
 * only fills the replay buffer.
 */
export function noUpdatesWarning(cfg: Pick<RunConfig, 'totalSteps' | 'learningStarts'>): string | null {
  if (cfg.totalSteps > cfg.learningStarts) return null;
  return (
    `NO GRADIENT UPDATES: --steps ${cfg.totalSteps} is at or below --learning-starts ${cfg.learningStarts} (random actions until then), ` +
    `so the policy never learns. Raise --steps above ${cfg.learningStarts}, or lower --learning-starts (e.g. --learning-starts ${Math.floor(cfg.totalSteps / 5)}).`
  );
}

/** Closest key by edit distance, for "did you mean" hints. */
export function closestKey(word: string, keys: readonly string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of keys) {
    const dd = dist(word.toLowerCase(), k.toLowerCase());
    if (dd < bestD) {
      bestD = dd;
      best = k;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

const ALL_KEYS = Object.keys(RunConfigSchema.shape);

/** Turn zod issues into lines naming each key, where it came from, and the fix. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], source: string): string {
  const lines: string[] = [];
  for (const i of issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) {
        const hint = closestKey(k, ALL_KEYS);
        lines.push(`  ${source}: unknown key '${k}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
      }
    } else {
      const key = i.path.join('.') || '(root)';
      lines.push(`  ${source}: '${key}': ${i.message}`);
    }
  }
  return lines.join('\n');
}

/** Check one layer (preset, file, flags) on its own, so errors name the layer. Unknown keys and wrong types are errors. */
export function checkLayer(values: Record<string, unknown>, source: string): Record<string, unknown> {
  const r = RunConfigSchema.partial().strict().safeParse(values);
  if (!r.success) {
    throw new UserError(`Invalid config in ${source}:\n${describeIssues(r.error.issues, source)}\nValid keys and their types: npx rpp-sac train --help (flags are the keys in kebab-case).`);
  }
  return values;
}

/** Read a JSON or YAML config file (a flat mapping of config keys). */
export function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UserError(`Config file not found: ${path}. Pass an existing .json, .yaml or .yml file to --config.`);
  const text = readFileSync(path, 'utf8');
  const ext = extname(path).toLowerCase();
  let data: unknown;
  try {
    data = ext === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new UserError(`Config file ${path} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}. Fix the syntax (a flat mapping of keys to values).`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new UserError(`Config file ${path} must hold a mapping of config keys to values (e.g. "gamma: 0.99"), not ${Array.isArray(data) ? 'a list' : typeof data}.`);
  const values = { ...(data as Record<string, unknown>) };
  // `hidden: 64,64` reads as the string "64,64" in YAML; take it as the flag does.
  if (typeof values.hidden === 'string' && /^\s*\d+(\s*,\s*\d+)*\s*$/.test(values.hidden)) values.hidden = values.hidden.split(',').map((w) => Number(w.trim()));
  return checkLayer(values, `config file ${path}`);
}

/** The package's runs/presets directory (works from src/ via tsx and from dist/). */
export function presetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../runs/presets', '../../../runs/presets']) {
    const d = resolvePath(here, up);
    if (existsSync(d)) return d;
  }
  return resolvePath(here, '../../runs/presets');
}

/** A preset by env id (runs/presets/<id>.yaml) or by path. */
export function readPreset(nameOrPath: string): Record<string, unknown> {
  const asPath = nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml') || nameOrPath.endsWith('.json') || isAbsolute(nameOrPath);
  const path = asPath ? nameOrPath : join(presetsDir(), `${nameOrPath}.yaml`);
  if (!existsSync(path)) {
    const dir = presetsDir();
    const have = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')) : [];
    throw new UserError(`No preset '${nameOrPath}' (looked for ${path}). Available presets: ${have.join(', ') || '(none)'}.`);
  }
  return readConfigFile(path);
}

export interface ConfigLayers {
  preset?: Record<string, unknown>;
  file?: Record<string, unknown>;
  flags?: Record<string, unknown>;
}

/** Merge the layers and validate the result; a missing env or a bad value is a UserError. */
export function resolveRunConfig(layers: ConfigLayers): Readonly<RunConfig> {
  const merged = { ...(layers.preset ?? {}), ...(layers.file ?? {}), ...(layers.flags ?? {}) };
  if (merged.env === undefined) throw new UserError('No environment given. Pass --env <id> (e.g. --env Walker2d-v5), or set "env" in the --config file or --preset.');
  const r = RunConfigSchema.safeParse(merged);
  if (!r.success) throw new UserError(`Invalid run config:\n${describeIssues(r.error.issues, 'config')}`);
  const cfg = r.data;
  if (cfg.logStdMin >= cfg.logStdMax) throw new UserError(`Invalid run config: logStdMin (${cfg.logStdMin}) must be below logStdMax (${cfg.logStdMax}).`);
  checkNetworkMemory(cfg.hidden);
  return Object.freeze(cfg);
}

/**
 * Refuse hidden widths whose networks cannot fit in memory (`--hidden 1e9` would otherwise
 * hang while allocating). A generous estimate: weights of a net with 400 inputs and outputs
 * (Humanoid has 348 + 17), for the actor, two critics and their targets, Adam's two moments
 * of the trained ones, doubled for RPP's two pathways and the backend's copies.
 */
export function checkNetworkMemory(hidden: readonly number[]): void {
  const io = 400;
  let weights = io * hidden[0]! + hidden.at(-1)! * io;
  for (let i = 0; i + 1 < hidden.length; i++) weights += hidden[i]! * hidden[i + 1]!;
  const bytes = weights * 4 * (5 + 6) * 2;
  const available = totalmem();
  if (bytes > available) {
    const gb = (b: number): string => `${(b / 2 ** 30).toPrecision(3)} GB`;
    throw new UserError(`hidden ${hidden.join(',')}: the networks would need about ${gb(bytes)}, more than this machine's ${gb(available)} of memory. Use smaller widths, e.g. --hidden 256,256.`);
  }
}
