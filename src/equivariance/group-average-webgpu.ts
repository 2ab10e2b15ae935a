/**
 * The group-averaging projection P(W) = 1/|G| sum_g rho_in(g) W rho_out(g)^T as one
 * WebGPU program: the webgpu backend's counterpart of the host kernel in
 * group-average-kernel.ts, used by projector.ts.
 *
 * Why: as tf ops (projector.ts's averageOps) a Z2 average of a 256x256 hidden weight
 * is slices and concats for the rotated axes, a sign multiply, an add and a scale,
 * about ten dispatches, and each RPP layer runs it on its weight and bias in the
 * forward pass and again on both gradients. Here each is one dispatch.
 *
 * One invocation per entry k = i * out + j of W [in, out] (or of a bias [out], nIn = 1):
 *
 *   P(W)[i, j] = 1/|G| (W[i, j] + sum_{g != e} sIn_g[i] sOut_g[j] W[pIn_g[i], pOut_g[j]])
 *
 * summed in the host kernel's order (identity first, then the elements in turn, the
 * scale last), so the two agree to rounding. The permutations and signs are read from
 * the tables' per-axis arrays (GroupAverageTables.axes), uploaded once per projector
 * as a small tensor and bound like any input: every projector shares one pipeline.
 */
import * as tf from '@tensorflow/tfjs';
import { flatLayout, registerWebgpuKernel, runProgram, runWebgpuKernel, type WebgpuProgram } from '../kernels/webgpu-kernel.js';
import type { GroupAverageTables } from './group-average-kernel.js';

export const GROUP_AVERAGE_WEBGPU = 'RppGroupAverageWebgpu';

/** The tables' sizes, what the program needs besides its two inputs. */
interface GroupAverageAttrs {
  nIn: number;
  nOut: number;
  /** Non-identity elements (|G| - 1). */
  elements: number;
}

function groupAverageProgram(n: number): WebgpuProgram {
  return {
    variableNames: ['w', 'axes'],
    uniforms: 'nIn : i32, nOut : i32, elements : i32, scale : f32,',
    shaderKey: 'rpp_group_average',
    ...flatLayout(n),
    getUserCode: () => `
      fn main(k : i32) {
        if (k < uniforms.size) {
          let nIn = uniforms.nIn;
          let nOut = uniforms.nOut;
          let i = k / nOut;
          let j = k - i * nOut;
          let stride = 2 * (nIn + nOut);
          var acc = w[k];
          for (var e = 0; e < uniforms.elements; e = e + 1) {
            let base = e * stride;
            let src = i32(axes[base + i]) * nOut + i32(axes[base + nIn + j]);
            let s = axes[base + nIn + nOut + i] * axes[base + 2 * nIn + nOut + j];
            acc = acc + s * w[src];
          }
          setOutputAtIndex(k, acc * uniforms.scale);
        }
      }`,
  };
}

/** Inputs: w (nIn * nOut entries, any shape), axes (GroupAverageTables.axes). Output: P(w), w's shape. */
registerWebgpuKernel<GroupAverageAttrs>({
  name: GROUP_AVERAGE_WEBGPU,
  run: ([w, axes], a, backend) => {
    const n = w.shape.reduce((p, d) => p * d, 1);
    if (n !== a.nIn * a.nOut || w.shape[w.shape.length - 1] !== a.nOut) throw new Error(`${GROUP_AVERAGE_WEBGPU}: expected a [${a.nIn}, ${a.nOut}] input, got [${w.shape}].`);
    const uniforms = [
      { type: 'int32' as const, data: [a.nIn] },
      { type: 'int32' as const, data: [a.nOut] },
      { type: 'int32' as const, data: [a.elements] },
      { type: 'float32' as const, data: [1 / (a.elements + 1)] },
    ];
    return [runProgram(backend, groupAverageProgram(n), [w, axes], uniforms, w.shape)];
  },
});

/** The tables' axes as a tensor on the active backend, made on first use there (freed by releaseWebgpuTables). */
const uploaded = new WeakMap<GroupAverageTables, { backend: object; axes: tf.Tensor1D }>();

function axesTensor(t: GroupAverageTables): tf.Tensor1D {
  const backend = tf.backend();
  const u = uploaded.get(t);
  if (u !== undefined && u.backend === backend) return u.axes;
  releaseWebgpuTables(t);
  const axes = tf.keep(tf.tensor1d(t.axes));
  uploaded.set(t, { backend, axes });
  return axes;
}

/** Dispose the tables' tensor (when their projector is disposed). */
export function releaseWebgpuTables(t: GroupAverageTables): void {
  uploaded.get(t)?.axes.dispose();
  uploaded.delete(t);
}

/** P(w) for w of nIn * nOut entries (a weight [in, out] or a bias [out]): one dispatch, w's shape. */
export function groupAverageWebgpu<T extends tf.Tensor>(t: GroupAverageTables, w: T): T {
  if (t.order === 1) return tf.clone(w);
  return runWebgpuKernel<GroupAverageAttrs>(GROUP_AVERAGE_WEBGPU, [w, axesTensor(t)], { nIn: t.nIn, nOut: t.nOut, elements: t.order - 1 })[0] as T;
}
