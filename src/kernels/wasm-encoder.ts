/**
 * A minimal WebAssembly binary encoder: just enough to build small numeric
 * kernels (loops over f32 arrays) that run on the tfjs wasm backend's own memory.
 *
 * Why hand-encoded: V8 runs such loops as JS at ~4-15 ns per element here, the
 * same loops compiled as WebAssembly at ~1 ns, and a build step with an external
 * assembler would add a dependency for ~100 instructions. Only the opcodes used
 * by native-kernels.ts and matmul-kernels.ts are defined; the WebAssembly validator checks every module
 * when it is compiled, so a malformed body fails loudly at startup.
 */

export type ValType = 'i32' | 'f32' | 'f64' | 'v128';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Instruction helpers (each returns its bytes). */
export const op = {
  get: (i: number): number[] => [0x20, ...uleb(i)],
  set: (i: number): number[] => [0x21, ...uleb(i)],
  tee: (i: number): number[] => [0x22, ...uleb(i)],
  i32: (v: number): number[] => [0x41, ...sleb(v)],
  f32: (v: number): number[] => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)],
  f64: (v: number): number[] => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)],
  /** f32.load with a byte offset (alignment 2^2). */
  f32Load: (offset = 0): number[] => [0x2a, 0x02, ...uleb(offset)],
  f32Store: (offset = 0): number[] => [0x38, 0x02, ...uleb(offset)],
  i32Load: (offset = 0): number[] => [0x28, 0x02, ...uleb(offset)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32Eqz: [0x45],
  i32LtU: [0x49],
  f32Add: [0x92],
  f32Sub: [0x93],
  f32Mul: [0x94],
  f32Div: [0x95],
  f32Sqrt: [0x91],
  f32Gt: [0x5e],
  f32ConvertI32U: [0xb3],
  f64Add: [0xa0],
  f64Mul: [0xa2],
  f64PromoteF32: [0xbb],
  // SIMD (0xfd prefix, LEB128 opcode): four f32 lanes.
  v128Load: (offset = 0): number[] => [0xfd, 0x00, 0x02, ...uleb(offset)],
  v128Store: (offset = 0): number[] => [0xfd, 0x0b, 0x02, ...uleb(offset)],
  f32x4Splat: [0xfd, 0x13],
  f32x4ExtractLane: (lane: number): number[] => [0xfd, 0x1f, lane],
  f32x4Gt: [0xfd, ...uleb(68)],
  v128And: [0xfd, ...uleb(78)],
  f32x4Sqrt: [0xfd, ...uleb(227)],
  f32x4Add: [0xfd, ...uleb(228)],
  f32x4Sub: [0xfd, ...uleb(229)],
  f32x4Mul: [0xfd, ...uleb(230)],
  f32x4Div: [0xfd, ...uleb(231)],
  /** pmax(a, b) = a < b ? b : a (one maxps on x64; a NaN a stays NaN). */
  f32x4Pmax: [0xfd, ...uleb(235)],
  /** Load one f32 and splat it to four lanes. */
  v128Load32Splat: (offset = 0): number[] => [0xfd, 0x09, 0x02, ...uleb(offset)],
  /** Load one f32 into lane 0, zeros in lanes 1-3 (reads 4 bytes only). */
  v128Load32Zero: (offset = 0): number[] => [0xfd, ...uleb(0x5c), 0x02, ...uleb(offset)],
  /** Store one lane (4 bytes). */
  v128Store32Lane: (lane: number, offset = 0): number[] => [0xfd, ...uleb(0x5a), 0x02, ...uleb(offset), lane],
  v128Store64Lane: (lane: number, offset = 0): number[] => [0xfd, ...uleb(0x5b), 0x03, ...uleb(offset), lane],
  /** Relaxed SIMD: a * b + c, fused or not as the runtime chooses (opcode 0x105; needs relaxed SIMD). */
  f32x4RelaxedMadd: [0xfd, ...uleb(0x105)],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
};

export interface WasmFunction {
  name: string;
  params: ValType[];
  results: ValType[];
  /** Extra locals after the params (indices continue from params.length). */
  locals: ValType[];
  body: number[][];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

/** A module that imports `env.memory` and exports every function by name. */
export function encodeModule(fns: readonly WasmFunction[]): Uint8Array {
  const types = fns.map((f) => [0x60, ...vec(f.params.map((t) => [VALTYPE[t]])), ...vec(f.results.map((t) => [VALTYPE[t]]))]);
  const imports = [[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]]; // memory, limits: min 0, no max
  const funcs = fns.map((_, i) => uleb(i));
  const exports = fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const codes = fns.map((f) => {
    const locals = f.locals.map((t) => [...uleb(1), VALTYPE[t]]);
    const body = [...vec(locals), ...f.body.flat(), 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs)),
    ...section(7, vec(exports)),
    ...section(10, vec(codes)),
  ]);
}
