/**
 * The plain MLP used by the SAC baseline (jax-rl / the RPP paper's code):
 * Dense layers with orthogonal(sqrt 2) weights and zero biases, ReLU by
 * default, a shared trunk and one linear head per output. Heads get
 * orthogonal(sqrt 2) * headInitScale (the paper's actor uses 0.01 for its mean
 * and pre-std heads). Weights are stored [in, out] (untransposed matmul).
 *
 * init 'lecun' draws every weight as the RPP layers draw their equivariant pathway
 * (rpp-linear.ts, fan-in 'in'): truncated LeCun normal, std 1/sqrt(in), heads times
 * headInitScale, biases 0, the same draws in the same order. With activation
 * 'swish' (the same op as RppActivation's) the network is the RPP MLP without the
 * prior: an EMLP MLP of the same seed and widths has w_equiv equal to these weights
 * before projection.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random.js';
import { denseLinear, denseRelu, swish, TransposedWeight } from './dense.js';
import { lecunNormal, orthogonal } from './init.js';
import type { ApplyOptions, Network, ParamGroups } from './network.js';

export type Activation = 'relu' | 'swish' | 'tanh';
export type MlpInit = 'orthogonal' | 'lecun';

export interface MlpOptions {
  inDim: number;
  outDims: number[];
  hidden: number[];
  activation?: Activation;
  /** Weight init: 'orthogonal' (gain sqrt 2, default) or 'lecun' (as the RPP layers' equivariant pathway). */
  init?: MlpInit;
  /** Init scale per head; default 1. */
  headInitScale?: number[];
  seed?: number;
}

export interface DenseParams {
  /** [in, out] */
  w: tf.Variable;
  /** [out] */
  b: tf.Variable;
  /** w^T for backward passes, refreshed when w changes. */
  wT: TransposedWeight;
}

/** init's weights [in, out] times scale (orthogonal: gain sqrt 2 * scale; lecun: std scale/sqrt(in)). */
function initWeights(init: MlpInit, rng: Rng, nIn: number, nOut: number, scale: number): Float32Array {
  return init === 'lecun' ? lecunNormal(rng, nIn * nOut, nIn, scale) : orthogonal(rng, nIn, nOut, Math.SQRT2 * scale);
}

function dense(init: MlpInit, rng: Rng, nIn: number, nOut: number, scale: number): DenseParams {
  // tidy: tf.variable(t) copies t, which would otherwise stay allocated.
  const vars = tf.tidy(() => ({
    w: tf.variable(tf.tensor2d(initWeights(init, rng, nIn, nOut, scale), [nIn, nOut]), true),
    b: tf.variable(tf.zeros([nOut]), true),
  }));
  return { ...vars, wT: new TransposedWeight() };
}

/** One hidden layer: act(x @ w + b), as fused kernels with hand-written gradients (dense.ts). */
function hiddenLayer(x: tf.Tensor2D, l: DenseParams, kind: Activation, paramGrads: boolean, constantInputs: number): tf.Tensor2D {
  const w = l.w as tf.Tensor2D;
  const b = l.b as tf.Tensor1D;
  if (kind === 'relu') return denseRelu(x, w, b, paramGrads, l.wT, constantInputs);
  const z = denseLinear(x, w, b, paramGrads, l.wT, constantInputs);
  return kind === 'tanh' ? tf.tanh(z) : swish(z);
}

export class Mlp implements Network {
  readonly inDim: number;
  readonly outDims: readonly number[];
  readonly activation: Activation;
  readonly init: MlpInit;
  readonly trunk: readonly DenseParams[];
  readonly heads: readonly DenseParams[];
  readonly variables: readonly tf.Variable[];

  constructor(opts: MlpOptions) {
    const { inDim, outDims, hidden } = opts;
    const positive = (v: number): boolean => Number.isInteger(v) && v > 0;
    if (!positive(inDim)) throw new Error(`mlp: inDim must be a positive integer, got ${inDim}.`);
    if (outDims.length === 0 || !outDims.every(positive)) throw new Error(`mlp: outDims must be a non-empty list of positive integers, got [${outDims}].`);
    if (!hidden.every(positive)) throw new Error(`mlp: hidden widths must be positive integers, got [${hidden}].`);
    const activation = opts.activation ?? 'relu';
    if (!['relu', 'swish', 'tanh'].includes(activation)) throw new Error(`mlp: unknown activation '${activation}'; use 'relu', 'swish' or 'tanh'.`);
    const init = opts.init ?? 'orthogonal';
    if (init !== 'orthogonal' && init !== 'lecun') throw new Error(`mlp: unknown init '${init}'; use 'orthogonal' or 'lecun'.`);
    const headScale = opts.headInitScale ?? outDims.map(() => 1);
    if (headScale.length !== outDims.length) throw new Error(`mlp: headInitScale has ${headScale.length} entries but there are ${outDims.length} heads.`);
    const rng = new Rng(opts.seed ?? 0);
    this.inDim = inDim;
    this.outDims = [...outDims];
    this.activation = activation;
    this.init = init;
    const trunk: DenseParams[] = [];
    let prev = inDim;
    for (const h of hidden) {
      trunk.push(dense(init, rng, prev, h, 1));
      prev = h;
    }
    this.trunk = trunk;
    this.heads = outDims.map((d, k) => dense(init, rng, prev, d, headScale[k]));
    this.variables = [...trunk, ...this.heads].flatMap((l) => [l.w, l.b]);
  }

  features(x: tf.Tensor2D, opts: ApplyOptions = {}): tf.Tensor2D {
    const paramGrads = opts.paramGrads ?? true;
    if (x.rank !== 2 || x.shape[1] !== this.inDim) throw new Error(`mlp: input has shape [${x.shape}], expected [batch, ${this.inDim}].`);
    return tf.tidy(() => {
      let h = x;
      // Only the layer that reads x has constant input columns.
      this.trunk.forEach((l, i) => {
        h = hiddenLayer(h, l, this.activation, paramGrads, i === 0 ? (opts.constantInputs ?? 0) : 0);
      });
      return h;
    });
  }

  apply(x: tf.Tensor2D, opts: ApplyOptions = {}): tf.Tensor2D[] {
    return tf.tidy(() => {
      const h = this.features(x, opts);
      const constantInputs = this.trunk.length === 0 ? (opts.constantInputs ?? 0) : 0;
      return this.heads.map((l) => denseLinear(h, l.w as tf.Tensor2D, l.b as tf.Tensor1D, opts.paramGrads ?? true, l.wT, constantInputs));
    });
  }

  paramGroups(): ParamGroups {
    return { equiv: [], basic: [], other: [...this.variables] };
  }

  /** A plain MLP carries no RPP prior: always 0. */
  penalty(_equivWd: number, _basicWd: number): tf.Scalar {
    return tf.scalar(0);
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
    for (const l of [...this.trunk, ...this.heads]) l.wT.dispose();
  }
}

export function mlp(opts: MlpOptions): Mlp {
  return new Mlp(opts);
}
