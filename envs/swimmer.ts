/**
 * Swimmer-v5: three-segment swimmer in a viscous fluid (no contacts).
 * obs = [qpos[2:], qvel] (8; 10 with x, y); reward = forwardRewardWeight * vx
 * - ctrlCostWeight * sum(a^2), velocities from qpos[0:2]; never terminates.
 */
import { defaultModelPath } from './mujoco-loader.js';
import { MujocoEnv, sumSquares, type MujocoEnvOptions } from './mujoco-env.js';
import type { Info, StepResult } from './types.js';

export interface SwimmerOptions extends MujocoEnvOptions {
  /** Default 4. */
  frameSkip?: number;
  /** Default 1.0. */
  forwardRewardWeight?: number;
  /** Default 1e-4. */
  ctrlCostWeight?: number;
  /** qpos and qvel noise U(±s). Default 0.1. */
  resetNoiseScale?: number;
  /** Drop qpos[0:2] (x, y) from the observation. Default true. */
  excludeCurrentPositionsFromObservation?: boolean;
}

export class SwimmerEnv extends MujocoEnv {
  readonly id = 'Swimmer-v5';
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly resetNoiseScale: number;
  readonly excludeCurrentPositionsFromObservation: boolean;

  constructor(opts: SwimmerOptions = {}) {
    const exclude = opts.excludeCurrentPositionsFromObservation ?? true;
    super(opts.xmlFile ?? defaultModelPath('swimmer.xml'), opts.frameSkip ?? 4, exclude ? 8 : 10);
    this.forwardRewardWeight = opts.forwardRewardWeight ?? 1.0;
    this.ctrlCostWeight = opts.ctrlCostWeight ?? 1e-4;
    this.resetNoiseScale = opts.resetNoiseScale ?? 0.1;
    this.excludeCurrentPositionsFromObservation = exclude;
  }

  protected resetModel(): void {
    this.resetWithNoise(this.resetNoiseScale, 'uniform');
  }

  protected getObs(): Float64Array {
    const q = this.view('qpos');
    const v = this.view('qvel');
    const skip = this.excludeCurrentPositionsFromObservation ? 2 : 0;
    const obs = new Float64Array(this.nq - skip + this.nv);
    obs.set(q.subarray(skip), 0);
    obs.set(v, this.nq - skip);
    return obs;
  }

  protected stepImpl(action: ArrayLike<number>): StepResult {
    let q = this.view('qpos');
    const xBefore = q[0];
    const yBefore = q[1];
    this.doSimulation(action);
    q = this.view('qpos');
    const xVelocity = (q[0] - xBefore) / this.dt;
    const yVelocity = (q[1] - yBefore) / this.dt;
    const forwardReward = this.forwardRewardWeight * xVelocity;
    const ctrlCost = this.ctrlCostWeight * sumSquares(action);
    const info: Info = {
      x_position: q[0],
      y_position: q[1],
      distance_from_origin: Math.hypot(q[0] - this.initQpos[0], q[1] - this.initQpos[1]),
      x_velocity: xVelocity,
      y_velocity: yVelocity,
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
    };
    return { observation: this.getObs(), reward: forwardReward - ctrlCost, terminated: false, truncated: false, info };
  }

  protected override resetInfo(): Info {
    const q = this.view('qpos');
    return { x_position: q[0], y_position: q[1], distance_from_origin: Math.hypot(q[0] - this.initQpos[0], q[1] - this.initQpos[1]) };
  }
}
