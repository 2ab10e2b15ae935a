/**
 * Matrix products of our own, as WebAssembly SIMD loops on the tfjs wasm
 * backend's memory (like native-kernels.ts), in the three forms a dense layer's
 * forward and backward passes need, all row-major and read in place:
 *   nn: C [M, N] = act(A [M, K] B [K, N] + bias)   forward x W + b [relu]
 *   nt: C [M, N] = A [M, K] B [N, K]^T              input gradient dz W^T
 *   tn: C [M, N] = A [K, M]^T B [K, N]              weight gradient x^T dz
 *       (optionally also colSum [N] = sum_k B [k, :], the bias gradient)
 * so no transpose is materialised. The right-hand operand is copied once per call
 * and block of k into scratch memory as contiguous 8-column panels (pack8 for nn
 * and tn, packT8 gathering B^T's panels for nt, which then runs on the nn tiles)
 * when at least PACK_MIN_ROWS rows of C will read each panel; a narrow head's
 * dz W^T (fewer than 8 k) copies its few-KB B transposed and runs as nn (NT_MIN_K).
 * Without scratch, or for fewer rows, everything is read in place.
 *
 * Why: XNNPACK packs every new right-hand operand (weights change every
 * optimizer step, dz every pass; ~0.5 ms per 256x256) and runs transposed forms
 * 10-20x slower, so the update needed explicit transposes; a register-blocked
 * loop without packing reached more GFLOP/s than tfjs's matMul on these shapes
 * (issue 15).
 *
 * Blocking: nn and tn compute tiles of mr = 4 (or 1) rows by 8, 4 or 1 columns,
 * one k at a time: splat one A value per row, load the B row segment, multiply-add
 * into v128 accumulators (8 for a 4x8 tile; 6x8 and 8x8 spilled and ran at half the
 * rate here, and so did unrolling k by 2 or 4 over packed panels: V8 hoisted the
 * loads and ran out of the 16 xmm registers, ~30% slower). k runs in blocks of KC, C
 * read back between blocks. nt without panels (fewer rows, a column tail, no
 * scratch) computes 4 (or 1) rows of A
 * against 2 (or 1) rows of B as dot products over k, four k per vector, then
 * sums each accumulator's lanes. Every entry of C is one sum over k in increasing
 * order (ntDot: four interleaved partial sums, added at the end), so results are
 * deterministic for a given kernel flavour and runtime, and packing does not change
 * nn's or tn's bits.
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
 * rem < nw: only the first rem columns are stored (a column tail: loads of B, the
 * bias and C read whole vectors past them, so the caller checks they stay in memory).
 * Params: 0 a, 1 b, 2 bias, 3 c, 4 rowBlocks, 5 colBlocks, 6 K, 7 lda, 8 ldb, 9 ldc
 * (strides in bytes), 10 lo (the output is value < lo ? lo : value, 0 for relu, -inf
 * else: f32x4.pmax, one maxps, where f32x4.max's NaN and signed-zero rules cost ~8
 * instructions per vector, 8-12% of a product with 17-23 k; a NaN stays NaN),
 * 11 colSum (tn: byte offset of a [N] output for the column sums of B, or 0),
 * 12 init (how accumulators start: 0 zero, 1 the bias row, 2 C itself and, for
 * colSum, the sums there: continuing a sum over an earlier block of k),
 * 13 bStep (bytes from one column block of B to the next: 4 nw in place, a whole
 * panel, 32 K, when packed).
 */
function tileNN(form: 'nn' | 'tn', mr: number, nw: 8 | 4 | 1, fma: boolean, rem: number = nw): WasmFunction {
  const f = new Body(14);
  const [A, B, BIAS, C, RB, CB, K, LDA, LDB, LDC, LO, CS, INIT, BSTEP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
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
  const tmp = f.local('v128');
  const load = (ptr: number, offset: number): number[][] => [op.get(ptr), nw === 1 ? op.v128Load32Zero(offset) : op.v128Load(offset)];
  /** Store vector j of a tile row: whole, lane 0 (nw 1), or its first valid lanes (a tail). */
  const store = (addr: number[][], offset: number, value: number[][], j = 0): number[][] => {
    if (nw === 1) return [...addr, ...value, op.v128Store32Lane(0, offset)];
    const lanes = Math.min(4, rem - 4 * j);
    if (lanes === 4) return [...addr, ...value, op.v128Store(offset)];
    if (lanes === 1) return [...addr, ...value, op.v128Store32Lane(0, offset)];
    if (lanes === 2) return [...addr, ...value, op.v128Store64Lane(0, offset)];
    // 3 lanes: the value is stored twice (lanes 0-1, then lane 2), so keep it in a local.
    return [...value, op.set(tmp), ...addr, op.get(tmp), op.v128Store64Lane(0, offset), ...addr, op.get(tmp), op.v128Store32Lane(2, offset + 8)];
  };
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
        // init 2: acc = C; 1: acc = bias; 0: acc = 0
        op.get(INIT), op.i32(2), [0x46], [0x04, 0x40],
        ...acc.flatMap((row, r) => row.flatMap((a, j) => [...rowAddr(cP, LDC, r), nw === 1 ? op.v128Load32Zero(16 * j) : op.v128Load(16 * j), op.set(a)])),
        [0x05],
        op.get(INIT), [0x04, 0x40],
        ...acc.flatMap((row) => row.flatMap((a, j) => [...load(BIAS, 16 * j), op.set(a)])),
        [0x05],
        ...acc.flatMap((row) => row.flatMap((a) => [...zero, op.set(a)])),
        op.end,
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
              ...sum.flatMap((s, j) => store([op.get(csP)], 16 * j, [op.get(s)], j)),
              op.i32(0), op.set(csP),
              [0x05], // else
              ...kLoop(false),
              op.end,
            ]
          : kLoop(false)),
        ...acc.flatMap((row, r) =>
          row.flatMap((a, j) => store(rowAddr(cP, LDC, r), 16 * j, [op.get(a), op.get(lov), op.f32x4Pmax], j)),
        ),
        ...(form === 'nn' ? [op.get(aRow), op.get(LDA), op.i32(mr), op.i32Mul, op.i32Add, op.set(aRow)] : addTo(aRow, 4 * mr)),
        op.get(cP), op.get(LDC), op.i32(mr), op.i32Mul, op.i32Add, op.set(cP),
      ]),
      ...addLocal(B, BSTEP),
      ...addTo(BIAS, 4 * nw),
      ...addTo(C, 4 * nw),
      ...(withSums ? [op.get(CS), [0x04, 0x40], ...addTo(CS, 4 * nw), op.end] : []),
    ]),
  ];
  return { name: `${form}${mr}x${nw}${rem === nw ? '' : `r${rem}`}`, params: [...Array(10).fill('i32'), 'f32', 'i32', 'i32', 'i32'] as ValType[], results: [], locals: f.locals, body };
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

/**
 * Copy the 8-column panels of a row-major block of B (rows x 8 cb columns, row
 * stride ldb bytes) to dst as cb contiguous panels of rows x 8 (32-byte rows).
 * Params: 0 src, 1 dst, 2 rows, 3 cb, 4 ldb.
 */
function pack8(): WasmFunction {
  const f = new Body(5);
  const [SRC, DST, ROWS_, CB, LDB] = [0, 1, 2, 3, 4];
  const s = f.local('i32');
  const r = f.local('i32');
  const body: number[][] = countedLoop(CB, [
    op.get(SRC), op.set(s),
    op.get(ROWS_), op.set(r),
    ...countedLoop(r, [
      op.get(DST), op.get(s), op.v128Load(0), op.v128Store(0),
      op.get(DST), op.get(s), op.v128Load(16), op.v128Store(16),
      ...addLocal(s, LDB),
      ...addTo(DST, 32),
    ]),
    ...addTo(SRC, 32),
  ]);
  return { name: 'pack8', params: Array(5).fill('i32') as ValType[], results: [], locals: f.locals, body };
}

/**
 * nt's B [N, K] read as the 8-column panels of B^T: rows 8j..8j+7 of a block of
 * kc columns (row stride ldb bytes) to dst as cb panels of kc x 8 (32-byte rows),
 * the layout pack8 writes, so nt runs on the packed nn tiles.
 * Params: 0 src, 1 dst, 2 kc, 3 cb, 4 ldb.
 */
function packT8(): WasmFunction {
  const f = new Body(5);
  const [SRC, DST, KC_, CB, LDB] = [0, 1, 2, 3, 4];
  const s = Array.from({ length: 8 }, () => f.local('i32'));
  const k = f.local('i32');
  const body: number[][] = countedLoop(CB, [
    ...s.flatMap((p, c) => [...rowAddr(SRC, LDB, c), op.set(p)]),
    op.get(KC_), op.set(k),
    ...countedLoop(k, [
      ...s.flatMap((p, c) => [op.get(DST), op.get(p), op.f32Load(0), op.f32Store(4 * c)]),
      ...s.flatMap((p) => addTo(p, 4)),
      ...addTo(DST, 32),
    ]),
    op.get(SRC), op.get(LDB), op.i32(8), op.i32Mul, op.i32Add, op.set(SRC),
  ]);
  return { name: 'packT8', params: Array(5).fill('i32') as ValType[], results: [], locals: f.locals, body };
}

type TileNN = (a: number, b: number, bias: number, c: number, rowBlocks: number, colBlocks: number, K: number, lda: number, ldb: number, ldc: number, lo: number, colSum: number, init: number, bStep: number) => void;
type TileNT = (a: number, b: number, c: number, rowBlocks: number, colBlocks: number, k4: number, kTail: number, lda: number, ldb: number, ldc: number, init: number) => void;

/**
 * The block of k done per pass over C (C is read back between blocks). Why: to
 * bound the B panel a tile walks (KC rows x 8 columns at the row stride) for long k
 * such as Humanoid's 376 inputs. Measured here in CPU time at 256^3, blocks of 32-256
 * ran alike (38-45 GFLOP/s); wall-clock runs on the loaded machine suggested more.
 */
const KC = 128;

/**
 * nn, tn and nt copy B's 8-column panels contiguous (pack8, packT8) when at least
 * this many rows of C will read each panel: then each k step's two vectors of B come
 * from the next 32 bytes instead of a row 4 N bytes away (nt: instead of dot products
 * with a horizontal sum per entry). Measured on bare memory, in CPU time, copy
 * included, packed / in place (scripts/dev/pack-compare.ts): 256^3 x W 1.02, x^T dz 1.08,
 * dz W^T 1.04; the SAC update 0.95 of its time. At K = N = 256 with fewer rows the
 * copy is not paid back: 0.51-0.61 at 4 rows, 0.90-0.93 at 17, 0.91-0.95 at 32,
 * 0.985-0.99 at 64.
 */
const PACK_MIN_ROWS = 128;

const ROWS = [4, 1] as const;
const NN_COLS = [8, 4, 1] as const;
const NT_COLS = [2, 1] as const;

function functions(fma: boolean): WasmFunction[] {
  const out: WasmFunction[] = [];
  for (const mr of ROWS) {
    for (const nw of NN_COLS) out.push(tileNN('nn', mr, nw, fma), tileNN('tn', mr, nw, fma));
    for (const rem of [1, 2, 3, 5, 6, 7]) out.push(tileNN('nn', mr, rem < 4 ? 4 : 8, fma, rem), tileNN('tn', mr, rem < 4 ? 4 : 8, fma, rem));
    for (const nr of NT_COLS) out.push(tileNT(mr, nr, fma));
  }
  out.push(pack8(), packT8());
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

/** Options of MatmulKernels.matmul (offsets and strides in bytes). */
export interface MatmulOptions {
  /** nn: the bias [N], added before the activation. */
  bias?: number;
  /** nn: relu fused into the store. */
  relu?: boolean;
  /** tn: where to write the column sums of B [N] (the bias gradient). */
  colSum?: number;
  /**
   * C's row stride (default 4 N, dense). Larger when C is a column block of a
   * wider matrix, e.g. the input gradient of only the last columns of a layer's input.
   */
  ldc?: number;
}

/**
 * Node 20 and 21 ship relaxed SIMD behind --experimental-wasm-relaxed-simd (on by
 * default from Node 22). When a user asks for the fma flavour explicitly
 * (RPP_SAC_MATMUL=fma, useOwnMatmul('fma')) on such a Node, set that V8 flag for this
 * process and probe again, so the env var alone is enough. Never done for 'auto':
 * the default flavour follows what the runtime validates by itself. Returns whether
 * relaxed SIMD validates now.
 */
export function enableRelaxedSimd(): boolean {
  if (relaxedSimdAvailable()) return true;
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  const major = Number(proc?.versions?.node?.split('.')[0] ?? NaN);
  const v8 = major >= 20 && major < 22 ? (proc?.getBuiltinModule?.('node:v8') as { setFlagsFromString(flags: string): void } | undefined) : undefined;
  if (v8 === undefined) return false;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  relaxed = undefined;
  fused = undefined;
  return relaxedSimdAvailable();
}

/** The matmul kernels of one flavour, bound to one WebAssembly.Memory. */
export interface MatmulKernels {
  /** Whether the multiply-adds are relaxed_madd (else mul + add). */
  readonly fma: boolean;
  /**
   * C = act(A B + bias) for form nn (bias: [N] byte offset, or none), A^T B for tn,
   * A B^T for nt; all offsets in bytes, shapes as in the file comment. tn with
   * colSum != 0 also writes the column sums of B there.
   */
  matmul(form: MatmulForm, a: number, b: number, c: number, M: number, K: number, N: number, opts?: MatmulOptions): void;
}

/**
 * nt with fewer than this many k (a narrow head's dz [batch, 6] W [256, 6]^T) runs as
 * nn on B transposed into scratch memory: dot products of 6 make poor use of
 * 4-lane vectors (~10 GFLOP/s), the transposed B is a few KB.
 */
const NT_MIN_K = 8;

/**
 * Compile the kernels (fma true needs relaxedSimdAvailable()) against memory.
 * scratch(bytes): the offset of a scratch buffer of at least that size in memory
 * (for nt with small K; without it such products take the dot-product kernels).
 */
export function matmulKernels(memory: object, fma: boolean, scratch?: (bytes: number) => number): MatmulKernels {
  if (fma && !relaxedSimdAvailable()) throw new Error('matmulKernels: this runtime does not validate relaxed SIMD (f32x4.relaxed_madd); use fma = false.');
  const module = new WebAssembly.Module(matmulModuleBytes(fma));
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const mem = memory as { buffer: ArrayBuffer };
  const nt = (mr: number, nr: number): TileNT => ex[`nt${mr}x${nr}`] as TileNT;
  const pack8 = ex.pack8 as (src: number, dst: number, rows: number, cb: number, ldb: number) => void;
  const packT8 = ex.packT8 as (src: number, dst: number, kc: number, cb: number, ldb: number) => void;

  /**
   * The offset of scratch for B's 8-column panels over one block of k when they pay
   * (scratch given, at least PACK_MIN_ROWS rows of C read each panel), else -1.
   */
  function panelScratch(M: number, K: number, N: number): number {
    return scratch !== undefined && N >= 8 && M >= PACK_MIN_ROWS ? scratch(32 * Math.min(KC, K) * (N >> 3)) : -1;
  }

  function rowParts(M: number): Array<[number, number, number]> {
    const parts: Array<[number, number, number]> = []; // [mr, blocks, first row]
    if (M >> 2 > 0) parts.push([4, M >> 2, 0]);
    if ((M & 3) > 0) parts.push([1, M & 3, M & ~3]);
    return parts;
  }

  /**
   * nn or tn (bias 0: none; colSum 0: none). pack: whether B's 8-column panels may be
   * copied to scratch first (see PACK_MIN_ROWS; false when B already is the scratch).
   */
  function nnOrTn(form: 'nn' | 'tn', a: number, b: number, c: number, M: number, K: number, N: number, bias: number, relu: boolean, colSum0: number, ldc: number, pack: boolean): void {
    const ldb = 4 * N;
    const n8 = N >> 3;
    const rem = N & 7;
    // Ask for scratch before reading the memory's size: allocating it can grow memory.
    const panels = pack ? panelScratch(M, K, N) : -1;
    // The column blocks: whole 8-column tiles (packed or in place), then the N % 8 tail.
    const parts: Array<{ tile: string; width: number; blocks: number; c0: number; packed: boolean }> = [];
    const part = (width: number, blocks: number, c0: number, stored = width, packed = false): void => {
      parts.push({ tile: `${width}${stored === width ? '' : `r${stored}`}`, width, blocks, c0, packed });
    };
    if (n8 > 0) part(8, n8, 0, 8, panels >= 0);
    // A column tail as one partial tile when its whole-vector reads stay inside memory.
    const size = mem.buffer.byteLength;
    const inside = (start: number, entries: number): boolean => start === 0 || start + 4 * entries + 32 <= size;
    if (rem === 4) part(4, 1, 8 * n8);
    else if (rem > 0 && inside(b, K * N) && inside(c, ((M - 1) * ldc) / 4 + N) && inside(bias, N) && inside(colSum0, N)) part(rem < 4 ? 4 : 8, 1, 8 * n8, rem);
    else if (rem > 0) {
      if ((rem & 4) !== 0) part(4, 1, 8 * n8);
      part(1, rem & 3, N & ~3);
    }
    const lda = form === 'nn' ? 4 * K : 4 * M;
    const rows = rowParts(M);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0);
      const last = k0 + kc === K;
      const lo = last && relu ? 0 : -Infinity;
      const init = k0 > 0 ? 2 : bias !== 0 ? 1 : 0;
      const aAt = (r0: number): number => (form === 'nn' ? a + r0 * lda + 4 * k0 : a + 4 * r0 + k0 * lda);
      // Each packed panel (kc x 8, 32-byte rows, the next one 32 kc further on) is then read
      // by every row block from a few contiguous KB instead of kc rows 4 N bytes apart.
      if (panels >= 0) pack8(b + k0 * ldb, panels, kc, n8, ldb);
      rows.forEach(([mr, rb, r0], i) => {
        for (const p of parts) {
          const [bAt, ldbAt, bStep] = p.packed ? [panels, 32, 32 * kc] : [b + k0 * ldb + 4 * p.c0, ldb, 4 * p.width];
          (ex[`${form}${mr}x${p.tile}`] as TileNN)(aAt(r0), bAt, bias === 0 ? 0 : bias + 4 * p.c0, c + r0 * ldc + 4 * p.c0, rb, p.blocks, kc, lda, ldbAt, ldc, lo, colSum0 === 0 || i > 0 ? 0 : colSum0 + 4 * p.c0, init, bStep);
        }
      });
    }
  }

  /** nt on the 8-column panels of B^T (packT8) by the nn tiles; the last N % 8 columns by ntDot. */
  function ntPanels(a: number, b: number, c: number, M: number, K: number, N: number, ldc: number, panels: number): void {
    const n8 = N >> 3;
    const lda = 4 * K;
    const rows = rowParts(M);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0);
      packT8(b + 4 * k0, panels, kc, n8, lda);
      for (const [mr, rb, r0] of rows) {
        (ex[`nn${mr}x8`] as TileNN)(a + r0 * lda + 4 * k0, panels, 0, c + r0 * ldc, rb, n8, kc, lda, 32, ldc, -Infinity, 0, k0 > 0 ? 2 : 0, 32 * kc);
      }
    }
    if ((N & 7) > 0) ntDot(a, b + lda * 8 * n8, c + 32 * n8, M, K, N & 7, ldc);
  }

  function ntDot(a: number, b: number, c: number, M: number, K: number, N: number, ldc: number): void {
    const lda = 4 * K;
    const colParts: Array<[number, number, number]> = [];
    if (N >> 1 > 0) colParts.push([2, N >> 1, 0]);
    if ((N & 1) > 0) colParts.push([1, 1, N - 1]);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0);
      for (const [mr, rb, r0] of rowParts(M)) {
        for (const [nr, cb, c0] of colParts) {
          nt(mr, nr)(a + r0 * lda + 4 * k0, b + c0 * lda + 4 * k0, c + r0 * ldc + 4 * c0, rb, cb, kc >> 2, kc & 3, lda, lda, ldc, k0 === 0 ? 0 : 1);
        }
      }
    }
  }

  return {
    fma,
    matmul(form, a, b, c, M, K, N, opts = {}) {
      const ldc = opts.ldc ?? 4 * N;
      if (ldc < 4 * N || ldc % 4 !== 0) throw new Error(`matmul ${form}: ldc ${ldc} must be a multiple of 4 bytes and at least 4 N = ${4 * N}.`);
      if (form === 'nt') {
        const panels = K >= NT_MIN_K ? panelScratch(M, K, N) : -1;
        if (panels >= 0) return ntPanels(a, b, c, M, K, N, ldc, panels);
        if (K >= NT_MIN_K || scratch === undefined) return ntDot(a, b, c, M, K, N, ldc);
        // B [N, K] -> B^T [K, N] in scratch, then nn without bias.
        const t = scratch(4 * K * N);
        const f = new Float32Array(mem.buffer);
        const src = b >> 2;
        const dst = t >> 2;
        for (let j = 0; j < N; j++) for (let l = 0; l < K; l++) f[dst + l * N + j] = f[src + j * K + l];
        return nnOrTn('nn', a, t, c, M, K, N, 0, false, 0, ldc, false);
      }
      if (form === 'nn') return nnOrTn('nn', a, b, c, M, K, N, opts.bias ?? 0, opts.relu === true, 0, ldc, true);
      return nnOrTn('tn', a, b, c, M, K, N, 0, false, opts.colSum ?? 0, ldc, true);
    },
  };
}

let fused: boolean | undefined;

/**
 * Whether relaxed_madd is fused on this runtime and CPU: (1 + 2^-12)^2 - 1 is
 * 2^-11 + 2^-24 with one rounding and 2^-11 with two (asked once; false without relaxed SIMD).
 */
export function probeFma(): boolean {
  fused ??= relaxedSimdAvailable() && fusedMadd();
  return fused;
}

function fusedMadd(): boolean {
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
