/**
 * Reacher-v5: two-link planar arm reaching a random target (no contacts).
 * obs (10) = [cos q0, cos q1, sin q0, sin q1, target x, target y, v0, v1,
 * (fingertip - target) x, y]; reward (after the step) = -rewardDistWeight * |fingertip - target|
 * (3D, body xpos) - rewardControlWeight * sum(a^2); never terminates (TimeLimit 50).
 */
import { MJ_OBJ_BODY, defaultModelPath } from './mujoco-loader.js';
import { MujocoEnv, sumSquares, type MujocoEnvOptions } from './mujoco-env.js';
import type { StepResult } from './types.js';

export interface ReacherOptions extends MujocoEnvOptions {
  /** Default 2. */
  frameSkip?: number;
  /** Default 1. */
  rewardDistWeight?: number;
  /** Default 1 (the Gymnasium code default; its docs say 0.1). */
  rewardControlWeight?: number;
  /** Arm qpos noise U(±s). Default 0.1. (qvel noise is U(±0.005), as Gymnasium.) */
  resetNoiseScale?: number;
}

export class ReacherEnv extends MujocoEnv {
  readonly id = 'Reacher-v5';
  readonly rewardDistWeight: number;
  readonly rewardControlWeight: number;
  readonly resetNoiseScale: number;
  private readonly fingertip: number;
  private readonly target: number;

  constructor(opts: ReacherOptions = {}) {
    super(opts.xmlFile ?? defaultModelPath('reacher.xml'), opts.frameSkip ?? 2, 10);
    this.rewardDistWeight = opts.rewardDistWeight ?? 1;
    this.rewardControlWeight = opts.rewardControlWeight ?? 1;
    this.resetNoiseScale = opts.resetNoiseScale ?? 0.1;
    this.fingertip = this.mj.mj_name2id(this.model, MJ_OBJ_BODY, 'fingertip');
    this.target = this.mj.mj_name2id(this.model, MJ_OBJ_BODY, 'target');
    if (this.fingertip < 0 || this.target < 0) {
      const file = this.xmlFile;
      this.close();
      throw new Error(`Reacher-v5: the model ${file} needs bodies named 'fingertip' and 'target'.`);
    }
  }

  /** fingertip xpos - target xpos (3D, last forward pass). */
  private tipToTarget(): [number, number, number] {
    const xpos = this.view('xpos');
    const f = 3 * this.fingertip;
    const t = 3 * this.target;
    return [xpos[f] - xpos[t], xpos[f + 1] - xpos[t + 1], xpos[f + 2] - xpos[t + 2]];
  }

  protected resetModel(): void {
    const s = this.resetNoiseScale;
    const qpos = this.uniformNoise(this.nq, -s, s);
    for (let i = 0; i < this.nq; i++) qpos[i] += this.initQpos[i];
    let gx: number;
    let gy: number;
    do {
      gx = this.rng.uniform(-0.2, 0.2);
      gy = this.rng.uniform(-0.2, 0.2);
    } while (!(Math.hypot(gx, gy) < 0.2));
    qpos[this.nq - 2] = gx;
    qpos[this.nq - 1] = gy;
    const qvel = this.uniformNoise(this.nv, -0.005, 0.005);
    for (let i = 0; i < this.nv; i++) qvel[i] += this.initQvel[i];
    qvel[this.nv - 2] = 0;
    qvel[this.nv - 1] = 0;
    this.setState(qpos, qvel);
  }

  protected getObs(): Float64Array {
    const q = this.view('qpos');
    const v = this.view('qvel');
    const [dx, dy] = this.tipToTarget();
    return Float64Array.of(Math.cos(q[0]), Math.cos(q[1]), Math.sin(q[0]), Math.sin(q[1]), q[2], q[3], v[0], v[1], dx, dy);
  }

  protected stepImpl(action: ArrayLike<number>): StepResult {
    this.doSimulation(action);
    const obs = this.getObs();
    const [dx, dy, dz] = this.tipToTarget();
    const rewardDist = -Math.hypot(dx, dy, dz) * this.rewardDistWeight;
    const rewardCtrl = -sumSquares(action) * this.rewardControlWeight;
    return { observation: obs, reward: rewardDist + rewardCtrl, terminated: false, truncated: false, info: { reward_dist: rewardDist, reward_ctrl: rewardCtrl } };
  }
}
