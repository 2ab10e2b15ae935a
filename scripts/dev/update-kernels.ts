/**
 * Which kernels one 256x256 update dispatches (obs 17, act 6, batch 256), counted by
 * name with tf.profile: `node --import tsx scripts/dev/update-kernels.ts [sac|rpp-sac|emlp-sac]`.
 * Each dispatch costs tfjs bookkeeping (engine, tape, tensor records) whatever its size,
 * so this is the list to shorten when the update's non-matmul time is the target. A dev tool.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.js';
import { Rng } from '../../src/random.js';
import { ReplayBuffer } from '../../src/replay/replay-buffer.js';
import { SacAgent } from '../../agents/sac.js';
import type { AgentKind } from '../../agents/sac-config.js';
import { symmetry } from '../../envs/symmetries.js';

const kind = (process.argv[2] ?? 'sac') as AgentKind;
await initBackend({ backend: 'wasm' });
const rb = new ReplayBuffer({ capacity: 2000, obsDim: 17, actDim: 6, seed: 1 });
const rng = new Rng(2);
const v = (k: number): number[] => Array.from({ length: k }, () => rng.normal());
for (let i = 0; i < 1000; i++) rb.add(v(17), v(6).map(Math.tanh), rng.normal(), v(17), rng.random() < 0.02);
const spec = kind === 'sac' ? null : symmetry('Walker2d-v5', 'exact_mirror');
const agent = new SacAgent({ config: { agent: kind, hidden: [256, 256], batchSize: 256, seed: 0 }, obsDim: 17, actDim: 6, actionLow: new Array(6).fill(-1), actionHigh: new Array(6).fill(1), symmetry: spec });
for (let i = 0; i < 3; i++) agent.update(rb, { stats: false });
const info = await tf.profile(() => {
  agent.update(rb, { stats: false });
});
const counts = new Map<string, { n: number; ms: number }>();
for (const k of info.kernels) {
  const c = counts.get(k.name) ?? { n: 0, ms: 0 };
  c.n += 1;
  c.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  counts.set(k.name, c);
}
const rows = [...counts.entries()].sort((a, b) => b[1].n - a[1].n);
console.log(`${kind}: ${info.kernels.length} kernels, newTensors ${info.newTensors}, peakBytes ${info.peakBytes}`);
for (const [name, c] of rows) console.log(String(c.n).padStart(4), name.padEnd(28), c.ms.toFixed(2), 'ms');
