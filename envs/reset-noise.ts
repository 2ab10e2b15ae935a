/** Reset-noise helpers shared by the envs: add noise to a copy of the initial state. */

/** base + noise, elementwise (new array). */
export function addNoise(base: Float64Array, noise: Float64Array): Float64Array {
  const out = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) out[i] = base[i] + noise[i];
  return out;
}
