/**
 * What Hopper-v5 and Walker2d-v5 share: a planar body on slide x / slide z / hinge y
 * root joints, obs = [qpos[1:], clip(qvel, -10, 10)], reward = healthyReward (if
 * healthy) + forwardRewardWeight * vx - ctrlCostWeight * sum(a^2), termination when
 * unhealthy, U(±s) reset noise on qpos and qvel. Only the health check differs, so
 * each env supplies `isHealthy`.
 */
import { MujocoEnv, clip, sumSquares, type MujocoEnvOptions } from './mujoco-env.js';
import type { Info, StepResult } from './types.js';

export interface PlanarWalkerOptions extends MujocoEnvOptions {
  /** Default 4. */
  frameSkip?: number;
  /** Default 1.0. */
  forwardRewardWeight?: number;
  /** Default 1e-3. */
  ctrlCostWeight?: number;
  /** Default 1.0. */
  healthyReward?: number;
  /** Default true. */
  terminateWhenUnhealthy?: boolean;
  /** Allowed torso height qpos[1] (strict). */
  healthyZRange?: [number, number];
  /** Allowed torso pitch qpos[2] (strict). */
  healthyAngleRange?: [number, number];
  /** qpos and qvel noise U(±s). Default 5e-3. */
  resetNoiseScale?: number;
  /** Default true. */
  excludeCurrentPositionsFromObservation?: boolean;
}

export abstract class PlanarWalkerEnv extends MujocoEnv {
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly healthyReward: number;
  readonly terminateWhenUnhealthy: boolean;
  readonly healthyZRange: [number, number];
  readonly healthyAngleRange: [number, number];
  readonly resetNoiseScale: number;
  readonly excludeCurrentPositionsFromObservation: boolean;

  /** `obsDimWithoutX` is the observation size when qpos[0] (x) is excluded. */
  protected constructor(
    xmlFile: string,
    obsDimWithoutX: number,
    opts: PlanarWalkerOptions,
    defaults: { healthyZRange: [number, number]; healthyAngleRange: [number, number] },
  ) {
    const exclude = opts.excludeCurrentPositionsFromObservation ?? true;
    super(xmlFile, opts.frameSkip ?? 4, exclude ? obsDimWithoutX : obsDimWithoutX + 1);
    this.forwardRewardWeight = opts.forwardRewardWeight ?? 1.0;
    this.ctrlCostWeight = opts.ctrlCostWeight ?? 1e-3;
    this.healthyReward = opts.healthyReward ?? 1.0;
    this.terminateWhenUnhealthy = opts.terminateWhenUnhealthy ?? true;
    this.healthyZRange = opts.healthyZRange ?? defaults.healthyZRange;
    this.healthyAngleRange = opts.healthyAngleRange ?? defaults.healthyAngleRange;
    this.resetNoiseScale = opts.resetNoiseScale ?? 5e-3;
    this.excludeCurrentPositionsFromObservation = exclude;
  }

  abstract get isHealthy(): boolean;

  /** The height and pitch part of the health check (strict inequalities, as Gymnasium). */
  protected zAndAngleHealthy(): boolean {
    const q = this.view('qpos');
    const z = q[1];
    const angle = q[2];
    return this.healthyZRange[0] < z && z < this.healthyZRange[1] && this.healthyAngleRange[0] < angle && angle < this.healthyAngleRange[1];
  }

  protected resetModel(): void {
    this.resetWithNoise(this.resetNoiseScale, 'uniform');
  }

  protected getObs(): Float64Array {
    const q = this.view('qpos');
    const v = this.view('qvel');
    const skip = this.excludeCurrentPositionsFromObservation ? 1 : 0;
    const nPos = this.nq - skip;
    const obs = new Float64Array(nPos + this.nv);
    obs.set(q.subarray(skip), 0);
    for (let i = 0; i < this.nv; i++) obs[nPos + i] = clip(v[i], -10, 10);
    return obs;
  }

  protected stepImpl(action: ArrayLike<number>): StepResult {
    const xBefore = this.view('qpos')[0];
    this.doSimulation(action);
    const q = this.view('qpos');
    const xAfter = q[0];
    const xVelocity = (xAfter - xBefore) / this.dt;
    const healthy = this.isHealthy;
    const forwardReward = this.forwardRewardWeight * xVelocity;
    const healthyReward = healthy ? this.healthyReward : 0;
    const ctrlCost = this.ctrlCostWeight * sumSquares(action);
    const info: Info = {
      x_position: xAfter,
      z_distance_from_origin: q[1] - this.initQpos[1],
      x_velocity: xVelocity,
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
      reward_survive: healthyReward,
    };
    const terminated = !healthy && this.terminateWhenUnhealthy;
    return { observation: this.getObs(), reward: forwardReward + healthyReward - ctrlCost, terminated, truncated: false, info };
  }

  protected override resetInfo(): Info {
    const q = this.view('qpos');
    return { x_position: q[0], z_distance_from_origin: q[1] - this.initQpos[1] };
  }
}
