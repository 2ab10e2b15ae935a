/**
 * What each compared group of runs ran, and how two groups differ: every config key
 * (config.json, keys a run predates at their defaults, the seed left out) and the facts of
 * their networks derived from the config (agents/network-facts.ts: network kind,
 * activation, init, hidden widths, parameter counts, penalties, symmetry). A difference in
 * returns can only be credited to what differs.
 */
import { SacConfigSchema, type SacConfig } from '../../agents/sac-config.js';
import { agentFacts, unusedKeys, type NetworkFacts } from '../../agents/network-facts.js';
import { resolveSymmetry } from '../../agents/symmetry-choice.js';
import { envIds, envSpec } from '../../envs/registry.js';
import { symmetry as envSymmetry } from '../../envs/symmetries.js';
import type { LoadedRun } from './load-runs.js';
import type { GroupSetup, SetupDifference } from './summary.js';

/** A key whose value is not the same in every run of a group. */
export interface Varies {
  varies: unknown[];
}

const SAC_KEYS = Object.keys(SacConfigSchema.shape);

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** The SAC config of a run's config.json with defaults for missing keys, or null if it does not parse. */
function sacConfigOf(raw: Record<string, unknown>): SacConfig | null {
  const picked: Record<string, unknown> = {};
  for (const k of SAC_KEYS) if (k in raw) picked[k] = raw[k];
  const r = SacConfigSchema.safeParse(picked);
  return r.success ? r.data : null;
}

function networkEntries(role: 'actor' | 'critic', n: NetworkFacts): [string, unknown][] {
  const per = role === 'critic' ? ' (each of 2)' : '';
  return [
    [`${role} network`, n.network],
    [`${role} activation`, n.activation],
    [`${role} init`, n.init],
    [`${role} hidden widths`, n.hidden],
    [`${role} parameters${per}`, n.params],
    [`${role} equivariant parameters${per}`, n.equivariantParams],
    [`${role} penalty`, n.penalty],
  ];
}

/** One run's config (seed left out), its unused keys, and its derived facts (or why they are missing). */
function runSetup(run: LoadedRun): { config: Record<string, unknown>; unused: string[]; derived: Record<string, unknown>; note: string | null } {
  if (run.config === null) return { config: {}, unused: [], derived: {}, note: 'no readable config.json' };
  const cfg = sacConfigOf(run.config);
  const config: Record<string, unknown> = { ...run.config, ...(cfg ?? {}) };
  delete config.seed;
  if (cfg === null) return { config, unused: [], derived: {}, note: 'config.json does not parse as a SAC config; network facts not derived' };
  const unused = [...unusedKeys(cfg)];
  if (!envIds().includes(run.env)) return { config, unused, derived: {}, note: `unknown env '${run.env}'; network facts not derived` };
  try {
    const spec = cfg.agent === 'sac' ? null : run.symmetrySpec !== null ? envSymmetry(run.env, run.symmetrySpec) : resolveSymmetry(run.env, cfg);
    const { obsDim, actDim } = envSpec(run.env);
    const facts = agentFacts(cfg, obsDim, actDim, spec);
    const derived = Object.fromEntries([['symmetry used', facts.symmetry ?? 'none'], ...networkEntries('actor', facts.actor), ...networkEntries('critic', facts.critic)]);
    return { config, unused, derived, note: null };
  } catch (err) {
    return { config, unused, derived: {}, note: `network facts not derived: ${(err as Error).message}` };
  }
}

/** Per key: the common value, or { varies: [distinct values] }. */
function merge(records: Record<string, unknown>[]): Record<string, unknown> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const values = new Map(records.map((r) => [stable(r[k]), r[k] ?? null]));
    out[k] = values.size === 1 ? [...values.values()][0] : ({ varies: [...values.values()] } satisfies Varies);
  }
  return out;
}

/** What a group's runs ran: merged config, unused keys, derived facts. */
export function groupSetup(runs: readonly LoadedRun[]): GroupSetup {
  const per = runs.map(runSetup);
  const notes = [...new Set(per.map((p) => p.note).filter((n): n is string => n !== null))];
  return {
    config: merge(per.map((p) => p.config)),
    unused: [...new Set(per.flatMap((p) => p.unused))],
    derived: merge(per.map((p) => p.derived)),
    note: notes.length > 0 ? notes.join('; ') : null,
  };
}

/** Every config key and derived fact in which the candidate's setup differs from the baseline's, config keys first. */
export function setupDifferences(candidate: GroupSetup, baseline: GroupSetup): SetupDifference[] {
  const out: SetupDifference[] = [];
  for (const source of ['config', 'derived'] as const) {
    const a = candidate[source];
    const b = baseline[source];
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
      const va = a[key] ?? null;
      const vb = b[key] ?? null;
      if (stable(va) === stable(vb)) continue;
      const unusedBy = source === 'config' ? (['candidate', 'baseline'] as const).filter((w) => (w === 'candidate' ? candidate : baseline).unused.includes(key)) : [];
      out.push({ key, source, candidate: va, baseline: vb, unusedBy });
    }
  }
  return out;
}
