/**
 * RolloutEnvs on real MuJoCo envs: saved mid-episode and resumed on fresh env instances
 * (through JSON, as in a checkpoint), the following steps are bit-identical to those of
 * the envs that never stopped. Ant-v5 has contacts (the solver's warm start matters) and
 * a reward that reads body positions before the step (one substep behind qpos), the two
 * things a qpos/qvel restore would get wrong; InvertedPendulum-v5 is the learning tests' env.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { make } from '../envs/registry.js';
import type { Env } from '../envs/types.js';
import { RolloutEnvs, type RolloutEnvsState } from '../src/pipeline/rollout-envs.js';
import type { StepBatch } from '../src/pipeline/types.js';
import { Rng, episodeSeed } from '../src/random.js';

const seeds = (i: number, k: number): number => episodeSeed(5, i, k);

/** Uniform random actions in the box, [n * actDim], from a seeded stream. */
function actionsFor(env: Env, n: number, rng: Rng): Float32Array {
  const { low, high } = env.actionSpace;
  const d = low.length;
  const a = new Float32Array(n * d);
  for (let i = 0; i < a.length; i++) a[i] = rng.uniform(low[i % d], high[i % d]);
  return a;
}

async function makeEnvs(id: string, n: number): Promise<Env[]> {
  const envs: Env[] = [];
  for (let i = 0; i < n; i++) envs.push(await make(id));
  return envs;
}

const fields = (b: StepBatch): unknown[] => [b.step, b.obs, b.actions, b.rewards, b.nextObs, b.terminated, b.truncated, b.episodeReturn, b.episodeLength].map((x) => (typeof x === 'number' ? x : Array.from(x as ArrayLike<number>)));

for (const { id, n, before, after } of [
  { id: 'Ant-v5', n: 2, before: 150, after: 150 },
  { id: 'InvertedPendulum-v5', n: 1, before: 137, after: 200 },
]) {
  describe(`RolloutEnvs on ${id} (${n} env${n > 1 ? 's' : ''})`, () => {
    test(`saved after ${before} steps and resumed on fresh envs, the next ${after} steps are bit-identical`, async () => {
      const rng = new Rng(1);
      const probe = await make(id);
      const actions = Array.from({ length: before + after }, () => actionsFor(probe, n, rng));
      probe.close();

      const whole = await makeEnvs(id, n);
      const uninterrupted = RolloutEnvs.start(whole, seeds);
      const want = actions.map((a, t) => fields(uninterrupted.step(a, n * (t + 1))));

      const first = await makeEnvs(id, n);
      const stopped = RolloutEnvs.start(first, seeds);
      for (let t = 0; t < before; t++) stopped.step(actions[t], n * (t + 1));
      const saved = JSON.parse(JSON.stringify(stopped.save())) as RolloutEnvsState;
      assert.ok(saved.envs.every((e) => e.length > 0), 'the save is mid-episode for every env');
      for (const e of first) e.close();

      const second = await makeEnvs(id, n);
      const { envs: resumed, mismatched } = RolloutEnvs.resume(second, seeds, saved);
      assert.deepEqual(mismatched, []);
      const got = actions.slice(before).map((a, t) => fields(resumed.step(a, n * (before + t + 1))));
      assert.deepEqual(got, want.slice(before));
      assert.equal(resumed.finishedEpisodes, uninterrupted.finishedEpisodes);
      for (const e of [...whole, ...second]) e.close();
    });
  });
}
