/**
 * The f32x4 multiply-add peak of this runtime and CPU: a WebAssembly loop of 12
 * independent accumulators with operands in registers (no memory traffic), in the
 * flavour our matmul kernels run (relaxed_madd or mul + add). It is the ceiling for
 * any 128-bit wasm kernel here, so `npm run bench -- agents` reports our kernels'
 * rates and the update's matmul bound against it. Measured here (AMD EPYC, Node 20):
 * 57 GFLOP/s with either flavour (two 4-lane multiply-adds per cycle at ~3.6 GHz).
 */
import { encodeModule, op, type WasmFunction } from '../../src/kernels/wasm-encoder.js';
import { timeOnce } from '../bench-util.js';

declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number }) => object;
};

const ACCUMULATORS = 12;

/** Median GFLOP/s (CPU time) of `reps` runs of `iterations` loop trips. */
export function simdPeakGflops(fma: boolean, iterations = 5e6, reps = 7): number {
  const acc = Array.from({ length: ACCUMULATORS }, (_, i) => 1 + i);
  const x = ACCUMULATORS + 1;
  const y = ACCUMULATORS + 2;
  const step = acc.flatMap((a) =>
    fma ? [op.get(x), op.get(y), op.get(a), op.f32x4RelaxedMadd, op.set(a)] : [op.get(a), op.get(x), op.get(y), op.f32x4Mul, op.f32x4Add, op.set(a)],
  );
  const fn: WasmFunction = {
    name: 'peak',
    params: ['i32'],
    results: ['f32'],
    locals: Array(ACCUMULATORS + 2).fill('v128'),
    body: [
      op.f32(0.999), op.f32x4Splat, op.set(x), op.f32(1e-3), op.f32x4Splat, op.set(y),
      op.block, op.loop, ...step, op.get(0), op.i32(1), op.i32Sub, op.tee(0), op.brIf(0), op.end, op.end,
      // The sum is returned so the loop cannot be dropped as dead code.
      ...acc.flatMap((a, i) => (i === 0 ? [op.get(a), op.f32x4ExtractLane(0)] : [op.get(a), op.f32x4ExtractLane(0), op.f32Add])),
    ],
  };
  const memory = new WebAssembly.Memory({ initial: 1 });
  const peak = new WebAssembly.Instance(new WebAssembly.Module(encodeModule([fn])), { env: { memory } }).exports.peak as (n: number) => number;
  peak(iterations / 10);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    times.push(timeOnce(() => peak(iterations)).cpu);
  }
  times.sort((a, b) => a - b);
  const ms = times[reps >> 1]!;
  return (iterations * ACCUMULATORS * 8) / (ms * 1e6);
}
