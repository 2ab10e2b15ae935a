/**
 * InvertedPendulum-v5: a cart on a rail balancing a pole.
 * obs = [cart x, hinge angle, cart velocity, hinge rate]; reward = 1 while |angle| <= 0.2;
 * terminated when the observation is not finite or |angle| > 0.2. Action range [-3, 3].
 */
import { defaultModelPath } from './mujoco-loader.js';
import { MujocoEnv, type MujocoEnvOptions } from './mujoco-env.js';
import type { StepResult } from './types.js';

export interface InvertedPendulumOptions extends MujocoEnvOptions {
  /** Default 2. */
  frameSkip?: number;
  /** Reset noise U(±scale) on qpos and qvel. Default 0.01. */
  resetNoiseScale?: number;
}

export class InvertedPendulumEnv extends MujocoEnv {
  readonly id = 'InvertedPendulum-v5';
  readonly resetNoiseScale: number;

  constructor(opts: InvertedPendulumOptions = {}) {
    super(opts.xmlFile ?? defaultModelPath('inverted_pendulum.xml'), opts.frameSkip ?? 2, 4);
    this.resetNoiseScale = opts.resetNoiseScale ?? 0.01;
  }

  protected resetModel(): void {
    this.resetWithNoise(this.resetNoiseScale, 'uniform');
  }

  protected getObs(): Float64Array {
    const q = this.view('qpos');
    const v = this.view('qvel');
    return Float64Array.of(q[0], q[1], v[0], v[1]);
  }

  protected stepImpl(action: ArrayLike<number>): StepResult {
    this.doSimulation(action);
    const obs = this.getObs();
    let finite = true;
    for (let i = 0; i < obs.length; i++) if (!Number.isFinite(obs[i])) finite = false;
    const terminated = !finite || Math.abs(obs[1]) > 0.2;
    const reward = terminated ? 0 : 1;
    return { observation: obs, reward, terminated, truncated: false, info: { reward_survive: reward } };
  }
}
