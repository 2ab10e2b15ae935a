/**
 * From the config's `symmetry` field to an env SymmetrySpec: 'exact' means the
 * env's 'exact_mirror' map, 'paper' the RPP paper's map, anything else a spec name
 * as listed by envs symmetries(envId).
 */
import { symmetry as envSymmetry } from '../envs/symmetries.js';
import type { SymmetrySpec } from '../envs/types.js';
import type { SacConfig } from './sac-config.js';

export function specName(choice: string): string {
  return choice === 'exact' ? 'exact_mirror' : choice;
}

/** The spec the agent needs (null for plain SAC). Throws with the available names when missing. */
export function resolveSymmetry(envId: string, cfg: Pick<SacConfig, 'agent' | 'symmetry'>): SymmetrySpec | null {
  if (cfg.agent === 'sac') return null;
  return envSymmetry(envId, specName(cfg.symmetry));
}
