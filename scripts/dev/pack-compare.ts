/**
 * Our matmul kernels with B packed into 8-column panels (given scratch) against the
 * same kernels reading B in place (no scratch), on a bare WebAssembly.Memory, in
 * process CPU time, interleaved so both see the same machine state:
 *   node --import tsx scripts/dev/pack-compare.ts [fma]
 * Prints GFLOP/s (median of 9 interleaved runs) and packed / in place per shape,
 * including the row counts below PACK_MIN_ROWS, which take the in-place path in
 * both columns unless PACK_MIN_ROWS is lowered for the experiment.
 * `npm run bench -- agents` is the benchmark of record; this is a dev tool.
 */
import { matmulKernels, type MatmulForm } from '../../src/kernels/matmul-kernels.js';
import { median, timeOnce } from '../bench-util.js';

const fma = process.argv[2] === 'fma';
const memory = new WebAssembly.Memory({ initial: 128 });
const f = new Float32Array(memory.buffer);
for (let i = 0; i < (6 << 20) / 4; i++) f[i] = Math.random() - 0.5;
const packed = matmulKernels(memory, fma, () => 7 << 20);
const inPlace = matmulKernels(memory, fma);
const shapes: Array<[string, MatmulForm, number, number, number]> = [
  ['x W, 256^3', 'nn', 256, 256, 256],
  ['x W, 17 inputs', 'nn', 256, 17, 256],
  ['x W, 376 inputs', 'nn', 256, 376, 256],
  ['x^T dz, 256^3', 'tn', 256, 256, 256],
  ['x^T dz, 376 inputs', 'tn', 376, 256, 256],
  ['dz W^T, 256^3', 'nt', 256, 256, 256],
  ['dz W^T, head of 12', 'nt', 256, 12, 256],
  ...[4, 17, 32, 64].flatMap((m): Array<[string, MatmulForm, number, number, number]> => [
    [`x W, ${m} rows`, 'nn', m, 256, 256],
    [`x^T dz, ${m} rows`, 'tn', m, 256, 256],
  ]),
];
console.log(`mul-add flavour: ${fma ? 'relaxed_madd' : 'mul + add'}`);
for (const [label, form, M, K, N] of shapes) {
  const rate = { packed: [] as number[], inPlace: [] as number[] };
  const n = Math.ceil(8e6 / (M * K * N) + 2);
  for (let rep = 0; rep < 9; rep++) {
    for (const which of ['packed', 'inPlace'] as const) {
      const k = which === 'packed' ? packed : inPlace;
      const { cpu } = timeOnce(() => {
        for (let i = 0; i < n; i++) k.matmul(form, 0, 2 << 20, 4 << 20, M, K, N, form === 'tn' ? { colSum: 6 << 20 } : form === 'nn' ? { bias: 6 << 20, relu: true } : {});
      });
      rate[which].push((2 * M * K * N * n) / (cpu * 1e6));
    }
  }
  const [p, q] = [median(rate.packed), median(rate.inPlace)];
  console.log(`${`${label} (${form} ${M}x${K}x${N})`.padEnd(40)} packed ${p.toFixed(1).padStart(5)}  in place ${q.toFixed(1).padStart(5)} GFLOP/s  ratio ${(p / q).toFixed(3)}`);
}
