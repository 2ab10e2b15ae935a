/**
 * Adam (Kingma & Ba, PyTorch's formulation) with optional global gradient-norm
 * clipping, over a fixed list of variables.
 *
 * Why not tf.train.adam: its state is keyed by variable order but restored through
 * pow(beta, t+1) (not bitwise equal to the running product), and its iteration count
 * is awkward to checkpoint. Here the state is (t, m[], v[]) and the bias corrections
 * are computed on the host each step, so a resumed run continues bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import { assignFromHeap, hasHostKernel, runHostKernel, type HeapArray } from '../src/kernels/host-kernel.js';
import { heapArrayOf } from '../src/kernels/heap-buffers.js';
import { adamStepWebgpu } from './optimizer-webgpu.js';
import { ADAM_KERNEL, type AdamKernelSpec } from './optimizer-kernels.js';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Global L2 norm clip over all gradients of this optimiser; null = off. */
  clipNorm?: number | null;
  /**
   * Per-variable L2 penalty coefficient c (loss term c * sum(w^2), no 1/2), added to
   * the gradient as 2 c w before clipping and Adam: the same update as putting the
   * penalty in the loss, without its ~5 kernels per variable. Omitted or all 0 = none.
   */
  l2?: readonly number[];
  /**
   * Per-variable decoupled weight decay lambda (AdamW, Loshchilov & Hutter; PyTorch's
   * order): w <- w (1 - lr lambda) before the Adam step, outside the gradient, so it is
   * neither clipped nor normalised by Adam. Omitted or all 0 = none.
   */
  decay?: readonly number[];
}

export interface AdamState {
  t: number;
  /** First and second moments over all variables, flattened and concatenated in variable order. */
  m: Float32Array;
  v: Float32Array;
}

export class Adam {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly clipNorm: number | null;
  /** Total number of parameters. */
  readonly size: number;
  private t = 0;
  private readonly vars: readonly tf.Variable[];
  private readonly sizes: number[];
  // Moments are kept flat: one concat of the gradients, ~11 kernels for the update and
  // one split, instead of ~12 kernels per variable (kernel dispatch dominates on wasm).
  private readonly m: tf.Variable;
  private readonly v: tf.Variable;
  /** 2c per parameter entry (flat), or null when no variable is penalised. */
  private readonly l2Grad: tf.Tensor1D | null;
  /** c per variable, or null when no variable is penalised (the host kernel's form). */
  private readonly l2PerVar: number[] | null;
  /** (variable, 1 - lr lambda) for every decayed variable. */
  private readonly decayFactors: readonly { x: tf.Variable; factor: number }[];

  constructor(vars: readonly tf.Variable[], opts: AdamOptions) {
    if (!(opts.lr > 0)) throw new Error(`Adam: lr must be > 0, got ${opts.lr}`);
    if (vars.length === 0) throw new Error('Adam: no variables to optimise');
    this.vars = vars;
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.clipNorm = opts.clipNorm ?? null;
    this.sizes = vars.map((x) => x.size);
    this.size = this.sizes.reduce((a, b) => a + b, 0);
    // tidy: tf.variable(t) otherwise keeps t alive as a separate tensor.
    this.m = tf.tidy(() => tf.variable(tf.zeros([this.size]), false));
    this.v = tf.tidy(() => tf.variable(tf.zeros([this.size]), false));
    const l2 = opts.l2 ?? [];
    if (l2.length !== 0 && l2.length !== vars.length) throw new Error(`Adam: l2 has ${l2.length} coefficients for ${vars.length} variables`);
    if (l2.some((c) => !(c >= 0) || !Number.isFinite(c))) throw new Error(`Adam: l2 coefficients must be finite and >= 0, got [${l2.join(', ')}]`);
    const decay = opts.decay ?? [];
    if (decay.length !== 0 && decay.length !== vars.length) throw new Error(`Adam: decay has ${decay.length} coefficients for ${vars.length} variables`);
    if (decay.some((c) => !(c >= 0) || !Number.isFinite(c))) throw new Error(`Adam: decay coefficients must be finite and >= 0, got [${decay.join(', ')}]`);
    if (decay.some((c) => this.lr * c >= 1)) throw new Error(`Adam: lr * decay must be < 1 (a step would flip or zero the weights), got lr ${this.lr} and decay up to ${Math.max(...decay)}`);
    this.decayFactors = vars.flatMap((x, i) => (decay[i] > 0 ? [{ x, factor: 1 - this.lr * decay[i] }] : []));
    if (l2.some((c) => c > 0)) {
      const coef = new Float32Array(this.size);
      let off = 0;
      vars.forEach((x, i) => {
        coef.fill(2 * l2[i], off, off + x.size);
        off += x.size;
      });
      this.l2Grad = tf.keep(tf.tensor1d(coef));
      this.l2PerVar = [...l2];
    } else {
      this.l2Grad = null;
      this.l2PerVar = null;
    }
  }

  /** sum_i c_i * sum(w_i^2): the penalty value the l2 coefficients stand for (for logging). */
  penaltyValue(): tf.Scalar {
    return tf.tidy(() => (this.l2Grad === null ? tf.scalar(0) : (tf.mul(0.5, tf.sum(tf.mul(this.l2Grad, tf.square(this.flatParams())))) as tf.Scalar)));
  }

  private flatParams(): tf.Tensor1D {
    return this.vars.length === 1 ? (tf.reshape(this.vars[0], [-1]) as tf.Tensor1D) : tf.concat(this.vars.map((x) => tf.reshape(x, [-1]) as tf.Tensor1D));
  }

  get step(): number {
    return this.t;
  }

  /** Apply one step with gradients in variable order. Does not dispose the gradients. */
  apply(grads: readonly tf.Tensor[]): void {
    if (grads.length !== this.vars.length) throw new Error(`Adam.apply: got ${grads.length} gradients for ${this.vars.length} variables`);
    this.t += 1;
    const b1 = this.beta1;
    const b2 = this.beta2;
    // The bias corrections folded into two scalars (see #kernelSpec), for every path below.
    const spec = this.#kernelSpec();
    const { stepScale, epsScale } = spec;
    this.#decay();
    if (hasHostKernel(ADAM_KERNEL)) {
      // One kernel for the whole step (see optimizer-kernels.ts); same formulas as below.
      tf.tidy(() => {
        const [m, v, ...params] = runHostKernel(ADAM_KERNEL, [this.m, this.v, ...grads, ...this.vars], spec);
        this.m.assign(m as tf.Tensor1D);
        this.v.assign(v as tf.Tensor1D);
        this.vars.forEach((x, i) => x.assign(params[i]));
      });
      return;
    }
    if (tf.getBackend() === 'webgpu') {
      // One WebGPU program for the moments and parameters (see optimizer-webgpu.ts); same formulas as below.
      tf.tidy(() => {
        let g: tf.Tensor1D = grads.length === 1 ? (tf.reshape(grads[0], [-1]) as tf.Tensor1D) : tf.concat(grads.map((x) => tf.reshape(x, [-1]) as tf.Tensor1D));
        const p = this.flatParams();
        if (this.l2Grad !== null) g = tf.add(g, tf.mul(this.l2Grad, p));
        const scale = this.clipNorm === null ? tf.scalar(1) : tf.div(this.clipNorm, tf.maximum(tf.add(tf.sqrt(tf.sum(tf.square(g))), 1e-6), this.clipNorm));
        const out = adamStepWebgpu(g, p, this.m as tf.Tensor as tf.Tensor1D, this.v as tf.Tensor as tf.Tensor1D, scale, { beta1: b1, beta2: b2, stepScale, epsScale });
        const n = this.size;
        this.m.assign(tf.slice(out, [0], [n]));
        this.v.assign(tf.slice(out, [n], [n]));
        let off = 2 * n;
        for (let i = 0; i < this.vars.length; i++) {
          this.vars[i].assign(tf.reshape(tf.slice(out, [off], [this.sizes[i]]), this.vars[i].shape));
          off += this.sizes[i];
        }
      });
      return;
    }
    tf.tidy(() => {
      let g: tf.Tensor1D = grads.length === 1 ? (tf.reshape(grads[0], [-1]) as tf.Tensor1D) : tf.concat(grads.map((x) => tf.reshape(x, [-1]) as tf.Tensor1D));
      if (this.l2Grad !== null) g = tf.add(g, tf.mul(this.l2Grad, this.flatParams()));
      if (this.clipNorm !== null) g = clipByGlobalNorm([g], this.clipNorm)[0] as tf.Tensor1D;
      const m = tf.add(tf.mul(this.m, b1), tf.mul(g, 1 - b1));
      const v = tf.add(tf.mul(this.v, b2), tf.mul(tf.square(g), 1 - b2));
      this.m.assign(m);
      this.v.assign(v);
      // p <- p - lr/bc1 * m / (sqrt(v)/bc2 + eps) = p - m * stepScale / (sqrt(v) + epsScale)
      const upd = tf.div(tf.mul(m, stepScale), tf.add(tf.sqrt(v), epsScale));
      // One slice per variable rather than tf.split: on wasm a SplitV of ~144k values into
      // 12 parts measured ~6 ms of CPU, the 12 contiguous slices ~1.5 ms.
      let off = 0;
      for (let i = 0; i < this.vars.length; i++) {
        const part = this.vars.length === 1 ? upd : tf.slice(upd, [off], [this.sizes[i]]);
        off += this.sizes[i];
        this.vars[i].assign(tf.sub(this.vars[i], tf.reshape(part, this.vars[i].shape)));
      }
    });
  }

  /**
   * The host kernel's spec for step t (after the increment): with bc1 = 1 - beta1^t and
   * bc2 = sqrt(1 - beta2^t), stepScale = lr / bc1 * bc2 and epsScale = eps * bc2.
   */
  #kernelSpec(): AdamKernelSpec {
    const bc1 = 1 - Math.pow(this.beta1, this.t);
    const bc2 = Math.sqrt(1 - Math.pow(this.beta2, this.t));
    const stepSize = this.lr / bc1;
    return { sizes: this.sizes, l2: this.l2PerVar, beta1: this.beta1, beta2: this.beta2, stepScale: stepSize * bc2, epsScale: this.eps * bc2, clipNorm: this.clipNorm };
  }

  /** AdamW's decoupled decay w <- w (1 - lr lambda), before the step (tf ops: exact products). */
  #decay(): void {
    if (this.decayFactors.length > 0) tf.tidy(() => this.decayFactors.forEach(({ x, factor }) => x.assign(tf.mul(x, factor))));
  }

  /**
   * apply() for gradients held in wasm heap buffers, in variable order (the tensor-free
   * update; wasm only): the same host kernel and spec, its outputs in fresh buffers that
   * the moments and variables then take, as apply() does.
   */
  applyOnHeap(grads: readonly HeapArray[]): void {
    if (grads.length !== this.vars.length) throw new Error(`Adam.applyOnHeap: got ${grads.length} gradients for ${this.vars.length} variables`);
    this.t += 1;
    this.#decay();
    assignFromHeap(ADAM_KERNEL, [heapArrayOf(this.m), heapArrayOf(this.v), ...grads, ...this.vars.map((x) => heapArrayOf(x))], [this.m, this.v, ...this.vars], this.#kernelSpec());
  }

  /** Read the moments asynchronously, so getState() then needs no device read (webgpu in Node). */
  async prefetch(): Promise<void> {
    await Promise.all([this.m.data(), this.v.data()]);
  }

  getState(): AdamState {
    return { t: this.t, m: (this.m.dataSync() as Float32Array).slice(), v: (this.v.dataSync() as Float32Array).slice() };
  }

  setState(state: AdamState): void {
    if (state.m.length !== this.size || state.v.length !== this.size) {
      throw new Error(`Adam.setState: state has ${state.m.length}/${state.v.length} moment values, the variables have ${this.size}`);
    }
    tf.tidy(() => {
      this.m.assign(tf.tensor1d(state.m));
      this.v.assign(tf.tensor1d(state.v));
    });
    this.t = state.t;
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
    this.l2Grad?.dispose();
  }
}

/** Scale all gradients by min(1, clipNorm / globalNorm) (as optax.clip_by_global_norm / torch clip_grad_norm_). */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], clipNorm: number): tf.Tensor[] {
  return tf.tidy(() => {
    const sq = tf.addN(grads.map((g) => tf.sum(tf.square(g))));
    const norm = tf.sqrt(sq);
    // scale = clipNorm / max(norm, clipNorm); tiny epsilon as in torch.
    const scale = tf.div(clipNorm, tf.maximum(tf.add(norm, 1e-6), clipNorm));
    return grads.map((g) => tf.mul(g, scale));
  });
}
