/**
 * Small WebAssembly kernels that run directly on the tfjs wasm backend's memory
 * (they import its WebAssembly.Memory), called with byte offsets of tensor
 * buffers. Used by the host kernels on the wasm backend; see wasm-encoder.ts for
 * why they are hand-encoded. All arithmetic is f32, like the tf ops they replace.
 *
 * Every loop has the shape
 *   if (n != 0) do { body; advance pointers; } while (--n != 0)
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmBackendInternals } from './wasm-backend.js';
import { encodeModule, op, type WasmFunction } from './wasm-encoder.js';

// The project's lib settings (ES2022, no DOM) do not declare the WebAssembly
// namespace; these are the parts used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
};

export interface NativeKernels {
  /** o[k] = t[k] + tau * (s[k] - t[k]) */
  polyak(t: number, s: number, o: number, n: number, tau: number): void;
  /** One Adam step for n entries (see agents/optimizer-kernels.ts for the formula). */
  adam(p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n: number, b1: number, omb1: number, b2: number, omb2: number, stepScale: number, epsScale: number, c2: number, gScale: number): void;
  /** polyak on 4 lanes at a time: n4 = n / 4 groups. */
  polyak4(t: number, s: number, o: number, n4: number, tau: number): void;
  /** adam on 4 lanes at a time: n4 = n / 4 groups. */
  adam4(p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n4: number, b1: number, omb1: number, b2: number, omb2: number, stepScale: number, epsScale: number, c2: number, gScale: number): void;
  /** sum_k (g[k] + c2 p[k])^2, accumulated in f64. */
  sumsq(g: number, p: number, n: number, c2: number): number;
  /** out[k] = scale * (w[k] + sign[k] * w[idx[k]]) (idx: element indices, int32). */
  avg2(w: number, idx: number, sign: number, out: number, n: number, scale: number): void;
  /** out[k] = scale * (w[k] + w[idx[k]]) */
  avg2u(w: number, idx: number, out: number, n: number, scale: number): void;
  /** out[k] += sign[k] * w[idx[k]] */
  gatherAdd(w: number, idx: number, sign: number, out: number, n: number): void;
  /** out[k] += w[idx[k]] */
  gatherAddU(w: number, idx: number, out: number, n: number): void;
  /** dz[k] = y[k] > 0 ? dy[k] : 0 (the relu backward) */
  reluGrad(dy: number, y: number, dz: number, n: number): void;
  /** reluGrad on 4 lanes at a time: n4 = n / 4 groups. */
  reluGrad4(dy: number, y: number, dz: number, n4: number): void;
  /** dz[k] = dy[k] * ((s[k] + sw[k]) - sw[k] * s[k]) (the swish backward from s = sigmoid(z), sw = z s) */
  swishGrad(dy: number, s: number, sw: number, dz: number, n: number): void;
  /** swishGrad on 4 lanes at a time: n4 = n / 4 groups. */
  swishGrad4(dy: number, s: number, sw: number, dz: number, n4: number): void;
  /** out[k] *= s */
  scale(out: number, n: number, s: number): void;
  /** dst[j * dstRows + i] = src[i * cols + j] for `rows` source rows (one row at a time). */
  transposeRows(src: number, dst: number, rows: number, cols: number, dstRows: number): void;
  /** The same for 4 * groups source rows, four at a time. */
  transpose4(src: number, dst: number, groups: number, cols: number, dstRows: number): void;
  /** The same for 16 * groups source rows, sixteen at a time. */
  transpose16(src: number, dst: number, groups: number, cols: number, dstRows: number): void;
  /** y[r] = b[0] + sum_c h[r, c] w[c], h [rows, 4 * cols4] (a dense layer with one output). */
  gemv1(h: number, w: number, b: number, y: number, rows: number, cols4: number): void;
  /** out[c] = sum_r h[r, c] dz[r] (its weight gradient, no transpose of h). */
  colDot(h: number, dz: number, out: number, rows: number, cols4: number): void;
  /** dx[r, c] = dz[r] w[c] (its input gradient). */
  outer(dz: number, w: number, dx: number, rows: number, cols4: number): void;
  /** out[0] = sum_k x[k] (f32 accumulation). */
  sumInto(x: number, out: number, n: number): void;
  /** out[k] = a[k] + b[k] */
  add(a: number, b: number, out: number, n: number): void;
  /** add on 4 lanes at a time: n4 = n / 4 groups. */
  add4(a: number, b: number, out: number, n4: number): void;
  /** out[k] = a[k] * b[k] */
  mul(a: number, b: number, out: number, n: number): void;
  /** mul on 4 lanes at a time: n4 = n / 4 groups. */
  mul4(a: number, b: number, out: number, n4: number): void;
  /**
   * out[r] = sum_c a[r, c] b[r, c] for rows of `cols`, each product rounded to f32 and summed
   * in column order in f32: what tf.sum(tf.mul(a, b), 1) computes on the wasm backend.
   */
  rowDot(a: number, b: number, out: number, rows: number, cols: number): void;
}

const advanceBy = (bytes: number, locals: number[]): number[][] => locals.map((l) => [...op.get(l), ...op.i32(bytes), ...op.i32Add, ...op.set(l)]);
const advance = (...locals: number[]): number[][] => advanceBy(4, locals);
/** A scalar param splatted into a v128 local. */
const splat = (param: number, local: number): number[][] => [op.get(param), op.f32x4Splat, op.set(local)];

/** if (n != 0) do { body } while (--n != 0) */
function countedLoop(n: number, body: number[][]): number[][] {
  return [op.block, op.get(n), op.i32Eqz, op.brIf(0), op.loop, ...body, op.get(n), op.i32(1), op.i32Sub, op.tee(n), op.brIf(0), op.end, op.end];
}

/** Address w + 4 * idx[0] (idx a pointer local to int32 indices). */
const gathered = (wBase: number, idx: number): number[][] => [op.get(wBase), op.get(idx), op.i32Load(), op.i32(2), op.i32Shl, op.i32Add];

/**
 * Transpose `rows` source rows at a time, so each destination write covers
 * 4 * rows contiguous bytes (16 rows: a whole 64-byte cache line, which matters
 * when the source is not in cache). Params: src (start of the current row
 * group), dst, groups (counter), cols, dst row length.
 */
function transposeBlock(rows: number): WasmFunction {
  // 5 p (moving along the group's first row), 6 d, 7 j, 8 dst stride, 9 rowBytes, 10 column start in dst, 11 group bytes
  const copies = Array.from({ length: rows }, (_, r) => [
    op.get(6),
    op.get(5),
    ...(r === 0 ? [] : [op.get(9), op.i32(r), op.i32Mul, op.i32Add]),
    op.f32Load(),
    op.f32Store(4 * r),
  ]).flat();
  return {
    name: `transpose${rows}`,
    params: ['i32', 'i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    body: [
      op.get(4), op.i32(2), op.i32Shl, op.set(8),
      op.get(3), op.i32(2), op.i32Shl, op.set(9),
      op.get(9), op.i32(rows), op.i32Mul, op.set(11),
      op.get(1), op.set(10),
      ...countedLoop(2, [
        op.get(0), op.set(5),
        op.get(10), op.set(6),
        op.get(3), op.set(7),
        ...countedLoop(7, [...copies, ...advance(5), op.get(6), op.get(8), op.i32Add, op.set(6)]),
        op.get(0), op.get(11), op.i32Add, op.set(0),
        ...advanceBy(4 * rows, [10]),
      ]),
    ],
  };
}

/**
 * out[k] = a[k] op b[k]: `name` one entry at a time and `name`4 four lanes at a time.
 * Params: 0 a, 1 b, 2 out (all moving), 3 n (or n / 4).
 */
function binaryKernels(name: string, scalar: number[], vector: number[]): WasmFunction[] {
  const kernel = (suffix: string, load: number[], store: number[], instr: number[], bytes: number): WasmFunction => ({
    name: `${name}${suffix}`,
    params: ['i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: [],
    body: countedLoop(3, [op.get(2), op.get(0), load, op.get(1), load, instr, store, ...advanceBy(bytes, [0, 1, 2])]),
  });
  return [kernel('', op.f32Load(), op.f32Store(), scalar, 4), kernel('4', op.v128Load(), op.v128Store(), vector, 16)];
}

const FUNCTIONS: WasmFunction[] = [
  {
    name: 'polyak',
    params: ['i32', 'i32', 'i32', 'i32', 'f32'],
    results: [],
    locals: [],
    // 0 t, 1 s, 2 o, 3 n, 4 tau
    body: countedLoop(3, [
      op.get(2), op.get(0), op.f32Load(), op.get(4), op.get(1), op.f32Load(), op.get(0), op.f32Load(), op.f32Sub, op.f32Mul, op.f32Add, op.f32Store(),
      ...advance(0, 1, 2),
    ]),
  },
  {
    name: 'adam',
    params: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32'],
    results: [],
    locals: ['f32', 'f32', 'f32'],
    // 0 p, 1 g, 2 m, 3 v, 4 pOut, 5 mOut, 6 vOut, 7 n, 8 b1, 9 omb1, 10 b2, 11 omb2, 12 stepScale, 13 epsScale, 14 c2, 15 gScale; 16 gj, 17 mj, 18 vj
    body: countedLoop(7, [
      // gj = (g + c2 p) * gScale
      op.get(1), op.f32Load(), op.get(14), op.get(0), op.f32Load(), op.f32Mul, op.f32Add, op.get(15), op.f32Mul, op.set(16),
      // mj = b1 m + (1 - b1) gj
      op.get(8), op.get(2), op.f32Load(), op.f32Mul, op.get(9), op.get(16), op.f32Mul, op.f32Add, op.set(17),
      // vj = b2 v + (1 - b2) gj gj
      op.get(10), op.get(3), op.f32Load(), op.f32Mul, op.get(11), op.get(16), op.f32Mul, op.get(16), op.f32Mul, op.f32Add, op.set(18),
      op.get(5), op.get(17), op.f32Store(),
      op.get(6), op.get(18), op.f32Store(),
      // pOut = p - mj stepScale / (sqrt(vj) + epsScale)
      op.get(4), op.get(0), op.f32Load(), op.get(17), op.get(12), op.f32Mul, op.get(18), op.f32Sqrt, op.get(13), op.f32Add, op.f32Div, op.f32Sub, op.f32Store(),
      ...advance(0, 1, 2, 3, 4, 5, 6),
    ]),
  },
  {
    name: 'polyak4',
    params: ['i32', 'i32', 'i32', 'i32', 'f32'],
    results: [],
    locals: ['v128'],
    // 0 t, 1 s, 2 o, 3 n4, 4 tau; 5 tau x4
    body: [
      ...splat(4, 5),
      ...countedLoop(3, [
        op.get(2), op.get(0), op.v128Load(), op.get(5), op.get(1), op.v128Load(), op.get(0), op.v128Load(), op.f32x4Sub, op.f32x4Mul, op.f32x4Add, op.v128Store(),
        ...advanceBy(16, [0, 1, 2]),
      ]),
    ],
  },
  {
    name: 'adam4',
    params: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32'],
    results: [],
    locals: ['v128', 'v128', 'v128', 'v128', 'v128', 'v128', 'v128', 'v128', 'v128', 'v128', 'v128'],
    // as adam; 16 gj, 17 mj, 18 vj, then splats 19 b1, 20 omb1, 21 b2, 22 omb2, 23 stepScale, 24 epsScale, 25 c2, 26 gScale
    body: [
      ...splat(8, 19), ...splat(9, 20), ...splat(10, 21), ...splat(11, 22), ...splat(12, 23), ...splat(13, 24), ...splat(14, 25), ...splat(15, 26),
      ...countedLoop(7, [
        op.get(1), op.v128Load(), op.get(25), op.get(0), op.v128Load(), op.f32x4Mul, op.f32x4Add, op.get(26), op.f32x4Mul, op.set(16),
        op.get(19), op.get(2), op.v128Load(), op.f32x4Mul, op.get(20), op.get(16), op.f32x4Mul, op.f32x4Add, op.set(17),
        op.get(21), op.get(3), op.v128Load(), op.f32x4Mul, op.get(22), op.get(16), op.f32x4Mul, op.get(16), op.f32x4Mul, op.f32x4Add, op.set(18),
        op.get(5), op.get(17), op.v128Store(),
        op.get(6), op.get(18), op.v128Store(),
        op.get(4), op.get(0), op.v128Load(), op.get(17), op.get(23), op.f32x4Mul, op.get(18), op.f32x4Sqrt, op.get(24), op.f32x4Add, op.f32x4Div, op.f32x4Sub, op.v128Store(),
        ...advanceBy(16, [0, 1, 2, 3, 4, 5, 6]),
      ]),
    ],
  },
  {
    name: 'sumsq',
    params: ['i32', 'i32', 'i32', 'f32'],
    results: ['f64'],
    locals: ['f64', 'f64'],
    // 0 g, 1 p, 2 n, 3 c2; 4 acc, 5 gj
    body: [
      ...countedLoop(2, [
        op.get(0), op.f32Load(), op.get(3), op.get(1), op.f32Load(), op.f32Mul, op.f32Add, op.f64PromoteF32, op.tee(5), op.get(5), op.f64Mul, op.get(4), op.f64Add, op.set(4),
        ...advance(0, 1),
      ]),
      op.get(4),
    ],
  },
  {
    name: 'avg2',
    params: ['i32', 'i32', 'i32', 'i32', 'i32', 'f32'],
    results: [],
    locals: ['i32'],
    // 0 w (moving), 1 idx, 2 sign, 3 out, 4 n, 5 scale; 6 w base
    body: [
      op.get(0), op.set(6),
      ...countedLoop(4, [
        op.get(3), op.get(5), op.get(0), op.f32Load(), op.get(2), op.f32Load(), ...gathered(6, 1), op.f32Load(), op.f32Mul, op.f32Add, op.f32Mul, op.f32Store(),
        ...advance(0, 1, 2, 3),
      ]),
    ],
  },
  {
    name: 'avg2u',
    params: ['i32', 'i32', 'i32', 'i32', 'f32'],
    results: [],
    locals: ['i32'],
    // 0 w (moving), 1 idx, 2 out, 3 n, 4 scale; 5 w base
    body: [
      op.get(0), op.set(5),
      ...countedLoop(3, [
        op.get(2), op.get(4), op.get(0), op.f32Load(), ...gathered(5, 1), op.f32Load(), op.f32Add, op.f32Mul, op.f32Store(),
        ...advance(0, 1, 2),
      ]),
    ],
  },
  {
    name: 'gatherAdd',
    params: ['i32', 'i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: [],
    // 0 w base, 1 idx, 2 sign, 3 out, 4 n
    body: countedLoop(4, [
      op.get(3), op.get(3), op.f32Load(), op.get(2), op.f32Load(), ...gathered(0, 1), op.f32Load(), op.f32Mul, op.f32Add, op.f32Store(),
      ...advance(1, 2, 3),
    ]),
  },
  {
    name: 'gatherAddU',
    params: ['i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: [],
    // 0 w base, 1 idx, 2 out, 3 n
    body: countedLoop(3, [
      op.get(2), op.get(2), op.f32Load(), ...gathered(0, 1), op.f32Load(), op.f32Add, op.f32Store(),
      ...advance(1, 2),
    ]),
  },
  {
    name: 'reluGrad',
    params: ['i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: [],
    // 0 dy, 1 y, 2 dz, 3 n. dz = dy * f32(y > 0): branch-free (a select compiled as a
    // branch mispredicts on random signs, measured ~6 ns per entry).
    body: countedLoop(3, [
      op.get(2), op.get(0), op.f32Load(), op.get(1), op.f32Load(), op.f32(0), op.f32Gt, op.f32ConvertI32U, op.f32Mul, op.f32Store(),
      ...advance(0, 1, 2),
    ]),
  },
  {
    name: 'reluGrad4',
    params: ['i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: ['v128'],
    // 0 dy, 1 y, 2 dz, 3 n4; 4 zero. dz = dy AND (y > 0 lane mask).
    body: [
      op.f32(0), op.f32x4Splat, op.set(4),
      ...countedLoop(3, [
        op.get(2), op.get(0), op.v128Load(), op.get(1), op.v128Load(), op.get(4), op.f32x4Gt, op.v128And, op.v128Store(),
        ...advanceBy(16, [0, 1, 2]),
      ]),
    ],
  },
  {
    name: 'swishGrad',
    params: ['i32', 'i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: [],
    // 0 dy, 1 s, 2 sw, 3 dz, 4 n. The tf ops' order: (s + sw) - sw * s, then times dy.
    body: countedLoop(4, [
      op.get(3),
      op.get(0), op.f32Load(),
      op.get(1), op.f32Load(), op.get(2), op.f32Load(), op.f32Add,
      op.get(2), op.f32Load(), op.get(1), op.f32Load(), op.f32Mul,
      op.f32Sub, op.f32Mul, op.f32Store(),
      ...advance(0, 1, 2, 3),
    ]),
  },
  {
    name: 'swishGrad4',
    params: ['i32', 'i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: [],
    // As swishGrad, four lanes at a time.
    body: countedLoop(4, [
      op.get(3),
      op.get(0), op.v128Load(),
      op.get(1), op.v128Load(), op.get(2), op.v128Load(), op.f32x4Add,
      op.get(2), op.v128Load(), op.get(1), op.v128Load(), op.f32x4Mul,
      op.f32x4Sub, op.f32x4Mul, op.v128Store(),
      ...advanceBy(16, [0, 1, 2, 3]),
    ]),
  },
  {
    name: 'scale',
    params: ['i32', 'i32', 'f32'],
    results: [],
    locals: [],
    // 0 out, 1 n, 2 s
    body: countedLoop(1, [op.get(0), op.get(0), op.f32Load(), op.get(2), op.f32Mul, op.f32Store(), ...advance(0)]),
  },
  {
    name: 'transposeRows',
    params: ['i32', 'i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: ['i32', 'i32', 'i32', 'i32'],
    // One row at a time. 0 src (moving, row-major), 1 dst, 2 rows (counter), 3 cols, 4 dst row length;
    // 5 j, 6 d, 7 dst stride in bytes, 8 column start in dst
    body: [
      op.get(4), op.i32(2), op.i32Shl, op.set(7),
      op.get(1), op.set(8),
      ...countedLoop(2, [
        op.get(8), op.set(6),
        op.get(3), op.set(5),
        ...countedLoop(5, [
          op.get(6), op.get(0), op.f32Load(), op.f32Store(),
          ...advance(0),
          op.get(6), op.get(7), op.i32Add, op.set(6),
        ]),
        ...advance(8),
      ]),
    ],
  },
  transposeBlock(4),
  transposeBlock(16),
  {
    name: 'gemv1',
    params: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: ['v128', 'i32', 'i32', 'f32'],
    // 0 h (moving through all rows), 1 w, 2 b, 3 y, 4 rows, 5 cols4; 6 acc, 7 wp, 8 k, 9 bias
    body: [
      op.get(2), op.f32Load(), op.set(9),
      ...countedLoop(4, [
        op.f32(0), op.f32x4Splat, op.set(6),
        op.get(1), op.set(7),
        op.get(5), op.set(8),
        ...countedLoop(8, [op.get(6), op.get(0), op.v128Load(), op.get(7), op.v128Load(), op.f32x4Mul, op.f32x4Add, op.set(6), ...advanceBy(16, [0, 7])]),
        op.get(3),
        op.get(6), op.f32x4ExtractLane(0), op.get(6), op.f32x4ExtractLane(1), op.f32Add, op.get(6), op.f32x4ExtractLane(2), op.f32Add, op.get(6), op.f32x4ExtractLane(3), op.f32Add,
        op.get(9), op.f32Add, op.f32Store(),
        ...advance(3),
      ]),
    ],
  },
  {
    name: 'colDot',
    params: ['i32', 'i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: ['v128', 'i32', 'i32'],
    // 0 h (moving), 1 dz, 2 out, 3 rows, 4 cols4; 5 s, 6 op (moving in out), 7 k
    body: [
      op.get(2), op.set(6), op.get(4), op.set(7),
      op.f32(0), op.f32x4Splat, op.set(5),
      ...countedLoop(7, [op.get(6), op.get(5), op.v128Store(), ...advanceBy(16, [6])]),
      ...countedLoop(3, [
        op.get(1), op.f32Load(), op.f32x4Splat, op.set(5),
        op.get(2), op.set(6),
        op.get(4), op.set(7),
        ...countedLoop(7, [op.get(6), op.get(6), op.v128Load(), op.get(5), op.get(0), op.v128Load(), op.f32x4Mul, op.f32x4Add, op.v128Store(), ...advanceBy(16, [6, 0])]),
        ...advance(1),
      ]),
    ],
  },
  {
    name: 'sumInto',
    params: ['i32', 'i32', 'i32'],
    results: [],
    locals: ['f32'],
    // 0 x (moving), 1 out, 2 n; 3 acc
    body: [
      ...countedLoop(2, [op.get(3), op.get(0), op.f32Load(), op.f32Add, op.set(3), ...advance(0)]),
      op.get(1), op.get(3), op.f32Store(),
    ],
  },
  ...binaryKernels('add', op.f32Add, op.f32x4Add),
  ...binaryKernels('mul', op.f32Mul, op.f32x4Mul),
  {
    name: 'rowDot',
    params: ['i32', 'i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: ['f32', 'i32'],
    // 0 a (moving), 1 b (moving), 2 out (moving), 3 rows, 4 cols; 5 acc, 6 k
    body: countedLoop(3, [
      op.f32(0), op.set(5),
      op.get(4), op.set(6),
      ...countedLoop(6, [op.get(5), op.get(0), op.f32Load(), op.get(1), op.f32Load(), op.f32Mul, op.f32Add, op.set(5), ...advance(0, 1)]),
      op.get(2), op.get(5), op.f32Store(),
      ...advance(2),
    ]),
  },
  {
    name: 'outer',
    params: ['i32', 'i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: ['v128', 'i32', 'i32'],
    // 0 dz (moving), 1 w, 2 dx (moving), 3 rows, 4 cols4; 5 s, 6 wp, 7 k
    body: countedLoop(3, [
      op.get(0), op.f32Load(), op.f32x4Splat, op.set(5),
      op.get(1), op.set(6),
      op.get(4), op.set(7),
      ...countedLoop(7, [op.get(2), op.get(5), op.get(6), op.v128Load(), op.f32x4Mul, op.v128Store(), ...advanceBy(16, [2, 6])]),
      ...advance(0),
    ]),
  },
];

let cache: { memory: object; kernels: NativeKernels } | null = null;

/** The kernels bound to the active wasm backend's memory, or null on other backends. */
export function nativeKernels(): NativeKernels | null {
  if (tf.getBackend() !== 'wasm') return null;
  const memory = (tf.backend() as unknown as WasmBackendInternals).wasm.asm.memory;
  if (cache !== null && cache.memory === memory) return cache.kernels;
  const module = new WebAssembly.Module(encodeModule(FUNCTIONS));
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  cache = { memory, kernels: instance.exports as unknown as NativeKernels };
  return cache.kernels;
}

/** dst [cols, rows] = src [rows, cols]^T (byte offsets). */
export function transposeMatrix(k: NativeKernels, src: number, dst: number, rows: number, cols: number): void {
  let done = 0;
  for (const [block, run] of [[16, k.transpose16], [4, k.transpose4]] as const) {
    const groups = Math.floor((rows - done) / block);
    if (groups > 0) run(src + 4 * done * cols, dst + 4 * done, groups, cols, rows);
    done += groups * block;
  }
  if (done < rows) k.transposeRows(src + 4 * done * cols, dst + 4 * done, rows - done, cols, rows);
}
