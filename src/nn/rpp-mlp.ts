/**
 * The RPP MLP (the paper's HeadlessRPPEMLP + MixedLinear heads): a shared trunk
 * of RppLinear -> RppActivation blocks over hidden reps, then one RppLinear head
 * per output rep (an actor: mean and pre-std; a critic: one invariant scalar).
 *
 * Deviation from the paper: its block adds a BiLinear term
 * (0.03 * W(x) @ x, unregularised) before the nonlinearity; it is dropped here
 * (block = RppLinear -> activation), as rpp.md allows. Hidden reps are
 * hiddenRep(G, width) (block-major multiples of the regular rep) instead of the
 * paper's T0/T1/T2 mixes (e.g. 136T0+60T1), so the projection is a cheap block
 * cycle.
 */
import * as tf from '@tensorflow/tfjs';
import { hiddenRep, type Rep } from '../equivariance/rep.js';
import { Rng } from '../random.js';
import type { ApplyOptions, Network, ParamGroups } from './network.js';
import { l2Penalty } from './penalty.js';
import { RppActivation } from './rpp-activation.js';
import { RppLinear } from './rpp-linear.js';

export interface RppMlpOptions {
  repIn: Rep;
  /** One rep per head, e.g. [actionRep, actionStdRep] for an actor, [trivial(G)] for a critic. */
  repsOut: Rep[];
  /** Requested hidden widths, e.g. [256, 256]; each becomes hiddenRep(G, width). */
  hidden: number[];
  /** Residual pathway on (default true); false = strictly equivariant EMLP. */
  basic?: boolean;
  /** Init scale per head (e.g. 0.01 for policy heads); default 1. */
  headInitScale?: number[];
  seed?: number;
  /** Nonlinearity on the hidden (permutation) channels: 'swish' (default, the paper) or 'relu' (cheaper). */
  activation?: 'swish' | 'relu';
  /** Weight fan-in convention, see RppLinear ('in' default, 'paper' = flax quirk). */
  fanIn?: 'in' | 'paper';
}

export class RppMlp implements Network {
  readonly inDim: number;
  readonly outDims: readonly number[];
  readonly repIn: Rep;
  readonly repsOut: readonly Rep[];
  readonly hiddenReps: readonly Rep[];
  readonly trunk: readonly { linear: RppLinear; activation: RppActivation }[];
  readonly heads: readonly RppLinear[];
  readonly variables: readonly tf.Variable[];

  constructor(opts: RppMlpOptions) {
    const { repIn, repsOut, hidden } = opts;
    if (repsOut.length === 0) throw new Error('rppMlp: repsOut is empty; give at least one output rep (one per head).');
    for (const r of repsOut) {
      if (!r.group.equals(repIn.group)) throw new Error(`rppMlp: output rep ${r} is not a rep of ${repIn.group.name} like repIn.`);
    }
    for (const w of hidden) if (!Number.isInteger(w) || w < 1) throw new Error(`rppMlp: hidden widths must be positive integers, got [${hidden}].`);
    const headScale = opts.headInitScale ?? repsOut.map(() => 1);
    if (headScale.length !== repsOut.length) throw new Error(`rppMlp: headInitScale has ${headScale.length} entries but there are ${repsOut.length} heads.`);
    const basic = opts.basic ?? true;
    const rng = new Rng(opts.seed ?? 0);
    const fanIn = opts.fanIn ?? 'in';

    this.repIn = repIn;
    this.repsOut = [...repsOut];
    this.inDim = repIn.dim;
    this.outDims = repsOut.map((r) => r.dim);
    this.hiddenReps = hidden.map((w) => hiddenRep(repIn.group, w));
    const trunk: { linear: RppLinear; activation: RppActivation }[] = [];
    let prev = repIn;
    for (const h of this.hiddenReps) {
      trunk.push({ linear: new RppLinear({ repIn: prev, repOut: h, basic, rng, fanIn }), activation: new RppActivation(h, { basic, activation: opts.activation ?? 'swish' }) });
      prev = h;
    }
    this.trunk = trunk;
    this.heads = repsOut.map((r, k) => new RppLinear({ repIn: prev, repOut: r, basic, rng, fanIn, initScale: headScale[k] }));
    this.variables = [...trunk.flatMap((b) => [...b.linear.variables, ...b.activation.variables]), ...this.heads.flatMap((h) => h.variables)];
  }

  /**
   * Shared trunk features [batch, last hidden dim], before the last activation's
   * residual scale (returned as `scale`, null for EMLP): each activation's
   * (1 + w_basic) is folded into the next linear layer (RppLinear inputScale),
   * and relu into the linear layer's matmul. Same function as applying the
   * RppActivation blocks in turn, fewer kernels.
   */
  features(x: tf.Tensor2D, opts: ApplyOptions = {}): { h: tf.Tensor2D; scale: tf.Tensor1D | null } {
    const paramGrads = opts.paramGrads ?? true;
    if (x.rank !== 2 || x.shape[1] !== this.inDim) throw new Error(`rppMlp: input has shape [${x.shape}], expected [batch, ${this.inDim}].`);
    let h = x;
    let scale: tf.Tensor1D | null = null;
    for (const [i, b] of this.trunk.entries()) {
      const relu = b.activation.kind === 'relu';
      // Only the layer that reads x has constant input columns.
      const z = b.linear.apply(h, paramGrads, { inputScale: scale, relu, constantInputs: i === 0 ? (opts.constantInputs ?? 0) : 0 });
      h = relu ? z : b.activation.unscaled(z);
      scale = b.activation.wBasic as tf.Tensor1D | null;
    }
    return { h, scale };
  }

  apply(x: tf.Tensor2D, opts: ApplyOptions = {}): tf.Tensor2D[] {
    return tf.tidy(() => {
      const { h, scale } = this.features(x, opts);
      const constantInputs = this.trunk.length === 0 ? (opts.constantInputs ?? 0) : 0;
      return this.heads.map((head) => head.apply(h, opts.paramGrads ?? true, { inputScale: scale, constantInputs }));
    });
  }

  paramGroups(): ParamGroups {
    const equiv: tf.Variable[] = [];
    const basic: tf.Variable[] = [];
    for (const layer of [...this.trunk.map((b) => b.linear), ...this.heads]) {
      const g = layer.paramGroups();
      equiv.push(...g.equiv);
      basic.push(...g.basic);
    }
    for (const b of this.trunk) basic.push(...b.activation.variables);
    return { equiv, basic, other: [] };
  }

  penalty(equivWd: number, basicWd: number): tf.Scalar {
    return l2Penalty(this.paramGroups(), equivWd, basicWd);
  }

  dispose(): void {
    for (const b of this.trunk) {
      b.linear.dispose();
      b.activation.dispose();
    }
    for (const h of this.heads) h.dispose();
  }
}

/** An RPP MLP (or, with basic: false, a strictly equivariant EMLP) as a Network. */
export function rppMlp(opts: RppMlpOptions): RppMlp {
  return new RppMlp(opts);
}
