/**
 * A plain MLP's forward and backward on heap buffers, with no tensors per kernel: the
 * kernels the tape path runs for it (src/nn/dense.ts on the wasm backend with our matmul)
 * called in the same way on buffers allocated once, so every output has the same bits. For
 * the tensor-free update (agents/sac-heap-update.ts); test/sac-heap-update.test.ts checks
 * the bits against the tape path. Also the pieces rpp-mlp-heap.ts shares: the pass, a
 * hidden layer's activation forward and backward, and the head-gradient sum.
 *
 * Per layer, as dense.ts: forward act(x W + b) as one nn product with bias (and relu) fused
 * (a head with one output and an input width divisible by 4: the dense-one kernel), swish
 * as tf.sigmoid then z * s; backward dz = relu'(dh) or swish'(dh), then x^T dz with the
 * bias gradient in the same pass (tn) and dz W^T (nt), the first layer's constant input
 * columns skipped (left zero).
 */
import * as tf from '@tensorflow/tfjs';
import type { HeapArray } from '../kernels/host-kernel.js';
import { runOnHeap } from '../kernels/host-kernel.js';
import type { HeapBuffers } from '../kernels/heap-buffers.js';
import { elementwise, heapArrayOf, heapView } from '../kernels/heap-buffers.js';
import type { MatmulKernels } from '../kernels/matmul-kernels.js';
import { matmulNTFrom, ownMatmulKernels } from '../kernels/own-matmul.js';
import { DENSE_ONE_GRAD_KERNEL, DENSE_ONE_KERNEL } from './dense-one-kernel.js';
import type { DenseParams, Mlp } from './mlp.js';
import { RELU_GRAD_KERNEL } from './relu-grad-kernel.js';
import { SWISH_GRAD_KERNEL } from './swish-grad-kernel.js';

/** What one forward pass leaves for the caller (each head's output) and for its backward. */
export interface HeapPass {
  readonly heads: HeapArray[];
}

/**
 * A network's forward and backward on heap buffers (plain MLP: MlpOnHeap; RPP MLP:
 * RppMlpOnHeap in rpp-mlp-heap.ts). A pass holds one forward's activations until its
 * backward; a later forward into the same pass replaces them.
 */
export interface NetworkOnHeap {
  /** Parameter gradients in the network's variable order, written by backward with paramGrads. */
  readonly grads: HeapArray[];
  newPass(): HeapPass;
  /** Forward on x [batch, inDim]; activations and head outputs into pass. */
  forward(x: HeapArray, pass: HeapPass): void;
  /**
   * Backward of the forward that filled pass (on input x), given each head's output
   * gradient. paramGrads: write grads (else only input gradients). dx [batch, inDim]:
   * the input gradient, its first constantInputs columns zero; null when not needed.
   */
  backward(x: HeapArray, pass: HeapPass, dHeads: HeapArray[], paramGrads: boolean, constantInputs: number, dx: HeapArray | null): void;
  /** Tensors the passes hold (the buffers belong to the HeapBuffers given). */
  dispose(): void;
}

/**
 * The activations one forward pass saves for its backward: each hidden layer's output h
 * and, for swish, its pre-activation z (a kept tensor whose buffer the matmul writes, so
 * that tf.sigmoid can read it) and s = sigmoid(z) of the last forward; each head's output.
 */
export interface MlpPass extends HeapPass {
  readonly hidden: HeapArray[];
  readonly z: Array<tf.Tensor | null>;
  readonly s: Array<tf.Tensor | null>;
}

/** Whether MlpOnHeap can run this network (relu or swish, at least one hidden layer). */
export function heapRunnable(net: Mlp): boolean {
  return (net.activation === 'relu' || net.activation === 'swish') && net.trunk.length > 0;
}

/**
 * Buffers for one forward pass: hidden layers of these widths (swish[i]: layer i is swish, so
 * it gets its pre-activation as a tensor of its own, tf.zeros allocating a fresh buffer) and
 * heads of these widths.
 */
export function newMlpPass(buffers: HeapBuffers, batch: number, hidden: number[], swish: boolean[], heads: number[]): MlpPass {
  return {
    hidden: hidden.map((w) => buffers.alloc(batch * w)),
    heads: heads.map((w) => buffers.alloc(batch * w)),
    z: hidden.map((w, i) => (swish[i] ? tf.keep(tf.zeros([batch, w])) : null)),
    s: hidden.map(() => null),
  };
}

/** The tensors passes hold. */
export function disposePasses(passes: MlpPass[]): void {
  for (const p of passes) for (const t of [...p.z, ...p.s]) t?.dispose();
  passes.length = 0;
}

/**
 * Hidden layer i's forward into pass: relu(x W + b) as one product, or for swish z = x W + b
 * into the pass's z, s = tf.sigmoid(z) (tfjs's kernel, as the tape path's swish and the
 * exported policy compute it; kept until the next forward replaces it) and h = z * s
 * (float32 products, tf.mul's bits). x, w, bias: byte offsets.
 */
export function hiddenForward(k: MatmulKernels, pass: MlpPass, i: number, x: number, w: number, bias: number, B: number, nIn: number, n: number): void {
  const z = pass.z[i];
  if (z === null) {
    k.matmul('nn', x, w, pass.hidden[i].ptr, B, nIn, n, { bias, relu: true });
    return;
  }
  k.matmul('nn', x, w, heapArrayOf(z).ptr, B, nIn, n, { bias, relu: false });
  pass.s[i]?.dispose();
  const s = tf.tidy(() => tf.keep(tf.sigmoid(z)));
  pass.s[i] = s;
  elementwise('mul', heapArrayOf(z), heapArrayOf(s), pass.hidden[i]);
}

/** dz = act'(dh) for hidden layer i, from what its forward saved (relu: its output; swish: s and h). */
export function hiddenBackward(pass: MlpPass, i: number, dh: HeapArray, dz: HeapArray): void {
  const s = pass.s[i];
  if (s === null) runOnHeap(RELU_GRAD_KERNEL, [dh, pass.hidden[i]], [dz], null);
  else runOnHeap(SWISH_GRAD_KERNEL, [dh, heapArrayOf(s), pass.hidden[i]], [dz], null);
}

export class MlpOnHeap implements NetworkOnHeap {
  readonly net: Mlp;
  readonly batch: number;
  /** Parameter gradients in net.variables order (w, b per layer), written by backward with paramGrads. */
  readonly grads: HeapArray[];
  readonly #buffers: HeapBuffers;
  readonly #passes: MlpPass[] = [];
  /** Gradient w.r.t. each hidden layer's output, and its relu'd form. */
  readonly #dh: HeapArray[];
  readonly #dz: HeapArray[];
  /** Each head's input gradient (summed into the last dh). */
  readonly #headDx: HeapArray[];

  constructor(net: Mlp, batch: number, buffers: HeapBuffers) {
    if (!heapRunnable(net)) throw new Error(`MlpOnHeap: needs a relu or swish MLP with a hidden layer, got activation '${net.activation}' and ${net.trunk.length} hidden layers.`);
    this.net = net;
    this.batch = batch;
    this.#buffers = buffers;
    this.grads = net.variables.map((v) => buffers.alloc(v.size));
    const widths = net.trunk.map((l) => outOf(l));
    this.#dh = widths.map((w) => buffers.alloc(batch * w));
    this.#dz = widths.map((w) => buffers.alloc(batch * w));
    const last = widths[widths.length - 1];
    this.#headDx = net.heads.length === 1 ? [this.#dh[widths.length - 1]] : net.heads.map(() => buffers.alloc(batch * last));
  }

  /** Buffers for one forward pass's activations (a pass is reused by later forwards). */
  newPass(): MlpPass {
    const pass = newMlpPass(this.#buffers, this.batch, this.net.trunk.map(outOf), this.net.trunk.map(() => this.net.activation === 'swish'), this.net.heads.map(outOf));
    this.#passes.push(pass);
    return pass;
  }

  /** Forward on x [batch, inDim]; activations and head outputs into pass. */
  forward(x: HeapArray, pass: MlpPass): void {
    const k = ownMatmulKernels();
    const B = this.batch;
    let input = x;
    let inDim = this.net.inDim;
    this.net.trunk.forEach((l, i) => {
      const n = outOf(l);
      hiddenForward(k, pass, i, input.ptr, heapArrayOf(l.w).ptr, heapArrayOf(l.b).ptr, B, inDim, n);
      input = pass.hidden[i];
      inDim = n;
    });
    this.net.heads.forEach((l, j) => {
      const n = outOf(l);
      if (denseOne(n, inDim)) runOnHeap(DENSE_ONE_KERNEL, [input, heapArrayOf(l.w), heapArrayOf(l.b)], [pass.heads[j]], { paramGrads: true });
      else k.matmul('nn', input.ptr, heapArrayOf(l.w).ptr, pass.heads[j].ptr, B, inDim, n, { bias: heapArrayOf(l.b).ptr, relu: false });
    });
  }

  /** See NetworkOnHeap.backward. */
  backward(x: HeapArray, pass: MlpPass, dHeads: HeapArray[], paramGrads: boolean, constantInputs: number, dx: HeapArray | null): void {
    const k = ownMatmulKernels();
    const B = this.batch;
    const L = this.net.trunk.length;
    const hLast = pass.hidden[L - 1];
    const last = outOf(this.net.trunk[L - 1]);
    const headGrad = (j: number): number => 2 * (L + j);
    this.net.heads.forEach((l, j) => {
      const n = outOf(l);
      const dz = dHeads[j];
      if (denseOne(n, last)) {
        const outs = paramGrads ? [this.#headDx[j], this.grads[headGrad(j)], this.grads[headGrad(j) + 1]] : [this.#headDx[j]];
        runOnHeap(DENSE_ONE_GRAD_KERNEL, [hLast, heapArrayOf(l.w), dz], outs, { paramGrads });
        return;
      }
      if (paramGrads) k.matmul('tn', hLast.ptr, dz.ptr, this.grads[headGrad(j)].ptr, last, B, n, { colSum: this.grads[headGrad(j) + 1].ptr });
      k.matmul('nt', dz.ptr, heapArrayOf(l.w).ptr, this.#headDx[j].ptr, B, n, last);
    });
    if (this.net.heads.length > 1) this.#sumHeadGrads(this.#dh[L - 1]);
    for (let i = L - 1; i >= 0; i--) {
      const l = this.net.trunk[i];
      const [nIn, n] = [l.w.shape[0] as number, outOf(l)];
      const input = i === 0 ? x : pass.hidden[i - 1];
      hiddenBackward(pass, i, this.#dh[i], this.#dz[i]);
      const dz = this.#dz[i];
      if (paramGrads) k.matmul('tn', input.ptr, dz.ptr, this.grads[2 * i].ptr, nIn, B, n, { colSum: this.grads[2 * i + 1].ptr });
      // dz W^T into the layer below's gradient, or into dx (its constant columns left zero, as RppMatMul's skipCols).
      const out = i > 0 ? this.#dh[i - 1] : dx;
      if (out !== null) matmulNTFrom(k, dz.ptr, heapArrayOf(l.w).ptr, out.ptr, B, n, nIn, i === 0 ? Math.min(constantInputs, nIn) : 0);
    }
  }

  #sumHeadGrads(out: HeapArray): void {
    sumAsTape(this.#headDx, out);
  }

  dispose(): void {
    disposePasses(this.#passes);
  }
}

/**
 * A gradient with several contributions (one per head), summed as the tape accumulates
 * it: the last contribution first, then each earlier one added (float32 adds, each
 * exactly rounded: tf.add's bits whatever the order of its two operands).
 */
export function sumAsTape(parts: HeapArray[], out: HeapArray): void {
  heapView(out).set(heapView(parts[parts.length - 1]));
  for (let j = parts.length - 2; j >= 0; j--) elementwise('add', out, parts[j], out);
}

/** Whether a head of n outputs on inDim inputs takes the dense-one kernels (as dense.ts singleOutput). */
function denseOne(n: number, inDim: number): boolean {
  return n === 1 && inDim % 4 === 0;
}

/** A layer's output width (weights are stored [in, out]). */
function outOf(l: DenseParams): number {
  return l.w.shape[1] as number;
}
