/**
 * The floor under a SAC update's matmuls: the 37 products of one update (obs 17, act 6,
 * 256x256, batch 256; the shapes RppMatMul sees, in the update's order) called straight on
 * our kernels, on a bare WebAssembly.Memory with a buffer of its own for every operand and
 * result (so caches see about as many distinct tensors as in the update), no tfjs, no tape.
 * Compare its median with `scripts/dev/update-profile.ts sac`: the difference is what the
 * update spends outside the matmuls.
 *   node --import tsx scripts/dev/matmul-floor.ts [reps] [fma]
 * `npm run bench -- agents` is the benchmark of record; this is a dev tool.
 */
import { matmulKernels, type MatmulForm } from '../../src/kernels/matmul-kernels.js';

const reps = Number(process.argv[2] ?? 300);
const fma = process.argv[3] === 'fma';
const [B, OBS, ACT, H] = [256, 17, 6, 256];
const CIN = OBS + ACT;
type Call = [form: MatmulForm, M: number, K: number, N: number, opts: 'relu' | 'bias' | 'colSum' | 'none'];
const actorForward: Call[] = [['nn', B, OBS, H, 'relu'], ['nn', B, H, H, 'relu'], ['nn', B, H, ACT, 'bias'], ['nn', B, H, ACT, 'bias']];
const criticForward: Call[] = [['nn', B, CIN, H, 'relu'], ['nn', B, H, H, 'relu']]; // the 256 -> 1 head is a dot-product kernel, not a matmul
const criticBackward: Call[] = [['tn', H, B, H, 'colSum'], ['nt', B, H, H, 'none'], ['tn', CIN, B, H, 'colSum']];
const criticInputGrad: Call[] = [['nt', B, H, H, 'none'], ['nt', B, H, ACT, 'none']]; // dz W^T through the hidden layer, then the action columns only
const actorBackward: Call[] = [['tn', H, B, ACT, 'colSum'], ['tn', H, B, ACT, 'colSum'], ['nt', B, ACT, H, 'none'], ['nt', B, ACT, H, 'none'], ['tn', H, B, H, 'colSum'], ['nt', B, H, H, 'none'], ['tn', OBS, B, H, 'colSum']];
const update: Call[] = [
  ...actorForward, ...criticForward, ...criticForward, // 1. target
  ...criticForward, ...criticForward, ...criticBackward, ...criticBackward, // 2. critics
  ...actorForward, ...criticForward, ...criticForward, ...criticInputGrad, ...criticInputGrad, ...actorBackward, // 3. actor
];
const flops = update.reduce((s, [, M, K, N]) => s + 2 * M * K * N, 0);

// One buffer per operand and result of every call, 16-byte aligned, then the scratch buffer.
const bytes = (n: number): number => (4 * n + 15) & ~15;
let top = 64;
const alloc = (n: number): number => {
  const at = top;
  top += bytes(n);
  return at;
};
const buffers = update.map(([form, M, K, N]) => ({ a: alloc(M * K), b: alloc(K * N), c: alloc(M * N), bias: alloc(N), sums: alloc(N), form }));
const scratchAt = alloc(64 * 1024 * 4);
const memory = new WebAssembly.Memory({ initial: Math.ceil(top / 65536) + 1 });
const f = new Float32Array(memory.buffer);
for (let i = 0; i < top / 4; i++) f[i] = Math.sin(i) * 0.5;
const kernels = matmulKernels(memory, fma, () => scratchAt);

function runUpdate(): void {
  update.forEach(([form, M, K, N, o], i) => {
    const p = buffers[i];
    kernels.matmul(form, p.a, p.b, p.c, M, K, N, o === 'relu' ? { bias: p.bias, relu: true } : o === 'bias' ? { bias: p.bias } : o === 'colSum' ? { colSum: p.sums } : {});
  });
}
for (let i = 0; i < 20; i++) runUpdate();
const ms: number[] = [];
for (let i = 0; i < reps; i++) {
  const t0 = process.cpuUsage();
  runUpdate();
  const d = process.cpuUsage(t0);
  ms.push((d.user + d.system) / 1e3);
}
ms.sort((x, y) => x - y);
const median = ms[ms.length >> 1];
console.log(JSON.stringify({ calls: update.length, gflop: +(flops / 1e9).toFixed(3), madd: fma ? 'relaxed_madd' : 'mul+add', cpuMsMedian: +median.toFixed(2), cpuMsMin: +ms[0].toFixed(2), gflops: +(flops / median / 1e6).toFixed(1) }));
