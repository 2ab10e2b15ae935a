/**
 * The floor under a SAC update's matmuls (scripts/bench/matmul-floor.ts) alone, in process
 * CPU time: compare its median with `scripts/dev/update-profile.ts sac` run beside it.
 *   node --import tsx scripts/dev/matmul-floor.ts [reps] [fma]
 * `npm run bench -- agents` is the benchmark of record (its `matmulFloorMs`, `sacOverFloor`);
 * this is a dev tool.
 */
import { matmulFloor } from '../bench/matmul-floor.js';
import { median, timeOnce } from '../bench-util.js';

const reps = Number(process.argv[2] ?? 300);
const fma = process.argv[3] === 'fma';
const floor = matmulFloor(fma);
for (let i = 0; i < 20; i++) floor.run();
const ms: number[] = [];
for (let i = 0; i < reps; i++) ms.push(timeOnce(() => floor.run()).cpu);
const med = median(ms);
console.log(JSON.stringify({ calls: floor.calls, gflop: +(floor.flops / 1e9).toFixed(3), madd: fma ? 'relaxed_madd' : 'mul+add', cpuMsMedian: +med.toFixed(2), cpuMsMin: +Math.min(...ms).toFixed(2), gflops: +(floor.flops / med / 1e6).toFixed(1) }));
