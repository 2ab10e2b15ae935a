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
import { fusedDense } from './dense.js';
import { lecunNormal } from './init.js';
import type { ParamGroups } from './network.js';

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

  /** y = x @ W + b. paramGrads = false: gradients flow to x only (see ApplyOptions). */
  apply(x: tf.Tensor2D, paramGrads = true): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.repIn.dim) {
      throw new Error(`RppLinear: input has shape [${x.shape}], expected [batch, ${this.repIn.dim}] (${this.repIn.label}).`);
    }
    if (!paramGrads) return this.#frozenOp(x);
    return this.#op(x, ...this.#params());
  }

  /** The op's parameter inputs, in the order #op and #effectiveCached expect. */
  #params(): tf.Tensor[] {
    const p: tf.Tensor[] = [this.wEquiv, this.bEquiv];
    if (this.wBasic !== null && this.bBasic !== null) p.push(this.wBasic, this.bBasic);
    return p;
  }

  /**
   * The whole layer as one tape node (tf.customGrad). Why: on wasm each recorded
   * op costs ~0.1-0.2 ms of bookkeeping in the backward pass (gradient closures,
   * broadcast reductions, accumulation), more than the small kernels themselves;
   * projection + adds + matmul as separate ops made the layer ~2x a plain one.
   * Backward, with dz = dy and W = P(w_equiv) + w_basic:
   *   dx = dz @ W^T, dW = x^T @ dz, db = sum(dz, 0) (as ones @ dz, see colSum),
   *   d w_equiv = P(dW), d w_basic = dW, d b_equiv = P_b(db), d b_basic = db
   * (P and P_b are self-adjoint). Transposes are explicit: transposed matmuls are
   * 10-20x slower on wasm.
   */
  readonly #op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const params = args.slice(1, -1) as tf.Tensor[];
    const x = args[0] as tf.Tensor2D;
    const hasBasic = params.length === 4;
    const { w, b } = this.#effectiveCached(params);
    save([x, w]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dz = dy as tf.Tensor2D;
      const dW = tf.matMul(tf.transpose(xs), dz) as tf.Tensor2D;
      const dx = tf.matMul(dz, tf.transpose(ws));
      // Bias gradient as ones @ dz after dW (see colSum), projected as a row: no reshapes in between.
      const dbRow = tf.matMul(tf.ones([1, dz.shape[0]]), dz) as tf.Tensor2D;
      const out = [dx, this.#wProj.project(dW), this.#bProj.projectRow(dbRow)];
      if (hasBasic) out.push(dW, tf.reshape(dbRow, [dz.shape[1]]));
      return out;
    };
    return { value: fusedDense(x, w, b, false), gradFunc };
  }) as (...inputs: tf.Tensor[]) => tf.Tensor2D;

  readonly #frozenOp = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const { w, b } = this.#effectiveCached(this.#params());
    save([w]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => [tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[0]))];
    return { value: fusedDense(x, w, b, false), gradFunc };
  }) as (x: tf.Tensor2D) => tf.Tensor2D;

  /**
   * P(w_equiv) + w_basic and P_b(b_equiv) + b_basic, recomputed only when a
   * parameter changed. Why: a SAC update runs each network forward several times
   * between optimizer steps, and a weight tensor that keeps its buffer also lets
   * the wasm backend reuse its packed matmul operator (a new right operand costs
   * ~0.9 ms of packing for 256x256). Validity is tracked by the variables' data
   * buffers: tf.Variable.assign (used by every optimizer) gives a variable a new one.
   */
  #cache: { keys: object[]; w: tf.Tensor2D; b: tf.Tensor1D } | null = null;

  #effectiveCached(params: tf.Tensor[]): { w: tf.Tensor2D; b: tf.Tensor1D } {
    const keys = params.map((p) => p.dataId);
    const c = this.#cache;
    if (c !== null && c.keys.length === keys.length && c.keys.every((k, i) => k === keys[i])) return { w: c.w, b: c.b };
    const [wEquiv, bEquiv, wBasic, bBasic] = params;
    const fresh = tf.tidy(() => {
      // project(): no tape node needed, this runs inside a customGrad forward.
      const wEq = this.#wProj.project(wEquiv as tf.Tensor2D);
      const bEq = this.#bProj.project(bEquiv as tf.Tensor1D);
      // + b_basic also gives a bias buffer the wasm _FusedMatMul accepts (see BiasProjector);
      // without it, + 0 does (a cached tensor must not share the variable's buffer anyway).
      const w = wBasic !== undefined ? (tf.add(wEq, wBasic) as tf.Tensor2D) : wEq;
      const b = (bBasic !== undefined ? tf.add(bEq, bBasic) : tf.add(bEq, 0)) as tf.Tensor1D;
      return { w: tf.keep(w), b: tf.keep(b) };
    });
    this.#clearCache();
    this.#cache = { keys, w: fresh.w, b: fresh.b };
    return fresh;
  }

  #clearCache(): void {
    if (this.#cache !== null) {
      this.#cache.w.dispose();
      this.#cache.b.dispose();
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
    this.#clearCache();
    for (const v of this.variables) v.dispose();
    this.#wProj.dispose();
    this.#bProj.dispose();
  }
}
