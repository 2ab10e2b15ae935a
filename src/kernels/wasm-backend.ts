/**
 * The parts of the tfjs wasm backend (and of tfjs tensor records) that the
 * kernels in this folder use. tfjs does not export these types; they are
 * written down once here, narrowly.
 */

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
