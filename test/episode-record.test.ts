/**
 * `eval --record` format (src/run/episode-record.ts): recording a deterministic policy's
 * episodes on Swimmer-v5 and replaying the recorded actions from frame 0 on a fresh env
 * reaches every recorded frame and the same final state exactly (same MuJoCo build), and
 * the JSON file round-trips float64 exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { make } from '../envs/registry.js';
import type { MujocoEnv } from '../envs/mujoco-env.js';
import { unwrap } from '../envs/wrappers/wrapper.js';
import { checkRecording, recordEpisodes } from '../src/run/episode-record.js';
import { evaluatePolicy } from '../src/pipeline/evaluate-policy.js';

/** A fixed smooth policy of the observation (no tfjs needed). */
const act = (obs: Float32Array): Float32Array => Float32Array.from([Math.tanh(obs[0] - obs[3]), Math.tanh(0.5 * obs[1] + obs[4])]);

test('recorded Swimmer episodes replay to the same frames and final state, and match evaluatePolicy', async () => {
  const env = await make('Swimmer-v5', { maxEpisodeSteps: 120 });
  const inner = unwrap(env) as MujocoEnv;
  const rec = checkRecording(JSON.parse(JSON.stringify(await recordEpisodes(env, inner, act, 2, 7))));
  assert.deepEqual([rec.envId, rec.nq, rec.nv, rec.nu, rec.episodes.length, rec.episodes[0].length], ['Swimmer-v5', 5, 5, 2, 2, 120]);
  assert.ok(rec.episodes[0].truncated);
  const ev = evaluatePolicy(env, act, 2, 7);
  assert.deepEqual(rec.episodes.map((e) => e.return), ev.returns);
  env.close();

  const replay = await make('Swimmer-v5', { maxEpisodeSteps: -1 });
  const m = replay as MujocoEnv;
  for (const ep of rec.episodes) {
    m.reset({ seed: 0 });
    m.setState(ep.qpos[0], ep.qvel[0]);
    for (let t = 0; t < ep.length; t++) {
      const r = m.step(ep.actions[t]);
      assert.equal(r.reward, ep.rewards[t], `reward at step ${t}`);
    }
    const s = m.getState();
    assert.deepEqual(Array.from(s.qpos), ep.qpos[ep.length]);
    assert.deepEqual(Array.from(s.qvel), ep.qvel[ep.length]);
  }
  replay.close();
});

test('checkRecording names the problem in a malformed file', () => {
  assert.throws(() => checkRecording({ format: 'x' }), /not an rpp-sac episode recording/);
  assert.throws(() => checkRecording({ format: 'rpp-sac-episodes', version: 1, envId: 'Swimmer-v5', nq: 5, nv: 5, episodes: [{ length: 1, qpos: [[0, 0, 0, 0, 0]], qvel: [], actions: [], rewards: [] }] }), /episode 0 has length 1/);
});
