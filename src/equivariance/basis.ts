/**
 * The reference solver: an orthonormal basis Q of the equivariant maps
 * repIn -> repOut, from the null space of the stacked constraint
 * C = rho_W(h) - I (h the generator; for a cyclic group one generator is enough).
 * The right singular vectors of C with zero singular value are the eigenvectors
 * of C^T C with zero eigenvalue, found here by Jacobi in Float64 (EMLP uses an
 * SVD of C; same subspace). Dense: for small reps and tests only; training uses
 * the group-averaging projector in projector.ts.
 *
 * Layout: weights are stored [in, out] (forward y = x @ W), flattened row-major,
 * so vec index a * out + b holds W[a, b]. Equivariance in this layout means
 * W = rho_in(g) W rho_out(g)^T for all g.
 */
import { symmetricEigen } from './jacobi-eigen.js';
import type { Rep } from './rep.js';
import { SignedPerm } from './signed-perm.js';

export interface EquivariantBasis {
  /** in * out: length of vec(W). */
  size: number;
  /** Number of basis vectors (dimension of the equivariant subspace). */
  rank: number;
  /** Row-major [size, rank]: column c is the c-th basis vector. */
  q: Float64Array;
}

/** Largest vec(W) size the dense reference solver accepts (Jacobi is O(n^3) per sweep: ~1 s at 600). */
export const MAX_BASIS_SIZE = 600;

/** The signed permutation acting on vec(W): vec(W) -> vec(rho_in W rho_out^T). */
export function weightAction(gIn: SignedPerm, gOut: SignedPerm): SignedPerm {
  const nIn = gIn.size;
  const nOut = gOut.size;
  const perm = new Int32Array(nIn * nOut);
  const sign = new Float32Array(nIn * nOut);
  for (let a = 0; a < nIn; a++) {
    for (let b = 0; b < nOut; b++) {
      perm[a * nOut + b] = gIn.perm[a] * nOut + gOut.perm[b];
      sign[a * nOut + b] = gIn.sign[a] * gOut.sign[b];
    }
  }
  return new SignedPerm(perm, sign);
}

export function equivariantBasis(repIn: Rep, repOut: Rep, tol = 1e-9): EquivariantBasis {
  if (!repIn.group.equals(repOut.group)) throw new Error(`equivariantBasis: reps of different groups (${repIn.group.name}, ${repOut.group.name}).`);
  const size = repIn.dim * repOut.dim;
  if (size > MAX_BASIS_SIZE) {
    throw new Error(`equivariantBasis: vec(W) has ${size} entries (> ${MAX_BASIS_SIZE}); the dense reference solver is for small reps. Use projector()/projectWeightArray() instead.`);
  }
  // C^T C = 2I - M - M^T for the orthogonal M = rho_W(h).
  const m = weightAction(repIn.generator, repOut.generator);
  const ctc = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    ctc[i * size + i] += 2;
    const j = m.perm[i];
    ctc[i * size + j] -= m.sign[i];
    ctc[j * size + i] -= m.sign[i];
  }
  const { values, vectors } = symmetricEigen(ctc, size);
  let rank = 0;
  while (rank < size && Math.abs(values[rank]) < tol) rank++;
  const q = new Float64Array(size * rank);
  for (let r = 0; r < size; r++) for (let c = 0; c < rank; c++) q[r * rank + c] = vectors[r * size + c];
  return { size, rank, q };
}

/** Dense P = Q Q^T (row-major [size, size]), for tests. */
export function basisProjectionMatrix(basis: EquivariantBasis): Float64Array {
  const { size, rank, q } = basis;
  const p = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      let s = 0;
      for (let c = 0; c < rank; c++) s += q[i * rank + c] * q[j * rank + c];
      p[i * size + j] = s;
    }
  }
  return p;
}
