/**
 * InvertedDoublePendulum-v5: a cart balancing two stacked poles.
 * obs (9) = [cart x, sin(hinge1), sin(hinge2), cos(hinge1), cos(hinge2), clip(qvel, ±10) (3),
 * clip(qfrc_constraint[0], ±10)]. With (x, z) the tip site position (last forward pass):
 * reward = healthyReward * (not terminated) - (0.01 x^2 + (z - 2)^2) - (1e-3 v1^2 + 5e-3 v2^2);
 * terminated when z <= 1.
 */
import { defaultModelPath } from './mujoco-loader.js';
import { MujocoEnv, clip, type MujocoEnvOptions } from './mujoco-env.js';
import type { StepResult } from './types.js';

export interface InvertedDoublePendulumOptions extends MujocoEnvOptions {
  /** Default 5. */
  frameSkip?: number;
  /** Alive bonus. Default 10. */
  healthyReward?: number;
  /** qpos noise U(±s), qvel s*N(0,1). Default 0.1. */
  resetNoiseScale?: number;
}

export class InvertedDoublePendulumEnv extends MujocoEnv {
  readonly id = 'InvertedDoublePendulum-v5';
  readonly healthyReward: number;
  readonly resetNoiseScale: number;

  constructor(opts: InvertedDoublePendulumOptions = {}) {
    super(opts.xmlFile ?? defaultModelPath('inverted_double_pendulum.xml'), opts.frameSkip ?? 5, 9);
    this.healthyReward = opts.healthyReward ?? 10;
    this.resetNoiseScale = opts.resetNoiseScale ?? 0.1;
  }

  protected resetModel(): void {
    this.resetWithNoise(this.resetNoiseScale, 'normal');
  }

  protected getObs(): Float64Array {
    const q = this.view('qpos');
    const v = this.view('qvel');
    const fc = this.view('qfrc_constraint');
    return Float64Array.of(
      q[0],
      Math.sin(q[1]),
      Math.sin(q[2]),
      Math.cos(q[1]),
      Math.cos(q[2]),
      clip(v[0], -10, 10),
      clip(v[1], -10, 10),
      clip(v[2], -10, 10),
      clip(fc[0], -10, 10),
    );
  }

  protected stepImpl(action: ArrayLike<number>): StepResult {
    this.doSimulation(action);
    const site = this.view('site_xpos');
    const x = site[0];
    const z = site[2];
    const obs = this.getObs();
    const terminated = z <= 1;
    const v = this.view('qvel');
    const distPenalty = 0.01 * x * x + (z - 2) * (z - 2);
    const velPenalty = 1e-3 * v[1] * v[1] + 5e-3 * v[2] * v[2];
    const aliveBonus = terminated ? 0 : this.healthyReward;
    return {
      observation: obs,
      reward: aliveBonus - distPenalty - velPenalty,
      terminated,
      truncated: false,
      info: { reward_survive: aliveBonus, distance_penalty: -distPenalty, velocity_penalty: -velPenalty },
    };
  }
}
