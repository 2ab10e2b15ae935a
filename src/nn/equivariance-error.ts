/**
 * Relative equivariance error of a function on batches (the paper's
 * evaluation.py::rpp_evaluate, averaged over all non-identity group elements):
 *
 *   mean_{g != e} ||f(rho_in(g) x) - rho_out(g) f(x)|| / ||f(x)||
 *
 * with Frobenius norms over the whole batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rep } from '../equivariance/rep.js';
import type { SignedPerm } from '../equivariance/signed-perm.js';

/** rho(g) applied to every row of x [batch, dim] (no gradient needed). */
export function applyToRows(g: SignedPerm, x: tf.Tensor2D): tf.Tensor2D {
  if (x.shape[1] !== g.size) throw new Error(`applyToRows: rows have ${x.shape[1]} entries, the group element acts on ${g.size}.`);
  return tf.tidy(() => tf.mul(tf.gather(x, tf.tensor1d(g.perm, 'int32'), 1), tf.tensor1d(g.sign)) as tf.Tensor2D);
}

export function relativeEquivarianceError(f: (x: tf.Tensor2D) => tf.Tensor2D, repIn: Rep, repOut: Rep, x: tf.Tensor2D): number {
  if (!repIn.group.equals(repOut.group)) throw new Error(`relativeEquivarianceError: reps of different groups (${repIn.group.name}, ${repOut.group.name}).`);
  if (x.rank !== 2 || x.shape[1] !== repIn.dim) throw new Error(`relativeEquivarianceError: x has shape [${x.shape}], expected [batch, ${repIn.dim}].`);
  const n = repIn.group.order;
  if (n === 1) return 0;
  const ratios = tf.tidy(() => {
    const fx = f(x);
    if (fx.rank !== 2 || fx.shape[1] !== repOut.dim) throw new Error(`relativeEquivarianceError: f(x) has shape [${fx.shape}], expected [batch, ${repOut.dim}].`);
    const denom = tf.norm(fx);
    const out: tf.Scalar[] = [];
    for (let k = 1; k < n; k++) {
      const lhs = f(applyToRows(repIn.element(k), x));
      const rhs = applyToRows(repOut.element(k), fx);
      out.push(tf.div(tf.norm(tf.sub(lhs, rhs)), denom) as tf.Scalar);
    }
    return tf.stack(out);
  });
  const vals = ratios.dataSync();
  ratios.dispose();
  let s = 0;
  for (const v of vals) s += v;
  return s / vals.length;
}
