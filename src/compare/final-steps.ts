/** Where an env's final return is read, in words for reports and plot titles. */
import type { EnvSummary } from './summary.js';

/** "at step 100000", or with a final window "averaged over the 5 evaluations from step 80000 to 100000". */
export function finalReturnWhere(env: Pick<EnvSummary, 'endStep' | 'finalSteps'>): string {
  const steps = env.finalSteps ?? [env.endStep];
  if (steps.length <= 1) return `at step ${env.endStep}`;
  return `averaged over the ${steps.length} evaluations from step ${steps[0]} to ${env.endStep}`;
}
