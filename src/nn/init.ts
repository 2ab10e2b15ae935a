/**
 * Seeded weight initialisers (Float32Array, row-major [in, out]), drawn from the
 * project's xoshiro RNG so every network init is reproducible from a seed.
 */
import { Rng } from '../random.js';

/** stddev of a standard normal truncated to [-2, 2]; dividing by it restores unit variance. */
const TRUNC_STD = 0.8796256610342398;

/** Truncated normal (|z| <= 2) with the given stddev after truncation (as flax/jax variance_scaling). */
export function truncatedNormal(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z = rng.normal();
    while (Math.abs(z) > 2) z = rng.normal();
    out[i] = (z * std) / TRUNC_STD;
  }
  return out;
}

/** LeCun normal: truncated normal with variance 1 / fanIn, times scale. */
export function lecunNormal(rng: Rng, n: number, fanIn: number, scale = 1): Float32Array {
  if (!(fanIn > 0)) throw new Error(`lecunNormal: fanIn must be positive, got ${fanIn}.`);
  return truncatedNormal(rng, n, scale / Math.sqrt(fanIn));
}

/**
 * Orthogonal init of a [rows, cols] matrix times gain: orthonormal columns when
 * rows >= cols, orthonormal rows otherwise (QR of a Gaussian matrix with the
 * sign of R's diagonal made positive, as in flax/PyTorch).
 */
export function orthogonal(rng: Rng, rows: number, cols: number, gain = 1): Float32Array {
  const tall = rows >= cols;
  const m = tall ? rows : cols; // length of each vector to orthonormalise
  const k = tall ? cols : rows; // number of vectors
  const vecs: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = rng.normal();
    // Modified Gram-Schmidt, twice for numerical orthogonality.
    for (let pass = 0; pass < 2; pass++) {
      for (const u of vecs) {
        let d = 0;
        for (let i = 0; i < m; i++) d += u[i] * v[i];
        for (let i = 0; i < m; i++) v[i] -= d * u[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) v[i] /= norm;
    vecs.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < m; i++) {
      const val = gain * vecs[j][i];
      if (tall) out[i * cols + j] = val;
      else out[j * cols + i] = val;
    }
  }
  return out;
}
