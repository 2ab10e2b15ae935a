/**
 * The group-averaging (Reynolds) projector on tf tensors, used by RPP layers in
 * the forward pass (after each parameter change) and on every weight gradient:
 *
 *   P(W) = 1/|G| sum_g rho_in(g) W rho_out(g)^T       (W stored [in, out])
 *
 * built from a row permutation, a column permutation and a sign multiply, never
 * from a dense basis Q. Per axis: a rotation (hidden reps) is concat + slice, a
 * few contiguous runs slice + concat, anything else a gather; an axis of at most
 * SMALL_AXIS (128) entries is instead permuted by one matmul with its [n, n]
 * signed permutation matrix (signs included), measured ~10x cheaper than a
 * gather of a [17, 256] weight on wasm. For a cyclic group the sum over
 * h^0..h^(n-1) is factored as (sum_{k<b} T^k) prod_j (I + T^(b 2^j)) with
 * n = b 2^a, so Z2 and Z4 need one and two permute+add steps.
 *
 * On the wasm and cpu backends all of this is instead one host kernel
 * (group-average-kernel.ts: a gather and signed add per group element in one
 * pass), on webgpu one program doing the same (group-average-webgpu.ts); the
 * tf-op path above serves the other backends.
 *
 * P is self-adjoint (orthogonal reps), so its gradient is P applied to dy; a
 * tf.customGrad says so directly, which is cheaper than differentiating
 * through slices (pads) and concats.
 */
import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, runHostKernel, runOnHeap, type HeapArray } from '../kernels/host-kernel.js';
import { heapView } from '../kernels/heap-buffers.js';
import { hasWebgpuKernels } from '../kernels/webgpu-kernel.js';
import { GROUP_AVERAGE_KERNEL, groupAverageTables, releaseHeapTables, type GroupAverageTables } from './group-average-kernel.js';
import { groupAverageWebgpu, releaseWebgpuTables } from './group-average-webgpu.js';
import { AxisPermutation } from './permute-tensor.js';
import { projectBiasArray } from './project-array.js';
import { trivial, type Rep } from './rep.js';
import type { SignedPerm } from './signed-perm.js';

export interface ProjectorOptions {
  /** Large-axis permutations with at most this many contiguous runs use slice+concat, others a gather. */
  maxRuns?: number;
  /** Axes of at most this size are permuted by a signed-permutation matmul (default SMALL_AXIS). */
  smallAxis?: number;
}

/** Axes up to this size are permuted (with their signs) by a matmul with the signed permutation matrix. */
export const SMALL_AXIS = 128;

/** One axis of W -> rho_in(g) W rho_out(g)^T. */
interface AxisAction {
  /** Signed permutation matrix (rows: R [in,in] for R @ W; cols: C [out,out] for W @ C), signs included. */
  matrix: tf.Tensor2D | null;
  /** Index permutation (identity/rotate/runs/gather) when no matrix is used. */
  perm: AxisPermutation | null;
  /** Signs still to apply (when perm is used and some sign is -1). */
  sign: Float32Array | null;
}

function axisAction(g: SignedPerm, axis: 0 | 1, opts: ProjectorOptions): AxisAction {
  const n = g.size;
  const identityPerm = g.perm.every((p, i) => p === i);
  if (identityPerm) return { matrix: null, perm: null, sign: g.isUnsigned() ? null : g.sign };
  if (n <= (opts.smallAxis ?? SMALL_AXIS)) {
    // Small axes: one tiny matmul is cheaper than slices or a gather (a gather of a
    // [17, 256] matrix costs ~0.35 ms on wasm, the matmul ~0.03 ms).
    const m = new Float32Array(n * n);
    for (let i = 0; i < n; i++) {
      if (axis === 0) m[i * n + g.perm[i]] = g.sign[i]; // (R W)[i] = s_i W[p_i]
      else m[g.perm[i] * n + i] = g.sign[i]; // (W C)[:, j] = s_j W[:, p_j]
    }
    return { matrix: tf.keep(tf.tensor2d(m, [n, n])), perm: null, sign: null };
  }
  return { matrix: null, perm: new AxisPermutation(g.perm, axis, opts), sign: g.isUnsigned() ? null : g.sign };
}

/** W -> rho_in(g) W rho_out(g)^T for one group element g. */
class WeightAction {
  readonly rows: AxisAction;
  readonly cols: AxisAction;
  readonly signs: tf.Tensor | null;

  constructor(gIn: SignedPerm, gOut: SignedPerm, opts: ProjectorOptions) {
    this.rows = axisAction(gIn, 0, opts);
    this.cols = axisAction(gOut, 1, opts);
    const rs = this.rows.sign;
    const cs = this.cols.sign;
    // One multiply by a precomputed sign tensor (outer product when both sides flip).
    if (rs !== null && cs !== null) {
      const s = new Float32Array(rs.length * cs.length);
      for (let a = 0; a < rs.length; a++) for (let b = 0; b < cs.length; b++) s[a * cs.length + b] = rs[a] * cs[b];
      this.signs = tf.keep(tf.tensor2d(s, [rs.length, cs.length]));
    } else if (rs !== null) {
      this.signs = tf.keep(tf.tensor2d(rs, [rs.length, 1]));
    } else if (cs !== null) {
      this.signs = tf.keep(tf.tensor2d(cs, [1, cs.length]));
    } else {
      this.signs = null;
    }
  }

  apply(w: tf.Tensor2D): tf.Tensor2D {
    let y = w;
    if (this.rows.matrix !== null) y = tf.matMul(this.rows.matrix, y);
    else if (this.rows.perm !== null) y = this.rows.perm.apply(y);
    if (this.cols.matrix !== null) y = tf.matMul(y, this.cols.matrix);
    else if (this.cols.perm !== null) y = this.cols.perm.apply(y);
    return this.signs === null ? y : tf.mul(y, this.signs);
  }

  dispose(): void {
    for (const a of [this.rows, this.cols]) {
      a.matrix?.dispose();
      a.perm?.dispose();
    }
    this.signs?.dispose();
  }
}

/** The tf-op path of a WeightProjector (see its #steps). */
interface OpSteps {
  doubling: WeightAction[];
  oddStep: WeightAction | null;
  oddCount: number;
}

export class WeightProjector {
  readonly repIn: Rep;
  readonly repOut: Rep;
  readonly #opts: ProjectorOptions;
  /**
   * The tf-op path's permutation steps, built on first use (backends with the host
   * kernel never need them): the steps (I + T^k) applied in sequence, and T^1
   * used oddCount = b - 1 times for the odd part b of |G| (null when b = 1).
   */
  #steps: OpSteps | null = null;
  readonly #apply: (w: tf.Tensor2D) => tf.Tensor2D;
  /** Index/sign tables for the host kernel and the webgpu program. */
  readonly #tables: GroupAverageTables;

  constructor(repIn: Rep, repOut: Rep, opts: ProjectorOptions = {}) {
    if (!repIn.group.equals(repOut.group)) throw new Error(`projector: reps of different groups (${repIn.group.name}, ${repOut.group.name}).`);
    this.repIn = repIn;
    this.repOut = repOut;
    this.#tables = groupAverageTables(repIn, repOut);
    this.#opts = opts;
    const average = (w: tf.Tensor2D): tf.Tensor2D => tf.tidy(() => this.average(w));
    this.#apply = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const w = args[0] as tf.Tensor2D;
      return { value: average(w), gradFunc: (dy: tf.Tensor2D) => average(dy) };
    }) as (w: tf.Tensor2D) => tf.Tensor2D;
  }

  /** P(W); differentiable (gradient P(dy)). */
  apply(w: tf.Tensor2D): tf.Tensor2D {
    this.#check(w);
    if (this.repIn.group.order === 1) return w;
    return this.#apply(w);
  }

  /**
   * P(W) without a gradient (no tape node): for callers that are not being
   * differentiated, such as a tf.customGrad forward or gradient function (RppLinear).
   * Saves the customGrad bookkeeping, which on wasm costs more than the small kernels.
   */
  project(w: tf.Tensor2D): tf.Tensor2D {
    this.#check(w);
    if (this.repIn.group.order === 1) return w;
    return tf.tidy(() => this.average(w));
  }

  /**
   * project() on heap buffers (the tensor-free update; wasm): out = P(w), the same kernel.
   * For the trivial group project() is the identity, here a copy.
   */
  projectOnHeap(w: HeapArray, out: HeapArray): void {
    if (w.size !== this.repIn.dim * this.repOut.dim || out.size !== w.size) throw new Error(`WeightProjector.projectOnHeap: buffers of ${w.size} and ${out.size} entries for a [${this.repIn.dim}, ${this.repOut.dim}] weight.`);
    if (this.repIn.group.order === 1) heapView(out).set(heapView(w));
    else runOnHeap(GROUP_AVERAGE_KERNEL, [w], [out], this.#tables);
  }

  /** averageAnyShape on heap buffers: the kernel whatever the group's order (as BiasProjector's projections run it). */
  averageOnHeap(w: HeapArray, out: HeapArray): void {
    runOnHeap(GROUP_AVERAGE_KERNEL, [w], [out], this.#tables);
  }

  #check(w: tf.Tensor2D): void {
    if (w.rank !== 2 || w.shape[0] !== this.repIn.dim || w.shape[1] !== this.repOut.dim) {
      throw new Error(`WeightProjector: weight has shape [${w.shape}], expected [in=${this.repIn.dim}, out=${this.repOut.dim}] for ${this.repIn.label} -> ${this.repOut.label}.`);
    }
  }

  /**
   * An RPP layer's effective weight, no gradient: w = P(wEquiv) [+ wBasic], and
   * when a row-scale column [in, 1] is given also its rows scaled, scaleCol * w
   * (else null). Always fresh tensors (never a variable's buffer). Why the adds
   * are tf ops even where P is a host kernel: the wasm backend's SIMD add is ~10x
   * faster than a JS loop.
   */
  effective(wEquiv: tf.Tensor2D, wBasic: tf.Tensor2D | null, scaleCol: tf.Tensor2D | null): { w: tf.Tensor2D; scaled: tf.Tensor2D | null } {
    this.#check(wEquiv);
    const [w, scaled] = tf.tidy(() => {
      const p = this.project(wEquiv);
      const sum = wBasic !== null ? (tf.add(p, wBasic) as tf.Tensor2D) : p === wEquiv ? tf.clone(p) : p;
      return scaleCol === null ? [sum] : [sum, tf.mul(sum, scaleCol) as tf.Tensor2D];
    });
    return { w, scaled: scaled ?? null };
  }

  /** The same P(w) on any tensor of repIn.dim * repOut.dim entries (a bias [out] when repIn is trivial of dim 1). */
  averageAnyShape<T extends tf.Tensor>(w: T): T {
    if (hasHostKernel(GROUP_AVERAGE_KERNEL)) return runHostKernel(GROUP_AVERAGE_KERNEL, [w], this.#tables)[0] as T;
    if (hasWebgpuKernels()) return groupAverageWebgpu(this.#tables, w);
    return tf.reshape(this.average(tf.reshape(w, [this.repIn.dim, this.repOut.dim])), w.shape) as T;
  }

  private average(w: tf.Tensor2D): tf.Tensor2D {
    // One-pass kernels (host or webgpu) take any shape; choosing between them is averageAnyShape's job.
    if (hasHostKernel(GROUP_AVERAGE_KERNEL) || hasWebgpuKernels()) return this.averageAnyShape(w);
    return this.averageOps(w);
  }

  /** The tf-op path (backends without host kernels or webgpu programs), kept public for the tests that compare both. */
  averageOps(w: tf.Tensor2D): tf.Tensor2D {
    const { doubling, oddStep, oddCount } = this.#opSteps();
    let cur = w;
    for (const step of doubling) cur = tf.add(cur, step.apply(cur));
    if (oddStep !== null) {
      const terms = [cur];
      let t = cur;
      for (let k = 0; k < oddCount; k++) {
        t = oddStep.apply(t);
        terms.push(t);
      }
      cur = tf.addN(terms);
    }
    return tf.mul(cur, 1 / this.repIn.group.order);
  }

  #opSteps(): OpSteps {
    if (this.#steps === null) {
      // |G| = b 2^a with b odd (see the file comment).
      let b = this.repIn.group.order;
      let a = 0;
      while (b % 2 === 0) {
        b /= 2;
        a++;
      }
      const doubling: WeightAction[] = [];
      for (let j = 0; j < a; j++) {
        const k = b * 2 ** j;
        doubling.push(new WeightAction(this.repIn.element(k), this.repOut.element(k), this.#opts));
      }
      this.#steps = { doubling, oddStep: b > 1 ? new WeightAction(this.repIn.generator, this.repOut.generator, this.#opts) : null, oddCount: b - 1 };
    }
    return this.#steps;
  }

  dispose(): void {
    releaseHeapTables(this.#tables);
    releaseWebgpuTables(this.#tables);
    if (this.#steps !== null) {
      for (const s of this.#steps.doubling) s.dispose();
      this.#steps.oddStep?.dispose();
      this.#steps = null;
    }
  }
}

/** Bias widths up to this use a dense [out, out] projection matrix (one small matmul). */
export const DENSE_BIAS_MAX = 1024;

/**
 * P_b(b) = 1/|G| sum_g rho_out(g) b. A bias is tiny, so kernel count dominates:
 * on the wasm and cpu backends it is the group-average host kernel (one pass,
 * output recorded as rank 1), on webgpu its program (one dispatch); elsewhere, up to DENSE_BIAS_MAX channels,
 * b[1, n] @ P_b with P_b the dense (symmetric) projection matrix (one small
 * matmul whose packed operand is kept between calls), and above that the weight
 * projector from one trivial channel. The gradient is the same op on dy.
 * Caveat (tf-op path): on the wasm backend a reshape of a BatchMatMul output
 * keeps the rank-3 shape in the backend's records, and _FusedMatMul rejects such
 * a tensor as a bias; effective() adds b_basic or 0, which gives a fresh rank-1
 * buffer.
 */
export class BiasProjector {
  readonly repOut: Rep;
  /** P_b as the weight projector of maps trivial(1) -> repOut (host kernel and large biases). */
  readonly #inner: WeightProjector;
  /** The dense [n, n] P_b of the tf-op path, built on first use there (n <= DENSE_BIAS_MAX). */
  #matrix: tf.Tensor2D | null = null;
  readonly #apply: (b: tf.Tensor1D) => tf.Tensor1D;

  constructor(repOut: Rep, opts: ProjectorOptions = {}) {
    this.repOut = repOut;
    this.#inner = new WeightProjector(trivial(repOut.group, 1), repOut, opts);
    this.#apply = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const b = args[0] as tf.Tensor1D;
      return { value: this.#project(b), gradFunc: (dy: tf.Tensor1D) => this.#project(dy) };
    }) as (b: tf.Tensor1D) => tf.Tensor1D;
  }

  apply(b: tf.Tensor1D): tf.Tensor1D {
    this.#check(b);
    return this.#apply(b);
  }

  /** P_b(b) without a gradient (no tape node), as WeightProjector.project. */
  project(b: tf.Tensor1D): tf.Tensor1D {
    this.#check(b);
    return tf.tidy(() => this.#project(b));
  }

  /**
   * P_b(bEquiv) [+ bBasic], no gradient, as a fresh rank-1 tensor (usable as a
   * wasm _FusedMatMul bias, see above). One host kernel where available.
   */
  effective(bEquiv: tf.Tensor1D, bBasic: tf.Tensor1D | null): tf.Tensor1D {
    this.#check(bEquiv);
    return tf.tidy(() => {
      const p = this.#project(bEquiv);
      return (bBasic !== null ? tf.add(p, bBasic) : tf.add(p, 0)) as tf.Tensor1D;
    });
  }

  /** project() on heap buffers (the tensor-free update; wasm): out = P_b(b), the same kernel. */
  projectOnHeap(b: HeapArray, out: HeapArray): void {
    if (b.size !== this.repOut.dim || out.size !== b.size) throw new Error(`BiasProjector.projectOnHeap: buffers of ${b.size} and ${out.size} entries for a bias of ${this.repOut.dim}.`);
    this.#inner.averageOnHeap(b, out);
  }

  #check(b: tf.Tensor1D): void {
    const n = this.repOut.dim;
    if (b.rank !== 1 || b.shape[0] !== n) throw new Error(`BiasProjector: bias has shape [${b.shape}], expected [${n}].`);
  }

  #project(b: tf.Tensor1D): tf.Tensor1D {
    const n = this.repOut.dim;
    // Host kernel (wasm, cpu) or webgpu program: one pass, output recorded as rank 1.
    if (hasHostKernel(GROUP_AVERAGE_KERNEL) || hasWebgpuKernels()) return this.#inner.averageAnyShape(b);
    if (n <= DENSE_BIAS_MAX) return tf.reshape(tf.matMul(tf.reshape(b, [1, n]), this.#denseMatrix()), [n]);
    return tf.reshape(this.#inner.averageOps(tf.reshape(b, [1, n])), [n]);
  }

  #denseMatrix(): tf.Tensor2D {
    if (this.#matrix === null) {
      const n = this.repOut.dim;
      const m = new Float32Array(n * n);
      const unit = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        unit.fill(0);
        unit[j] = 1;
        const col = projectBiasArray(this.repOut, unit);
        for (let i = 0; i < n; i++) m[j * n + i] = col[i]; // row j = P_b e_j (P_b symmetric)
      }
      this.#matrix = tf.keep(tf.tensor2d(m, [n, n]));
    }
    return this.#matrix;
  }

  dispose(): void {
    this.#inner.dispose();
    this.#matrix?.dispose();
    this.#matrix = null;
  }
}

/** The tf weight projector for maps repIn -> repOut (owns small index/sign tensors: dispose()). */
export function projector(repIn: Rep, repOut: Rep, opts: ProjectorOptions = {}): WeightProjector {
  return new WeightProjector(repIn, repOut, opts);
}

export function biasProjector(repOut: Rep, opts: ProjectorOptions = {}): BiasProjector {
  return new BiasProjector(repOut, opts);
}
