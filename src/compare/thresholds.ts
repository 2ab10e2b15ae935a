/**
 * --threshold: one return for every env ("3000") or per env ("Hopper-v5=3000,Walker2d-v5=4000").
 */

export type ThresholdFor = (env: string) => number | null;

export function parseThresholds(spec: string | number | undefined): ThresholdFor {
  if (spec === undefined) return () => null;
  if (typeof spec === 'number') return () => spec;
  const text = spec.trim();
  if (!text.includes('=')) {
    const v = Number(text);
    if (!Number.isFinite(v)) throw new Error(`--threshold "${spec}" is not a number; use e.g. --threshold 3000 or --threshold Hopper-v5=3000,Walker2d-v5=4000`);
    return () => v;
  }
  const map = new Map<string, number>();
  for (const part of text.split(',')) {
    const [env, value] = part.split('=').map((s) => s.trim());
    const v = Number(value);
    if (!env || !Number.isFinite(v)) throw new Error(`--threshold entry "${part}" must look like Env-v5=3000`);
    map.set(env, v);
  }
  return (env) => map.get(env) ?? null;
}
