/**
 * Matrix products of our own, as WebAssembly SIMD loops on the tfjs wasm
 * backend's memory (like native-kernels.ts), in the three forms a dense layer's
 * forward and backward passes need, all row-major and read in place:
 *   nn: C [M, N] = act(A [M, K] B [K, N] + bias)   forward x W + b [relu]
 *   nt: C [M, N] = A [M, K] B [N, K]^T              input gradient dz W^T
 *   tn: C [M, N] = A [K, M]^T B [K, N]              weight gradient x^T dz
 *       (optionally also colSum [N] = sum_k B [k, :], the bias gradient)
 * so no transpose is materialised and nothing is packed per step.
 *
 * Why: XNNPACK packs every new right-hand operand (weights change every
 * optimizer step, dz every pass; ~0.5 ms per 256x256) and runs transposed forms
 * 10-20x slower, so the update needed explicit transposes; a register-blocked
 * loop without packing reached more GFLOP/s than tfjs's matMul on these shapes
 * (issue 15).
 *
 * Blocking: nn and tn compute tiles of mr = 4 (or 1) rows by 8, 4 or 1 columns,
 * one k at a time: splat one A value per row, load the B row segment, multiply-add
 * into v128 accumulators (8 for a 4x8 tile). nt computes 4 (or 1) rows of A
 * against 2 (or 1) rows of B as dot products over k, four k per vector, then
 * sums each accumulator's lanes. Every entry of C is one sum over k in increasing
 * order (nt: four interleaved partial sums, added at the end), so results are
 * deterministic for a given kernel flavour and runtime.
 *
 * Flavours: with relaxed SIMD (validated at run time, never assumed) the
 * multiply-add is f32x4.relaxed_madd, which V8 emits as a fused multiply-add
 * where the CPU has one (one rounding instead of two); otherwise f32x4.mul then
 * f32x4.add. The two differ in the last bits, so runs are reproducible only
 * within one flavour (see probeFma for which one the runtime actually fused).
 */
import { encodeModule, op, type ValType, type WasmFunction } from './wasm-encoder.js';

declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number }) => { buffer: ArrayBuffer };
  validate(bytes: Uint8Array): boolean;
};

export type MatmulForm = 'nn' | 'nt' | 'tn';

/** A function body under construction: named locals after the params. */
class Body {
  readonly locals: ValType[] = [];
  constructor(readonly nParams: number) {}
  local(t: ValType): number {
    this.locals.push(t);
    return this.nParams + this.locals.length - 1;
  }
}

/** if (n != 0) do { body } while (--n != 0) */
function countedLoop(n: number, body: number[][]): number[][] {
  return [op.block, op.get(n), op.i32Eqz, op.brIf(0), op.loop, ...body, op.get(n), op.i32(1), op.i32Sub, op.tee(n), op.brIf(0), op.end, op.end];
}

const addTo = (l: number, bytes: number): number[][] => [[...op.get(l), ...op.i32(bytes), ...op.i32Add, ...op.set(l)]];
const addLocal = (l: number, by: number): number[][] => [[...op.get(l), ...op.get(by), ...op.i32Add, ...op.set(l)]];
/** l = base + r * stride (stride a local holding bytes). */
const rowAddr = (base: number, stride: number, r: number): number[][] =>
  r === 0 ? [op.get(base)] : [op.get(base), op.get(stride), op.i32(r), op.i32Mul, op.i32Add];

/** acc = a * b + acc on the stack (a, b pushed by the caller's code). */
function madd(fma: boolean, a: number[][], b: number[][], acc: number): number[][] {
  return fma ? [...a, ...b, op.get(acc), op.f32x4RelaxedMadd, op.set(acc)] : [op.get(acc), ...a, ...b, op.f32x4Mul, op.f32x4Add, op.set(acc)];
}

/**
 * nn / tn tile kernel: mr rows x nw columns (nw 8: two vectors, 4: one, 1: lane 0).
 * Params: 0 a, 1 b, 2 bias, 3 c, 4 rowBlocks, 5 colBlocks, 6 K, 7 lda, 8 ldb, 9 ldc
 * (strides in bytes), 10 lo (the output is max(lo, value): 0 for relu, -inf else),
 * 11 colSum (tn: byte offset of a [N] output for the column sums of B, or 0),
 * 12 init (how accumulators start: 0 zero, 1 the bias row, 2 C itself and, for
 * colSum, the sums there: continuing a sum over an earlier block of k).
 */
function tileNN(form: 'nn' | 'tn', mr: number, nw: 8 | 4 | 1, fma: boolean): WasmFunction {
  const f = new Body(13);
  const [A, B, BIAS, C, RB, CB, K, LDA, LDB, LDC, LO, CS, INIT] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const nv = nw === 8 ? 2 : 1;
  const aRow = f.local('i32');
  const cP = f.local('i32');
  const rb = f.local('i32');
  const k = f.local('i32');
  const bp = f.local('i32');
  const csP = f.local('i32');
  const ap = form === 'nn' ? Array.from({ length: mr }, () => f.local('i32')) : [f.local('i32')];
  const acc = Array.from({ length: mr }, () => Array.from({ length: nv }, () => f.local('v128')));
  const bv = Array.from({ length: nv }, () => f.local('v128'));
  const lov = f.local('v128');
  const sum = Array.from({ length: nv }, () => f.local('v128'));
  const load = (ptr: number, offset: number): number[][] => [op.get(ptr), nw === 1 ? op.v128Load32Zero(offset) : op.v128Load(offset)];
  const store = (addr: number[][], offset: number, value: number[][]): number[][] =>
    nw === 1 ? [...addr, ...value, op.v128Store32Lane(0, offset)] : [...addr, ...value, op.v128Store(offset)];
  const zero = [op.f32(0), op.f32x4Splat];
  const withSums = form === 'tn';
  // One splat per row, kept in a local shared by that row's nv multiply-adds.
  const av = f.local('v128');
  const kStep = (sums: boolean): number[][] => [
    ...bv.flatMap((v, j) => [...load(bp, 16 * j), op.set(v)]),
    ...(sums ? bv.flatMap((v, j) => [op.get(sum[j]), op.get(v), op.f32x4Add, op.set(sum[j])]) : []),
    ...acc.flatMap((row, r) => [
      ...(form === 'nn' ? [op.get(ap[r]), op.v128Load32Splat(0)] : [op.get(ap[0]), op.v128Load32Splat(4 * r)]),
      op.set(av),
      ...row.flatMap((a, j) => madd(fma, [op.get(av)], [op.get(bv[j])], a)),
    ]),
    ...(form === 'nn' ? ap.flatMap((p) => addTo(p, 4)) : addLocal(ap[0], LDA)),
    ...addLocal(bp, LDB),
  ];
  const kLoop = (sums: boolean): number[][] => [op.get(K), op.set(k), ...countedLoop(k, kStep(sums))];
  // Column blocks outer, row blocks inner: the B panel (K rows x nw columns) stays in
  // L1 while the rows of A stream past it (rows outer measured ~2x slower at 256^3).
  const body: number[][] = [
    op.get(LO), op.f32x4Splat, op.set(lov),
    ...countedLoop(CB, [
      op.get(A), op.set(aRow),
      op.get(C), op.set(cP),
      op.get(CS), op.set(csP),
      op.get(RB), op.set(rb),
      ...countedLoop(rb, [
        // if (init == 2) acc = C else acc = bias (nn) or 0 (tn)
        op.get(INIT), op.i32(2), [0x46], [0x04, 0x40],
        ...acc.flatMap((row, r) => row.flatMap((a, j) => [...rowAddr(cP, LDC, r), nw === 1 ? op.v128Load32Zero(16 * j) : op.v128Load(16 * j), op.set(a)])),
        [0x05],
        ...acc.flatMap((row) => row.flatMap((a, j) => (form === 'nn' ? [...load(BIAS, 16 * j), op.set(a)] : [...zero, op.set(a)]))),
        op.end,
        ...(form === 'nn' ? ap.flatMap((p, r) => [...rowAddr(aRow, LDA, r), op.set(p)]) : [op.get(aRow), op.set(ap[0])]),
        op.get(B), op.set(bp),
        ...(withSums
          ? [
              // Column sums of B (tn's bias gradient) where asked for (csP != 0), in the first row block only.
              op.get(csP), [0x04, 0x40], // if
              op.get(INIT), op.i32(2), [0x46], [0x04, 0x40],
              ...sum.flatMap((s, j) => [...load(csP, 16 * j), op.set(s)]),
              [0x05],
              ...sum.flatMap((s) => [...zero, op.set(s)]),
              op.end,
              ...kLoop(true),
              ...sum.flatMap((s, j) => store([op.get(csP)], 16 * j, [op.get(s)])),
              op.i32(0), op.set(csP),
              [0x05], // else
              ...kLoop(false),
              op.end,
            ]
          : kLoop(false)),
        ...acc.flatMap((row, r) =>
          row.flatMap((a, j) => store(rowAddr(cP, LDC, r), 16 * j, [op.get(a), op.get(lov), op.f32x4Max])),
        ),
        ...(form === 'nn' ? [op.get(aRow), op.get(LDA), op.i32(mr), op.i32Mul, op.i32Add, op.set(aRow)] : addTo(aRow, 4 * mr)),
        op.get(cP), op.get(LDC), op.i32(mr), op.i32Mul, op.i32Add, op.set(cP),
      ]),
      ...addTo(B, 4 * nw),
      ...addTo(BIAS, 4 * nw),
      ...addTo(C, 4 * nw),
      ...(withSums ? [op.get(CS), [0x04, 0x40], ...addTo(CS, 4 * nw), op.end] : []),
    ]),
  ];
  return { name: `${form}${mr}x${nw}`, params: [...Array(10).fill('i32'), 'f32', 'i32', 'i32'] as ValType[], results: [], locals: f.locals, body };
}

/**
 * nt tile kernel: mr rows of A against nr rows of B, dot products over k.
 * Params: 0 a, 1 b, 2 c, 3 rowBlocks, 4 colBlocks, 5 k4 (K / 4), 6 kTail (K % 4),
 * 7 lda, 8 ldb, 9 ldc (bytes), 10 init (1: add to C, continuing an earlier block of k; 0: overwrite).
 */
function tileNT(mr: number, nr: number, fma: boolean): WasmFunction {
  const f = new Body(11);
  const [A, B, C, RB, CB, K4, KT, LDA, LDB, LDC, INIT] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const bRow = f.local('i32');
  const cP = f.local('i32');
  const cb = f.local('i32');
  const k = f.local('i32');
  const ap = Array.from({ length: mr }, () => f.local('i32'));
  const bp = Array.from({ length: nr }, () => f.local('i32'));
  const acc = Array.from({ length: mr }, () => Array.from({ length: nr }, () => f.local('v128')));
  const bv = Array.from({ length: nr }, () => f.local('v128'));
  const av = f.local('v128');
  const step = (tail: boolean): number[][] => {
    const ld = tail ? op.v128Load32Zero(0) : op.v128Load(0);
    return [
      ...bv.flatMap((v, j) => [op.get(bp[j]), ld, op.set(v)]),
      ...acc.flatMap((row, r) => [op.get(ap[r]), ld, op.set(av), ...row.flatMap((a, j) => madd(fma, [op.get(av)], [op.get(bv[j])], a))]),
      ...[...ap, ...bp].flatMap((p) => addTo(p, tail ? 4 : 16)),
    ];
  };
  const hsum = (a: number): number[][] => [
    op.get(a), op.f32x4ExtractLane(0), op.get(a), op.f32x4ExtractLane(1), op.f32Add,
    op.get(a), op.f32x4ExtractLane(2), op.get(a), op.f32x4ExtractLane(3), op.f32Add, op.f32Add,
  ];
  const body: number[][] = [
    ...countedLoop(RB, [
      op.get(B), op.set(bRow),
      op.get(C), op.set(cP),
      op.get(CB), op.set(cb),
      ...countedLoop(cb, [
        ...acc.flat().flatMap((a) => [op.f32(0), op.f32x4Splat, op.set(a)]),
        ...ap.flatMap((p, r) => [...rowAddr(A, LDA, r), op.set(p)]),
        ...bp.flatMap((p, j) => [...rowAddr(bRow, LDB, j), op.set(p)]),
        op.get(K4), op.set(k),
        ...countedLoop(k, step(false)),
        op.get(KT), op.set(k),
        ...countedLoop(k, step(true)),
        ...acc.flatMap((row, r) =>
          row.flatMap((a, j) => [
            ...rowAddr(cP, LDC, r),
            ...hsum(a),
            op.get(INIT), [0x04, 0x7d], ...rowAddr(cP, LDC, r), op.f32Load(4 * j), [0x05], op.f32(0), op.end, op.f32Add,
            op.f32Store(4 * j),
          ]),
        ),
        op.get(bRow), op.get(LDB), op.i32(nr), op.i32Mul, op.i32Add, op.set(bRow),
        ...addTo(cP, 4 * nr),
      ]),
      op.get(A), op.get(LDA), op.i32(mr), op.i32Mul, op.i32Add, op.set(A),
      op.get(C), op.get(LDC), op.i32(mr), op.i32Mul, op.i32Add, op.set(C),
    ]),
  ];
  return { name: `nt${mr}x${nr}`, params: Array(11).fill('i32') as ValType[], results: [], locals: f.locals, body };
}

type TileNN = (a: number, b: number, bias: number, c: number, rowBlocks: number, colBlocks: number, K: number, lda: number, ldb: number, ldc: number, lo: number, colSum: number, init: number) => void;
type TileNT = (a: number, b: number, c: number, rowBlocks: number, colBlocks: number, k4: number, kTail: number, lda: number, ldb: number, ldc: number, init: number) => void;

/**
 * The block of k done per pass over C. Why: a 256-row B panel 8 columns wide at a
 * 1 KB row stride does not stay in L1 here (256^3 ran at ~21 GFLOP/s, blocks of 128
 * at ~44); C is read back between blocks.
 */
const KC = 128;

const ROWS = [4, 1] as const;
const NN_COLS = [8, 4, 1] as const;
const NT_COLS = [2, 1] as const;

function functions(fma: boolean): WasmFunction[] {
  const out: WasmFunction[] = [];
  for (const mr of ROWS) {
    for (const nw of NN_COLS) out.push(tileNN('nn', mr, nw, fma), tileNN('tn', mr, nw, fma));
    for (const nr of NT_COLS) out.push(tileNT(mr, nr, fma));
  }
  return out;
}

/** The module's bytes for one flavour (fma: relaxed_madd, else mul + add). */
export function matmulModuleBytes(fma: boolean): Uint8Array {
  return encodeModule(functions(fma));
}

let relaxed: boolean | undefined;

/** Whether this runtime validates a module containing f32x4.relaxed_madd (asked once). */
export function relaxedSimdAvailable(): boolean {
  if (relaxed === undefined) {
    const probe: WasmFunction = {
      name: 'madd',
      params: [],
      results: [],
      locals: ['v128'],
      body: [op.f32(0), op.f32x4Splat, op.f32(0), op.f32x4Splat, op.f32(0), op.f32x4Splat, op.f32x4RelaxedMadd, op.set(0)],
    };
    try {
      relaxed = WebAssembly.validate(encodeModule([probe]));
    } catch {
      relaxed = false;
    }
  }
  return relaxed;
}

/** The matmul kernels of one flavour, bound to one WebAssembly.Memory. */
export interface MatmulKernels {
  /** Whether the multiply-adds are relaxed_madd (else mul + add). */
  readonly fma: boolean;
  /**
   * C = act(A B + bias) for form nn (bias: [N] byte offset, required), A^T B for tn,
   * A B^T for nt; all offsets in bytes, shapes as in the file comment. tn with
   * colSum != 0 also writes the column sums of B there.
   */
  matmul(form: MatmulForm, a: number, b: number, c: number, M: number, K: number, N: number, opts?: { bias?: number; relu?: boolean; colSum?: number }): void;
}

/** Compile the kernels (fma true needs relaxedSimdAvailable()) against memory. */
export function matmulKernels(memory: object, fma: boolean): MatmulKernels {
  if (fma && !relaxedSimdAvailable()) throw new Error('matmulKernels: this runtime does not validate relaxed SIMD (f32x4.relaxed_madd); use fma = false.');
  const module = new WebAssembly.Module(matmulModuleBytes(fma));
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const nn = (form: 'nn' | 'tn', mr: number, nw: number): TileNN => ex[`${form}${mr}x${nw}`] as TileNN;
  const nt = (mr: number, nr: number): TileNT => ex[`nt${mr}x${nr}`] as TileNT;
  return {
    fma,
    matmul(form, a, b, c, M, K, N, opts = {}) {
      const rowParts: Array<[number, number, number]> = []; // [mr, blocks, first row]
      if (M >> 2 > 0) rowParts.push([4, M >> 2, 0]);
      if ((M & 3) > 0) rowParts.push([1, M & 3, M & ~3]);
      const ldc = 4 * N;
      if (form === 'nt') {
        const lda = 4 * K;
        const colParts: Array<[number, number, number]> = [];
        if (N >> 1 > 0) colParts.push([2, N >> 1, 0]);
        if ((N & 1) > 0) colParts.push([1, 1, N - 1]);
        for (let k0 = 0; k0 < K; k0 += KC) {
          const kc = Math.min(KC, K - k0);
          for (const [mr, rb, r0] of rowParts) {
            for (const [nr, cb, c0] of colParts) {
              nt(mr, nr)(a + r0 * lda + 4 * k0, b + c0 * lda + 4 * k0, c + r0 * ldc + 4 * c0, rb, cb, kc >> 2, kc & 3, lda, lda, ldc, k0 === 0 ? 0 : 1);
            }
          }
        }
        return;
      }
      const colParts: Array<[number, number, number]> = [];
      const n8 = N >> 3;
      if (n8 > 0) colParts.push([8, n8, 0]);
      if ((N & 4) !== 0) colParts.push([4, 1, 8 * n8]);
      if ((N & 3) !== 0) colParts.push([1, N & 3, N & ~3]);
      const bias = opts.bias ?? 0;
      if (form === 'nn' && bias === 0) throw new Error('matmul nn: a bias is required.');
      const lda = form === 'nn' ? 4 * K : 4 * M;
      for (let k0 = 0; k0 < K; k0 += KC) {
        const kc = Math.min(KC, K - k0);
        const last = k0 + kc === K;
        const lo = last && opts.relu === true ? 0 : -Infinity;
        const init = k0 > 0 ? 2 : form === 'nn' ? 1 : 0;
        let colSum = form === 'tn' ? (opts.colSum ?? 0) : 0;
        for (const [mr, rb, r0] of rowParts) {
          const aRow = form === 'nn' ? a + r0 * lda + 4 * k0 : a + 4 * r0 + k0 * lda;
          for (const [nw, cb, c0] of colParts) {
            nn(form, mr, nw)(aRow, b + k0 * ldc + 4 * c0, bias + 4 * c0, c + r0 * ldc + 4 * c0, rb, cb, kc, lda, ldc, ldc, lo, colSum === 0 ? 0 : colSum + 4 * c0, init);
          }
          colSum = 0;
        }
      }
    },
  };
}

/**
 * Whether relaxed_madd is fused on this runtime and CPU: (1 + 2^-12)^2 - 1 is
 * 2^-11 + 2^-24 with one rounding and 2^-11 with two. Needs the fma flavour.
 */
export function probeFma(): boolean {
  if (!relaxedSimdAvailable()) return false;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const probe: WasmFunction = {
    name: 'p',
    params: ['i32'],
    results: [],
    locals: [],
    body: [op.get(0), op.get(0), op.v128Load(0), op.get(0), op.v128Load(16), op.get(0), op.v128Load(32), op.f32x4RelaxedMadd, op.v128Store(48)],
  };
  const ex = new WebAssembly.Instance(new WebAssembly.Module(encodeModule([probe])), { env: { memory } }).exports;
  const f = new Float32Array(memory.buffer);
  const x = 1 + 2 ** -12;
  f.set([x, x, x, x, x, x, x, x, -1, -1, -1, -1]);
  (ex.p as (p: number) => void)(0);
  return f[12] !== 2 ** -11;
}
