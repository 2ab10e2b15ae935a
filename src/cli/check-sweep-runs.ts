/**
 * Before a sweep starts anything (and in `--dry-run`): read every planned run's `train`
 * arguments exactly as `rpp-sac train` will (src/cli/train-options.ts) and resolve its
 * symmetry, so a typo'd agent, env, grid key or train flag is one clear error per bad
 * run (exit 2) instead of a child that fails, is retried and fails again.
 */
import { resolveSymmetry } from '../../agents/symmetry-choice.js';
import { noUpdatesWarning } from '../run/run-config.js';
import { UserError } from '../run/user-error.js';
import type { PlannedRun } from '../sweep/plan.js';
import { parseTrainArgs } from './train-options.js';

/** Throws a UserError listing each invalid run; returns warnings (runs that will make no gradient update). */
export function checkPlannedRuns(planned: readonly Pick<PlannedRun, 'id' | 'trainArgs'>[]): string[] {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const run of planned) {
    try {
      const { config } = parseTrainArgs(run.trainArgs.slice(1));
      resolveSymmetry(config.env, config);
      const noUpdates = noUpdatesWarning(config);
      if (noUpdates !== null) warnings.push(`${run.id}: ${noUpdates}`);
    } catch (err) {
      errors.push(`${run.id}: ${(err as Error).message.replace(/\s*\n\s*/g, ' ')}`);
    }
  }
  if (errors.length > 0) {
    throw new UserError(`${errors.length} of ${planned.length} planned runs are invalid; nothing was started:\n${errors.map((e) => `  ${e}`).join('\n')}`);
  }
  return warnings;
}
