/**
 * The wasm backend's Transpose kernel, with matrix transposes (rank 2, float32)
 * done by the native kernel (native-kernels.ts) and everything else passed to the
 * original kernel.
 *
 * Why: every backward pass transposes activations for its weight gradients
 * (x^T @ dz: transposed matmuls are 10-20x slower on wasm), and a SAC update
 * does ~10 of them at 256x256; the built-in kernel measured ~0.28 ms each here,
 * the native loop ~0.18 ms.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeKernels, transposeMatrix } from './native-kernels.js';
import { heapOffset, type TensorInfoLike, type WasmBackendInternals } from './wasm-backend.js';

let installed = false;

/** Wrap the wasm Transpose kernel (idempotent; call after the wasm backend is ready). */
export function useNativeTranspose(): void {
  if (installed) return;
  const original = tf.getKernel('Transpose', 'wasm');
  if (original === undefined) return;
  tf.unregisterKernel('Transpose', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: ((args: { inputs: { x: TensorInfoLike }; attrs: { perm: number[] }; backend: WasmBackendInternals }) => {
      const { x } = args.inputs;
      const { perm } = args.attrs;
      const kernels = nativeKernels();
      if (kernels === null || x.shape.length !== 2 || x.dtype !== 'float32' || perm[0] !== 1 || perm[1] !== 0) {
        return (original.kernelFunc as unknown as (a: typeof args) => unknown)(args);
      }
      const [rows, cols] = x.shape;
      const out = args.backend.makeOutput([cols, rows], 'float32');
      transposeMatrix(kernels, heapOffset(x), heapOffset(out), rows, cols);
      return out;
    }) as unknown as tf.KernelFunc,
  });
  installed = true;
}
