/**
 * A dense layer with a single output (a critic's Q head, 256 -> 1) as host
 * kernels: forward y = x w + b, and backward dx = dz w^T, dw = x^T dz, db = sum dz,
 * each one pass over x (native SIMD loops on wasm, JS on cpu).
 *
 * Why: as a matmul this is a [batch, in] x [in, 1] product that XNNPACK runs far
 * below its peak rate (~0.1 ms for 256 x 256 x 1), and its weight gradient
 * needs x^T (a 256 x 256 transpose) plus another matmul; the native loops take
 * a few hundredths of a millisecond and need no transpose. Used when the input
 * width is a multiple of 4 (the SIMD width); other shapes take the matmul path.
 */
import { registerHostKernel } from '../kernels/host-kernel.js';

export const DENSE_ONE_KERNEL = 'RppDenseOne';
export const DENSE_ONE_GRAD_KERNEL = 'RppDenseOneGrad';

interface Spec {
  /** Compute dw and db too (false: only dx, for a frozen layer). */
  paramGrads: boolean;
}

const shapeOf = (shapes: number[][]): [number, number] => {
  const [x, w] = shapes;
  if (x.length !== 2 || w[0] !== x[1] || w.reduce((a, d) => a * d, 1) !== x[1] || x[1] % 4 !== 0) {
    throw new Error(`${DENSE_ONE_KERNEL}: expected x [batch, 4k] and w [4k, 1], got ${JSON.stringify(shapes)}.`);
  }
  return [x[0], x[1]];
};

/** Inputs: x [B, in], w [in, 1], b [1]. Output: y [B, 1]. */
registerHostKernel<Spec>({
  name: DENSE_ONE_KERNEL,
  outputShapes: (shapes) => [[shapeOf(shapes)[0], 1]],
  computeWasm: ([x, w, b], [y], _spec, k) => {
    const cols = w.size;
    k.gemv1(x.ptr, w.ptr, b.ptr, y.ptr, x.size / cols, cols >> 2);
  },
  compute: ([x, w, b], [y]) => {
    const cols = w.length;
    for (let r = 0; r < y.length; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += x[r * cols + c] * w[c];
      y[r] = s + b[0];
    }
  },
});

/** Inputs: x, w, dz [B, 1]. Outputs: dx [B, in], and with paramGrads dw [in, 1], db [1]. */
registerHostKernel<Spec>({
  name: DENSE_ONE_GRAD_KERNEL,
  outputShapes: (shapes, spec) => {
    const [rows, cols] = shapeOf(shapes);
    return spec.paramGrads ? [[rows, cols], [cols, 1], [1]] : [[rows, cols]];
  },
  computeWasm: ([x, w, dz], outs, spec, k) => {
    const cols = w.size;
    const rows = dz.size;
    k.outer(dz.ptr, w.ptr, outs[0].ptr, rows, cols >> 2);
    if (spec.paramGrads) {
      k.colDot(x.ptr, dz.ptr, outs[1].ptr, rows, cols >> 2);
      // db = sum(dz): a column of the batch size, summed on the host side of the heap.
      k.sumInto(dz.ptr, outs[2].ptr, rows);
    }
  },
  compute: ([x, w, dz], outs, spec) => {
    const cols = w.length;
    const rows = dz.length;
    const [dx] = outs;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dx[r * cols + c] = dz[r] * w[c];
    if (!spec.paramGrads) return;
    const [, dw, db] = outs;
    dw.fill(0);
    let s = 0;
    for (let r = 0; r < rows; r++) {
      s += dz[r];
      for (let c = 0; c < cols; c++) dw[c] += x[r * cols + c] * dz[r];
    }
    db[0] = s;
  },
});
