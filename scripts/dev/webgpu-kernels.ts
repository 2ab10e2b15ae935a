/**
 * Which kernels one update runs, by name and count: the engine's kernels (tf.profile)
 * and, on webgpu, the GPU programs actually dispatched (Reshape and Identity, for
 * instance, dispatch nothing). A dev tool to find composite tf-op paths worth fusing
 * (every engine kernel costs tfjs bookkeeping whatever its size, on wasm too);
 * `npm run bench -- agents [--backend webgpu]` is the benchmark of record.
 *
 *   node --import tsx scripts/dev/webgpu-kernels.ts [sac|rpp-sac|emlp-sac|matched] [webgpu|wasm]
 *
 * Same agents as the bench (obs 17, act 6, 256x256, batch 256, Walker2d-v5 mirror);
 * 'matched' is its matched baseline, plain SAC with the RPP actor's swish and init.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, releaseBackend } from '../../src/backend.js';
import { Rng } from '../../src/random.js';
import { ReplayBuffer } from '../../src/replay/replay-buffer.js';
import { SacAgent } from '../../agents/sac.js';
import type { AgentKind } from '../../agents/sac-config.js';
import { symmetry } from '../../envs/symmetries.js';

const arg = process.argv[2] ?? 'sac';
const matched = arg === 'matched';
const kind = (matched ? 'sac' : arg) as AgentKind;
const backend = process.argv[3] ?? 'webgpu';
if (backend !== 'webgpu' && backend !== 'wasm') throw new Error(`webgpu-kernels: unknown backend '${backend}'; use webgpu or wasm.`);
await initBackend({ backend });
const rb = new ReplayBuffer({ capacity: 20_000, obsDim: 17, actDim: 6, seed: 1 });
const rng = new Rng(2);
const v = (k: number): number[] => Array.from({ length: k }, () => rng.normal());
for (let i = 0; i < 2000; i++) rb.add(v(17), v(6).map(Math.tanh), rng.normal(), v(17), rng.random() < 0.02);
const spec = kind === 'sac' ? null : symmetry('Walker2d-v5', 'exact_mirror');
const extra = matched ? { actorActivation: 'swish' as const, actorInit: 'lecun' as const } : {};
const agent = new SacAgent({ config: { agent: kind, hidden: [256, 256], batchSize: 256, seed: 0, ...extra }, obsDim: 17, actDim: 6, actionLow: new Array(6).fill(-1), actionHigh: new Array(6).fill(1), symmetry: spec });

/** Names and counts, most frequent first. */
const tally = (names: string[]): Record<string, number> => {
  const m = new Map<string, number>();
  for (const n of names) m.set(n, (m.get(n) ?? 0) + 1);
  return Object.fromEntries([...m.entries()].sort((a, b) => b[1] - a[1]));
};

// The networks cache projected weights and transposes from the first update on.
agent.update(rb, { stats: false });
const prof = await tf.profile(() => {
  agent.update(rb, { stats: false });
});
const programs: string[] = [];
if (backend === 'webgpu') {
  const be = tf.backend() as unknown as { runWebGPUProgram: (program: { shaderKey?: string; constructor: { name: string } }, ...rest: unknown[]) => unknown };
  const orig = be.runWebGPUProgram;
  be.runWebGPUProgram = function (this: unknown, program, ...rest) {
    programs.push(program.constructor.name);
    return orig.call(this, program, ...rest);
  };
  try {
    agent.update(rb, { stats: false });
  } finally {
    be.runWebGPUProgram = orig;
  }
}
console.log(
  JSON.stringify(
    {
      agent: arg,
      backend,
      kernels: prof.kernels.length,
      kernelNames: tally(prof.kernels.map((k) => k.name)),
      ...(backend === 'webgpu' ? { dispatches: programs.length, programs: tally(programs) } : {}),
    },
    null,
    1,
  ),
);
agent.dispose();
releaseBackend();
