/**
 * Eigen-decomposition of a small dense symmetric matrix by cyclic Jacobi
 * rotations, in Float64. Slow (O(n^3) per sweep) but simple and accurate to
 * ~1e-14: the reference solver behind equivariantBasis, for small reps only.
 */
export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as columns of a row-major [n, n] matrix, in the order of `values`. */
  vectors: Float64Array;
}

export function symmetricEigen(a: Float64Array, n: number, opts: { maxSweeps?: number; tol?: number } = {}): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`symmetricEigen: matrix has ${a.length} entries, expected ${n}x${n} = ${n * n}.`);
  const maxSweeps = opts.maxSweeps ?? 60;
  const tol = opts.tol ?? 1e-15;
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += m[i] * m[i];
  scale = Math.sqrt(scale) || 1;

  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] * m[p * n + q];
    if (Math.sqrt(2 * off) <= tol * scale) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const app = m[p * n + p];
        const aqq = m[q * n + q];
        // Rotation angle that zeroes m[p][q] (Golub & Van Loan, symmetric Schur).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[i * n + i] - m[j * n + j]);
  const values = Float64Array.from(order, (i) => m[i * n + i]);
  const vectors = new Float64Array(n * n);
  for (let c = 0; c < n; c++) for (let r = 0; r < n; r++) vectors[r * n + c] = v[r * n + order[c]];
  return { values, vectors };
}
