/**
 * Humanoid-v5: 3D biped on a free joint.
 * obs (348) = [qpos[2:] (22), qvel (23), cinert[1:] (130), cvel[1:] (78),
 * qfrc_actuator[6:] (17), cfrc_ext[1:] (78)]; blocks can be dropped with the include* options.
 * reward = healthyReward (if healthy) + forwardRewardWeight * vx - ctrlCostWeight * sum(ctrl^2)
 * - clip(contactCostWeight * sum(cfrc_ext^2), contactCostRange); vx, vy from the mass centre
 * (body_mass-weighted xipos, last forward pass). Healthy (strict): z = qpos[2] in healthyZRange.
 * Action range ±0.4 (wrap in RescaleAction for an agent acting in [-1, 1]).
 */
import { defaultModelPath } from './mujoco-loader.js';
import { MujocoEnv, clip, sumSquares, type MujocoEnvOptions } from './mujoco-env.js';
import type { Info, StepResult } from './types.js';

export interface HumanoidOptions extends MujocoEnvOptions {
  /** Default 5. */
  frameSkip?: number;
  /** Default 1.25. */
  forwardRewardWeight?: number;
  /** Default 0.1. */
  ctrlCostWeight?: number;
  /** Default 5e-7. */
  contactCostWeight?: number;
  /** Default [-Infinity, 10]. */
  contactCostRange?: [number, number];
  /** Default 5.0. */
  healthyReward?: number;
  /** Default true. */
  terminateWhenUnhealthy?: boolean;
  /** Default [1.0, 2.0]. */
  healthyZRange?: [number, number];
  /** qpos and qvel noise U(±s). Default 1e-2. */
  resetNoiseScale?: number;
  /** Default true. */
  excludeCurrentPositionsFromObservation?: boolean;
  /** Default true. */
  includeCinertInObservation?: boolean;
  /** Default true. */
  includeCvelInObservation?: boolean;
  /** Default true. */
  includeQfrcActuatorInObservation?: boolean;
  /** Default true. */
  includeCfrcExtInObservation?: boolean;
}

export class HumanoidEnv extends MujocoEnv {
  readonly id = 'Humanoid-v5';
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly contactCostWeight: number;
  readonly contactCostRange: [number, number];
  readonly healthyReward: number;
  readonly terminateWhenUnhealthy: boolean;
  readonly healthyZRange: [number, number];
  readonly resetNoiseScale: number;
  readonly excludeCurrentPositionsFromObservation: boolean;
  readonly includeCinertInObservation: boolean;
  readonly includeCvelInObservation: boolean;
  readonly includeQfrcActuatorInObservation: boolean;
  readonly includeCfrcExtInObservation: boolean;
  private readonly nbody: number;
  private readonly bodyMass: Float64Array;
  private readonly totalMass: number;

  constructor(opts: HumanoidOptions = {}) {
    const exclude = opts.excludeCurrentPositionsFromObservation ?? true;
    const inc = {
      cinert: opts.includeCinertInObservation ?? true,
      cvel: opts.includeCvelInObservation ?? true,
      qfrc: opts.includeQfrcActuatorInObservation ?? true,
      cfrc: opts.includeCfrcExtInObservation ?? true,
    };
    super(opts.xmlFile ?? defaultModelPath('humanoid.xml'), opts.frameSkip ?? 5, (m) => {
      const nb = m.nbody - 1;
      return m.nq - (exclude ? 2 : 0) + m.nv + (inc.cinert ? 10 * nb : 0) + (inc.cvel ? 6 * nb : 0) + (inc.qfrc ? m.nv - 6 : 0) + (inc.cfrc ? 6 * nb : 0);
    });
    this.nbody = this.model.nbody;
    this.bodyMass = Float64Array.from(this.model.body_mass as Float64Array);
    this.totalMass = this.bodyMass.reduce((a, b) => a + b, 0);
    this.forwardRewardWeight = opts.forwardRewardWeight ?? 1.25;
    this.ctrlCostWeight = opts.ctrlCostWeight ?? 0.1;
    this.contactCostWeight = opts.contactCostWeight ?? 5e-7;
    this.contactCostRange = opts.contactCostRange ?? [-Infinity, 10.0];
    this.healthyReward = opts.healthyReward ?? 5.0;
    this.terminateWhenUnhealthy = opts.terminateWhenUnhealthy ?? true;
    this.healthyZRange = opts.healthyZRange ?? [1.0, 2.0];
    this.resetNoiseScale = opts.resetNoiseScale ?? 1e-2;
    this.excludeCurrentPositionsFromObservation = exclude;
    this.includeCinertInObservation = inc.cinert;
    this.includeCvelInObservation = inc.cvel;
    this.includeQfrcActuatorInObservation = inc.qfrc;
    this.includeCfrcExtInObservation = inc.cfrc;
  }

  get isHealthy(): boolean {
    const z = this.view('qpos')[2];
    return this.healthyZRange[0] < z && z < this.healthyZRange[1];
  }

  /** Mass-weighted mean of the bodies' xipos (x, y), from the last forward pass. */
  massCenter(): [number, number] {
    const xipos = this.view('xipos');
    let x = 0;
    let y = 0;
    for (let b = 0; b < this.nbody; b++) {
      x += this.bodyMass[b] * xipos[3 * b];
      y += this.bodyMass[b] * xipos[3 * b + 1];
    }
    return [x / this.totalMass, y / this.totalMass];
  }

  get contactCost(): number {
    const c = this.contactCostWeight * sumSquares(this.view('cfrc_ext'), 0, 6 * this.nbody);
    return clip(c, this.contactCostRange[0], this.contactCostRange[1]);
  }

  protected resetModel(): void {
    this.resetWithNoise(this.resetNoiseScale, 'uniform');
  }

  protected getObs(): Float64Array {
    const obs = new Float64Array(this.observationSpace.shape[0]);
    const skip = this.excludeCurrentPositionsFromObservation ? 2 : 0;
    obs.set(this.view('qpos').subarray(skip), 0);
    let k = this.nq - skip;
    obs.set(this.view('qvel'), k);
    k += this.nv;
    const nb = this.nbody;
    if (this.includeCinertInObservation) {
      obs.set(this.view('cinert').subarray(10, 10 * nb), k);
      k += 10 * (nb - 1);
    }
    if (this.includeCvelInObservation) {
      obs.set(this.view('cvel').subarray(6, 6 * nb), k);
      k += 6 * (nb - 1);
    }
    if (this.includeQfrcActuatorInObservation) {
      obs.set(this.view('qfrc_actuator').subarray(6, this.nv), k);
      k += this.nv - 6;
    }
    if (this.includeCfrcExtInObservation) {
      obs.set(this.view('cfrc_ext').subarray(6, 6 * nb), k);
    }
    return obs;
  }

  protected stepImpl(action: ArrayLike<number>): StepResult {
    const [xBefore, yBefore] = this.massCenter();
    this.doSimulation(action);
    const [xAfter, yAfter] = this.massCenter();
    const xVelocity = (xAfter - xBefore) / this.dt;
    const yVelocity = (yAfter - yBefore) / this.dt;
    const healthy = this.isHealthy;
    const healthyReward = healthy ? this.healthyReward : 0;
    const forwardReward = this.forwardRewardWeight * xVelocity;
    // Gymnasium's Humanoid uses data.ctrl (equal to the raw action: MuJoCo clamps a local copy).
    const ctrlCost = this.ctrlCostWeight * sumSquares(this.view('ctrl'), 0, this.nu);
    const contactCost = this.contactCost;
    const info: Info = {
      ...this.positionInfo(),
      x_velocity: xVelocity,
      y_velocity: yVelocity,
      reward_survive: healthyReward,
      reward_forward: forwardReward,
      reward_ctrl: -ctrlCost,
      reward_contact: -contactCost,
    };
    const terminated = !healthy && this.terminateWhenUnhealthy;
    return { observation: this.getObs(), reward: healthyReward + forwardReward - ctrlCost - contactCost, terminated, truncated: false, info };
  }

  private positionInfo(): Info {
    const q = this.view('qpos');
    return {
      x_position: q[0],
      y_position: q[1],
      tendon_length: Float64Array.from(this.view('ten_length')),
      tendon_velocity: Float64Array.from(this.view('ten_velocity')),
      distance_from_origin: Math.hypot(q[0] - this.initQpos[0], q[1] - this.initQpos[1]),
    };
  }

  protected override resetInfo(): Info {
    return this.positionInfo();
  }
}
