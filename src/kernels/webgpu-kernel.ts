/**
 * Fused kernels written as WebGPU programs, for the webgpu backend: its counterpart
 * of host-kernel.ts (wasm, cpu).
 *
 * Why: on webgpu every tf op is at least one GPU dispatch (plus its bind group and
 * uniform buffer), and the SAC update's losses and policy sample are dozens of ops on
 * [batch, 1] and [batch, act] tensors, each dispatch costing more than its arithmetic.
 * One program computes what a chain of elementwise ops and a reduction would.
 *
 * Conventions of the programs here (simple shaders, one pipeline per program kind):
 * - every input is bound flat (rank 1, its size), whatever its logical shape, and the
 *   output is computed flat and handed back with its logical shape (a free reshape);
 * - one invocation per output entry, 64 per workgroup (`main(index)`, flat dispatch),
 *   except reductions, which run one workgroup (see MEAN_WORKGROUP);
 * - everything baked into the WGSL is in the shaderKey (tfjs caches pipelines by it,
 *   plus input ranks and dtypes); batch sizes and constants travel as uniforms.
 * A kernel may run several programs (one per output): webgpu programs have one output.
 *
 * The tfjs-backend-webgpu package is optional and loaded late (src/backend-webgpu.ts);
 * registering a kernel for the 'webgpu' backend name does not need it.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfoLike } from './wasm-backend.js';

/** The members of tfjs-backend-webgpu's WebGPUProgram a fused program sets. */
export interface WebgpuProgram {
  variableNames: string[];
  /** WGSL struct members appended to the uniforms (e.g. 'n : i32, c : f32,'). */
  uniforms?: string;
  workgroupSize: [number, number, number];
  /** Declare uniforms.size (the output's entry count). */
  size?: boolean;
  outputShape: number[];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey: string;
  getUserCode(): string;
}

/** One program-defined uniform, in the order of WebgpuProgram.uniforms. */
export interface Uniform {
  type: 'int32' | 'float32';
  data: number[];
}

/** The webgpu backend (WebGPUBackend), the member used here. */
interface WebgpuBackendLike {
  runWebGPUProgram(program: WebgpuProgram, inputs: TensorInfoLike[], dtype: 'float32', uniforms: Uniform[]): TensorInfoLike;
}

/** Entries per workgroup of the elementwise programs. */
const WORKGROUP = 64;

/** The layout of a program with one invocation per entry of a flat [n] output. */
export function flatLayout(n: number): Pick<WebgpuProgram, 'workgroupSize' | 'size' | 'outputShape' | 'dispatchLayout' | 'dispatch'> {
  return { workgroupSize: [WORKGROUP, 1, 1], size: true, outputShape: [n], dispatchLayout: { x: [0] }, dispatch: [Math.ceil(n / WORKGROUP), 1, 1] };
}

/**
 * Invocations of a reduction program: one workgroup, each invocation summing a
 * strided share of the entries, then a tree in workgroup memory. A tree keeps the
 * float32 rounding error at O(log n) ulps where a serial sum would grow with n.
 */
export const MEAN_WORKGROUP = 64;

/** The layout of a program reducing to one number (see MEAN_WORKGROUP). */
export function reduceLayout(): Pick<WebgpuProgram, 'workgroupSize' | 'size' | 'outputShape' | 'dispatchLayout' | 'dispatch'> {
  return { workgroupSize: [MEAN_WORKGROUP, 1, 1], size: true, outputShape: [1], dispatchLayout: { x: [0] }, dispatch: [1, 1, 1] };
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

/**
 * Run `program` on the webgpu backend with every input bound flat; the output comes
 * back with `shape` (its size must be the program's output size).
 */
export function runProgram(backend: unknown, program: WebgpuProgram, inputs: readonly TensorInfoLike[], uniforms: Uniform[], shape: number[]): TensorInfoLike {
  const flat = inputs.map((t) => ({ dataId: t.dataId, dtype: t.dtype, shape: [sizeOf(t.shape)] }));
  const out = (backend as WebgpuBackendLike).runWebGPUProgram(program, flat, 'float32', uniforms);
  return { dataId: out.dataId, dtype: out.dtype, shape };
}

export interface WebgpuKernelSpec<A> {
  /** Kernel name, unique in the tfjs registry (e.g. 'RppCriticLossWebgpu'). */
  name: string;
  /** Run the kernel's program(s) on inputs x0, x1, ... (float32); one TensorInfo per output. */
  run(inputs: TensorInfoLike[], attrs: A, backend: unknown): TensorInfoLike[];
}

/** Register spec on the webgpu backend (once; later calls are no-ops). */
export function registerWebgpuKernel<A>(spec: WebgpuKernelSpec<A>): void {
  if (tf.getKernel(spec.name, 'webgpu') !== undefined) return;
  tf.registerKernel({
    kernelName: spec.name,
    backendName: 'webgpu',
    kernelFunc: (({ inputs, attrs, backend }: { inputs: Record<string, TensorInfoLike>; attrs: unknown; backend: unknown }) => {
      const list: TensorInfoLike[] = [];
      for (let i = 0; inputs[`x${i}`] !== undefined; i++) list.push(inputs[`x${i}`]);
      for (const t of list) if (t.dtype !== 'float32') throw new Error(`${spec.name}: inputs must be float32, got ${t.dtype}.`);
      const outs = spec.run(list, (attrs as { spec: A }).spec, backend);
      return outs.length === 1 ? outs[0] : outs;
    }) as unknown as tf.KernelFunc,
  });
}

let enabled = true;

/**
 * Switch the fused webgpu kernels off (or on again) process-wide: callers then take
 * their composite tf-op paths. For A/B benchmarks and for testing those paths.
 */
export function useWebgpuKernels(on: boolean): void {
  enabled = on;
}

/** Whether the active backend is webgpu and the fused kernels are on. */
export function hasWebgpuKernels(): boolean {
  return enabled && tf.getBackend() === 'webgpu';
}

/**
 * Run a registered webgpu kernel on tensors (inputs named x0, x1, ...; attrs passed as
 * { spec }, as host kernels take theirs). Outputs are tracked by the engine like any
 * op's. A gradient, where one is needed, is registered for the kernel's name.
 */
export function runWebgpuKernel<A>(name: string, inputs: readonly tf.Tensor[], spec: A): tf.Tensor[] {
  const map: Record<string, tf.Tensor> = {};
  inputs.forEach((t, i) => {
    map[`x${i}`] = t;
  });
  const out = tf.engine().runKernel(name, map, { spec } as unknown as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}
