/**
 * One agent's 256x256 update (obs 17, act 6, batch 256) timed in process CPU time,
 * for profiling with `node --cpu-prof --import tsx scripts/dev/update-profile.ts [sac|rpp-sac|emlp-sac] [n]`
 * Prints the median and fastest of n updates (default 200) after 20 warm-up updates.
 * `npm run bench -- agents` is the benchmark of record; this is a dev tool.
 */
import { initBackend } from '../../src/backend.js';
import { Rng } from '../../src/random.js';
import { ReplayBuffer } from '../../src/replay/replay-buffer.js';
import { SacAgent } from '../../agents/sac.js';
import type { AgentKind } from '../../agents/sac-config.js';
import { symmetry } from '../../envs/symmetries.js';
import { updateFlops } from '../bench/agents.js';
import { timeOnce } from '../bench-util.js';

const kind = (process.argv[2] ?? 'sac') as AgentKind;
const n = Number(process.argv[3] ?? 200);
await initBackend({ backend: 'wasm' });
const rb = new ReplayBuffer({ capacity: 20_000, obsDim: 17, actDim: 6, seed: 1 });
const rng = new Rng(2);
const v = (k: number): number[] => Array.from({ length: k }, () => rng.normal());
for (let i = 0; i < 5000; i++) rb.add(v(17), v(6).map(Math.tanh), rng.normal(), v(17), rng.random() < 0.02);
const spec = kind === 'sac' ? null : symmetry('Walker2d-v5', 'exact_mirror');
const agent = new SacAgent({ config: { agent: kind, hidden: [256, 256], batchSize: 256, seed: 0 }, obsDim: 17, actDim: 6, actionLow: new Array(6).fill(-1), actionHigh: new Array(6).fill(1), symmetry: spec });
for (let i = 0; i < 20; i++) agent.update(rb, { stats: false });
const ts: number[] = [];
for (let i = 0; i < n; i++) {
  ts.push(timeOnce(() => agent.update(rb, { stats: false })).cpu);
}
ts.sort((x, y) => x - y);
const flops = updateFlops(17, 6, [256, 256], 256);
console.log(JSON.stringify({ agent: kind, updates: n, cpuMsMedian: +ts[n >> 1].toFixed(2), cpuMsMin: +ts[0].toFixed(2), matmulGflopPerUpdate: +(flops / 1e9).toFixed(3) }));
