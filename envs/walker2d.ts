/**
 * Walker2d-v5: planar biped (model walker2d_v5.xml: both feet friction 1.9).
 * obs = [qpos[1:], clip(qvel, -10, 10)] (17; 18 with x); reward = healthyReward (if healthy)
 * + forwardRewardWeight * vx - ctrlCostWeight * sum(a^2); terminated when unhealthy.
 * Healthy (strict): z = qpos[1] in healthyZRange and angle = qpos[2] in healthyAngleRange
 * (no state-range or finiteness check, as the Gymnasium code).
 */
import { defaultModelPath } from './mujoco-loader.js';
import { PlanarWalkerEnv, type PlanarWalkerOptions } from './planar-walker.js';

export interface Walker2dOptions extends PlanarWalkerOptions {
  /** Default [0.8, 2.0]. */
  healthyZRange?: [number, number];
  /** Default [-1, 1]. */
  healthyAngleRange?: [number, number];
}

export class Walker2dEnv extends PlanarWalkerEnv {
  readonly id = 'Walker2d-v5';

  constructor(opts: Walker2dOptions = {}) {
    super(opts.xmlFile ?? defaultModelPath('walker2d_v5.xml'), 17, opts, { healthyZRange: [0.8, 2.0], healthyAngleRange: [-1, 1] });
  }

  get isHealthy(): boolean {
    return this.zAndAngleHealthy();
  }
}
