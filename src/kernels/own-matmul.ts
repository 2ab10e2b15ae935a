/**
 * Our matmul kernels (matmul-kernels.ts) as one tfjs kernel on the wasm backend,
 * 'RppMatMul', and the switch that says whether dense layers use it.
 *
 * On wasm, by default, a dense layer's forward act(x W + b), its input gradient
 * dz W^T and its weight and bias gradients x^T dz, sum(dz) each run as one call
 * of this kernel, with no transpose and no tensor allocated besides the outputs (the
 * right operand's panels are copied into one reused heap scratch buffer, see
 * matmul-kernels.ts). XNNPACK (tf.matMul,
 * _FusedMatMul with explicit transposes) stays as the reference path: on other
 * backends, with RPP_SAC_MATMUL=xnnpack, or after useOwnMatmul('off').
 *
 * The multiply-add flavour is chosen once per process: relaxed_madd when the
 * runtime validates it (Node >= 22, or Node 20 with --experimental-wasm-relaxed-simd;
 * asking for 'fma' explicitly on Node 20-21 sets that flag, see enableRelaxedSimd),
 * else mul + add. matmulPath() says which ran (run records store it in meta.json).
 */
import * as tf from '@tensorflow/tfjs';
import { enableRelaxedSimd, matmulKernels, probeFma, relaxedSimdAvailable, type MatmulForm, type MatmulKernels } from './matmul-kernels.js';
import { heapOffset, type TensorInfoLike, type WasmBackendInternals } from './wasm-backend.js';
import { heapView } from './heap-buffers.js';

export const MATMUL_KERNEL = 'RppMatMul';

/** 'auto': our kernels with relaxed_madd where validated, else mul + add; 'fma' / 'mul-add' force one; 'off': XNNPACK. */
export type OwnMatmulMode = 'auto' | 'fma' | 'mul-add' | 'off';

interface Attrs {
  form: MatmulForm;
  relu: boolean;
  /** tn only: a second output, the column sums of b. */
  colSum: boolean;
  /** nt only: the first skipCols columns of the output are not computed but zero (see ownMatMulNTFrom). */
  skipCols?: number;
}

function modeFromEnv(): OwnMatmulMode {
  const v = ((typeof process === 'undefined' ? undefined : process.env.RPP_SAC_MATMUL) ?? 'auto').trim().toLowerCase();
  if (v === 'xnnpack' || v === 'off') return 'off';
  if (v === 'fma' && !enableRelaxedSimd()) throw new Error(`RPP_SAC_MATMUL=fma: this runtime (Node ${process.versions.node}) does not validate relaxed SIMD even with --experimental-wasm-relaxed-simd; use auto or mul-add.`);
  if (v === 'auto' || v === 'fma' || v === 'mul-add') return v;
  throw new Error(`RPP_SAC_MATMUL='${v}': use auto, fma, mul-add or xnnpack.`);
}

let mode: OwnMatmulMode | undefined;

/** Choose the matmul path process-wide (tests and benchmarks compare paths this way). */
export function useOwnMatmul(m: OwnMatmulMode): void {
  if (m === 'fma' && !enableRelaxedSimd()) throw new Error("useOwnMatmul('fma'): this runtime does not validate relaxed SIMD, even with --experimental-wasm-relaxed-simd; use 'auto' or 'mul-add'.");
  mode = m;
}

function currentMode(): OwnMatmulMode {
  mode ??= modeFromEnv();
  return mode;
}

/** The mode in force (from useOwnMatmul, else RPP_SAC_MATMUL, else 'auto'). */
export function ownMatmulMode(): OwnMatmulMode {
  return currentMode();
}

function wantFma(): boolean {
  const m = currentMode();
  return m === 'fma' || (m === 'auto' && relaxedSimdAvailable());
}

/** One scratch buffer in the wasm heap (malloc'ed, grown as needed; never a tensor). */
let scratch: { memory: object; ptr: number; bytes: number } | null = null;

function scratchFor(backend: WasmBackendInternals, bytes: number): number {
  const memory = backend.wasm.asm.memory;
  if (scratch === null || scratch.memory !== memory || scratch.bytes < bytes) {
    if (scratch !== null && scratch.memory === memory) backend.wasm._free(scratch.ptr);
    const size = Math.max(bytes, 64 * 1024);
    scratch = { memory, ptr: backend.wasm._malloc(size), bytes: size };
  }
  return scratch.ptr;
}

const compiled = new Map<string, { memory: object; kernels: MatmulKernels }>();

function kernelsFor(backend: WasmBackendInternals): MatmulKernels {
  const fma = wantFma();
  const key = fma ? 'fma' : 'mul-add';
  const memory = backend.wasm.asm.memory;
  let c = compiled.get(key);
  if (c === undefined || c.memory !== memory) {
    c = { memory, kernels: matmulKernels(memory, fma, (bytes) => scratchFor(backend, bytes)) };
    compiled.set(key, c);
  }
  return c.kernels;
}

/**
 * The kernels RppMatMul calls, bound to the active wasm backend's heap: for callers that
 * own their buffers (the tensor-free update). Only while hasOwnMatmul().
 */
export function ownMatmulKernels(): MatmulKernels {
  if (!hasOwnMatmul()) throw new Error(`ownMatmulKernels: our matmul kernels are not in use (backend '${tf.getBackend()}', mode '${currentMode()}').`);
  return kernelsFor(tf.backend() as unknown as WasmBackendInternals);
}

/** Whether dense layers take our kernels now (wasm backend, mode not 'off'). */
export function hasOwnMatmul(): boolean {
  return currentMode() !== 'off' && tf.getBackend() === 'wasm';
}

export interface MatmulPath {
  /** 'own' (matmul-kernels.ts), 'xnnpack' (tfjs wasm's matMul) or the tfjs backend's matMul. */
  path: 'own' | 'xnnpack' | 'backend';
  /** own only: the multiply-add instruction. */
  madd?: 'relaxed_madd' | 'mul+add';
  /** own with relaxed_madd: whether the runtime fused it (one rounding), probed. */
  fused?: boolean;
}

/** Which matmul the dense layers use on the active backend. */
export function matmulPath(): MatmulPath {
  if (tf.getBackend() !== 'wasm') return { path: 'backend' };
  if (currentMode() === 'off') return { path: 'xnnpack' };
  return wantFma() ? { path: 'own', madd: 'relaxed_madd', fused: probeFma() } : { path: 'own', madd: 'mul+add' };
}

/** A one-line description for logs and benchmark output. */
export function describeMatmulPath(p: MatmulPath = matmulPath()): string {
  if (p.path !== 'own') return p.path;
  return `own (${p.madd}${p.madd === 'relaxed_madd' ? (p.fused === true ? ', fused' : ', not fused') : ''})`;
}

function dim(t: TensorInfoLike, rank: number, what: string): number[] {
  if (t.shape.length !== rank || t.dtype !== 'float32') throw new Error(`${MATMUL_KERNEL}: ${what} must be float32 of rank ${rank}, got ${t.dtype} [${t.shape}].`);
  return t.shape;
}

if (tf.getKernel(MATMUL_KERNEL, 'wasm') === undefined) {
  tf.registerKernel({
    kernelName: MATMUL_KERNEL,
    backendName: 'wasm',
    kernelFunc: (({ inputs, attrs, backend }: { inputs: Record<string, TensorInfoLike>; attrs: Attrs; backend: WasmBackendInternals }) => {
      const { form, relu, colSum } = attrs;
      const skip = attrs.skipCols ?? 0;
      const [ar, ac] = dim(inputs.a, 2, 'a');
      const [br, bc] = dim(inputs.b, 2, 'b');
      // C [M, N] with inner size K, per form.
      const [M, K, N, kb] = form === 'nn' ? [ar, ac, bc, br] : form === 'nt' ? [ar, ac, br, bc] : [ac, ar, bc, br];
      if (K !== kb) throw new Error(`${MATMUL_KERNEL} ${form}: inner sizes differ, a [${inputs.a.shape}], b [${inputs.b.shape}].`);
      if (form === 'nn' && (inputs.bias === undefined || dim(inputs.bias, 1, 'bias')[0] !== N)) throw new Error(`${MATMUL_KERNEL} nn: needs a bias [${N}].`);
      // Allocate outputs before reading any offset: an allocation can grow the heap.
      const out = backend.makeOutput([M, N], 'float32');
      const sums = form === 'tn' && colSum ? backend.makeOutput([N], 'float32') : null;
      const k = kernelsFor(backend);
      const off = (t: TensorInfoLike): number => heapOffset(t, backend);
      if (skip > 0) {
        if (form !== 'nt' || !Number.isInteger(skip) || skip > N) throw new Error(`${MATMUL_KERNEL} ${form}: skipCols ${skip} needs form nt and 0 <= skipCols <= N = ${N}.`);
        matmulNTFrom(k, off(inputs.a), off(inputs.b), off(out), M, K, N, skip);
        return out;
      }
      k.matmul(form, off(inputs.a), off(inputs.b), off(out), M, K, N, {
        ...(form === 'nn' ? { bias: off(inputs.bias), relu } : {}),
        ...(sums !== null ? { colSum: off(sums) } : {}),
      });
      return sums === null ? out : [out, sums];
    }) as unknown as tf.KernelFunc,
  });
}

/**
 * C [M, N] = A B^T (byte offsets) with its first `skip` columns zero, not computed: B is read
 * in place from row `skip` on. The input gradient of a layer whose first `skip` input
 * columns are constants (a critic's observation part); skip 0 is the plain nt product.
 */
export function matmulNTFrom(k: MatmulKernels, a: number, b: number, c: number, M: number, K: number, N: number, skip: number): void {
  if (skip === 0) {
    k.matmul('nt', a, b, c, M, K, N);
    return;
  }
  // Zero the whole output (it may be uninitialised), then compute the other columns in place.
  heapView({ ptr: c, size: M * N }).fill(0);
  if (skip < N) k.matmul('nt', a, b + 4 * K * skip, c + 4 * skip, M, K, N - skip, { ldc: 4 * N });
}

/** act(x w + b) by our kernel (wasm only; see hasOwnMatmul). No gradient: call inside a tf.customGrad forward. */
export function ownDense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, relu: boolean): tf.Tensor2D {
  return tf.engine().runKernel(MATMUL_KERNEL, { a: x, b: w, bias: b }, { form: 'nn', relu, colSum: false } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/** a b^T by our kernel, b read in place. */
export function ownMatMulNT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.engine().runKernel(MATMUL_KERNEL, { a, b }, { form: 'nt', relu: false, colSum: false } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/**
 * a b^T with its first `skip` columns left zero, not computed: the input gradient of a layer
 * whose first `skip` input columns are constants (a critic's observation part). b is read
 * in place from row `skip` on.
 */
export function ownMatMulNTFrom(a: tf.Tensor2D, b: tf.Tensor2D, skip: number): tf.Tensor2D {
  return tf.engine().runKernel(MATMUL_KERNEL, { a, b }, { form: 'nt', relu: false, colSum: false, skipCols: skip } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/** a^T b and the column sums of b (the weight and bias gradients of a dense layer with input a and dz = b). */
export function ownWeightGrads(a: tf.Tensor2D, b: tf.Tensor2D): { dW: tf.Tensor2D; db: tf.Tensor1D } {
  const [dW, db] = tf.engine().runKernel(MATMUL_KERNEL, { a, b }, { form: 'tn', relu: false, colSum: true } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { dW: dW as tf.Tensor2D, db: db as tf.Tensor1D };
}

/** a^T b alone. */
export function ownMatMulTN(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return tf.engine().runKernel(MATMUL_KERNEL, { a, b }, { form: 'tn', relu: false, colSum: false } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}
