/**
 * Env step throughput next to the bare physics it wraps.
 *
 * For each v5 env: steps per second of `env.step(a)` (ctrl write, frameSkip x mj_step,
 * mj_rnePostConstraint, observation assembly, reward, info) against a bare loop doing only
 * the ctrl write, frameSkip x mj_step and mj_rnePostConstraint on the same model. Both run
 * from the same seeded reset state with the same pre-drawn random actions and no resets, so
 * they simulate identical trajectories; overhead = 1 - envSps / bareSps (median of paired
 * blocks, alternating which side runs first) and overheadMinPct from the fastest block of
 * each side. Because the shared machine makes these ratios noisy, it also reports the env's
 * own per-step cost with the physics stubbed out (wrapperUsPerStep) and its share of a step. Uses the package's own models, falling back to
 * the reference XML (reported per env).
 */
import { existsSync } from 'node:fs';
import { Box } from '../../envs/box.js';
import { defaultModelPath, loadMujoco } from '../../envs/mujoco-loader.js';
import type { MujocoEnv } from '../../envs/mujoco-env.js';
import { AntEnv } from '../../envs/ant.js';
import { HalfCheetahEnv } from '../../envs/half-cheetah.js';
import { HopperEnv } from '../../envs/hopper.js';
import { HumanoidEnv } from '../../envs/humanoid.js';
import { InvertedDoublePendulumEnv } from '../../envs/inverted-double-pendulum.js';
import { InvertedPendulumEnv } from '../../envs/inverted-pendulum.js';
import { ReacherEnv } from '../../envs/reacher.js';
import { SwimmerEnv } from '../../envs/swimmer.js';
import { Walker2dEnv } from '../../envs/walker2d.js';
import { median } from '../bench-util.js';

export const name = 'envs';

const REF_DIR = '/work/shared/reference/gymnasium-mujoco-assets';
const ROUNDS = 61;
/** Target wall time of one timed block. */
const BLOCK_MS = 5;

type Ctor = new (opts?: { xmlFile?: string }) => MujocoEnv;
const ENVS: Array<[string, string, Ctor]> = [
  ['HalfCheetah-v5', 'half_cheetah.xml', HalfCheetahEnv],
  ['Hopper-v5', 'hopper.xml', HopperEnv],
  ['Walker2d-v5', 'walker2d_v5.xml', Walker2dEnv],
  ['Ant-v5', 'ant.xml', AntEnv],
  ['Swimmer-v5', 'swimmer.xml', SwimmerEnv],
  ['Humanoid-v5', 'humanoid.xml', HumanoidEnv],
  ['InvertedPendulum-v5', 'inverted_pendulum.xml', InvertedPendulumEnv],
  ['InvertedDoublePendulum-v5', 'inverted_double_pendulum.xml', InvertedDoublePendulumEnv],
  ['Reacher-v5', 'reacher.xml', ReacherEnv],
];

interface EnvBench {
  model: 'own' | 'reference';
  stepsPerBlock: number;
  envUsPerStep: number;
  bareUsPerStep: number;
  envSps: number;
  bareSps: number;
  overheadPct: number;
  /** 1 - (fastest bare block) / (fastest env block): the least load-disturbed comparison. */
  overheadMinPct: number;
  /** env.step's own cost (physics stubbed), µs, and as a share of env time: a low-noise overhead estimate. */
  wrapperUsPerStep: number;
  wrapperSharePct: number;
}

function timeEnv(env: MujocoEnv, actions: Float64Array[], n: number): number {
  env.reset({ seed: 0 });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) env.step(actions[i % actions.length]);
  return performance.now() - t0;
}

function timeBare(env: MujocoEnv, actions: Float64Array[], n: number): number {
  env.reset({ seed: 0 });
  const m = env.model;
  const d = env.data;
  const ctrl = d.ctrl as Float64Array;
  const nu = env.nu;
  const frameSkip = env.frameSkip;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const a = actions[i % actions.length];
    for (let j = 0; j < nu; j++) ctrl[j] = a[j];
    for (let k = 0; k < frameSkip; k++) mujoco.mj_step(m, d);
    mujoco.mj_rnePostConstraint(m, d);
  }
  return performance.now() - t0;
}

/**
 * The env's own per-step cost with the physics stubbed out (ctrl is still written): what
 * env.step adds on top of the bare loop, measured without the physics' timing noise.
 * Replaces the protected doSimulation on this one instance for the measurement only.
 */
function timeWithoutPhysics(env: MujocoEnv, actions: Float64Array[], n: number): number {
  env.reset({ seed: 0 });
  const target = env as unknown as { doSimulation: (a: ArrayLike<number>) => void };
  const original = target.doSimulation;
  const ctrl = env.data.ctrl as Float64Array;
  target.doSimulation = (a) => {
    for (let j = 0; j < env.nu; j++) ctrl[j] = a[j];
  };
  try {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) env.step(actions[i % actions.length]);
    return performance.now() - t0;
  } finally {
    target.doSimulation = original;
  }
}

let mujoco: Awaited<ReturnType<typeof loadMujoco>>;

export async function run(): Promise<Record<string, unknown>> {
  mujoco = await loadMujoco();
  const results: Record<string, EnvBench | string> = {};
  for (const [id, file, ctor] of ENVS) {
    const own = defaultModelPath(file);
    const ref = `${REF_DIR}/${file}`;
    const xmlFile = existsSync(own) ? own : existsSync(ref) ? ref : null;
    if (xmlFile === null) {
      results[id] = 'skipped: no model file';
      continue;
    }
    const env = new ctor({ xmlFile });
    const box = new Box(env.actionSpace.low, env.actionSpace.high, 1);
    const actions = Array.from({ length: 1000 }, () => box.sample());
    // Calibrate the block length so one block takes about BLOCK_MS.
    const probe = Math.max(1e-4, timeEnv(env, actions, 200) / 200);
    const n = Math.max(50, Math.round(BLOCK_MS / probe));
    const envMs: number[] = [];
    const bareMs: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order so drifting machine load does not favour one side.
      const first = r % 2 === 0 ? timeBare(env, actions, n) : timeEnv(env, actions, n);
      const second = r % 2 === 0 ? timeEnv(env, actions, n) : timeBare(env, actions, n);
      const b = r % 2 === 0 ? first : second;
      const e = r % 2 === 0 ? second : first;
      bareMs.push(b);
      envMs.push(e);
      ratios.push(1 - b / e);
    }
    const jsN = 20000;
    const jsUs = (median([0, 1, 2].map(() => timeWithoutPhysics(env, actions, jsN))) / jsN) * 1000;
    env.close();
    const envUs = (median(envMs) / n) * 1000;
    const bareUs = (median(bareMs) / n) * 1000;
    results[id] = {
      model: xmlFile === own ? 'own' : 'reference',
      stepsPerBlock: n,
      envUsPerStep: round(envUs),
      bareUsPerStep: round(bareUs),
      envSps: Math.round(1e6 / envUs),
      bareSps: Math.round(1e6 / bareUs),
      overheadPct: round(100 * median(ratios)),
      overheadMinPct: round(100 * (1 - Math.min(...bareMs) / Math.min(...envMs))),
      wrapperUsPerStep: round(jsUs),
      wrapperSharePct: round((100 * jsUs) / (bareUs + jsUs)),
    };
  }
  return results;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
