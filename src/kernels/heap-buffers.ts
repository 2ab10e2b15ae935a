/**
 * Buffers in the wasm backend's heap that are not tensors: malloc'ed once by their owner
 * (the tensor-free update) and freed together. Offsets stay valid when the heap grows;
 * typed-array views do not, so views are taken right before use.
 */
import * as tf from '@tensorflow/tfjs';
import type { HeapArray } from './host-kernel.js';
import { nativeKernels } from './native-kernels.js';
import { heapOffset, type WasmBackendInternals } from './wasm-backend.js';

export class HeapBuffers {
  readonly #backend: WasmBackendInternals;
  readonly #ptrs: number[] = [];

  constructor() {
    if (tf.getBackend() !== 'wasm') throw new Error(`HeapBuffers: needs the wasm backend, the active one is '${tf.getBackend()}'.`);
    this.#backend = tf.backend() as unknown as WasmBackendInternals;
  }

  /** A buffer of `size` float32 entries (uninitialised). */
  alloc(size: number): HeapArray {
    const ptr = this.#backend.wasm._malloc(Math.max(4 * size, 16));
    if (ptr === 0) throw new Error(`HeapBuffers: out of wasm memory allocating ${4 * size} bytes.`);
    this.#ptrs.push(ptr);
    return { ptr, size };
  }

  /** Copy values into h. */
  write(h: HeapArray, values: Float32Array): void {
    if (values.length !== h.size) throw new Error(`HeapBuffers.write: ${values.length} values for a buffer of ${h.size}.`);
    heapView(h).set(values);
  }

  dispose(): void {
    for (const p of this.#ptrs) this.#backend.wasm._free(p);
    this.#ptrs.length = 0;
  }
}

/** A float32 view of h in the active wasm backend's heap (valid until the next allocation anywhere in the heap). */
export function heapView(h: HeapArray): Float32Array {
  return new Float32Array((tf.backend() as unknown as WasmBackendInternals).wasm.HEAPF32.buffer, h.ptr, h.size);
}

/** A tensor's buffer as a HeapArray (wasm backend). */
export function heapArrayOf(t: tf.Tensor): HeapArray {
  return { ptr: heapOffset(t), size: t.size };
}

/**
 * A new, uninitialised float32 tensor of this shape, with its heap buffer: for kernels that
 * write a variable's next value, which the variable then takes by assign() (a fresh buffer,
 * as every tfjs op gives: caches keyed by a tensor's data see the change), or a cached
 * record's tensors. The caller disposes (or keeps) the tensor.
 */
export function freshTensor(shape: number[]): { tensor: tf.Tensor; heap: HeapArray } {
  const backend = tf.backend() as unknown as WasmBackendInternals;
  const info = backend.makeOutput(shape, 'float32');
  const tensor = tf.engine().makeTensorFromTensorInfo(info as unknown as Parameters<ReturnType<typeof tf.engine>['makeTensorFromTensorInfo']>[0]);
  return { tensor, heap: { ptr: heapOffset(tensor, backend), size: tensor.size } };
}

/** out = a op b entry by entry on heap (float32, exactly rounded: tf.add's or tf.mul's bits). out may be a or b. */
export function elementwise(kind: 'add' | 'mul', a: HeapArray, b: HeapArray, out: HeapArray): void {
  const nk = nativeKernels();
  if (nk === null) throw new Error(`elementwise: needs the wasm backend, the active one is '${tf.getBackend()}'.`);
  const [vec, one] = kind === 'add' ? [nk.add4, nk.add] : [nk.mul4, nk.mul];
  const groups = a.size >> 2;
  vec(a.ptr, b.ptr, out.ptr, groups);
  const done = groups << 2;
  if (done < a.size) one(a.ptr + 4 * done, b.ptr + 4 * done, out.ptr + 4 * done, a.size - done);
}

/**
 * Row r of m [rows, cols] times col[r], in place (float32 products: the bits of tf.mul(m, c)
 * for a column c [rows, 1]). m: its heap buffer.
 */
export function scaleRows(m: HeapArray, col: HeapArray): void {
  const nk = nativeKernels();
  if (nk === null) throw new Error(`scaleRows: needs the wasm backend, the active one is '${tf.getBackend()}'.`);
  const cols = m.size / col.size;
  const c = heapView(col).slice();
  for (let r = 0; r < c.length; r++) nk.scale(m.ptr + 4 * r * cols, cols, c[r]);
}
