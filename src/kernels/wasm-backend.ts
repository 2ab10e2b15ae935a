/**
 * The parts of the tfjs wasm backend (and of tfjs tensor records) that the
 * kernels in this folder use. tfjs does not export these types; they are
 * written down once here, narrowly.
 */
import * as tf from '@tensorflow/tfjs';

/** A tensor as kernels see it. */
export interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: string;
}

/** The tfjs wasm backend (BackendWasm), the members used here. */
export interface WasmBackendInternals {
  makeOutput(shape: number[], dtype: string): TensorInfoLike;
  typedArrayFromHeap(t: TensorInfoLike): Float32Array;
  incRef(dataId: object): void;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: {
    asm: { memory: object };
    HEAPU8: Uint8Array;
    HEAPF32: Float32Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
}

/** Byte offset of a tensor's buffer in the wasm heap (of `backend`, by default the active one). */
export function heapOffset(t: { dataId: object }, backend: WasmBackendInternals = tf.backend() as unknown as WasmBackendInternals): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}
