/**
 * The group-averaging (Reynolds) projection in plain Float64, by index
 * operations (no dense Q): the reference the tf projector is tested against.
 *
 *   P(W) = 1/|G| sum_g rho_in(g) W rho_out(g)^T     (W stored [in, out])
 *   (rho_in W rho_out^T)[a, b] = s_in[a] s_out[b] W[p_in[a], p_out[b]]
 *   P_b(b) = 1/|G| sum_g rho_out(g) b
 */
import type { Rep } from './rep.js';

export function projectWeightArray(repIn: Rep, repOut: Rep, w: ArrayLike<number>): Float64Array {
  if (!repIn.group.equals(repOut.group)) throw new Error(`projectWeightArray: reps of different groups (${repIn.group.name}, ${repOut.group.name}).`);
  const nIn = repIn.dim;
  const nOut = repOut.dim;
  if (w.length !== nIn * nOut) throw new Error(`projectWeightArray: weight has ${w.length} entries, expected [in=${nIn}, out=${nOut}] = ${nIn * nOut}.`);
  const elsIn = repIn.elements();
  const elsOut = repOut.elements();
  const out = new Float64Array(nIn * nOut);
  for (let k = 0; k < elsIn.length; k++) {
    const gi = elsIn[k];
    const go = elsOut[k];
    for (let a = 0; a < nIn; a++) {
      const row = gi.perm[a] * nOut;
      const sa = gi.sign[a];
      for (let b = 0; b < nOut; b++) out[a * nOut + b] += sa * go.sign[b] * w[row + go.perm[b]];
    }
  }
  const inv = 1 / elsIn.length;
  for (let i = 0; i < out.length; i++) out[i] *= inv;
  return out;
}

export function projectBiasArray(repOut: Rep, b: ArrayLike<number>): Float64Array {
  if (b.length !== repOut.dim) throw new Error(`projectBiasArray: bias has ${b.length} entries, expected ${repOut.dim}.`);
  const out = new Float64Array(repOut.dim);
  const els = repOut.elements();
  for (const g of els) for (let i = 0; i < repOut.dim; i++) out[i] += g.sign[i] * b[g.perm[i]];
  for (let i = 0; i < out.length; i++) out[i] /= els.length;
  return out;
}
