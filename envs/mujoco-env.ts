/**
 * Shared mechanics of every MuJoCo env, as Gymnasium's `MujocoEnv` (v5):
 *  - reset: mj_resetData, env-specific noise (qpos first, then qvel), setState
 *    (= write qpos/qvel + mj_forward), observation;
 *  - step: write the raw action to ctrl (MuJoCo clamps a local copy), mj_step frame_skip
 *    times, then mj_rnePostConstraint (fills cacc/cfrc_int/cfrc_ext).
 *
 * Kinematic lag: xpos/xipos/site_xpos read after mj_step come from the forward pass at the
 * start of the last substep (one substep behind qpos). Gymnasium reads them as they are and
 * so do we: no extra mj_forward after stepping.
 *
 * Data views (qpos, qvel, ...) are Float64Arrays into the WASM heap that become detached
 * (length 0) whenever the heap grows, e.g. when another env allocates its MjData. The
 * `view()` helper caches each view and re-reads it when it has been detached, because a
 * getter call through the bindings costs about a microsecond.
 */
import { addNoise } from './reset-noise.js';
import { Rng } from '../src/random.js';
import { Box } from './box.js';
import { compileModel, loadMujoco, requireMujoco, type MjData, type MjModel, type Mujoco } from './mujoco-loader.js';
import type { Env, Info, ResetResult, StepResult } from './types.js';

export interface MujocoEnvOptions {
  /** Absolute path to an MJCF file (Gymnasium v5 `xml_file`). Default: the package's envs/models/<file>.xml. */
  xmlFile?: string;
  /** Physics steps per env step. */
  frameSkip?: number;
  /** Scale of the reset noise on qpos/qvel. */
  resetNoiseScale?: number;
}

type DataField = 'qpos' | 'qvel' | 'ctrl' | 'xpos' | 'xipos' | 'site_xpos' | 'cfrc_ext' | 'cinert' | 'cvel' | 'qfrc_actuator' | 'qfrc_constraint' | 'ten_length' | 'ten_velocity';

export abstract class MujocoEnv implements Env {
  abstract readonly id: string;
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  readonly metadata: { renderFps: number; dt: number };
  readonly frameSkip: number;
  /** Seconds per env step = timestep * frameSkip. */
  readonly dt: number;
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  /** qpos/qvel after construction (model.qpos0 and zeros), the centre of the reset noise. */
  readonly initQpos: Float64Array;
  readonly initQvel: Float64Array;
  readonly xmlFile: string;

  protected readonly mj: Mujoco;
  private modelHandle: MjModel | null;
  private dataHandle: MjData | null;
  /** The env's RNG for reset noise (Gymnasium's np_random). */
  protected rng: Rng;
  private rngSeeded = false;
  private needsReset = true;
  private readonly views = new Map<DataField, Float64Array>();

  /**
   * @param xmlFile resolved MJCF path
   * @param frameSkip physics steps per env step
   * @param obsDim observation length (for the unbounded observation Box), or a function of the model
   */
  protected constructor(xmlFile: string, frameSkip: number, obsDim: number | ((model: MjModel) => number)) {
    if (!Number.isInteger(frameSkip) || frameSkip < 1) throw new Error(`frameSkip must be a positive integer, got ${frameSkip}.`);
    this.mj = requireMujoco();
    this.xmlFile = xmlFile;
    this.modelHandle = compileModel(this.mj, xmlFile);
    this.dataHandle = new this.mj.MjData(this.modelHandle);
    const m = this.modelHandle;
    this.nq = m.nq;
    this.nv = m.nv;
    this.nu = m.nu;
    this.frameSkip = frameSkip;
    this.dt = m.opt.timestep * frameSkip;
    this.metadata = { renderFps: Math.round(1 / this.dt), dt: this.dt };
    this.initQpos = Float64Array.from(this.view('qpos'));
    this.initQvel = Float64Array.from(this.view('qvel'));
    const range = m.actuator_ctrlrange as Float64Array;
    const low = new Float64Array(this.nu);
    const high = new Float64Array(this.nu);
    for (let i = 0; i < this.nu; i++) {
      low[i] = range[2 * i];
      high[i] = range[2 * i + 1];
    }
    this.actionSpace = new Box(low, high);
    this.observationSpace = Box.uniform(typeof obsDim === 'number' ? obsDim : obsDim(m), -Infinity, Infinity);
    this.rng = new Rng(0);
  }

  /**
   * Load MuJoCo if needed, then construct the env: `await HalfCheetahEnv.create({...})`.
   * (Constructors are synchronous and need the module already loaded.)
   */
  static async create<T extends MujocoEnv, O>(this: new (opts?: O) => T, opts?: O): Promise<T> {
    await loadMujoco();
    return new this(opts);
  }

  /** The compiled model. Throws after close(). */
  get model(): MjModel {
    if (this.modelHandle === null) throw new Error(`${this.id}: the env has been closed; create a new one.`);
    return this.modelHandle;
  }

  /** The simulation state. Throws after close(). */
  get data(): MjData {
    if (this.dataHandle === null) throw new Error(`${this.id}: the env has been closed; create a new one.`);
    return this.dataHandle;
  }

  get closed(): boolean {
    return this.dataHandle === null;
  }

  /** A data view, re-read from the bindings only when the WASM heap has grown since. */
  protected view(field: DataField): Float64Array {
    const cached = this.views.get(field);
    if (cached !== undefined && cached.length !== 0) return cached;
    const fresh = (this.data as unknown as Record<DataField, Float64Array>)[field];
    this.views.set(field, fresh);
    return fresh;
  }

  reset(opts: { seed?: number; options?: Record<string, unknown> } = {}): ResetResult {
    const d = this.data;
    if (opts.seed !== undefined) {
      this.rng.seed(opts.seed);
      this.rngSeeded = true;
    } else if (!this.rngSeeded) {
      // As Gymnasium: an unseeded env draws its seed from entropy once, then continues the stream.
      this.rng.seed(Math.floor(Math.random() * 2 ** 32));
      this.rngSeeded = true;
    }
    this.mj.mj_resetData(this.model, d);
    this.resetModel();
    this.needsReset = false;
    return { observation: this.getObs(), info: this.resetInfo() };
  }

  step(action: ArrayLike<number>): StepResult {
    if (this.dataHandle === null) throw new Error(`${this.id}: step() called after close(); create a new env.`);
    if (this.needsReset) throw new Error(`${this.id}: step() called before reset(); call env.reset() first.`);
    this.checkAction(action);
    return this.stepImpl(action);
  }

  /** Write qpos/qvel and run mj_forward (Gymnasium's set_state). */
  setState(qpos: ArrayLike<number>, qvel: ArrayLike<number>): void {
    if (qpos.length !== this.nq) throw new Error(`${this.id}: setState qpos has length ${qpos.length}, expected nq = ${this.nq}.`);
    if (qvel.length !== this.nv) throw new Error(`${this.id}: setState qvel has length ${qvel.length}, expected nv = ${this.nv}.`);
    const d = this.data;
    this.view('qpos').set(qpos);
    this.view('qvel').set(qvel);
    this.mj.mj_forward(this.model, d);
  }

  /** Copies of the current qpos and qvel. */
  getState(): { qpos: Float64Array; qvel: Float64Array } {
    return { qpos: Float64Array.from(this.view('qpos')), qvel: Float64Array.from(this.view('qvel')) };
  }

  /** The current observation (as returned by reset/step). */
  observe(): Float64Array {
    if (this.closed) throw new Error(`${this.id}: the env has been closed; create a new one.`);
    return this.getObs();
  }

  close(): void {
    this.views.clear();
    if (this.dataHandle !== null) this.dataHandle.delete();
    if (this.modelHandle !== null) this.modelHandle.delete();
    this.dataHandle = null;
    this.modelHandle = null;
  }

  /** Apply `action` to ctrl and advance frameSkip physics steps, then mj_rnePostConstraint. */
  protected doSimulation(action: ArrayLike<number>): void {
    const m = this.model;
    const d = this.data;
    const ctrl = this.view('ctrl');
    for (let i = 0; i < this.nu; i++) ctrl[i] = action[i];
    for (let k = 0; k < this.frameSkip; k++) this.mj.mj_step(m, d);
    this.mj.mj_rnePostConstraint(m, d);
  }

  /** Uniform noise vector U(low, high) of length n from the env RNG. */
  protected uniformNoise(n: number, low: number, high: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.rng.uniform(low, high);
    return out;
  }

  /** Gaussian noise vector scale*N(0,1) of length n from the env RNG. */
  protected normalNoise(n: number, scale: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = scale * this.rng.normal();
    return out;
  }

  /**
   * Gymnasium's usual reset_model: the initial state plus qpos noise U(±scale) and
   * qvel noise U(±scale) ('uniform') or scale * N(0, 1) ('normal'), drawn from the
   * env RNG in that order. Envs whose reset differs (Reacher's goal) write their own.
   */
  protected resetWithNoise(scale: number, qvelNoise: 'uniform' | 'normal'): void {
    const qpos = addNoise(this.initQpos, this.uniformNoise(this.nq, -scale, scale));
    const qvel = addNoise(this.initQvel, qvelNoise === 'uniform' ? this.uniformNoise(this.nv, -scale, scale) : this.normalNoise(this.nv, scale));
    this.setState(qpos, qvel);
  }

  private checkAction(action: ArrayLike<number>): void {
    if (action === null || action === undefined || typeof action.length !== 'number') {
      throw new Error(`${this.id}: action must be an array of ${this.nu} numbers, got ${String(action)}.`);
    }
    if (action.length !== this.nu) {
      throw new Error(`${this.id}: action has length ${action.length}, expected ${this.nu} (actionSpace.shape = [${this.nu}]).`);
    }
    for (let i = 0; i < this.nu; i++) {
      const a = action[i];
      if (typeof a !== 'number' || !Number.isFinite(a)) throw new Error(`${this.id}: action[${i}] = ${String(a)} is not a finite number; actions must not contain NaN or Infinity.`);
    }
  }

  /** Draw the reset noise (qpos first, then qvel) and call setState. */
  protected abstract resetModel(): void;
  protected abstract getObs(): Float64Array;
  protected abstract stepImpl(action: ArrayLike<number>): StepResult;
  protected resetInfo(): Info {
    return {};
  }
}

/** Sum of squares, for control and contact costs. */
export function sumSquares(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return s;
}

export function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
