/**
 * From the config's `symmetry` field to an env SymmetrySpec:
 *  - 'auto' (default): the env's geometric mirror ('exact_mirror') where it has one, else
 *    the RPP paper's map ('paper'). So one sweep over Walker2d and HalfCheetah uses
 *    Walker2d's exact leg swap and HalfCheetah's (misspecified) front/back flip, the
 *    choices the paper made, and meta.json records which ran.
 *  - 'exact': the env's 'exact_mirror' map, and an error where there is none (HalfCheetah,
 *    Hopper): asking for an exact symmetry never silently gives a misspecified one.
 *  - 'paper', or any other spec name listed by envs symmetries(envId).
 */
import { symmetries, symmetry as envSymmetry } from '../envs/symmetries.js';
import type { SymmetrySpec } from '../envs/types.js';
import type { SacConfig } from './sac-config.js';

/** The spec name a `symmetry` choice means for this env (throws with the choices that exist). */
export function specName(envId: string, choice: string): string {
  const names = symmetries(envId).map((s) => s.name);
  if (choice === 'auto') {
    if (names.includes('exact_mirror')) return 'exact_mirror';
    if (names.includes('paper')) return 'paper';
    throw new Error(`Env '${envId}' has neither an 'exact_mirror' nor a 'paper' symmetry; choose one of: ${names.join(', ')}.`);
  }
  if (choice === 'exact') {
    if (names.includes('exact_mirror')) return 'exact_mirror';
    throw new Error(
      `Env '${envId}' has no exact mirror symmetry. Use --symmetry with one of: auto (picks '${names.includes('paper') ? 'paper' : names[0]}' here), ${names.join(', ')}` +
        `${names.includes('paper') ? " ('paper' is the RPP paper's map, misspecified for this body)" : ''}.`,
    );
  }
  if (!names.includes(choice)) {
    // The values a user types: 'exact' stands for the spec 'exact_mirror' (still accepted, never suggested).
    const choices = ['auto', ...(names.includes('exact_mirror') ? ['exact'] : []), ...names.filter((n) => n !== 'exact_mirror')];
    throw new Error(`Env '${envId}' has no symmetry '${choice}'. Use --symmetry with one of: ${choices.join(', ')}.`);
  }
  return choice;
}

/** The spec the agent needs (null for plain SAC). Throws with the available names when missing. */
export function resolveSymmetry(envId: string, cfg: Pick<SacConfig, 'agent' | 'symmetry'>): SymmetrySpec | null {
  if (cfg.agent === 'sac') return null;
  return envSymmetry(envId, specName(envId, cfg.symmetry));
}
