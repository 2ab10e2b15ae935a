/**
 * The benchmark's matmul floor (scripts/bench/matmul-floor.ts) claims to run the products
 * of one SAC update. Checked against the update itself: the RppMatMul kernels one
 * SacAgent.update issues on wasm (tf.profile: form from the inputs and outputs, sizes from
 * their shapes) are the floor's list, as a multiset, with one mapping: where the floor
 * computes only the action columns of a critic's input gradient (nt, K = hidden, N = act),
 * the kernel's output is the whole [batch, obs + act] with the observation columns zero.
 * That is the tape path; the tensor-free update (agents/sac-heap-update.ts, the default for
 * SAC on wasm) issues no kernels, so there the calls into our matmul kernels are recorded
 * instead, and they are the floor's list as it stands.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { MATMUL_KERNEL, hasOwnMatmul, ownMatmulKernels, useOwnMatmul } from '../src/kernels/own-matmul.js';
import { Rng } from '../src/random.js';
import { ReplayBuffer } from '../src/replay/replay-buffer.js';
import { SacAgent } from '../agents/sac.js';
import { useHeapUpdate } from '../agents/sac-heap-update.js';
import { sacUpdateProducts } from '../scripts/bench/matmul-floor.js';

const [OBS, ACT, H, B] = [17, 6, 256, 256];

before(async () => {
  await initBackend({ backend: 'wasm' });
  useOwnMatmul('auto');
});

function filledBuffer(): ReplayBuffer {
  const rb = new ReplayBuffer({ capacity: 2000, obsDim: OBS, actDim: ACT, seed: 1 });
  const rng = new Rng(2);
  const v = (n: number): number[] => Array.from({ length: n }, () => rng.normal());
  for (let i = 0; i < 600; i++) rb.add(v(OBS), v(ACT).map(Math.tanh), rng.normal(), v(OBS), false);
  return rb;
}

function sacAgent(): SacAgent {
  return new SacAgent({ config: { agent: 'sac', hidden: [H, H], batchSize: B, seed: 0 }, obsDim: OBS, actDim: ACT, actionLow: new Array(ACT).fill(-1), actionHigh: new Array(ACT).fill(1), symmetry: null });
}

describe("the matmul floor is the SAC update's products", () => {
  it('the RppMatMul kernels of one 256x256 update on the tape path, form and sizes, match sacUpdateProducts(17, 6, 256, 256)', async () => {
    assert.ok(hasOwnMatmul(), 'our kernels must be active on wasm for this check');
    const rb = filledBuffer();
    const agent = sacAgent();
    useHeapUpdate(false);
    try {
      agent.update(rb, { stats: false });
      assert.equal(agent.updatePath, 'tape');
      const prof = await tf.profile(() => {
        agent.update(rb, { stats: false });
      });
      const seen = prof.kernels
        .filter((k) => k.name === MATMUL_KERNEL)
        .map((k) => {
          const [a, b] = k.inputShapes as number[][];
          const out = k.outputShapes[0] as number[];
          // nn has a bias input; tn (always with the bias gradient in an update) two outputs; else nt.
          const form = k.inputShapes.length === 3 ? 'nn' : k.outputShapes.length === 2 ? 'tn' : 'nt';
          const K = form === 'nn' ? a[1] : form === 'tn' ? a[0] : a[1];
          assert.equal(form === 'nt' ? b[1] : b[0], K, `${form}: inner sizes of [${a}] and [${b}]`);
          return `${form} ${out[0]}x${K}x${out[1]}`;
        })
        .sort();
      const want = sacUpdateProducts(OBS, ACT, H, B)
        .map(([form, M, K, N]) => `${form} ${M}x${K}x${form === 'nt' && K === H && N === ACT ? OBS + ACT : N}`)
        .sort();
      assert.deepEqual(seen, want);
    } finally {
      useHeapUpdate(true);
      agent.dispose();
    }
  });

  it('the tensor-free update calls our kernels with exactly those products, and issues no RppMatMul kernel', async () => {
    const rb = filledBuffer();
    const agent = sacAgent();
    const kernels = ownMatmulKernels();
    const matmul = kernels.matmul;
    try {
      agent.update(rb, { stats: false });
      const calls: string[] = [];
      kernels.matmul = (form, a, b, c, M, K, N, opts) => {
        calls.push(`${form} ${M}x${K}x${N}`);
        matmul.call(kernels, form, a, b, c, M, K, N, opts);
      };
      const prof = await tf.profile(() => {
        agent.update(rb, { stats: false });
      });
      assert.equal(agent.updatePath, 'heap');
      assert.deepEqual(prof.kernels.filter((k) => k.name === MATMUL_KERNEL), []);
      const want = sacUpdateProducts(OBS, ACT, H, B).map(([form, M, K, N]) => `${form} ${M}x${K}x${N}`);
      assert.deepEqual(calls.sort(), want.sort());
    } finally {
      kernels.matmul = matmul;
      agent.dispose();
    }
  });
});
