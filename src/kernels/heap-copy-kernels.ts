/**
 * Slice, SplitV and Concat for float32 tensors on the wasm backend as block
 * copies inside the wasm heap (TypedArray.copyWithin), wrapping the built-in
 * kernels, which handle every other case.
 *
 * Why: the built-in wasm Slice first reads its whole input out of the heap
 * (readSync, a full copy) and Concat does the same for each input, so a
 * [256, 23] split or concat (the critic's (obs, action) input and its gradient)
 * measured 0.1-0.3 ms; as contiguous row copies it is a few microseconds.
 */
import * as tf from '@tensorflow/tfjs';
import { heapOffset, type TensorInfoLike, type WasmBackendInternals } from './wasm-backend.js';

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** out = x[begin : begin + size] (float32, any rank), row by row of the last axis. */
function sliceInto(b: WasmBackendInternals, x: TensorInfoLike, begin: number[], size: number[]): TensorInfoLike {
  const out = b.makeOutput(size, 'float32');
  const heap = b.wasm.HEAPF32; // after makeOutput: an allocation can replace the heap view
  const src = heapOffset(x, b) >> 2;
  const dst = heapOffset(out, b) >> 2;
  const rank = x.shape.length;
  const strides = x.shape.map((_, i) => prod(x.shape.slice(i + 1)));
  const run = size[rank - 1];
  const rows = prod(size.slice(0, rank - 1));
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let r = 0; r < rows; r++) {
    let off = begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) off += (begin[d] + idx[d]) * strides[d];
    heap.copyWithin(dst + r * run, src + off, src + off + run);
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

let installed = false;

/** Wrap the wasm Slice, SplitV and Concat kernels (idempotent; after the wasm backend is ready). */
export function useHeapCopyKernels(): void {
  if (installed) return;
  const wrap = (name: string, fast: (args: { inputs: Record<string, TensorInfoLike>; attrs: Record<string, unknown>; backend: WasmBackendInternals }) => unknown | null): void => {
    const original = tf.getKernel(name, 'wasm');
    if (original === undefined) return;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: ((args: Parameters<typeof fast>[0]) => fast(args) ?? (original.kernelFunc as unknown as (a: typeof args) => unknown)(args)) as unknown as tf.KernelFunc,
    });
  };

  wrap('Slice', ({ inputs: { x }, attrs, backend }) => {
    if (x.dtype !== 'float32' || x.shape.length === 0) return null;
    const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.TensorInfo, attrs.begin as number[], attrs.size as number[]);
    return sliceInto(backend, x, begin, size);
  });

  wrap('SplitV', ({ inputs: { x }, attrs, backend }) => {
    if (x.dtype !== 'float32' || x.shape.length === 0) return null;
    const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, attrs.numOrSizeSplits as number[], axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const out = sliceInto(backend, x, [...begin], size);
      begin[axis] += s;
      return out;
    });
  });

  wrap('Concat', ({ inputs, attrs, backend }) => {
    const list = Object.keys(inputs)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => inputs[k]);
    if (list.length < 2 || list.some((t) => t.dtype !== 'float32' || t.shape.length === 0)) return null;
    const axis = tf.util.parseAxisParam(attrs.axis as number, list[0].shape)[0];
    const outShape = tf.backend_util.computeOutShape(list.map((t) => t.shape), axis);
    const out = backend.makeOutput(outShape, 'float32');
    const heap = backend.wasm.HEAPF32;
    const dst = heapOffset(out, backend) >> 2;
    const outer = prod(outShape.slice(0, axis));
    const outInner = prod(outShape.slice(axis));
    let col = 0;
    for (const t of list) {
      const inner = prod(t.shape.slice(axis));
      const src = heapOffset(t, backend) >> 2;
      for (let o = 0; o < outer; o++) heap.copyWithin(dst + o * outInner + col, src + o * inner, src + (o + 1) * inner);
      col += inner;
    }
    return out;
  });
  installed = true;
}
