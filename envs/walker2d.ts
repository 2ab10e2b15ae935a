/**
 * Walker2d-v5: planar biped (model walker2d_v5.xml: both feet friction 1.9).
 * obs = [qpos[1:], clip(qvel, -10, 10)] (17; 18 with x); reward = healthyReward (if healthy)
 * + forwardRewardWeight * vx - ctrlCostWeight * sum(a^2); terminated when unhealthy.
 * Healthy (strict): z = qpos[1] in healthyZRange and angle = qpos[2] in healthyAngleRange
 * (no state-range or finiteness check, as the Gymnasium code).
 */
import { defaultModelPath } from './mujoco-loader.js';
import { MujocoEnv, clip, sumSquares, type MujocoEnvOptions } from './mujoco-env.js';
import { addNoise } from './reset-noise.js';
import type { Info, StepResult } from './types.js';

export interface Walker2dOptions extends MujocoEnvOptions {
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
  /** Default [0.8, 2.0]. */
  healthyZRange?: [number, number];
  /** Default [-1, 1]. */
  healthyAngleRange?: [number, number];
  /** qpos and qvel noise U(±s). Default 5e-3. */
  resetNoiseScale?: number;
  /** Default true. */
  excludeCurrentPositionsFromObservation?: boolean;
}

export class Walker2dEnv extends MujocoEnv {
  readonly id = 'Walker2d-v5';
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly healthyReward: number;
  readonly terminateWhenUnhealthy: boolean;
  readonly healthyZRange: [number, number];
  readonly healthyAngleRange: [number, number];
  readonly resetNoiseScale: number;
  readonly excludeCurrentPositionsFromObservation: boolean;

  constructor(opts: Walker2dOptions = {}) {
    const exclude = opts.excludeCurrentPositionsFromObservation ?? true;
    super(opts.xmlFile ?? defaultModelPath('walker2d_v5.xml'), opts.frameSkip ?? 4, exclude ? 17 : 18);
    this.forwardRewardWeight = opts.forwardRewardWeight ?? 1.0;
    this.ctrlCostWeight = opts.ctrlCostWeight ?? 1e-3;
    this.healthyReward = opts.healthyReward ?? 1.0;
    this.terminateWhenUnhealthy = opts.terminateWhenUnhealthy ?? true;
    this.healthyZRange = opts.healthyZRange ?? [0.8, 2.0];
    this.healthyAngleRange = opts.healthyAngleRange ?? [-1, 1];
    this.resetNoiseScale = opts.resetNoiseScale ?? 5e-3;
    this.excludeCurrentPositionsFromObservation = exclude;
  }

  get isHealthy(): boolean {
    const q = this.view('qpos');
    const z = q[1];
    const angle = q[2];
    return this.healthyZRange[0] < z && z < this.healthyZRange[1] && this.healthyAngleRange[0] < angle && angle < this.healthyAngleRange[1];
  }

  protected resetModel(): void {
    const s = this.resetNoiseScale;
    const qpos = addNoise(this.initQpos, this.uniformNoise(this.nq, -s, s));
    const qvel = addNoise(this.initQvel, this.uniformNoise(this.nv, -s, s));
    this.setState(qpos, qvel);
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
