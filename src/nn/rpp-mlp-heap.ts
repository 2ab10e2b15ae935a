/**
 * An RPP (or EMLP) MLP's forward and backward on heap buffers: what its tape path runs
 * (RppMlp.apply: RppLinear's one-node ops with the activation's scale folded into the next
 * layer, swish or fused relu) with the same kernels in the same way, so every output has the
 * same bits. For the tensor-free update (agents/sac-heap-update.ts); the bits are checked
 * against the tape path in test/sac-heap-update.test.ts.
 *
 * Per layer, with W = P(w_equiv) + w_basic and its rows scaled, W' = diag(1 + s) W, where the
 * layer reads the previous activation's scale s (RppLinear's effective record, shared with
 * acting and the tape path, recomputed once per parameter change on heap by our kernels):
 *   forward   z = x W' + b (nn, bias fused), s = sigmoid(z) (tf.sigmoid, the one tfjs kernel
 *             left per swish layer and forward), h = z s   (relu: fused into the matmul)
 *   backward  dz = swish'(dh) from s and h (relu: relu'(dh)), G = x^T dz with db = sum dz (tn),
 *             dx = dz W'^T (nt), ds = rowsum(G * W) (as tf.sum(tf.mul), in column order),
 *             dW = diag(1 + s) G, d w_equiv = P(dW), d b_equiv = P_b(db), d w_basic = dW,
 *             d b_basic = db; a scale read by several heads gets their ds summed as the tape does.
 */
import * as tf from '@tensorflow/tfjs';
import type { HeapArray } from '../kernels/host-kernel.js';
import { scaleRows, type HeapBuffers } from '../kernels/heap-buffers.js';
import { nativeKernels } from '../kernels/native-kernels.js';
import { matmulNTFrom, ownMatmulKernels } from '../kernels/own-matmul.js';
import { disposePasses, hiddenBackward, hiddenForward, newMlpPass, sumAsTape, type HeapPass, type MlpPass, type NetworkOnHeap } from './mlp-heap.js';
import type { RppLinear } from './rpp-linear.js';
import type { RppMlp } from './rpp-mlp.js';

/** Whether RppMlpOnHeap can run this network: swish or relu activations, a hidden layer. */
export function rppHeapRunnable(net: RppMlp): boolean {
  return net.trunk.length > 0 && net.trunk.every((b) => b.activation.kind === 'swish' || b.activation.kind === 'relu');
}

/** Gradient buffers of one RppLinear's variables, by role. */
interface LinearGrads {
  wEquiv: HeapArray;
  bEquiv: HeapArray;
  /** The residual pathway's, or (EMLP) scratch for dW and db before projection. */
  wBasic: HeapArray;
  bBasic: HeapArray;
}

export class RppMlpOnHeap implements NetworkOnHeap {
  readonly net: RppMlp;
  readonly batch: number;
  readonly grads: HeapArray[];
  readonly #buffers: HeapBuffers;
  readonly #passes: MlpPass[] = [];
  readonly #linearGrads: Map<RppLinear, LinearGrads>;
  /** Per trunk block: the gradient of its activation's scale, or null (EMLP). */
  readonly #scaleGrads: Array<HeapArray | null>;
  readonly #dh: HeapArray[];
  readonly #dz: HeapArray[];
  readonly #headDx: HeapArray[];
  /** Each head's ds of the last block's scale (summed into its gradient). */
  readonly #headDs: HeapArray[];

  constructor(net: RppMlp, batch: number, buffers: HeapBuffers) {
    if (!rppHeapRunnable(net)) throw new Error('RppMlpOnHeap: needs swish or relu activations and a hidden layer.');
    this.net = net;
    this.batch = batch;
    this.#buffers = buffers;
    const byVar = new Map<tf.Variable, HeapArray>(net.variables.map((v) => [v, buffers.alloc(v.size)]));
    this.grads = net.variables.map((v) => byVar.get(v)!);
    const linearGrads = (l: RppLinear): LinearGrads => ({
      wEquiv: byVar.get(l.wEquiv)!,
      bEquiv: byVar.get(l.bEquiv)!,
      wBasic: l.wBasic !== null ? byVar.get(l.wBasic)! : buffers.alloc(l.wEquiv.size),
      bBasic: l.bBasic !== null ? byVar.get(l.bBasic)! : buffers.alloc(l.bEquiv.size),
    });
    this.#linearGrads = new Map([...net.trunk.map((b) => b.linear), ...net.heads].map((l) => [l, linearGrads(l)]));
    this.#scaleGrads = net.trunk.map((b) => (b.activation.wBasic === null ? null : byVar.get(b.activation.wBasic)!));
    const widths = net.trunk.map((b) => b.linear.repOut.dim);
    this.#dh = widths.map((w) => buffers.alloc(batch * w));
    this.#dz = widths.map((w) => buffers.alloc(batch * w));
    const last = widths[widths.length - 1];
    this.#headDx = net.heads.length === 1 ? [this.#dh[widths.length - 1]] : net.heads.map(() => buffers.alloc(batch * last));
    this.#headDs = net.heads.map(() => buffers.alloc(last));
  }

  newPass(): MlpPass {
    const trunk = this.net.trunk;
    const pass = newMlpPass(this.#buffers, this.batch, trunk.map((b) => b.linear.repOut.dim), trunk.map((b) => b.activation.kind === 'swish'), this.net.heads.map((l) => l.repOut.dim));
    this.#passes.push(pass);
    return pass;
  }

  /** The input scale layer i reads: the previous block's activation scale (null for the first layer and EMLP). */
  #scale(i: number): tf.Tensor1D | null {
    return i === 0 ? null : (this.net.trunk[i - 1].activation.wBasic as tf.Tensor1D | null);
  }

  forward(x: HeapArray, passIn: HeapPass): void {
    const pass = passIn as MlpPass;
    const k = ownMatmulKernels();
    const B = this.batch;
    let input = x;
    this.net.trunk.forEach((b, i) => {
      const l = b.linear;
      const [nIn, n] = [l.repIn.dim, l.repOut.dim];
      const eff = l.effectiveOnHeap(this.#scale(i));
      // relu fused into the product as RppLinear's relu option; swish after it.
      hiddenForward(k, pass, i, input.ptr, eff.w.ptr, eff.b.ptr, B, nIn, n);
      input = pass.hidden[i];
    });
    const L = this.net.trunk.length;
    const last = this.net.trunk[L - 1].linear.repOut.dim;
    this.net.heads.forEach((l, j) => {
      const eff = l.effectiveOnHeap(this.#scale(L));
      k.matmul('nn', input.ptr, eff.w.ptr, pass.heads[j].ptr, B, last, l.repOut.dim, { bias: eff.b.ptr, relu: false });
    });
  }

  backward(x: HeapArray, passIn: HeapPass, dHeads: HeapArray[], paramGrads: boolean, constantInputs: number, dx: HeapArray | null): void {
    const pass = passIn as MlpPass;
    const L = this.net.trunk.length;
    const hLast = pass.hidden[L - 1];
    this.net.heads.forEach((l, j) => {
      this.#linearBackward(l, this.#scale(L), hLast, dHeads[j], paramGrads, this.#headDs[j], 0, this.#headDx[j]);
    });
    if (this.net.heads.length > 1) sumAsTape(this.#headDx, this.#dh[L - 1]);
    const lastScale = this.#scaleGrads[L - 1];
    if (paramGrads && lastScale !== null) sumAsTape(this.#headDs, lastScale);
    for (let i = L - 1; i >= 0; i--) {
      const b = this.net.trunk[i];
      hiddenBackward(pass, i, this.#dh[i], this.#dz[i]);
      const input = i === 0 ? x : pass.hidden[i - 1];
      const ds = i === 0 ? null : this.#scaleGrads[i - 1];
      const out = i > 0 ? this.#dh[i - 1] : dx;
      this.#linearBackward(b.linear, this.#scale(i), input, this.#dz[i], paramGrads, ds, i === 0 ? constantInputs : 0, out);
    }
  }

  /**
   * One RppLinear's backward (its #op / #frozenOp gradient) for input x and dz: the
   * parameter gradients into their buffers (paramGrads), ds of its input scale into
   * `ds` when it has one, and dz W'^T into dx (null: not needed; its first
   * constantInputs columns zero).
   */
  #linearBackward(l: RppLinear, scale: tf.Tensor1D | null, x: HeapArray, dz: HeapArray, paramGrads: boolean, ds: HeapArray | null, constantInputs: number, dx: HeapArray | null): void {
    const k = ownMatmulKernels();
    const B = this.batch;
    const [nIn, n] = [l.repIn.dim, l.repOut.dim];
    const eff = l.effectiveOnHeap(scale);
    if (paramGrads) {
      const g = this.#linearGrads.get(l)!;
      // G into the w_basic gradient's buffer (EMLP: scratch), db likewise.
      k.matmul('tn', x.ptr, dz.ptr, g.wBasic.ptr, nIn, B, n, { colSum: g.bBasic.ptr });
      if (eff.unscaled !== null && eff.scaleCol !== null) {
        if (ds === null) throw new Error('RppMlpOnHeap: a scaled layer without its scale gradient buffer');
        // ds = rowsum(G * W) first, then dW = diag(1 + s) G in place.
        nativeKernels()!.rowDot(g.wBasic.ptr, eff.unscaled.ptr, ds.ptr, nIn, n);
        scaleRows(g.wBasic, eff.scaleCol);
      }
      l.projectWeightOnHeap(g.wBasic, g.wEquiv);
      l.projectBiasOnHeap(g.bBasic, g.bEquiv);
    }
    if (dx !== null) matmulNTFrom(k, dz.ptr, eff.w.ptr, dx.ptr, B, n, nIn, Math.min(constantInputs, nIn));
  }

  dispose(): void {
    disposePasses(this.#passes);
  }
}
