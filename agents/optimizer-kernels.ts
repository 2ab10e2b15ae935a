/**
 * The optimizer's elementwise work as host kernels (see src/kernels/host-kernel.ts):
 * one Adam step over all of an optimizer's variables, and one Polyak average over
 * all target variables, each a single kernel call instead of ~40 small tf ops.
 *
 * Why: on wasm an Adam step over the critics' 144k parameters measured ~2.5 ms as
 * tf ops (a concat, a dozen full-length elementwise kernels, and per-variable
 * slices that each copy the whole input), and Polyak ~1 ms as 36 kernels; the
 * arithmetic is a few hundred thousand flops. The formulas are exactly those of
 * the tf-op paths in adam.ts and losses.ts, which backends without host kernels
 * (tfjs-node) keep using.
 */
import { registerHostKernel, type HeapArray } from '../src/kernels/host-kernel.js';
import type { NativeKernels } from '../src/kernels/native-kernels.js';

export const ADAM_KERNEL = 'RppAdamStep';
export const POLYAK_KERNEL = 'RppPolyak';

export interface AdamKernelSpec {
  /** Entries per variable, in order. */
  sizes: number[];
  /** L2 coefficient c per variable (gradient term 2 c w), or null for none. */
  l2: number[] | null;
  beta1: number;
  beta2: number;
  /** lr / (1 - beta1^t) * sqrt(1 - beta2^t) */
  stepScale: number;
  /** eps * sqrt(1 - beta2^t) */
  epsScale: number;
  clipNorm: number | null;
}

/**
 * Inputs: m, v (flat, all variables), then the k gradients, then the k variables.
 * Outputs: new m, new v, then the k new variables.
 */
registerHostKernel<AdamKernelSpec>({
  name: ADAM_KERNEL,
  outputShapes: (shapes, spec) => {
    const k = spec.sizes.length;
    if (shapes.length !== 2 + 2 * k) throw new Error(`${ADAM_KERNEL}: expected ${2 + 2 * k} inputs (m, v, ${k} gradients, ${k} variables), got ${shapes.length}.`);
    const total = spec.sizes.reduce((a, b) => a + b, 0);
    const size = (s: number[]): number => s.reduce((a, d) => a * d, 1);
    if (size(shapes[0]) !== total || size(shapes[1]) !== total) throw new Error(`${ADAM_KERNEL}: moments must have ${total} entries.`);
    for (let i = 0; i < k; i++) {
      if (size(shapes[2 + i]) !== spec.sizes[i] || size(shapes[2 + k + i]) !== spec.sizes[i]) {
        throw new Error(`${ADAM_KERNEL}: gradient/variable ${i} must have ${spec.sizes[i]} entries, got [${shapes[2 + i]}] and [${shapes[2 + k + i]}].`);
      }
    }
    return [shapes[0], shapes[1], ...shapes.slice(2 + k)];
  },
  computeWasm: adamWasm,
  compute: (inputs, outputs, spec) => {
    const k = spec.sizes.length;
    const [m, v] = inputs;
    const [mOut, vOut] = outputs;
    const { beta1: b1, beta2: b2, stepScale, epsScale } = spec;
    const twoC = (i: number): number => (spec.l2 === null ? 0 : 2 * spec.l2[i]);
    // Global-norm clip of the penalised gradient, as clipByGlobalNorm: scale = clip / max(norm + 1e-6, clip).
    let scale = 1;
    if (spec.clipNorm !== null) {
      let ss = 0;
      for (let i = 0; i < k; i++) {
        const g = inputs[2 + i];
        const p = inputs[2 + k + i];
        const c = twoC(i);
        for (let j = 0; j < g.length; j++) {
          const gj = g[j] + c * p[j];
          ss += gj * gj;
        }
      }
      scale = spec.clipNorm / Math.max(Math.sqrt(ss) + 1e-6, spec.clipNorm);
    }
    let off = 0;
    for (let i = 0; i < k; i++) {
      const g = inputs[2 + i];
      const p = inputs[2 + k + i];
      const pOut = outputs[2 + i];
      const c = twoC(i);
      for (let j = 0; j < g.length; j++) {
        const gj = (g[j] + c * p[j]) * scale;
        const mj = b1 * m[off + j] + (1 - b1) * gj;
        const vj = b2 * v[off + j] + (1 - b2) * gj * gj;
        mOut[off + j] = mj;
        vOut[off + j] = vj;
        pOut[j] = p[j] - (mj * stepScale) / (Math.sqrt(vj) + epsScale);
      }
      off += g.length;
    }
  },
});

/** The Adam step on wasm: SIMD over 4-entry groups, scalar for each variable's remainder. */
function adamWasm(inputs: HeapArray[], outputs: HeapArray[], spec: AdamKernelSpec, k: NativeKernels): void {
  const n = spec.sizes.length;
  const [m, v] = inputs;
  const [mOut, vOut] = outputs;
  let scale = 1;
  if (spec.clipNorm !== null) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += k.sumsq(inputs[2 + i].ptr, inputs[2 + n + i].ptr, spec.sizes[i], spec.l2 === null ? 0 : 2 * spec.l2[i]);
    scale = spec.clipNorm / Math.max(Math.sqrt(ss) + 1e-6, spec.clipNorm);
  }
  let off = 0;
  for (let i = 0; i < n; i++) {
    const size = spec.sizes[i];
    const c2 = spec.l2 === null ? 0 : 2 * spec.l2[i];
    const groups = size >> 2;
    const args = [spec.beta1, 1 - spec.beta1, spec.beta2, 1 - spec.beta2, spec.stepScale, spec.epsScale, c2, scale] as const;
    const at = (h: HeapArray, entries: number): number => h.ptr + 4 * entries;
    k.adam4(inputs[2 + n + i].ptr, inputs[2 + i].ptr, at(m, off), at(v, off), outputs[2 + i].ptr, at(mOut, off), at(vOut, off), groups, ...args);
    const done = groups << 2;
    if (done < size) {
      k.adam(at(inputs[2 + n + i], done), at(inputs[2 + i], done), at(m, off + done), at(v, off + done), at(outputs[2 + i], done), at(mOut, off + done), at(vOut, off + done), size - done, ...args);
    }
    off += size;
  }
}

export interface PolyakKernelSpec {
  tau: number;
  /** Number of target variables (inputs: k targets, then k sources). */
  count: number;
}

/** target <- target + tau * (source - target) for k variables; outputs the k new targets. */
registerHostKernel<PolyakKernelSpec>({
  name: POLYAK_KERNEL,
  outputShapes: (shapes, spec) => {
    const k = spec.count;
    if (shapes.length !== 2 * k) throw new Error(`${POLYAK_KERNEL}: expected ${2 * k} inputs (${k} targets, ${k} sources), got ${shapes.length}.`);
    for (let i = 0; i < k; i++) {
      if (shapes[i].join(',') !== shapes[k + i].join(',')) throw new Error(`${POLYAK_KERNEL}: target ${i} [${shapes[i]}] and source [${shapes[k + i]}] differ in shape.`);
    }
    return shapes.slice(0, k);
  },
  computeWasm: (inputs, outputs, spec, kernels) => {
    const k = spec.count;
    for (let i = 0; i < k; i++) {
      const t = inputs[i];
      const s = inputs[k + i];
      const o = outputs[i];
      const groups = t.size >> 2;
      kernels.polyak4(t.ptr, s.ptr, o.ptr, groups, spec.tau);
      const done = groups << 2;
      if (done < t.size) kernels.polyak(t.ptr + 4 * done, s.ptr + 4 * done, o.ptr + 4 * done, t.size - done, spec.tau);
    }
  },
  compute: (inputs, outputs, spec) => {
    const { tau, count: k } = spec;
    for (let i = 0; i < k; i++) {
      const t = inputs[i];
      const s = inputs[k + i];
      const o = outputs[i];
      for (let j = 0; j < t.length; j++) o[j] = t[j] + tau * (s[j] - t[j]);
    }
  },
});
