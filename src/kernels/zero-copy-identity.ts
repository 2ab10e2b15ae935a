/**
 * An Identity kernel for the wasm backend that shares its input's buffer.
 *
 * Why: tfjs clones every tensor a gradient function saves (engine.clone ->
 * Identity), and the wasm Identity copies the data; a [256, 256] activation
 * copy costs ~0.05-0.1 ms, and a SAC update saves dozens of them. Sharing is
 * safe because tfjs tensors are immutable: a tf.Variable's assign() rebinds it to
 * the new value's buffer rather than writing into the old one, and no kernel
 * writes into its inputs. Reference counting (incRef, as wasm's own Reshape
 * does) frees the buffer when the last tensor on it is disposed. The cpu backend's
 * Identity already works this way.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfoLike, WasmBackendInternals } from './wasm-backend.js';

let installed = false;

/** Replace the wasm backend's Identity (idempotent). */
export function useZeroCopyIdentity(): void {
  if (installed) return;
  if (tf.getKernel('Identity', 'wasm') !== undefined) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend }: { inputs: { x: TensorInfoLike }; backend: WasmBackendInternals }) => {
      const { x } = inputs;
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    }) as unknown as tf.KernelFunc,
  });
  installed = true;
}
