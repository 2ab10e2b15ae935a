/**
 * Scalar summaries of one learning curve (evaluation returns against environment steps).
 */

function checkCurve(steps: readonly number[], values: readonly number[], what: string): void {
  if (steps.length !== values.length) throw new Error(`${what}: steps and values differ in length (${steps.length} vs ${values.length})`);
  if (steps.length === 0) throw new Error(`${what}: the curve is empty`);
  for (let i = 1; i < steps.length; i++) {
    if (!(steps[i] > steps[i - 1])) throw new Error(`${what}: steps must be strictly increasing, got ${steps[i - 1]} then ${steps[i]} at index ${i}`);
  }
}

/**
 * Area under the curve by the trapezoid rule over the evaluation steps, divided by the
 * step range, i.e. the average return over training (in return units, comparable across
 * run lengths). A single-point curve returns its value.
 */
export function normalizedAuc(steps: readonly number[], values: readonly number[]): number {
  checkCurve(steps, values, 'normalizedAuc');
  if (steps.length === 1) return values[0];
  let area = 0;
  for (let i = 1; i < steps.length; i++) area += ((values[i] + values[i - 1]) / 2) * (steps[i] - steps[i - 1]);
  return area / (steps[steps.length - 1] - steps[0]);
}

/** First evaluation step whose value is at or above `threshold`, or null if none is. */
export function stepsToThreshold(steps: readonly number[], values: readonly number[], threshold: number): number | null {
  checkCurve(steps, values, 'stepsToThreshold');
  for (let i = 0; i < steps.length; i++) if (values[i] >= threshold) return steps[i];
  return null;
}
