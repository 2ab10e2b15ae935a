/**
 * Buffers in the wasm backend's heap that are not tensors: malloc'ed once by their owner
 * (the tensor-free update) and freed together. Offsets stay valid when the heap grows;
 * typed-array views do not, so views are taken right before use.
 */
import * as tf from '@tensorflow/tfjs';
import type { HeapArray } from './host-kernel.js';
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

  /** A view of h (valid until the next allocation anywhere in the heap). */
  view(h: HeapArray): Float32Array {
    return new Float32Array(this.#backend.wasm.HEAPF32.buffer, h.ptr, h.size);
  }

  /** Copy values into h. */
  write(h: HeapArray, values: Float32Array): void {
    if (values.length !== h.size) throw new Error(`HeapBuffers.write: ${values.length} values for a buffer of ${h.size}.`);
    this.view(h).set(values);
  }

  dispose(): void {
    for (const p of this.#ptrs) this.#backend.wasm._free(p);
    this.#ptrs.length = 0;
  }
}

/** A tensor's buffer as a HeapArray (wasm backend). */
export function heapArrayOf(t: tf.Tensor): HeapArray {
  return { ptr: heapOffset(t), size: t.size };
}

/**
 * A new, uninitialised float32 tensor shaped like `like`, with its heap buffer: for
 * kernels that write a variable's next value, which the variable then takes by assign()
 * (a fresh buffer, as every tfjs op gives: caches keyed by a tensor's data see the change).
 * The caller disposes the tensor after the assign.
 */
export function freshTensorLike(like: tf.Tensor): { tensor: tf.Tensor; heap: HeapArray } {
  const backend = tf.backend() as unknown as WasmBackendInternals;
  const info = backend.makeOutput(like.shape, 'float32');
  const tensor = tf.engine().makeTensorFromTensorInfo(info as unknown as Parameters<ReturnType<typeof tf.engine>['makeTensorFromTensorInfo']>[0]);
  return { tensor, heap: { ptr: heapOffset(tensor, backend), size: tensor.size } };
}
