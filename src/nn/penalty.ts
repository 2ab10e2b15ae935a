/**
 * The RPP prior as L2 penalties (actor.py::get_l2 in the paper's code):
 * equivWd * sum(equiv^2) + basicWd * sum(basic^2), no 1/2 factor.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamGroups } from './network.js';

function sumSquares(vs: readonly tf.Variable[]): tf.Scalar {
  if (vs.length === 0) return tf.scalar(0);
  return tf.addN(vs.map((v) => tf.sum(tf.square(v)))) as tf.Scalar;
}

export function l2Penalty(groups: ParamGroups, equivWd: number, basicWd: number): tf.Scalar {
  if (!Number.isFinite(equivWd) || !Number.isFinite(basicWd) || equivWd < 0 || basicWd < 0) {
    throw new Error(`penalty: equivWd and basicWd must be finite and >= 0, got ${equivWd}, ${basicWd}.`);
  }
  return tf.tidy(() => {
    const terms: tf.Scalar[] = [];
    if (equivWd !== 0 && groups.equiv.length > 0) terms.push(tf.mul(equivWd, sumSquares(groups.equiv)));
    if (basicWd !== 0 && groups.basic.length > 0) terms.push(tf.mul(basicWd, sumSquares(groups.basic)));
    if (terms.length === 0) return tf.scalar(0);
    return (terms.length === 1 ? terms[0] : tf.add(terms[0], terms[1])) as tf.Scalar;
  });
}
