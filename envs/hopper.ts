/**
 * Hopper-v5: one-legged planar hopper.
 * obs = [qpos[1:], clip(qvel, -10, 10)] (11; 12 with x); reward = healthyReward (if healthy)
 * + forwardRewardWeight * vx - ctrlCostWeight * sum(a^2); terminated when unhealthy.
 * Healthy (strict): every value of [qpos[2:], qvel] (unclipped) in healthyStateRange,
 * z = qpos[1] in healthyZRange, angle = qpos[2] in healthyAngleRange.
 */
import { defaultModelPath } from './mujoco-loader.js';
import { PlanarWalkerEnv, type PlanarWalkerOptions } from './planar-walker.js';

export interface HopperOptions extends PlanarWalkerOptions {
  /** Default [-100, 100]. */
  healthyStateRange?: [number, number];
  /** Default [0.7, Infinity]. */
  healthyZRange?: [number, number];
  /** Default [-0.2, 0.2]. */
  healthyAngleRange?: [number, number];
}

export class HopperEnv extends PlanarWalkerEnv {
  readonly id = 'Hopper-v5';
  readonly healthyStateRange: [number, number];

  constructor(opts: HopperOptions = {}) {
    super(opts.xmlFile ?? defaultModelPath('hopper.xml'), 11, opts, { healthyZRange: [0.7, Infinity], healthyAngleRange: [-0.2, 0.2] });
    this.healthyStateRange = opts.healthyStateRange ?? [-100, 100];
  }

  get isHealthy(): boolean {
    const q = this.view('qpos');
    const v = this.view('qvel');
    const [lo, hi] = this.healthyStateRange;
    for (let i = 2; i < this.nq; i++) if (!(lo < q[i] && q[i] < hi)) return false;
    for (let i = 0; i < this.nv; i++) if (!(lo < v[i] && v[i] < hi)) return false;
    return this.zAndAngleHealthy();
  }
}
