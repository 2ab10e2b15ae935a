/**
 * The group-averaging projection P(W) = 1/|G| sum_g rho_in(g) W rho_out(g)^T as
 * one host kernel (wasm and cpu backends): an index gather plus a signed add per
 * group element, in one pass over W stored [in, out]:
 *
 *   P(W)[i, j] = 1/|G| sum_g sIn_g[i] sOut_g[j] W[pIn_g[i], pOut_g[j]]
 *
 * (rho(g) a signed permutation, x'[i] = s_i x[p(i)]). No dense basis Q and no
 * per-element tensors: the tables are the reps' permutations and signs.
 * Measured on wasm for a 256x256 Z2 weight: one kernel instead of the six
 * (concat, slice, concat, slice, add, mul, ~0.6 ms) of the tf-op path, which
 * projector.ts keeps for backends without host kernels.
 */
import type { Rep } from './rep.js';
import * as tf from '@tensorflow/tfjs';
import { registerHostKernel, type HeapArray } from '../kernels/host-kernel.js';
import type { NativeKernels } from '../kernels/native-kernels.js';
import type { WasmBackendInternals } from '../kernels/wasm-backend.js';

export const GROUP_AVERAGE_KERNEL = 'RppGroupAverage';
/**
 * Flat gather tables of every non-identity group element: entry k of W [in, out]
 * (k = i * out + j) receives sign[k] * W.flat[index[k]]. Flat tables (4 bytes per
 * weight entry and element) because the nested row/column loop measured ~4x
 * slower in V8 than one gather loop (0.5 vs 0.13 ms for 256x256).
 */
export interface GroupAverageTables {
  nIn: number;
  nOut: number;
  order: number;
  index: Int32Array[];
  /** Per-entry signs, or null for an element that flips no sign on this map. */
  sign: Array<Float32Array | null>;
  /**
   * The same maps per axis, for the webgpu program (group-average-webgpu.ts): for each
   * non-identity element in turn [pIn (nIn) | pOut (nOut) | sIn (nIn) | sOut (nOut)],
   * indices as floats (exact below 2^24).
   */
  axes: Float32Array;
  /** Copies of index/sign in the wasm heap, made on first use there (freed by releaseHeapTables). */
  heap?: { backend: object; index: number[]; sign: Array<number | null> };
}

/** The tables' wasm-heap copies, allocated on first use on the active wasm backend. */
function heapTables(t: GroupAverageTables): NonNullable<GroupAverageTables['heap']> {
  const backend = tf.backend() as unknown as WasmBackendInternals;
  if (t.heap !== undefined && t.heap.backend === backend) return t.heap;
  const copy = (a: Int32Array | Float32Array): number => {
    const ptr = backend.wasm._malloc(a.byteLength);
    backend.wasm.HEAPU8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), ptr);
    return ptr;
  };
  t.heap = { backend, index: t.index.map(copy), sign: t.sign.map((x) => (x === null ? null : copy(x))) };
  return t.heap;
}

/** Free the wasm-heap copies of the tables (when their projector is disposed). */
export function releaseHeapTables(t: GroupAverageTables): void {
  if (t.heap === undefined) return;
  const backend = t.heap.backend as WasmBackendInternals;
  if (tf.backend() === (backend as unknown)) for (const p of [...t.heap.index, ...t.heap.sign]) if (p !== null) backend.wasm._free(p);
  t.heap = undefined;
}

/** P(w) with the native kernels: one fused pass for |G| = 2, else copy + gather-adds + scale. */
function groupAverageWasm([w]: HeapArray[], [out]: HeapArray[], t: GroupAverageTables, k: NativeKernels): void {
  const n = w.size;
  const scale = 1 / t.order;
  const h = heapTables(t);
  if (t.index.length === 1) {
    const sign = h.sign[0];
    if (sign === null) k.avg2u(w.ptr, h.index[0], out.ptr, n, scale);
    else k.avg2(w.ptr, h.index[0], sign, out.ptr, n, scale);
    return;
  }
  const heap = (tf.backend() as unknown as WasmBackendInternals).wasm.HEAPU8;
  heap.copyWithin(out.ptr, w.ptr, w.ptr + 4 * n);
  for (let e = 0; e < t.index.length; e++) {
    const sign = h.sign[e];
    if (sign === null) k.gatherAddU(w.ptr, h.index[e], out.ptr, n);
    else k.gatherAdd(w.ptr, h.index[e], sign, out.ptr, n);
  }
  if (t.order !== 1) k.scale(out.ptr, n, scale);
}

export function groupAverageTables(repIn: Rep, repOut: Rep): GroupAverageTables {
  const gIn = repIn.elements();
  const gOut = repOut.elements();
  const nIn = repIn.dim;
  const nOut = repOut.dim;
  const stride = 2 * (nIn + nOut);
  const t: GroupAverageTables = { nIn, nOut, order: gIn.length, index: [], sign: [], axes: new Float32Array((gIn.length - 1) * stride) };
  // Element 0 is the identity: the copy of W that starts the sum.
  for (let e = 1; e < gIn.length; e++) {
    const a = gIn[e];
    const b = gOut[e];
    const base = (e - 1) * stride;
    t.axes.set(a.perm, base);
    t.axes.set(b.perm, base + nIn);
    t.axes.set(a.sign, base + nIn + nOut);
    t.axes.set(b.sign, base + 2 * nIn + nOut);
    const index = new Int32Array(nIn * nOut);
    const signed = !a.isUnsigned() || !b.isUnsigned();
    const sign = signed ? new Float32Array(nIn * nOut) : null;
    for (let i = 0; i < nIn; i++) {
      for (let j = 0; j < nOut; j++) {
        index[i * nOut + j] = a.perm[i] * nOut + b.perm[j];
        if (sign !== null) sign[i * nOut + j] = a.sign[i] * b.sign[j];
      }
    }
    t.index.push(index);
    t.sign.push(sign);
  }
  return t;
}

/** out = P(w) for w flat [nIn * nOut], rounded to float32 like every backend op. */
export function groupAverageInto(t: GroupAverageTables, w: Float32Array, out: Float32Array): void {
  const n = w.length;
  const scale = 1 / t.order;
  if (t.index.length === 0) {
    out.set(w);
    return;
  }
  if (t.index.length === 1) {
    // Z2, the common case: one fused pass.
    const index = t.index[0];
    const sign = t.sign[0];
    if (sign === null) for (let k = 0; k < n; k++) out[k] = scale * (w[k] + w[index[k]]);
    else for (let k = 0; k < n; k++) out[k] = scale * (w[k] + sign[k] * w[index[k]]);
    return;
  }
  out.set(w);
  for (let e = 0; e < t.index.length; e++) {
    const index = t.index[e];
    const sign = t.sign[e];
    if (sign === null) for (let k = 0; k < n; k++) out[k] += w[index[k]];
    else for (let k = 0; k < n; k++) out[k] += sign[k] * w[index[k]];
  }
  for (let k = 0; k < n; k++) out[k] *= scale;
}

registerHostKernel<GroupAverageTables>({
  name: GROUP_AVERAGE_KERNEL,
  outputShapes: (shapes, t) => {
    if (shapes.length !== 1) throw new Error(`${GROUP_AVERAGE_KERNEL}: expected one input, got ${shapes.length}.`);
    checkShape(GROUP_AVERAGE_KERNEL, shapes[0], t);
    return [shapes[0]];
  },
  computeWasm: groupAverageWasm,
  compute: ([w], [out], t) => groupAverageInto(t, w, out),
});

function checkShape(name: string, s: number[], t: GroupAverageTables): void {
  // A weight [in, out], or a bias [out] (tables with nIn = 1): the output keeps the input's shape.
  const size = s.reduce((a, d) => a * d, 1);
  if (size !== t.nIn * t.nOut || s[s.length - 1] !== t.nOut) throw new Error(`${name}: expected a [${t.nIn}, ${t.nOut}] input, got [${s}].`);
}
