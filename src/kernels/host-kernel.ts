/**
 * Kernels written in TypeScript that run on the host arrays of the wasm and cpu
 * backends, for fused operations tfjs has no single kernel for.
 *
 * Why: on wasm every kernel call costs dispatch and allocation time, and some
 * kernels copy far more than they compute (Slice reads its whole input through
 * readSync, a full copy, before slicing). A group average over a 256x256 weight
 * took 6 kernels and ~0.6 ms as slices, concats and adds; as one loop over the
 * heap it is one allocation and one pass. Each host kernel is an ordinary tfjs
 * kernel (tf.registerKernel), so the engine tracks its outputs as usual.
 *
 * A host kernel reads float32 inputs and writes freshly allocated float32 outputs,
 * never an input in place. Backends without it (tfjs-node, webgl) keep the
 * composite tf-op path its callers provide; hasHostKernel() tells which applies.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeKernels, type NativeKernels } from './native-kernels.js';
import { heapOffset, type TensorInfoLike, type WasmBackendInternals } from './wasm-backend.js';
import { freshTensor, heapView } from './heap-buffers.js';

/** The two backends whose tensors live in host memory this process can address. */
const HOST_BACKENDS = ['wasm', 'cpu'] as const;

export interface HostKernelSpec<A> {
  /** Kernel name, unique in the tfjs registry (e.g. 'RppGroupAverage'). */
  name: string;
  /** Output shapes from the input shapes and attributes. */
  outputShapes(inputShapes: number[][], attrs: A): number[][];
  /** Fill every entry of the outputs (fresh buffers; on wasm not zeroed) from inputs. Must not write to inputs. */
  compute(inputs: Float32Array[], outputs: Float32Array[], attrs: A): void;
  /**
   * The same on the wasm backend with native kernels (native-kernels.ts), given
   * the byte offsets of the input and output buffers and their sizes (entries).
   * Preferred over compute() there when present.
   */
  computeWasm?(inputs: HeapArray[], outputs: HeapArray[], attrs: A, kernels: NativeKernels): void;
}

/** A tensor buffer in the wasm heap: byte offset and number of f32 entries. */
export interface HeapArray {
  ptr: number;
  size: number;
}

interface CpuBackendLike {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfoLike;
}

function inputList(inputs: Record<string, TensorInfoLike>, name: string): TensorInfoLike[] {
  const list: TensorInfoLike[] = [];
  for (let i = 0; inputs[`x${i}`] !== undefined; i++) list.push(inputs[`x${i}`]);
  for (const t of list) if (t.dtype !== 'float32') throw new Error(`${name}: inputs must be float32, got ${t.dtype}.`);
  return list;
}

/** Every registered spec by name, for runOnHeap. */
const specs = new Map<string, HostKernelSpec<unknown>>();

/** Register spec on the wasm and cpu backends (once; later calls are no-ops). */
export function registerHostKernel<A>(spec: HostKernelSpec<A>): void {
  known.clear();
  if (!specs.has(spec.name)) specs.set(spec.name, spec as HostKernelSpec<unknown>);
  for (const backendName of HOST_BACKENDS) {
    if (tf.getKernel(spec.name, backendName) !== undefined) continue;
    tf.registerKernel({
      kernelName: spec.name,
      backendName,
      kernelFunc: (({ inputs, attrs, backend }: { inputs: Record<string, TensorInfoLike>; attrs: unknown; backend: unknown }) => {
        const ins = inputList(inputs, spec.name);
        const a = (attrs as { spec: A }).spec;
        const shapes = spec.outputShapes(
          ins.map((t) => t.shape),
          a,
        );
        if (backendName === 'wasm') {
          const b = backend as WasmBackendInternals;
          // Allocate every output before taking any heap view: an allocation can grow
          // (and so detach) the wasm heap.
          const outs = shapes.map((s) => b.makeOutput(s, 'float32'));
          const kernels = spec.computeWasm !== undefined ? nativeKernels() : null;
          if (kernels !== null) {
            const heap = (t: TensorInfoLike): HeapArray => ({ ptr: heapOffset(t, b), size: t.shape.reduce((p, d) => p * d, 1) });
            spec.computeWasm!(ins.map(heap), outs.map(heap), a, kernels);
            return outs.length === 1 ? outs[0] : outs;
          }
          spec.compute(
            ins.map((t) => b.typedArrayFromHeap(t)),
            outs.map((t) => b.typedArrayFromHeap(t)),
            a,
          );
          return outs.length === 1 ? outs[0] : outs;
        }
        const b = backend as CpuBackendLike;
        const vals = shapes.map((s) => new Float32Array(s.reduce((p, d) => p * d, 1)));
        spec.compute(
          ins.map((t) => b.data.get(t.dataId).values),
          vals,
          a,
        );
        const outs = vals.map((v, i) => b.makeTensorInfo(shapes[i], 'float32', v));
        return outs.length === 1 ? outs[0] : outs;
      }) as unknown as tf.KernelFunc,
    });
  }
}

let enabled = true;

/**
 * Switch host kernels off (or on again) process-wide: callers then take their
 * tf-op paths. For A/B benchmarks and for testing those paths on wasm.
 */
export function useHostKernels(on: boolean): void {
  enabled = on;
}

/** Registry answers by backend and kernel name (asked on every layer call; tf.getKernel builds a key string each time). */
const known = new Map<string, boolean>();

/** Whether the active backend runs the host kernel `name` (and host kernels are on). */
export function hasHostKernel(name: string): boolean {
  if (!enabled) return false;
  const backend = tf.getBackend();
  const key = `${backend}/${name}`;
  let has = known.get(key);
  if (has === undefined) {
    has = tf.getKernel(name, backend) !== undefined;
    known.set(key, has);
  }
  return has;
}

/**
 * Run a registered host kernel on tensors. Outputs are tracked by the engine like
 * any op's (dispose them, or call inside tf.tidy). No gradient is registered:
 * callers differentiate through tf.customGrad where they need one.
 */
export function runHostKernel<A>(name: string, inputs: readonly tf.Tensor[], spec: A): tf.Tensor[] {
  const map: Record<string, tf.Tensor> = {};
  inputs.forEach((t, i) => {
    map[`x${i}`] = t;
  });
  const out = tf.engine().runKernel(name, map, { spec } as unknown as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/**
 * Run host kernel `name` on buffers of the wasm heap the caller owns (no tensors, no
 * dispatch): what the registered kernel does on the wasm backend, the same arithmetic
 * in the same order. For the tensor-free update (agents/sac-heap-update.ts). `outputs`
 * are the kernel's outputs in its order, sized as outputShapes would give them, and, as
 * for the tensor kernel, not overlapping any input. Wasm backend only.
 */
export function runOnHeap<A>(name: string, inputs: HeapArray[], outputs: HeapArray[], attrs: A): void {
  const spec = specs.get(name) as HostKernelSpec<A> | undefined;
  if (spec === undefined) throw new Error(`runOnHeap: no host kernel '${name}' is registered (import its module first).`);
  const kernels = nativeKernels();
  if (kernels === null) throw new Error(`runOnHeap(${name}): needs the wasm backend, the active one is '${tf.getBackend()}'.`);
  if (spec.computeWasm !== undefined) {
    spec.computeWasm(inputs, outputs, attrs, kernels);
    return;
  }
  // Views taken now: nothing allocates between here and the call.
  spec.compute(inputs.map(heapView), outputs.map(heapView), attrs);
}

/**
 * runOnHeap for a kernel whose outputs are the next values of `targets` (in order): each
 * output goes to a fresh tensor that its variable then takes by assign(), as the tensor
 * kernel's outputs are taken, so every cache keyed by a tensor's data sees the change.
 */
export function assignFromHeap<A>(name: string, inputs: HeapArray[], targets: readonly tf.Variable[], attrs: A): void {
  const outs = targets.map((t) => freshTensor(t.shape));
  runOnHeap(name, inputs, outs.map((o) => o.heap), attrs);
  targets.forEach((t, i) => {
    t.assign(outs[i].tensor);
    outs[i].tensor.dispose();
  });
}
