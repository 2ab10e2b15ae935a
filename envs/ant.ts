/**
 * Ant-v5: four-legged robot on a free joint.
 * obs = [qpos[2:], qvel, clip(cfrc_ext[1:], contactForceRange) flattened] (105; 27 without
 * cfrc_ext; +2 with x, y). cfrc_ext rows are [torque xyz, force xyz] per body.
 * reward = healthyReward (if healthy) + forwardRewardWeight * vx - ctrlCostWeight * sum(a^2)
 * - contactCostWeight * sum(clipped cfrc_ext^2) (all bodies); vx, vy from the main body's
 * xpos (last forward pass, one substep behind qpos). Healthy (inclusive): state finite and
 * healthyZRange[0] <= z <= healthyZRange[1].
 */
import { MJ_OBJ_BODY, defaultModelPath } from './mujoco-loader.js';
import { MujocoEnv, clip, sumSquares, type MujocoEnvOptions } from './mujoco-env.js';
import type { Info, StepResult } from './types.js';

export interface AntOptions extends MujocoEnvOptions {
  /** Default 5. */
  frameSkip?: number;
  /** Body whose xpos gives the forward velocity: id or name. Default 1 (torso). */
  mainBody?: number | string;
  /** Default 1.0. */
  forwardRewardWeight?: number;
  /** Default 0.5. */
  ctrlCostWeight?: number;
  /** Default 5e-4. */
  contactCostWeight?: number;
  /** Default 1.0. */
  healthyReward?: number;
  /** Default true. */
  terminateWhenUnhealthy?: boolean;
  /** Default [0.2, 1.0] (inclusive). */
  healthyZRange?: [number, number];
  /** Clip range of cfrc_ext for the observation and contact cost. Default [-1, 1]. */
  contactForceRange?: [number, number];
  /** qpos noise U(±s) on all values (quaternion included, left unnormalized); qvel s*N(0,1). Default 0.1. */
  resetNoiseScale?: number;
  /** Default true. */
  excludeCurrentPositionsFromObservation?: boolean;
  /** Default true. */
  includeCfrcExtInObservation?: boolean;
}

export class AntEnv extends MujocoEnv {
  readonly id = 'Ant-v5';
  readonly mainBody: number;
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly contactCostWeight: number;
  readonly healthyReward: number;
  readonly terminateWhenUnhealthy: boolean;
  readonly healthyZRange: [number, number];
  readonly contactForceRange: [number, number];
  readonly resetNoiseScale: number;
  readonly excludeCurrentPositionsFromObservation: boolean;
  readonly includeCfrcExtInObservation: boolean;
  private readonly nbody: number;

  constructor(opts: AntOptions = {}) {
    const exclude = opts.excludeCurrentPositionsFromObservation ?? true;
    const includeCfrc = opts.includeCfrcExtInObservation ?? true;
    // 105 = 13 qpos + 14 qvel + 13 bodies * 6 for the standard model.
    super(opts.xmlFile ?? defaultModelPath('ant.xml'), opts.frameSkip ?? 5, (m) => m.nq - (exclude ? 2 : 0) + m.nv + (includeCfrc ? 6 * (m.nbody - 1) : 0));
    this.nbody = this.model.nbody;
    const mb = opts.mainBody ?? 1;
    this.mainBody = typeof mb === 'number' ? mb : this.mj.mj_name2id(this.model, MJ_OBJ_BODY, mb);
    if (this.mainBody < 0 || this.mainBody >= this.nbody) {
      this.close();
      throw new Error(`Ant-v5: mainBody ${String(mb)} is not a body of the model (ids 0..${this.nbody - 1}).`);
    }
    this.forwardRewardWeight = opts.forwardRewardWeight ?? 1.0;
    this.ctrlCostWeight = opts.ctrlCostWeight ?? 0.5;
    this.contactCostWeight = opts.contactCostWeight ?? 5e-4;
    this.healthyReward = opts.healthyReward ?? 1.0;
    this.terminateWhenUnhealthy = opts.terminateWhenUnhealthy ?? true;
    this.healthyZRange = opts.healthyZRange ?? [0.2, 1.0];
    this.contactForceRange = opts.contactForceRange ?? [-1, 1];
    this.resetNoiseScale = opts.resetNoiseScale ?? 0.1;
    this.excludeCurrentPositionsFromObservation = exclude;
    this.includeCfrcExtInObservation = includeCfrc;
  }

  get isHealthy(): boolean {
    const q = this.view('qpos');
    const v = this.view('qvel');
    for (let i = 0; i < this.nq; i++) if (!Number.isFinite(q[i])) return false;
    for (let i = 0; i < this.nv; i++) if (!Number.isFinite(v[i])) return false;
    return this.healthyZRange[0] <= q[2] && q[2] <= this.healthyZRange[1];
  }

  /** contactCostWeight * sum of squared clipped cfrc_ext over all bodies. */
  get contactCost(): number {
    const f = this.view('cfrc_ext');
    const [lo, hi] = this.contactForceRange;
    let s = 0;
    for (let i = 0; i < 6 * this.nbody; i++) {
      const c = clip(f[i], lo, hi);
      s += c * c;
    }
    return this.contactCostWeight * s;
  }

  protected resetModel(): void {
    this.resetWithNoise(this.resetNoiseScale, 'normal');
  }

  protected getObs(): Float64Array {
    const q = this.view('qpos');
    const v = this.view('qvel');
    const skip = this.excludeCurrentPositionsFromObservation ? 2 : 0;
    const obs = new Float64Array(this.observationSpace.shape[0]);
    obs.set(q.subarray(skip), 0);
    let k = this.nq - skip;
    obs.set(v, k);
    k += this.nv;
    if (this.includeCfrcExtInObservation) {
      const f = this.view('cfrc_ext');
      const [lo, hi] = this.contactForceRange;
      for (let i = 6; i < 6 * this.nbody; i++) obs[k++] = clip(f[i], lo, hi);
    }
    return obs;
  }

  protected stepImpl(action: ArrayLike<number>): StepResult {
    let xpos = this.view('xpos');
    const xBefore = xpos[3 * this.mainBody];
    const yBefore = xpos[3 * this.mainBody + 1];
    this.doSimulation(action);
    xpos = this.view('xpos');
    const xVelocity = (xpos[3 * this.mainBody] - xBefore) / this.dt;
    const yVelocity = (xpos[3 * this.mainBody + 1] - yBefore) / this.dt;
    const healthy = this.isHealthy;
    const forwardReward = this.forwardRewardWeight * xVelocity;
    const healthyReward = healthy ? this.healthyReward : 0;
    const ctrlCost = this.ctrlCostWeight * sumSquares(action);
    const contactCost = this.contactCost;
    const q = this.view('qpos');
    const info: Info = {
      x_position: q[0],
      y_position: q[1],
      distance_from_origin: Math.hypot(q[0] - this.initQpos[0], q[1] - this.initQpos[1]),
      x_velocity: xVelocity,
      y_velocity: yVelocity,
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
      reward_contact: -contactCost,
      reward_survive: healthyReward,
    };
    const terminated = !healthy && this.terminateWhenUnhealthy;
    return { observation: this.getObs(), reward: forwardReward + healthyReward - ctrlCost - contactCost, terminated, truncated: false, info };
  }

  protected override resetInfo(): Info {
    const q = this.view('qpos');
    return { x_position: q[0], y_position: q[1], distance_from_origin: Math.hypot(q[0] - this.initQpos[0], q[1] - this.initQpos[1]) };
  }
}
