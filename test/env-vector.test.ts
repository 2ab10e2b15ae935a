import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { RescaleAction, SyncVectorEnv, defaultModelPath, loadMujoco, make, makeVec } from '../envs/index.js';

const REF = '/work/shared/reference/gymnasium-mujoco-assets/inverted_pendulum.xml';

function ipOpts(): { xmlFile?: string } | null {
  if (existsSync(defaultModelPath('inverted_pendulum.xml'))) return {};
  return existsSync(REF) ? { xmlFile: REF } : null;
}

before(async () => {
  await loadMujoco();
});

/** Push the cart hard so the pole falls and the episode terminates after a few steps. */
const PUSH = 3;

describe('SyncVectorEnv (NEXT_STEP autoreset)', () => {
  test('reset seeds sub-env i with seed + i and batches observations row-major', async (t) => {
    const opts = ipOpts();
    if (opts === null) return t.skip('no model');
    const vec = await makeVec('InvertedPendulum-v5', 3, opts);
    assert.equal(vec.metadata.autoresetMode, 'next_step');
    const { observations } = vec.reset({ seed: 10 });
    assert.equal(observations.length, 3 * 4);
    for (let i = 0; i < 3; i++) {
      const single = await make('InvertedPendulum-v5', opts);
      assert.deepEqual(observations.subarray(4 * i, 4 * i + 4), single.reset({ seed: 10 + i }).observation);
      single.close();
    }
    vec.close();
  });

  test('terminal step is returned as is; the next step ignores the action and returns the reset obs with reward 0', async (t) => {
    const opts = ipOpts();
    if (opts === null) return t.skip('no model');
    const vec = await makeVec('InvertedPendulum-v5', 2, opts);
    const ref = await make('InvertedPendulum-v5', opts); // replays sub-env 0 alone
    vec.reset({ seed: 0 });
    ref.reset({ seed: 0 });
    // sub-env 0 is pushed until it falls, sub-env 1 gets zero force.
    let steps = 0;
    for (;;) {
      const r = vec.step([PUSH, 0]);
      const s = ref.step([PUSH]);
      steps++;
      assert.deepEqual(r.observations.subarray(0, 4), s.observation);
      assert.equal(r.rewards[0], s.reward);
      assert.equal(r.terminated[0], s.terminated);
      assert.deepEqual(r.autoreset, [false, false]);
      if (r.terminated[0]) {
        assert.equal(r.rewards[0], 0);
        break;
      }
      assert.ok(steps < 100, 'pole should fall within 100 pushes');
    }
    const next = vec.step([123, 0]); // action for sub-env 0 must be ignored (it would be invalid as a force anyway)
    const refReset = ref.reset(); // same RNG stream continues
    assert.deepEqual(next.observations.subarray(0, 4), refReset.observation);
    assert.equal(next.rewards[0], 0);
    assert.equal(next.terminated[0], false);
    assert.equal(next.truncated[0], false);
    assert.deepEqual(next.autoreset, [true, false]);
    assert.deepEqual(next.infos[0], {});
    assert.equal(next.rewards[1], 1); // sub-env 1 kept stepping normally
    // and the step after that is an ordinary step again
    const after = vec.step([0, 0]);
    assert.deepEqual(after.autoreset, [false, false]);
    assert.deepEqual(after.observations.subarray(0, 4), ref.step([0]).observation);
    vec.close();
    ref.close();
  });

  test('truncation by the time limit also autoresets on the next call; episode stats recorded', async (t) => {
    const opts = ipOpts();
    if (opts === null) return t.skip('no model');
    const vec = await makeVec('InvertedPendulum-v5', 2, { ...opts, maxEpisodeSteps: 3, recordEpisodeStatistics: true });
    vec.reset({ seed: 1 });
    const flags: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = vec.step(new Float64Array([0, 0]));
      flags.push(r.autoreset[0] ? 'R' : r.truncated[0] ? 'T' : '.');
      if (r.truncated[0]) assert.deepEqual(r.infos[0].episode && (r.infos[0].episode as { l: number }).l, 3);
    }
    assert.equal(flags.join(''), '..TR..TR');
    vec.close();
  });

  test('wrap option: RescaleAction per sub-env gives a [-1, 1] action space', async (t) => {
    const opts = ipOpts();
    if (opts === null) return t.skip('no model');
    const vec = await makeVec('InvertedPendulum-v5', 2, { ...opts, wrap: (e) => new RescaleAction(e) });
    assert.deepEqual(Array.from(vec.singleActionSpace.high), [1]);
    assert.deepEqual(Array.from(vec.actionSpace.low), [-1, -1]);
    vec.reset({ seed: 0 });
    assert.equal(vec.step([1, -1]).rewards.length, 2);
    vec.close();
  });

  test('bad actions and misuse give clear errors', async (t) => {
    const opts = ipOpts();
    if (opts === null) return t.skip('no model');
    const vec = await makeVec('InvertedPendulum-v5', 2, opts);
    assert.throws(() => vec.step([0, 0]), /step\(\) called before reset\(\)/);
    vec.reset({ seed: 0 });
    assert.throws(() => vec.step([0, 0, 0]), /numEnvs \* actDim = 2 \* 1 = 2/);
    vec.step([[0.1], [0.2]]); // one array per sub-env also works
    vec.close();
    assert.throws(() => vec.reset(), /after close/);
    assert.throws(() => new SyncVectorEnv([]), /at least one env/);
    await assert.rejects(makeVec('InvertedPendulum-v5', 0, opts), /positive integer/);
  });
});
