/**
 * SAC's Bellman target, critic loss and actor loss as host kernels (one kernel
 * forward, one backward each), used by losses.ts on backends with host kernels.
 *
 * Why: as tf ops these are ~35 kernels on [batch, 1] columns per update, each
 * costing more in dispatch than its 256 numbers of arithmetic. The formulas are
 * those of losses.ts; gradients as tfjs's (tf.minimum passes the gradient to its
 * first argument where a <= b, to the second where a > b).
 */
import { registerHostKernel } from '../src/kernels/host-kernel.js';

export const CRITIC_TARGET_KERNEL = 'RppCriticTarget';
export const CRITIC_LOSS_KERNEL = 'RppCriticLoss';
export const CRITIC_LOSS_GRAD_KERNEL = 'RppCriticLossGrad';
export const ACTOR_LOSS_KERNEL = 'RppActorLoss';
export const ACTOR_LOSS_GRAD_KERNEL = 'RppActorLossGrad';

const columns = (name: string, shapes: number[][], count: number): number => {
  if (shapes.length < count) throw new Error(`${name}: expected ${count} inputs, got ${shapes.length}.`);
  const n = shapes[0].reduce((a, d) => a * d, 1);
  for (let i = 1; i < count; i++) {
    if (shapes[i].reduce((a, d) => a * d, 1) !== n) throw new Error(`${name}: inputs of different sizes ${JSON.stringify(shapes)}.`);
  }
  return n;
};

/** Inputs: rewards, discount, q1Next, q2Next, nextLogProb [B, 1], alpha []. Output: y [B, 1]. */
registerHostKernel<null>({
  name: CRITIC_TARGET_KERNEL,
  outputShapes: (shapes) => {
    columns(CRITIC_TARGET_KERNEL, shapes, 5);
    return [shapes[0]];
  },
  compute: ([r, d, q1, q2, lp, alpha], [y]) => {
    const a = alpha[0];
    for (let i = 0; i < r.length; i++) y[i] = r[i] + d[i] * (Math.min(q1[i], q2[i]) - a * lp[i]);
  },
});

/** Inputs: q1, q2, y [B, 1]. Output: mean((q1 - y)^2 + (q2 - y)^2) as []. */
registerHostKernel<null>({
  name: CRITIC_LOSS_KERNEL,
  outputShapes: (shapes) => {
    columns(CRITIC_LOSS_KERNEL, shapes, 3);
    return [[]];
  },
  compute: ([q1, q2, y], [loss]) => {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += (q1[i] - y[i]) ** 2 + (q2[i] - y[i]) ** 2;
    loss[0] = s / y.length;
  },
});

/** Inputs: q1, q2, y, dLoss []. Outputs: dq1, dq2, dy (zero: the target is a constant). */
registerHostKernel<null>({
  name: CRITIC_LOSS_GRAD_KERNEL,
  outputShapes: (shapes) => [shapes[0], shapes[1], shapes[2]],
  compute: ([q1, q2, y, dLoss], [d1, d2, dy]) => {
    const c = (2 * dLoss[0]) / y.length;
    for (let i = 0; i < y.length; i++) {
      d1[i] = c * (q1[i] - y[i]);
      d2[i] = c * (q2[i] - y[i]);
    }
    dy.fill(0); // wasm outputs are not zeroed
  },
});

/** Inputs: logProb, q1, q2 [B, 1], alpha []. Output: mean(alpha logProb - min(q1, q2)) as []. */
registerHostKernel<null>({
  name: ACTOR_LOSS_KERNEL,
  outputShapes: (shapes) => {
    columns(ACTOR_LOSS_KERNEL, shapes, 3);
    return [[]];
  },
  compute: ([lp, q1, q2, alpha], [loss]) => {
    const a = alpha[0];
    let s = 0;
    for (let i = 0; i < lp.length; i++) s += a * lp[i] - Math.min(q1[i], q2[i]);
    loss[0] = s / lp.length;
  },
});

/** Inputs: logProb, q1, q2, alpha, dLoss. Outputs: dLogProb, dq1, dq2, dAlpha (zero: alpha is held constant). */
registerHostKernel<null>({
  name: ACTOR_LOSS_GRAD_KERNEL,
  outputShapes: (shapes) => [shapes[0], shapes[1], shapes[2], shapes[3]],
  compute: ([lp, q1, q2, alpha, dLoss], [dlp, d1, d2, dAlpha]) => {
    dAlpha[0] = 0; // wasm outputs are not zeroed
    const c = dLoss[0] / lp.length;
    const a = alpha[0];
    for (let i = 0; i < lp.length; i++) {
      dlp[i] = c * a;
      const first = q1[i] <= q2[i];
      d1[i] = first ? -c : 0;
      d2[i] = first ? 0 : -c;
    }
  },
});
