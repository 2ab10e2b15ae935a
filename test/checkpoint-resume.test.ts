/**
 * Resume equals uninterrupted: training N steps in one go gives the same agent
 * (bitwise) as training N/2, checkpointing (mid-episode, with the replay buffer),
 * resuming in a fresh loop and training N/2 more. Same backend, same seed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src/backend.js';
import { createLogger } from '../src/logging.js';
import { TrainLoop } from '../agents/train-loop.js';
import type { SacConfigInput } from '../agents/sac-config.js';

const ENV = 'InvertedPendulum-v5';
const N = 500;
const logger = createLogger({ silent: true });

let dir: string;
before(async () => {
  await initBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'rpp-sac-resume-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const agent of ['sac', 'rpp-sac'] as const) {
  describe(`resume (${agent})`, () => {
    it(`N=${N} steps uninterrupted == N/2 + checkpoint + resume + N/2`, async () => {
      const config: SacConfigInput = { agent, hidden: [16, 16], batchSize: 32, learningStarts: 100, evalEvery: 200, evalEpisodes: 1, seed: 11, bufferSize: 1000 };
      const full = await TrainLoop.create({ envId: ENV, config, logger });
      full.run(N);
      const want = full.agent.getState();
      const wantReplay = full.replay.getState();
      const wantEvals = full.evaluations.map((e) => e.meanReturn);
      full.dispose();

      const first = await TrainLoop.create({ envId: ENV, config, logger });
      first.run(N / 2);
      const path = join(dir, `ckpt-${agent}`);
      await first.save(path);
      first.dispose();

      const second = await TrainLoop.create({ envId: ENV, config, logger, resumeFrom: path });
      assert.equal(second.step, N / 2);
      second.run(N);
      const got = second.agent.getState();
      for (const g of Object.keys(want.params) as (keyof typeof want.params)[]) {
        want.params[g].forEach((arr, i) => {
          const other = got.params[g][i];
          let maxDiff = 0;
          for (let k = 0; k < arr.length; k++) maxDiff = Math.max(maxDiff, Math.abs(arr[k] - other[k]));
          assert.ok(maxDiff <= 1e-6, `${g}[${i}] differs by ${maxDiff}`);
        });
      }
      assert.deepEqual(got.rng, want.rng);
      assert.equal(got.updates, want.updates);
      assert.deepEqual(second.replay.getState(), wantReplay);
      // The evaluation at step 400 happened after the resume in the second run.
      assert.deepEqual(second.evaluations.map((e) => e.meanReturn), wantEvals.slice(1));
      second.dispose();
    });
  });
}
