/**
 * The RPP linear layer (Finzi et al. 2021, rpp/flax.py MixedLinear):
 *
 *   y = x @ (P(w_equiv) + w_basic) + P_b(b_equiv) + b_basic
 *
 * P projects onto the equivariant maps repIn -> repOut by group averaging, done
 * in the forward pass whenever a parameter changed (the projected weights are
 * cached between optimizer steps); w_basic is the unconstrained residual pathway.
 * Weights are stored [in, out] so the forward is an untransposed matmul (fast on
 * wasm). Gradients flow through P (self-adjoint) to w_equiv, as in the paper.
 *
 * Init, as in the paper's code (RPP_SCALE = 1e-3):
 *   w_equiv ~ lecun_normal * initScale
 *   w_basic ~ lecun_normal * 1e-3 * initScale  (independent draw)
 *   b_equiv = 0
 *   b_basic ~ lecun_normal(fan_in = out) * 1e-3 * initScale
 * Fan-in: by default the true fan-in (in) for the weights, std 1/sqrt(in). The
 * paper's flax code applies lecun_normal to a (cout, cin) array, and flax takes
 * fan_in = shape[-2] = cout there (std 1/sqrt(out)); `fanIn: 'paper'` reproduces
 * that quirk. For b_basic, shape (cout, 1), flax's fan_in is cout, used in both modes.
 */
import * as tf from '@tensorflow/tfjs';
import { BiasProjector, WeightProjector, type ProjectorOptions } from '../equivariance/projector.js';
import type { Rep } from '../equivariance/rep.js';
import { Rng } from '../random.js';
import { fusedDense, inputGrad, TransposedWeight, weightGrads } from './dense.js';
import { reluGrad } from './relu-grad-kernel.js';
import { lecunNormal } from './init.js';
import type { ParamGroups } from './network.js';
import { hasHostKernel, type HeapArray } from '../kernels/host-kernel.js';
import { elementwise, freshTensor, heapArrayOf, heapView, scaleRows } from '../kernels/heap-buffers.js';
import { nativeKernels } from '../kernels/native-kernels.js';
import { GROUP_AVERAGE_KERNEL } from '../equivariance/group-average-kernel.js';

/** Scale of the residual pathway's init relative to the equivariant one (paper: RPP_SCALE). */
export const RPP_SCALE = 1e-3;

export interface RppLinearOptions {
  repIn: Rep;
  repOut: Rep;
  /** Residual (basic) pathway on (default). false gives a strictly equivariant EMLP layer. */
  basic?: boolean;
  /** Multiplies every init (paper: 0.01 for the policy heads, 1 elsewhere). */
  initScale?: number;
  /** Source of the init draws; a fresh Rng(seed ?? 0) when absent. */
  rng?: Rng;
  seed?: number;
  /** 'in' (default): std 1/sqrt(in). 'paper': the flax quirk std 1/sqrt(out). */
  fanIn?: 'in' | 'paper';
  projector?: ProjectorOptions;
}

export interface RppApplyOptions {
  /** Per-input-channel residual scale s [in]: the input is x * (1 + s) (an RppActivation's w_basic). */
  inputScale?: tf.Tensor1D | null;
  /** Apply relu to the output, fused into the matmul. */
  relu?: boolean;
  /** Leading input columns that need no gradient (zeros come back; ApplyOptions.constantInputs). */
  constantInputs?: number;
}

/** A cached effective weight: W' = diag(1 + s) W, b; W and 1 + s as a column when scaled. */
interface Effective {
  w: tf.Tensor2D;
  b: tf.Tensor1D;
  unscaled: tf.Tensor2D | null;
  scaleCol: tf.Tensor2D | null;
}

export class RppLinear {
  readonly repIn: Rep;
  readonly repOut: Rep;
  readonly basic: boolean;
  /** [in, out], equivariant pathway (projected in the forward pass). */
  readonly wEquiv: tf.Variable;
  /** [in, out], residual pathway, or null when basic = false. */
  readonly wBasic: tf.Variable | null;
  /** [out], equivariant bias (projected onto the invariants of repOut). */
  readonly bEquiv: tf.Variable;
  /** [out], residual bias, or null when basic = false. */
  readonly bBasic: tf.Variable | null;
  readonly #wProj: WeightProjector;
  readonly #bProj: BiasProjector;

  constructor(opts: RppLinearOptions) {
    const { repIn, repOut } = opts;
    if (!repIn.group.equals(repOut.group)) throw new Error(`RppLinear: repIn (${repIn}) and repOut (${repOut}) are reps of different groups.`);
    this.repIn = repIn;
    this.repOut = repOut;
    this.basic = opts.basic ?? true;
    const scale = opts.initScale ?? 1;
    if (!(scale >= 0) || !Number.isFinite(scale)) throw new Error(`RppLinear: initScale must be a finite number >= 0, got ${opts.initScale}.`);
    const rng = opts.rng ?? new Rng(opts.seed ?? 0);
    const nIn = repIn.dim;
    const nOut = repOut.dim;
    const fanIn = (opts.fanIn ?? 'in') === 'paper' ? nOut : nIn;
    // tidy: tf.variable(t) copies t, which would otherwise stay allocated.
    const vars = tf.tidy(() => ({
      wEquiv: tf.variable(tf.tensor2d(lecunNormal(rng, nIn * nOut, fanIn, scale), [nIn, nOut]), true),
      bEquiv: tf.variable(tf.zeros([nOut]), true),
      ...(this.basic
        ? {
            wBasic: tf.variable(tf.tensor2d(lecunNormal(rng, nIn * nOut, fanIn, scale * RPP_SCALE), [nIn, nOut]), true),
            bBasic: tf.variable(tf.tensor1d(lecunNormal(rng, nOut, nOut, scale * RPP_SCALE)), true),
          }
        : {}),
    }));
    this.wEquiv = vars.wEquiv;
    this.bEquiv = vars.bEquiv;
    this.wBasic = vars.wBasic ?? null;
    this.bBasic = vars.bBasic ?? null;
    this.#wProj = new WeightProjector(repIn, repOut, opts.projector);
    this.#bProj = new BiasProjector(repOut, opts.projector);
  }

  /** The effective weight and bias: P(w_equiv) + w_basic, P_b(b_equiv) + b_basic. */
  effective(): { w: tf.Tensor2D; b: tf.Tensor1D } {
    return tf.tidy(() => {
      const wEq = this.#wProj.apply(this.wEquiv as tf.Tensor2D);
      const bEq = this.#bProj.apply(this.bEquiv as tf.Tensor1D);
      const w = this.wBasic === null ? wEq : (tf.add(wEq, this.wBasic) as tf.Tensor2D);
      // + 0: a fresh rank-1 buffer, usable as a _FusedMatMul bias (see BiasProjector).
      const b = (this.bBasic === null ? tf.add(bEq, 0) : tf.add(bEq, this.bBasic)) as tf.Tensor1D;
      return { w, b };
    });
  }

  /**
   * y = x @ W + b [then relu]. paramGrads = false: gradients flow to x only (see
   * ApplyOptions). opts.inputScale: a per-input-channel residual scale s (the
   * previous RppActivation's w_basic), folded into the weight: the layer computes
   * (x * (1 + s)) @ W + b as x @ (diag(1 + s) W) + b (see #op for why).
   * opts.relu: relu fused into the matmul (the relu activation option).
   */
  apply(x: tf.Tensor2D, paramGrads = true, opts: RppApplyOptions = {}): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.repIn.dim) {
      throw new Error(`RppLinear: input has shape [${x.shape}], expected [batch, ${this.repIn.dim}] (${this.repIn.label}).`);
    }
    const scale = opts.inputScale ?? null;
    if (scale !== null && (scale.rank !== 1 || scale.shape[0] !== this.repIn.dim)) {
      throw new Error(`RppLinear: inputScale has shape [${scale.shape}], expected [${this.repIn.dim}].`);
    }
    const relu = opts.relu ?? false;
    const constantInputs = opts.constantInputs ?? 0;
    if (!paramGrads) return this.#frozenOp(x, scale, relu, constantInputs);
    return this.#op(x, scale, relu, constantInputs);
  }

  /** The op's parameter inputs: w_equiv, b_equiv[, w_basic, b_basic][, scale]. */
  #params(scale: tf.Tensor1D | null): tf.Tensor[] {
    const p: tf.Tensor[] = [this.wEquiv, this.bEquiv];
    if (this.wBasic !== null && this.bBasic !== null) p.push(this.wBasic, this.bBasic);
    if (scale !== null) p.push(scale);
    return p;
  }

  /**
   * The whole layer as one tape node (tf.customGrad). Why: on wasm each recorded
   * op costs bookkeeping in the backward pass (gradient closures, broadcast
   * reductions, accumulation), often more than the small kernels themselves.
   * Backward, with W = P(w_equiv) + w_basic, W' = diag(1 + s) W (W' = W without
   * an input scale), dz = dy [* step(y) under relu]:
   *   dx = dz @ W'^T (W'^T cached per parameter change),
   *   G = x^T @ dz, dW = diag(1 + s) G, ds = rowsum(G * W),
   *   db = column sums of dz (G and db as in dense.ts weightGrads),
   *   d w_equiv = P(dW), d w_basic = dW, d b_equiv = P_b(db), d b_basic = db
   * (P and P_b are self-adjoint). Why the scale is folded in here rather than
   * applied by the activation: ds becomes a row sum (fast on wasm) instead of a
   * column sum of a [batch, width] product (a wasm reduction over axis 0
   * transposes first), and the activation loses two full-size multiplies.
   */
  #op(x: tf.Tensor2D, scale: tf.Tensor1D | null, relu: boolean, constantInputs: number): tf.Tensor2D {
    const hasBasic = this.wBasic !== null;
    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const save = args[args.length - 1] as tf.GradSaveFunc;
      const xi = args[0] as tf.Tensor2D;
      const eff = this.#effectiveCached(args.slice(1, -1) as tf.Tensor[], scale !== null);
      const y = fusedDense(xi, eff.w, eff.b, relu);
      save(relu ? [xi, y] : [xi]);
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
        const xs = saved[0] as tf.Tensor2D;
        const dz = (relu ? reluGrad(dy, saved[1]) : dy) as tf.Tensor2D;
        const { dW: g, db } = weightGrads(xs, dz);
        const dx = inputGrad(dz, eff.w, this.#wT, constantInputs);
        const dW = eff.scaleCol === null ? g : (tf.mul(g, eff.scaleCol) as tf.Tensor2D);
        const out = [dx, this.#wProj.project(dW), this.#bProj.project(db)];
        if (hasBasic) out.push(dW, db);
        if (eff.unscaled !== null) out.push(tf.sum(tf.mul(g, eff.unscaled), 1));
        return out;
      };
      return { value: y, gradFunc };
    }) as (...inputs: tf.Tensor[]) => tf.Tensor2D;
    return op(x, ...this.#params(scale));
  }

  #frozenOp(x: tf.Tensor2D, scale: tf.Tensor1D | null, relu: boolean, constantInputs: number): tf.Tensor2D {
    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const xi = args[0] as tf.Tensor2D;
      const save = args[1] as tf.GradSaveFunc;
      const eff = this.#effectiveCached(this.#params(scale), scale !== null);
      const y = fusedDense(xi, eff.w, eff.b, relu);
      save(relu ? [y] : []);
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
        const dz = relu ? reluGrad(dy, saved[0]) : dy;
        return [inputGrad(dz as tf.Tensor2D, eff.w, this.#wT, constantInputs)];
      };
      return { value: y, gradFunc };
    }) as (x: tf.Tensor2D) => tf.Tensor2D;
    return op(x);
  }

  /**
   * The effective weight diag(1 + s) (P(w_equiv) + w_basic) and bias
   * P_b(b_equiv) + b_basic, recomputed only when a parameter changed. Why: a SAC
   * update runs each network forward several times between optimizer steps, and
   * a weight tensor that keeps its buffer also lets the wasm backend reuse its
   * packed matmul operator (a new right operand costs ~0.9 ms of packing for
   * 256x256). Validity is tracked by the parameters' data buffers:
   * tf.Variable.assign (used by every optimizer) gives a variable a new one.
   * Tensors in the returned record stay valid until the next parameter change;
   * a backward pass that runs after one still reads the values of its forward.
   */
  #cache: { keys: object[]; eff: Effective } | null = null;
  readonly #wT = new TransposedWeight();

  #effectiveCached(params: tf.Tensor[], scaled: boolean): Effective {
    const keys = params.map((p) => p.dataId);
    const c = this.#cache;
    if (c !== null && c.keys.length === keys.length && c.keys.every((k, i) => k === keys[i])) return c.eff;
    const hasBasic = this.wBasic !== null;
    const [wEquiv, bEquiv] = params;
    const wBasic = hasBasic ? params[2] : null;
    const bBasic = hasBasic ? params[3] : null;
    const s = scaled ? params[params.length - 1] : null;
    const eff = nativeKernels() !== null && hasHostKernel(GROUP_AVERAGE_KERNEL) ? this.#effectiveOnWasm(wEquiv, bEquiv, wBasic, bBasic, s) : this.#effectiveByOps(wEquiv, bEquiv, wBasic, bBasic, s);
    this.#retire();
    this.#cache = { keys, eff };
    return eff;
  }

  /** The effective record by tf ops (backends without our wasm kernels). */
  #effectiveByOps(wEquiv: tf.Tensor, bEquiv: tf.Tensor, wBasic: tf.Tensor | null, bBasic: tf.Tensor | null, s: tf.Tensor | null): Effective {
    // No tape nodes needed: this runs inside a customGrad forward. tf.keep: the
    // record outlives the forward's tidy scope (disposed by #retire).
    const scaleCol = s === null ? null : tf.keep(tf.tidy(() => tf.reshape(tf.add(s, 1), [this.repIn.dim, 1])) as tf.Tensor2D);
    const { w, scaled: wScaled } = this.#wProj.effective(wEquiv as tf.Tensor2D, wBasic as tf.Tensor2D | null, scaleCol);
    const b = tf.keep(this.#bProj.effective(bEquiv as tf.Tensor1D, bBasic as tf.Tensor1D | null));
    tf.keep(w);
    return wScaled === null ? { w, b, unscaled: null, scaleCol: null } : { w: tf.keep(wScaled), b, unscaled: w, scaleCol };
  }

  /**
   * The same record on the wasm heap with our kernels, op for op as #effectiveByOps: the
   * group-average kernel, then float32 adds (+ w_basic, + b_basic or + 0, s + 1) and the rows
   * times 1 + s, which round exactly, so the bits are the tf ops' (test/rpp-layers.test.ts).
   * One pass each and no tfjs dispatch: on the tf ops this record cost ~0.6 ms of an RPP-SAC
   * update (it changes once per update, and every forward reads it).
   */
  #effectiveOnWasm(wEquiv: tf.Tensor, bEquiv: tf.Tensor, wBasic: tf.Tensor | null, bBasic: tf.Tensor | null, s: tf.Tensor | null): Effective {
    const [nIn, n] = [this.repIn.dim, this.repOut.dim];
    // Every output first: an allocation can grow the heap (offsets stay valid, views do not).
    const sum = freshTensor([nIn, n]);
    const b = freshTensor([n]);
    const scaleCol = s === null ? null : freshTensor([nIn, 1]);
    const w = s === null ? null : freshTensor([nIn, n]);
    this.#constants ??= { zeros: tf.keep(tf.zeros([n])), ones: tf.keep(tf.ones([nIn])) };
    this.#wProj.projectOnHeap(heapArrayOf(wEquiv), sum.heap);
    if (wBasic !== null) elementwise('add', sum.heap, heapArrayOf(wBasic), sum.heap);
    this.#bProj.projectOnHeap(heapArrayOf(bEquiv), b.heap);
    elementwise('add', b.heap, bBasic !== null ? heapArrayOf(bBasic) : heapArrayOf(this.#constants.zeros), b.heap);
    const keep = <T extends tf.Tensor>(t: tf.Tensor): T => tf.keep(t) as T;
    if (s === null || scaleCol === null || w === null) return { w: keep<tf.Tensor2D>(sum.tensor), b: keep<tf.Tensor1D>(b.tensor), unscaled: null, scaleCol: null };
    elementwise('add', heapArrayOf(s), heapArrayOf(this.#constants.ones), scaleCol.heap);
    heapView(w.heap).set(heapView(sum.heap));
    scaleRows(w.heap, scaleCol.heap);
    return { w: keep<tf.Tensor2D>(w.tensor), b: keep<tf.Tensor1D>(b.tensor), unscaled: keep<tf.Tensor2D>(sum.tensor), scaleCol: keep<tf.Tensor2D>(scaleCol.tensor) };
  }

  /** Zeros and ones for #effectiveOnWasm's + 0 and + 1 (built on first use). */
  #constants: { zeros: tf.Tensor; ones: tf.Tensor } | null = null;

  /**
   * The tensor-free update's view of the layer (wasm): the effective record apply() uses
   * with this input scale, recomputed when a parameter changed, as heap buffers valid until
   * the next parameter change. Acting reads the same record.
   */
  effectiveOnHeap(scale: tf.Tensor1D | null): { w: HeapArray; b: HeapArray; unscaled: HeapArray | null; scaleCol: HeapArray | null } {
    let eff: Effective | undefined;
    // A scope for the temporaries of a recomputation; the record itself is kept (see #effectiveCached).
    tf.tidy(() => {
      eff = this.#effectiveCached(this.#params(scale), scale !== null);
    });
    if (eff === undefined) throw new Error('RppLinear.effectiveOnHeap: no effective record');
    return { w: heapArrayOf(eff.w), b: heapArrayOf(eff.b), unscaled: eff.unscaled === null ? null : heapArrayOf(eff.unscaled), scaleCol: eff.scaleCol === null ? null : heapArrayOf(eff.scaleCol) };
  }

  /** P(w) into out on heap buffers (the tensor-free update; wasm): project()'s kernel, a copy for the trivial group. */
  projectWeightOnHeap(w: HeapArray, out: HeapArray): void {
    this.#wProj.projectOnHeap(w, out);
  }

  /** P_b(b) into out on heap buffers (the tensor-free update; wasm): the kernel the bias projections run. */
  projectBiasOnHeap(b: HeapArray, out: HeapArray): void {
    this.#bProj.projectOnHeap(b, out);
  }

  /**
   * Dispose the previous cache record. A backward pass that captured it has run by
   * now: parameters change only at optimizer steps, after every gradient that
   * used them was taken.
   */
  #retire(): void {
    if (this.#cache !== null) {
      const e = this.#cache.eff;
      tf.dispose([e.w, e.b, ...(e.unscaled ? [e.unscaled] : []), ...(e.scaleCol ? [e.scaleCol] : [])]);
      this.#cache = null;
    }
  }

  get variables(): tf.Variable[] {
    return [this.wEquiv, ...(this.wBasic ? [this.wBasic] : []), this.bEquiv, ...(this.bBasic ? [this.bBasic] : [])];
  }

  paramGroups(): ParamGroups {
    return {
      equiv: [this.wEquiv, this.bEquiv],
      basic: this.wBasic && this.bBasic ? [this.wBasic, this.bBasic] : [],
      other: [],
    };
  }

  dispose(): void {
    this.#retire();
    if (this.#constants !== null) tf.dispose([this.#constants.zeros, this.#constants.ones]);
    this.#constants = null;
    this.#wT.dispose();
    for (const v of this.variables) v.dispose();
    this.#wProj.dispose();
    this.#bProj.dispose();
  }
}
