/**
 * A plain relu MLP's forward and backward on heap buffers, with no tensors: the kernels
 * the tape path runs for it (src/nn/dense.ts on the wasm backend with our matmul) called
 * in the same way on buffers allocated once, so every output has the same bits. For the
 * tensor-free update (agents/sac-heap-update.ts); test/sac-heap-update.test.ts checks the
 * bits against the tape path.
 *
 * Per layer, as dense.ts: forward act(x W + b) as one nn product with bias and relu fused
 * (a head with one output and an input width divisible by 4: the dense-one kernel);
 * backward dz = relu'(dh), then x^T dz with the bias gradient in the same pass (tn) and
 * dz W^T (nt), the first layer's constant input columns skipped (left zero).
 */
import type { HeapArray } from '../kernels/host-kernel.js';
import { runOnHeap } from '../kernels/host-kernel.js';
import type { HeapBuffers } from '../kernels/heap-buffers.js';
import { heapArrayOf } from '../kernels/heap-buffers.js';
import { ownMatmulKernels } from '../kernels/own-matmul.js';
import { DENSE_ONE_GRAD_KERNEL, DENSE_ONE_KERNEL } from './dense-one-kernel.js';
import type { DenseParams, Mlp } from './mlp.js';
import { RELU_GRAD_KERNEL } from './relu-grad-kernel.js';

/** The activations one forward pass saves for its backward: each hidden layer's relu output, each head's output. */
export interface MlpPass {
  readonly hidden: HeapArray[];
  readonly heads: HeapArray[];
}

/** Whether mlpOnHeap can run this network (relu, at least one hidden layer). */
export function heapRunnable(net: Mlp): boolean {
  return net.activation === 'relu' && net.trunk.length > 0;
}

export class MlpOnHeap {
  readonly net: Mlp;
  readonly batch: number;
  /** Parameter gradients in net.variables order (w, b per layer), written by backward with paramGrads. */
  readonly grads: HeapArray[];
  readonly #buffers: HeapBuffers;
  /** Gradient w.r.t. each hidden layer's output, and its relu'd form. */
  readonly #dh: HeapArray[];
  readonly #dz: HeapArray[];
  /** Each head's input gradient (summed into the last dh). */
  readonly #headDx: HeapArray[];

  constructor(net: Mlp, batch: number, buffers: HeapBuffers) {
    if (!heapRunnable(net)) throw new Error(`MlpOnHeap: needs a relu MLP with a hidden layer, got activation '${net.activation}' and ${net.trunk.length} hidden layers.`);
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
    return {
      hidden: this.net.trunk.map((l) => this.#buffers.alloc(this.batch * outOf(l))),
      heads: this.net.heads.map((l) => this.#buffers.alloc(this.batch * outOf(l))),
    };
  }

  /** Forward on x [batch, inDim]; activations and head outputs into pass. */
  forward(x: HeapArray, pass: MlpPass): void {
    const k = ownMatmulKernels();
    const B = this.batch;
    let input = x;
    let inDim = this.net.inDim;
    this.net.trunk.forEach((l, i) => {
      const n = outOf(l);
      k.matmul('nn', input.ptr, heapArrayOf(l.w).ptr, pass.hidden[i].ptr, B, inDim, n, { bias: heapArrayOf(l.b).ptr, relu: true });
      input = pass.hidden[i];
      inDim = n;
    });
    this.net.heads.forEach((l, j) => {
      const n = outOf(l);
      if (denseOne(n, inDim)) runOnHeap(DENSE_ONE_KERNEL, [input, heapArrayOf(l.w), heapArrayOf(l.b)], [pass.heads[j]], { paramGrads: true });
      else k.matmul('nn', input.ptr, heapArrayOf(l.w).ptr, pass.heads[j].ptr, B, inDim, n, { bias: heapArrayOf(l.b).ptr, relu: false });
    });
  }

  /**
   * Backward of the forward that filled pass (on input x), given each head's output
   * gradient. paramGrads: write this.grads (else only input gradients). dx [batch, inDim]:
   * the input gradient, its first constantInputs columns zero; null when not needed.
   */
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
      runOnHeap(RELU_GRAD_KERNEL, [this.#dh[i], pass.hidden[i]], [this.#dz[i]], null);
      const dz = this.#dz[i];
      if (paramGrads) k.matmul('tn', input.ptr, dz.ptr, this.grads[2 * i].ptr, nIn, B, n, { colSum: this.grads[2 * i + 1].ptr });
      if (i > 0) {
        k.matmul('nt', dz.ptr, heapArrayOf(l.w).ptr, this.#dh[i - 1].ptr, B, n, nIn);
        continue;
      }
      if (dx === null) continue;
      const skip = Math.min(constantInputs, nIn);
      if (skip === 0) {
        k.matmul('nt', dz.ptr, heapArrayOf(l.w).ptr, dx.ptr, B, n, nIn);
        continue;
      }
      // As RppMatMul with skipCols: zeros, then the live columns in place (rows skip.. of W).
      this.#buffers.view(dx).fill(0);
      if (skip < nIn) k.matmul('nt', dz.ptr, heapArrayOf(l.w).ptr + 4 * n * skip, dx.ptr + 4 * skip, B, n, nIn - skip, { ldc: 4 * nIn });
    }
  }

  /**
   * The last hidden layer's gradient from several heads, summed as the tape accumulates
   * it: the last head's first, then each earlier one added (float adds, exact per pair).
   */
  #sumHeadGrads(out: HeapArray): void {
    const heads = this.#headDx.map((h) => this.#buffers.view(h));
    const o = this.#buffers.view(out);
    o.set(heads[heads.length - 1]);
    for (let j = heads.length - 2; j >= 0; j--) {
      const h = heads[j];
      for (let e = 0; e < o.length; e++) o[e] += h[e];
    }
  }
}

/** Whether a head of n outputs on inDim inputs takes the dense-one kernels (as dense.ts singleOutput). */
function denseOne(n: number, inDim: number): boolean {
  return n === 1 && inDim % 4 === 0;
}

/** A layer's output width (weights are stored [in, out]). */
function outOf(l: DenseParams): number {
  return l.w.shape[1] as number;
}
