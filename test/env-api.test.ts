import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  AntEnv,
  Box,
  HalfCheetahEnv,
  HopperEnv,
  HumanoidEnv,
  InvertedDoublePendulumEnv,
  InvertedPendulumEnv,
  ReacherEnv,
  RecordEpisodeStatistics,
  RescaleAction,
  SwimmerEnv,
  TimeLimit,
  Walker2dEnv,
  defaultModelPath,
  envIds,
  envSpec,
  loadMujoco,
  make,
  unwrap,
  type StepResult,
} from '../envs/index.js';

const REF_DIR = '/work/shared/reference/gymnasium-mujoco-assets';
const FILES: Record<string, string> = {
  'HalfCheetah-v5': 'half_cheetah.xml',
  'Hopper-v5': 'hopper.xml',
  'Walker2d-v5': 'walker2d_v5.xml',
  'Ant-v5': 'ant.xml',
  'Swimmer-v5': 'swimmer.xml',
  'Humanoid-v5': 'humanoid.xml',
  'InvertedPendulum-v5': 'inverted_pendulum.xml',
  'InvertedDoublePendulum-v5': 'inverted_double_pendulum.xml',
  'Reacher-v5': 'reacher.xml',
};

/** Our own model when it exists, else the reference XML when available, else null (skip). */
function modelOpts(id: string): { xmlFile?: string } | null {
  if (existsSync(defaultModelPath(FILES[id]))) return {};
  const ref = `${REF_DIR}/${FILES[id]}`;
  return existsSync(ref) ? { xmlFile: ref } : null;
}

const STEP_KEYS: Record<string, string[]> = {
  'HalfCheetah-v5': ['x_position', 'x_velocity', 'reward_forward', 'reward_ctrl'],
  'Hopper-v5': ['x_position', 'z_distance_from_origin', 'x_velocity', 'reward_forward', 'reward_ctrl', 'reward_survive'],
  'Walker2d-v5': ['x_position', 'z_distance_from_origin', 'x_velocity', 'reward_forward', 'reward_ctrl', 'reward_survive'],
  'Ant-v5': ['x_position', 'y_position', 'distance_from_origin', 'x_velocity', 'y_velocity', 'reward_forward', 'reward_ctrl', 'reward_contact', 'reward_survive'],
  'Swimmer-v5': ['x_position', 'y_position', 'distance_from_origin', 'x_velocity', 'y_velocity', 'reward_forward', 'reward_ctrl'],
  'Humanoid-v5': ['x_position', 'y_position', 'tendon_length', 'tendon_velocity', 'distance_from_origin', 'x_velocity', 'y_velocity', 'reward_survive', 'reward_forward', 'reward_ctrl', 'reward_contact'],
  'InvertedPendulum-v5': ['reward_survive'],
  'InvertedDoublePendulum-v5': ['reward_survive', 'distance_penalty', 'velocity_penalty'],
  'Reacher-v5': ['reward_dist', 'reward_ctrl'],
};
const RESET_KEYS: Record<string, string[]> = {
  'HalfCheetah-v5': ['x_position'],
  'Hopper-v5': ['x_position', 'z_distance_from_origin'],
  'Walker2d-v5': ['x_position', 'z_distance_from_origin'],
  'Ant-v5': ['x_position', 'y_position', 'distance_from_origin'],
  'Swimmer-v5': ['x_position', 'y_position', 'distance_from_origin'],
  'Humanoid-v5': ['x_position', 'y_position', 'tendon_length', 'tendon_velocity', 'distance_from_origin'],
  'InvertedPendulum-v5': [],
  'InvertedDoublePendulum-v5': [],
  'Reacher-v5': [],
};

function sumSq(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

function close(a: number, b: number, tol = 1e-9, msg = ''): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${msg} ${a} vs ${b}`);
}

before(async () => {
  await loadMujoco();
});

describe('registry', () => {
  test('lists the nine v5 ids with their specs', () => {
    assert.deepEqual(envIds().sort(), Object.keys(FILES).sort());
    assert.equal(envSpec('Reacher-v5').maxEpisodeSteps, 50);
    assert.equal(envSpec('Hopper-v5').maxEpisodeSteps, 1000);
    assert.equal(envSpec('Ant-v5').obsDim, 105);
    assert.equal(envSpec('Humanoid-v5').actHigh, 0.4);
    assert.equal(envSpec('Walker2d-v5').rewardThreshold, null);
  });

  test('unknown id: error lists valid ids and suggests the closest', async () => {
    await assert.rejects(make('Hoper-v5'), (e: Error) => /Unknown env id 'Hoper-v5'/.test(e.message) && /Did you mean 'Hopper-v5'/.test(e.message) && /Walker2d-v5/.test(e.message));
    assert.throws(() => envSpec('halfcheetah-v4'), /Did you mean 'HalfCheetah-v5'/);
  });

  test('unknown options are rejected with the closest valid name (snake_case hints camelCase)', async () => {
    await assert.rejects(make('Hopper-v5', { ctrl_cost_weight: 0.1 }), /unknown option 'ctrl_cost_weight'. Did you mean 'ctrlCostWeight'\?/);
    await assert.rejects(make('Ant-v5', { healthyZrange: [0.2, 1] }), /Did you mean 'healthyZRange'\?/);
    assert.ok(envSpec('Ant-v5').options.includes('includeCfrcExtInObservation'));
  });

  test('missing model file gives a clear error naming xmlFile', async () => {
    await assert.rejects(make('Hopper-v5', { xmlFile: '/nonexistent/hopper.xml' }), /MJCF model file not found: \/nonexistent\/hopper.xml.*xmlFile/);
  });
});

describe('reset/step shapes, info keys and spaces', () => {
  for (const id of Object.keys(FILES)) {
    test(id, async (t) => {
      const opts = modelOpts(id);
      if (opts === null) return t.skip('no model available');
      const env = await make(id, opts);
      const spec = envSpec(id);
      assert.deepEqual(env.observationSpace.shape, [spec.obsDim]);
      assert.deepEqual(env.actionSpace.shape, [spec.actDim]);
      assert.equal(env.actionSpace.low[0], spec.actLow);
      assert.equal(env.actionSpace.high[0], spec.actHigh);
      const r = env.reset({ seed: 0 });
      assert.ok(r.observation instanceof Float64Array);
      assert.equal(r.observation.length, spec.obsDim);
      assert.deepEqual(Object.keys(r.info), RESET_KEYS[id]);
      env.actionSpace.seed(1);
      const s = env.step(env.actionSpace.sample());
      assert.equal(s.observation.length, spec.obsDim);
      assert.equal(typeof s.reward, 'number');
      assert.ok(Number.isFinite(s.reward));
      assert.equal(s.truncated, false);
      assert.deepEqual(Object.keys(s.info), STEP_KEYS[id]);
      env.close();
    });
  }
});

describe('errors', () => {
  test('step before reset, wrong length, NaN/Infinity, after close', async (t) => {
    const opts = modelOpts('Hopper-v5');
    if (opts === null) return t.skip('no model');
    const env = await make('Hopper-v5', opts);
    assert.throws(() => env.step([0, 0, 0]), /Hopper-v5: step\(\) called before reset\(\)/);
    env.reset({ seed: 0 });
    assert.throws(() => env.step([0, 0]), /action has length 2, expected 3/);
    assert.throws(() => env.step([0, NaN, 0]), /action\[1\] = NaN is not a finite number/);
    assert.throws(() => env.step([0, 0, Infinity]), /action\[2\] = Infinity/);
    env.close();
    assert.throws(() => env.step([0, 0, 0]), /after close\(\)/);
    assert.throws(() => env.reset(), /closed/);
    env.close(); // idempotent
  });
});

describe('reproducibility', () => {
  for (const id of ['Ant-v5', 'Humanoid-v5', 'Reacher-v5']) {
    test(`${id}: same seed and actions give identical trajectories; another seed differs`, async (t) => {
      const opts = modelOpts(id);
      if (opts === null) return t.skip('no model');
      const run = async (seed: number): Promise<Float64Array[]> => {
        const env = await make(id, opts);
        const act = new Box(env.actionSpace.low, env.actionSpace.high, 123);
        const out = [env.reset({ seed }).observation];
        for (let i = 0; i < 20; i++) out.push(env.step(act.sample()).observation);
        out.push(env.reset().observation); // the RNG stream continues without a seed
        env.close();
        return out;
      };
      const a = await run(7);
      const b = await run(7);
      const c = await run(8);
      assert.deepEqual(a, b);
      assert.notDeepEqual(a[0], c[0]);
      assert.notDeepEqual(a[0], a[a.length - 1]);
    });
  }
});

describe('hand-checkable facts', () => {
  test('HalfCheetah: reward = (x_after - x_before)/dt - 0.1 * sum a^2, from qpos', async (t) => {
    const opts = modelOpts('HalfCheetah-v5');
    if (opts === null) return t.skip('no model');
    const env = await HalfCheetahEnv.create(opts);
    assert.equal(env.dt, 0.05);
    env.reset({ seed: 1 });
    const a = [0.5, -0.3, 0.9, -1, 0.2, 0.7];
    for (let i = 0; i < 5; i++) {
      const x0 = env.getState().qpos[0];
      const s = env.step(a);
      const x1 = env.getState().qpos[0];
      close(s.reward, (x1 - x0) / 0.05 - 0.1 * sumSq(a), 1e-12, 'reward');
      close(s.info.x_velocity as number, (x1 - x0) / 0.05, 1e-12);
      assert.equal(s.observation[8], env.getState().qvel[0]);
      assert.equal(s.terminated, false);
    }
    env.close();
  });

  test('Hopper: height obs is absolute, unhealthy angle terminates with reward_survive 0', async (t) => {
    const opts = modelOpts('Hopper-v5');
    if (opts === null) return t.skip('no model');
    const env = await HopperEnv.create(opts);
    const r = env.reset({ seed: 2 });
    assert.ok(Math.abs(r.observation[0] - 1.25) <= 5e-3);
    const s = env.step([0, 0, 0]);
    assert.equal(s.info.reward_survive, 1);
    assert.equal(s.terminated, false);
    close(s.reward, 1 + (s.info.x_velocity as number), 1e-12);
    const { qpos, qvel } = env.getState();
    qpos[2] = 0.5; // pitch beyond healthyAngleRange (-0.2, 0.2)
    env.setState(qpos, qvel);
    const s2 = env.step([0.1, 0.1, 0.1]);
    assert.equal(s2.terminated, true);
    assert.equal(s2.info.reward_survive, 0);
    close(s2.reward, (s2.info.x_velocity as number) - 1e-3 * 0.03, 1e-12);
    env.close();
  });

  test('Walker2d: low torso terminates; terminateWhenUnhealthy=false does not', async (t) => {
    const opts = modelOpts('Walker2d-v5');
    if (opts === null) return t.skip('no model');
    for (const terminateWhenUnhealthy of [true, false]) {
      const env: Walker2dEnv = await Walker2dEnv.create({ ...opts, terminateWhenUnhealthy });
      env.reset({ seed: 0 });
      const { qpos, qvel } = env.getState();
      qpos[1] = 0.6;
      env.setState(qpos, qvel);
      const s: StepResult = env.step([0, 0, 0, 0, 0, 0]);
      assert.equal(s.terminated, terminateWhenUnhealthy);
      assert.equal(s.info.reward_survive, 0);
      env.close();
    }
  });

  test('Ant: zero cfrc_ext block at reset, clipped to [-1,1] after steps, reward = sum of terms', async (t) => {
    const opts = modelOpts('Ant-v5');
    if (opts === null) return t.skip('no model');
    const env = await AntEnv.create(opts);
    const r = env.reset({ seed: 3 });
    assert.ok(r.observation.subarray(27).every((x) => x === 0));
    const act = new Box(env.actionSpace.low, env.actionSpace.high, 4);
    let sawContact = false;
    for (let i = 0; i < 30; i++) {
      const a = act.sample();
      const s = env.step(a);
      const c = s.observation.subarray(27);
      assert.ok(c.every((x) => x >= -1 && x <= 1));
      if (c.some((x) => x !== 0)) sawContact = true;
      const i2 = s.info as Record<string, number>;
      close(i2.reward_ctrl, -0.5 * sumSq(a), 1e-12);
      close(s.reward, i2.reward_forward + i2.reward_survive + i2.reward_ctrl + i2.reward_contact, 1e-12);
      // contact cost over all bodies = 5e-4 * sum of the clipped observation block (world row is zero).
      close(-i2.reward_contact, 5e-4 * sumSq(c), 1e-12);
    }
    assert.ok(sawContact, 'the ant should touch the floor within 30 steps');
    // Forward velocity comes from the torso's xpos as MuJoCo left it (no extra mj_forward,
    // so it lags qpos by one substep), as Gymnasium does.
    const xpos0 = (env.data.xpos as Float64Array)[3];
    const s = env.step(act.sample());
    const xpos1 = (env.data.xpos as Float64Array)[3];
    close(s.info.x_velocity as number, (xpos1 - xpos0) / 0.05, 1e-12);
    assert.notEqual(xpos1, env.getState().qpos[0]);
    env.close();
    const small = await AntEnv.create({ ...opts, includeCfrcExtInObservation: false, excludeCurrentPositionsFromObservation: false });
    assert.equal(small.reset({ seed: 0 }).observation.length, 29);
    small.close();
  });

  test('Swimmer: reward = vx - 1e-4 * sum a^2 from qpos', async (t) => {
    const opts = modelOpts('Swimmer-v5');
    if (opts === null) return t.skip('no model');
    const env = await SwimmerEnv.create(opts);
    env.reset({ seed: 5 });
    const a = [0.8, -0.6];
    const x0 = env.getState().qpos[0];
    const s = env.step(a);
    const x1 = env.getState().qpos[0];
    close(s.reward, (x1 - x0) / 0.04 - 1e-4 * 1.0, 1e-12);
    env.close();
  });

  test('Humanoid: cfrc_ext zeros at reset, ctrl cost 0.1 * sum a^2, alive bonus 5, ±0.4 via RescaleAction', async (t) => {
    const opts = modelOpts('Humanoid-v5');
    if (opts === null) return t.skip('no model');
    const env = await HumanoidEnv.create(opts);
    const r = env.reset({ seed: 6 });
    assert.ok(r.observation.subarray(270).every((x) => x === 0));
    close(r.observation[0], 1.4, 0.011);
    const wrapped = new RescaleAction(env);
    assert.equal(wrapped.actionSpace.low[0], -1);
    const s = wrapped.step(new Array(17).fill(1));
    close(s.info.reward_ctrl as number, -0.1 * 17 * 0.16, 1e-12);
    assert.equal(s.info.reward_survive, 5);
    const i2 = s.info as Record<string, number>;
    close(s.reward, i2.reward_survive + i2.reward_forward + i2.reward_ctrl + i2.reward_contact, 1e-12);
    // qfrc_actuator block reflects the applied torques after a step.
    assert.ok(s.observation.subarray(253, 270).some((x) => x !== 0));
    wrapped.close();
  });

  test('InvertedPendulum: reward 1 while upright, 0 and terminated when |angle| > 0.2', async (t) => {
    const opts = modelOpts('InvertedPendulum-v5');
    if (opts === null) return t.skip('no model');
    const env = await InvertedPendulumEnv.create(opts);
    const r = env.reset({ seed: 0 });
    assert.ok(r.observation.every((x) => Math.abs(x) <= 0.01));
    const s = env.step([0]);
    assert.equal(s.reward, 1);
    assert.deepEqual(s.info, { reward_survive: 1 });
    env.setState([0, 0.3], [0, 0]);
    const s2 = env.step([0]);
    assert.equal(s2.terminated, true);
    assert.equal(s2.reward, 0);
    env.close();
  });

  test('InvertedDoublePendulum: upright tip at 1.2 m gives reward near 10 - 0.64; fallen poles terminate', async (t) => {
    const opts = modelOpts('InvertedDoublePendulum-v5');
    if (opts === null) return t.skip('no model');
    const env = await InvertedDoublePendulumEnv.create(opts);
    env.reset({ seed: 0 });
    env.setState([0, 0, 0], [0, 0, 0]);
    const s = env.step([0]);
    close(s.reward, 10 - 0.64, 1e-3);
    assert.equal(s.observation[3], Math.cos(env.getState().qpos[1]));
    env.setState([0, Math.PI / 2, 0], [0, 0, 0]);
    const s2 = env.step([0]);
    assert.equal(s2.terminated, true);
    assert.equal(s2.info.reward_survive, 0);
    env.close();
  });

  test('Reacher: target inside radius 0.2, target velocity 0, reward_dist = -|fingertip - target|', async (t) => {
    const opts = modelOpts('Reacher-v5');
    if (opts === null) return t.skip('no model');
    const env = await ReacherEnv.create(opts);
    for (let k = 0; k < 10; k++) {
      const r = env.reset({ seed: k });
      assert.ok(Math.hypot(r.observation[4], r.observation[5]) < 0.2);
      const { qvel } = env.getState();
      assert.equal(qvel[2], 0);
      assert.equal(qvel[3], 0);
    }
    const s = env.step([0.3, -0.2]);
    // fingertip and target bodies are at the same height, so the 3D distance is the planar one.
    close(s.info.reward_dist as number, -Math.hypot(s.observation[8], s.observation[9]), 1e-9);
    close(s.info.reward_ctrl as number, -(0.09 + 0.04), 1e-12);
    env.close();
  });
});

describe('wrappers', () => {
  test('TimeLimit: Reacher truncates exactly at step 50; override and disable', async (t) => {
    const opts = modelOpts('Reacher-v5');
    if (opts === null) return t.skip('no model');
    const env = await make('Reacher-v5', opts);
    assert.ok(env instanceof TimeLimit);
    env.reset({ seed: 0 });
    let last: StepResult | undefined;
    for (let i = 1; i <= 50; i++) {
      last = env.step([0, 0]);
      assert.equal(last.truncated, i === 50, `step ${i}`);
    }
    assert.equal(last?.terminated, false);
    env.reset();
    assert.equal(env.step([0, 0]).truncated, false);
    env.close();
    const short = await make('Reacher-v5', { ...opts, maxEpisodeSteps: 3 });
    short.reset({ seed: 0 });
    assert.deepEqual([1, 2, 3].map(() => short.step([0, 0]).truncated), [false, false, true]);
    short.close();
    const none = await make('Reacher-v5', { ...opts, maxEpisodeSteps: -1 });
    assert.ok(!(none instanceof TimeLimit));
    none.reset({ seed: 0 });
    for (let i = 0; i < 60; i++) assert.equal(none.step([0, 0]).truncated, false);
    none.close();
  });

  test('RecordEpisodeStatistics: info.episode = {r, l, t} at the episode end only', async (t) => {
    const opts = modelOpts('Reacher-v5');
    if (opts === null) return t.skip('no model');
    const env = new RecordEpisodeStatistics(await make('Reacher-v5', { ...opts, maxEpisodeSteps: 10 }));
    env.reset({ seed: 0 });
    let ret = 0;
    for (let i = 1; i <= 10; i++) {
      const s = env.step([0.1, 0.1]);
      ret += s.reward;
      if (i < 10) assert.equal(s.info.episode, undefined);
      else {
        const ep = s.info.episode as { r: number; l: number; t: number };
        close(ep.r, ret, 1e-12);
        assert.equal(ep.l, 10);
        assert.ok(ep.t >= 0);
      }
    }
    assert.equal(env.returnQueue.length, 1);
    assert.ok(unwrap(env) instanceof ReacherEnv);
    env.close();
  });

  test('RescaleAction maps [-1, 1] affinely onto [-3, 3] and clips', async (t) => {
    const opts = modelOpts('InvertedPendulum-v5');
    if (opts === null) return t.skip('no model');
    const env = new RescaleAction(await make('InvertedPendulum-v5', opts));
    assert.deepEqual(Array.from(env.rescale([0.5])), [1.5]);
    assert.deepEqual(Array.from(env.rescale([-1])), [-3]);
    assert.deepEqual(Array.from(env.rescale([2])), [3]);
    assert.throws(() => env.rescale([NaN]), /action\[0\] = NaN/);
    env.close();
  });
});

describe('Box', () => {
  test('sample stays in bounds, contains checks bounds and length, seeding reproduces', () => {
    const b = new Box([-1, 0, -0.4], [1, 2, 0.4], 3);
    const xs = Array.from({ length: 500 }, () => b.sample());
    for (const x of xs) assert.ok(b.contains(x));
    const mean1 = xs.reduce((s, x) => s + x[1], 0) / xs.length;
    assert.ok(Math.abs(mean1 - 1) < 0.1, `uniform mean ${mean1}`);
    assert.equal(b.contains([0, 0]), false);
    assert.equal(b.contains([0, 2.5, 0]), false);
    assert.equal(b.contains([0, NaN, 0]), false);
    b.seed(9);
    const a1 = b.sample();
    b.seed(9);
    assert.deepEqual(b.sample(), a1);
    const u = Box.uniform(4, -Infinity, Infinity, 1);
    assert.ok(u.sample().every(Number.isFinite));
    assert.equal(u.isBounded(), false);
    assert.throws(() => new Box([1], [0]), /low\[0\] = 1 > high\[0\] = 0/);
    assert.throws(() => new Box([0, 0], [1]), /same length/);
  });
});
