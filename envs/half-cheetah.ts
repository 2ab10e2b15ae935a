/**
 * HalfCheetah-v5: planar cheetah running along +x.
 * obs = [qpos[1:], qvel] (17; 18 with the x position); reward = forwardRewardWeight * vx
 * - ctrlCostWeight * sum(a^2), vx from qpos[0] before/after; never terminates.
 */
import { defaultModelPath } from './mujoco-loader.js';
import { MujocoEnv, sumSquares, type MujocoEnvOptions } from './mujoco-env.js';
import type { Info, StepResult } from './types.js';

export interface HalfCheetahOptions extends MujocoEnvOptions {
  /** Default 5. */
  frameSkip?: number;
  /** Default 1.0. */
  forwardRewardWeight?: number;
  /** Default 0.1. */
  ctrlCostWeight?: number;
  /** qpos noise U(±s), qvel noise s*N(0,1). Default 0.1. */
  resetNoiseScale?: number;
  /** Drop qpos[0] (x) from the observation. Default true. */
  excludeCurrentPositionsFromObservation?: boolean;
}

export class HalfCheetahEnv extends MujocoEnv {
  readonly id = 'HalfCheetah-v5';
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly resetNoiseScale: number;
  readonly excludeCurrentPositionsFromObservation: boolean;

  constructor(opts: HalfCheetahOptions = {}) {
    const exclude = opts.excludeCurrentPositionsFromObservation ?? true;
    super(opts.xmlFile ?? defaultModelPath('half_cheetah.xml'), opts.frameSkip ?? 5, exclude ? 17 : 18);
    this.forwardRewardWeight = opts.forwardRewardWeight ?? 1.0;
    this.ctrlCostWeight = opts.ctrlCostWeight ?? 0.1;
    this.resetNoiseScale = opts.resetNoiseScale ?? 0.1;
    this.excludeCurrentPositionsFromObservation = exclude;
  }

  protected resetModel(): void {
    this.resetWithNoise(this.resetNoiseScale, 'normal');
  }

  protected getObs(): Float64Array {
    const q = this.view('qpos');
    const v = this.view('qvel');
    const skip = this.excludeCurrentPositionsFromObservation ? 1 : 0;
    const obs = new Float64Array(this.nq - skip + this.nv);
    obs.set(q.subarray(skip), 0);
    obs.set(v, this.nq - skip);
    return obs;
  }

  protected stepImpl(action: ArrayLike<number>): StepResult {
    const xBefore = this.view('qpos')[0];
    this.doSimulation(action);
    const xAfter = this.view('qpos')[0];
    const xVelocity = (xAfter - xBefore) / this.dt;
    const forwardReward = this.forwardRewardWeight * xVelocity;
    const ctrlCost = this.ctrlCostWeight * sumSquares(action);
    const info: Info = { x_position: xAfter, x_velocity: xVelocity, reward_forward: forwardReward, reward_ctrl: -ctrlCost };
    return { observation: this.getObs(), reward: forwardReward - ctrlCost, terminated: false, truncated: false, info };
  }

  protected override resetInfo(): Info {
    return { x_position: this.view('qpos')[0] };
  }
}
