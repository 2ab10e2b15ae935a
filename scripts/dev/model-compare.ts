/**
 * Numerical comparison of two MJCF models that are meant to be the same physics:
 * compiled quantities field by field, and a short rollout from one shared random
 * state with one shared sequence of random actions.
 *
 * Used by test/env-model-fidelity.test.ts (our envs/models/*.xml against Gymnasium's
 * reference XMLs) and, run directly, as a dev tool that prints every difference:
 *   node --import tsx scripts/dev/model-compare.ts <ours.xml> <reference.xml> [frameSkip]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadMujoco, type MjData, type MjModel, type Mujoco } from '../../envs/mujoco-loader.js';
import { Rng } from '../../src/random.js';

export type { Mujoco };

/** One of the nine models: its file (same name in envs/models and the reference folder), env id and frame_skip. */
export interface ModelEntry {
  file: string;
  envId: string;
  frameSkip: number;
  /** Whether the robot touches the floor (so a rollout must show contacts). */
  hasContacts: boolean;
}

/** The nine v5 models (frame_skip from spec/envs.md §2). */
export const MODELS: readonly ModelEntry[] = [
  { file: 'half_cheetah.xml', envId: 'HalfCheetah-v5', frameSkip: 5, hasContacts: true },
  { file: 'hopper.xml', envId: 'Hopper-v5', frameSkip: 4, hasContacts: true },
  { file: 'walker2d_v5.xml', envId: 'Walker2d-v5', frameSkip: 4, hasContacts: true },
  { file: 'ant.xml', envId: 'Ant-v5', frameSkip: 5, hasContacts: true },
  { file: 'swimmer.xml', envId: 'Swimmer-v5', frameSkip: 4, hasContacts: false },
  { file: 'humanoid.xml', envId: 'Humanoid-v5', frameSkip: 5, hasContacts: true },
  { file: 'inverted_pendulum.xml', envId: 'InvertedPendulum-v5', frameSkip: 2, hasContacts: false },
  { file: 'inverted_double_pendulum.xml', envId: 'InvertedDoublePendulum-v5', frameSkip: 5, hasContacts: false },
  { file: 'reacher.xml', envId: 'Reacher-v5', frameSkip: 2, hasContacts: false },
];

/** One compared quantity: the worst element and where it is. */
export interface FieldDiff {
  field: string;
  /** max over elements of elementError(ours, reference). */
  maxError: number;
  /** Index of the worst element, or -1 when the sizes differ. */
  worstIndex: number;
  ours: number[];
  reference: number[];
}

/**
 * Elementwise relative error |a-b| / max(|a|, |b|, absFloor). The floor makes values near
 * zero compare absolutely: rounding residue such as cos(90°) = 6e-17 against an exact 0
 * passes, while the smallest real quantities (Reacher's target inertia, 1e-7) stay relative.
 */
export function elementError(a: number, b: number, absFloor = 1e-10): number {
  const diff = Math.abs(a - b);
  if (diff === 0) return 0;
  return diff / Math.max(Math.abs(a), Math.abs(b), absFloor);
}

/**
 * Norm-based relative error of a state vector: ||a-b||_2 / max(||b||_2, absFloor).
 * The floor keeps all-zero vectors (cfrc_ext before any contact) from dividing by zero.
 */
export function vectorError(a: ArrayLike<number>, b: ArrayLike<number>, absFloor = 1e-6): number {
  if (a.length !== b.length) return Infinity;
  let d2 = 0;
  let b2 = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    d2 += d * d;
    b2 += b[i] * b[i];
  }
  if (!Number.isFinite(d2)) return Infinity;
  return Math.sqrt(d2) / Math.max(Math.sqrt(b2), absFloor);
}

/** The process-wide MuJoCo module (shared with the envs, so one wasm heap). */
export async function loadMj(): Promise<Mujoco> {
  return loadMujoco();
}

/** Compile an MJCF file from its text (the models here include no other files). */
export function modelFromXml(mj: Mujoco, xml: string, label: string): MjModel {
  try {
    return mj.MjModel.from_xml_string(xml);
  } catch (err) {
    throw new Error(`MuJoCo could not compile ${label}: ${String((err as Error).message ?? err)}`);
  }
}

export function modelFromFile(mj: Mujoco, xmlPath: string): MjModel {
  return modelFromXml(mj, readFileSync(xmlPath, 'utf8'), xmlPath);
}

type Picker = (m: MjModel) => ArrayLike<number>;

/** A model array of `width` numbers per row, optionally restricted to some rows. */
function rows(m: MjModel, name: string, width: number, keep?: (m: MjModel) => number[]): number[] {
  const all = Array.from((m as unknown as Record<string, ArrayLike<number>>)[name]);
  if (!keep) return all;
  const out: number[] = [];
  for (const r of keep(m)) out.push(...all.slice(r * width, (r + 1) * width));
  return out;
}

/**
 * Geoms that matter for physics: every geom on a moving body, plus world geoms that
 * can collide with one of those (contype/conaffinity bits overlap either way).
 * Purely visual world geoms (arena walls, rails, drawn floors) are left out, so they
 * need not match one for one.
 */
function physicalGeoms(m: MjModel): number[] {
  const bodyid = m.geom_bodyid as ArrayLike<number>;
  const contype = m.geom_contype as ArrayLike<number>;
  const conaffinity = m.geom_conaffinity as ArrayLike<number>;
  const moving: number[] = [];
  for (let g = 0; g < m.ngeom; g++) if (bodyid[g] > 0) moving.push(g);
  const keep: number[] = [];
  for (let g = 0; g < m.ngeom; g++) {
    const collides = moving.some((b) => (contype[g] & conaffinity[b]) !== 0 || (contype[b] & conaffinity[g]) !== 0);
    if (bodyid[g] > 0 || collides) keep.push(g);
  }
  return keep;
}

/** Model quantities compared for fidelity (mjtByte arrays are avoided: their getters throw). */
function modelFields(): Array<[string, Picker]> {
  const scalar = (f: (m: MjModel) => number): Picker => (m) => [f(m)];
  const arr = (name: string, width: number): Picker => (m) => rows(m, name, width);
  const geom = (name: string, width: number): Picker => (m) => rows(m, name, width, physicalGeoms);
  return [
    ['nq', scalar((m) => m.nq)],
    ['nv', scalar((m) => m.nv)],
    ['nu', scalar((m) => m.nu)],
    ['nbody', scalar((m) => m.nbody)],
    ['njnt', scalar((m) => m.njnt)],
    ['ntendon', scalar((m) => m.ntendon)],
    ['nsite', scalar((m) => m.nsite)],
    ['physical ngeom', scalar((m) => physicalGeoms(m).length)],
    ['opt.timestep', scalar((m) => m.opt.timestep)],
    ['opt.gravity', (m) => Array.from(m.opt.gravity as ArrayLike<number>)],
    ['opt.wind', (m) => Array.from(m.opt.wind as ArrayLike<number>)],
    ['opt.magnetic', (m) => Array.from(m.opt.magnetic as ArrayLike<number>)],
    ['opt.density', scalar((m) => m.opt.density)],
    ['opt.viscosity', scalar((m) => m.opt.viscosity)],
    ['opt.impratio', scalar((m) => m.opt.impratio)],
    ['opt.tolerance', scalar((m) => m.opt.tolerance)],
    ['opt.integrator', scalar((m) => m.opt.integrator)],
    ['opt.solver', scalar((m) => m.opt.solver)],
    ['opt.iterations', scalar((m) => m.opt.iterations)],
    ['opt.ls_iterations', scalar((m) => m.opt.ls_iterations)],
    ['opt.cone', scalar((m) => m.opt.cone)],
    ['opt.jacobian', scalar((m) => m.opt.jacobian)],
    ['opt.disableflags', scalar((m) => m.opt.disableflags)],
    ['opt.enableflags', scalar((m) => m.opt.enableflags)],
    ['qpos0', arr('qpos0', 1)],
    ['body_parentid', arr('body_parentid', 1)],
    ['body_pos', arr('body_pos', 3)],
    ['body_quat', arr('body_quat', 4)],
    ['body_mass', arr('body_mass', 1)],
    ['body_inertia', arr('body_inertia', 3)],
    ['body_ipos', arr('body_ipos', 3)],
    ['body_iquat', arr('body_iquat', 4)],
    ['jnt_type', arr('jnt_type', 1)],
    ['jnt_bodyid', arr('jnt_bodyid', 1)],
    ['jnt_pos', arr('jnt_pos', 3)],
    ['jnt_axis', arr('jnt_axis', 3)],
    ['jnt_range', arr('jnt_range', 2)],
    ['jnt_stiffness', arr('jnt_stiffness', 1)],
    ['jnt_margin', arr('jnt_margin', 1)],
    ['jnt_solref', arr('jnt_solref', 2)],
    ['jnt_solimp', arr('jnt_solimp', 5)],
    ['dof_damping', arr('dof_damping', 1)],
    ['dof_armature', arr('dof_armature', 1)],
    ['dof_frictionloss', arr('dof_frictionloss', 1)],
    ['actuator_trntype', arr('actuator_trntype', 1)],
    ['actuator_trnid', arr('actuator_trnid', 2)],
    ['actuator_gear', arr('actuator_gear', 6)],
    ['actuator_ctrlrange', arr('actuator_ctrlrange', 2)],
    ['actuator_forcerange', arr('actuator_forcerange', 2)],
    ['actuator_gaintype', arr('actuator_gaintype', 1)],
    ['actuator_gainprm', arr('actuator_gainprm', 10)],
    ['actuator_biastype', arr('actuator_biastype', 1)],
    ['actuator_biasprm', arr('actuator_biasprm', 10)],
    ['actuator_dyntype', arr('actuator_dyntype', 1)],
    ['geom_type', geom('geom_type', 1)],
    ['geom_bodyid', geom('geom_bodyid', 1)],
    ['geom_size', geom('geom_size', 3)],
    ['geom_pos', geom('geom_pos', 3)],
    ['geom_quat', geom('geom_quat', 4)],
    ['geom_contype', geom('geom_contype', 1)],
    ['geom_conaffinity', geom('geom_conaffinity', 1)],
    ['geom_condim', geom('geom_condim', 1)],
    ['geom_priority', geom('geom_priority', 1)],
    ['geom_friction', geom('geom_friction', 3)],
    ['geom_margin', geom('geom_margin', 1)],
    ['geom_gap', geom('geom_gap', 1)],
    ['geom_solmix', geom('geom_solmix', 1)],
    ['geom_solref', geom('geom_solref', 2)],
    ['geom_solimp', geom('geom_solimp', 5)],
    ['geom_fluid', geom('geom_fluid', 12)],
    ['site_bodyid', arr('site_bodyid', 1)],
    ['site_pos', arr('site_pos', 3)],
    ['tendon_stiffness', arr('tendon_stiffness', 1)],
    ['tendon_damping', arr('tendon_damping', 1)],
    ['wrap_objid', arr('wrap_objid', 1)],
    ['wrap_prm', arr('wrap_prm', 1)],
  ];
}

/** Compare every field of modelFields() plus the probed joint limits; one entry per field. */
export function compareModels(mj: Mujoco, ours: MjModel, reference: MjModel): FieldDiff[] {
  const out: FieldDiff[] = [];
  const fields = modelFields();
  fields.push(['jnt_limited (probed)', (m) => probeLimitedJoints(mj, m)]);
  for (const [field, pick] of fields) {
    const a = Array.from(pick(ours));
    const b = Array.from(pick(reference));
    if (a.length !== b.length) {
      out.push({ field, maxError: Infinity, worstIndex: -1, ours: a, reference: b });
      continue;
    }
    let maxError = 0;
    let worstIndex = 0;
    for (let i = 0; i < a.length; i++) {
      const e = elementError(a[i], b[i]);
      if (e > maxError) {
        maxError = e;
        worstIndex = i;
      }
    }
    out.push({ field, maxError, worstIndex, ours: a, reference: b });
  }
  return out;
}

const JNT_SLIDE = 2;
const JNT_HINGE = 3;
const CNSTR_LIMIT_JOINT = 3;

/**
 * Which joints are limited, found by experiment because the jnt_limited getter throws
 * a BindingError: each hinge/slide joint is pushed past each end of its range (beyond
 * any margin) and we look for a joint-limit row of that joint in the constraint list.
 * 1 = limited, 0 = not; free and ball joints report 0.
 */
export function probeLimitedJoints(mj: Mujoco, m: MjModel): number[] {
  const type = Array.from(m.jnt_type as ArrayLike<number>);
  const qposadr = Array.from(m.jnt_qposadr as ArrayLike<number>);
  const range = Array.from(m.jnt_range as ArrayLike<number>);
  const margin = Array.from(m.jnt_margin as ArrayLike<number>);
  const qpos0 = Array.from(m.qpos0 as ArrayLike<number>);
  const d = new mj.MjData(m);
  const out: number[] = [];
  try {
    for (let j = 0; j < m.njnt; j++) {
      if (type[j] !== JNT_SLIDE && type[j] !== JNT_HINGE) {
        out.push(0);
        continue;
      }
      const lo = range[2 * j];
      const hi = range[2 * j + 1];
      const beyond = Math.abs(hi - lo) + margin[j] + 1;
      let limited = 0;
      for (const q of [hi + beyond, lo - beyond]) {
        mj.mj_resetData(m, d);
        const pos = qpos0.slice();
        pos[qposadr[j]] = q;
        d.qpos.set(pos);
        mj.mj_forward(m, d);
        const efcType = d.efc_type as ArrayLike<number>;
        const efcId = d.efc_id as ArrayLike<number>;
        for (let r = 0; r < d.nefc; r++) if (efcType[r] === CNSTR_LIMIT_JOINT && efcId[r] === j) limited = 1;
      }
      out.push(limited);
    }
  } finally {
    d.delete();
  }
  return out;
}

/** MuJoCo object types whose names observations, envs or tests look up. */
const NAMED_KINDS: Array<[string, string, (m: MjModel) => number]> = [
  ['body', 'name_bodyadr', (m) => m.nbody],
  ['joint', 'name_jntadr', (m) => m.njnt],
  ['site', 'name_siteadr', (m) => m.nsite],
  ['tendon', 'name_tendonadr', (m) => m.ntendon],
  ['actuator', 'name_actuatoradr', (m) => m.nu],
];

/**
 * Name of object i, read from the model's names buffer ('' when unnamed). Read
 * directly because mj_id2name's NULL for unnamed objects comes back as junk text.
 */
function objectName(m: MjModel, adrField: string, i: number): string {
  const adr = (m as unknown as Record<string, ArrayLike<number>>)[adrField][i];
  const names = m.names as ArrayLike<number>;
  let s = '';
  for (let k = adr; k < names.length && names[k] !== 0; k++) s += String.fromCharCode(names[k]);
  return s;
}

export interface NameMismatch {
  kind: string;
  index: number;
  ours: string;
  reference: string;
}

/**
 * Names of bodies, joints, sites, tendons and actuators, compared id by id. Objects the
 * reference leaves unnamed may carry any name in ours (nothing can look them up).
 */
export function compareNames(ours: MjModel, reference: MjModel): NameMismatch[] {
  const out: NameMismatch[] = [];
  for (const [kind, adrField, count] of NAMED_KINDS) {
    const n = Math.max(count(ours), count(reference));
    for (let i = 0; i < n; i++) {
      const a = i < count(ours) ? objectName(ours, adrField, i) : '<missing>';
      const b = i < count(reference) ? objectName(reference, adrField, i) : '<missing>';
      if (a !== b && b !== '') out.push({ kind, index: i, ours: a, reference: b });
    }
  }
  return out;
}

export interface RolloutOptions {
  frameSkip: number;
  steps: number;
  seed: number;
  /** Half-width of the uniform noise added to qpos0 and used for qvel. */
  noise: number;
}

/** Data arrays compared along the rollout (names of MjData fields). */
export const ROLLOUT_FIELDS = [
  'qpos',
  'qvel',
  'cfrc_ext',
  'xpos',
  'xipos',
  'site_xpos',
  'cinert',
  'cvel',
  'qfrc_actuator',
  'qfrc_constraint',
] as const;
export type RolloutField = (typeof ROLLOUT_FIELDS)[number];

export interface RolloutDiff {
  /** Max over env steps of vectorError(ours, reference), per field. */
  maxError: Record<RolloutField, number>;
  /** Env step at which each field first exceeded `threshold` (or -1). */
  firstStepAbove: Record<RolloutField, number>;
  /** Largest number of simultaneous contacts seen (to show contacts were exercised). */
  maxContacts: number;
}

function dataArray(d: MjData, name: RolloutField): Float64Array {
  // Re-read the view on every call: views detach when the wasm heap grows.
  return Float64Array.from((d as unknown as Record<string, ArrayLike<number>>)[name]);
}

/**
 * Step both models from the same noisy initial state with the same random actions
 * (uniform over 1.2x the ctrlrange, so MuJoCo's clamping is exercised too), the way
 * an env step does: ctrl = a, frameSkip x mj_step, then mj_rnePostConstraint.
 */
export function compareRollouts(
  mj: Mujoco,
  ours: MjModel,
  reference: MjModel,
  opts: RolloutOptions,
  threshold = 1e-6,
): RolloutDiff {
  if (ours.nq !== reference.nq || ours.nv !== reference.nv || ours.nu !== reference.nu) {
    throw new Error(`rollout needs equal nq/nv/nu: ours ${ours.nq}/${ours.nv}/${ours.nu}, reference ${reference.nq}/${reference.nv}/${reference.nu}`);
  }
  const rng = new Rng(opts.seed);
  const qpos = Array.from(reference.qpos0 as ArrayLike<number>, (x) => x + rng.uniform(-opts.noise, opts.noise));
  const qvel = Array.from({ length: reference.nv }, () => rng.uniform(-opts.noise, opts.noise));
  const range = Array.from(reference.actuator_ctrlrange as ArrayLike<number>);

  const dOurs = new mj.MjData(ours);
  const dRef = new mj.MjData(reference);
  const maxError = {} as Record<RolloutField, number>;
  const firstStepAbove = {} as Record<RolloutField, number>;
  for (const f of ROLLOUT_FIELDS) {
    maxError[f] = 0;
    firstStepAbove[f] = -1;
  }
  let maxContacts = 0;
  try {
    for (const [m, d] of [[ours, dOurs], [reference, dRef]] as const) {
      mj.mj_resetData(m, d);
      d.qpos.set(qpos);
      d.qvel.set(qvel);
      mj.mj_forward(m, d);
    }
    for (let step = 0; step < opts.steps; step++) {
      const action = Array.from({ length: reference.nu }, (_, i) => {
        const lo = range[2 * i];
        const hi = range[2 * i + 1];
        const mid = (lo + hi) / 2;
        const half = (hi - lo) / 2;
        return mid + 1.2 * half * rng.uniform(-1, 1);
      });
      for (const [m, d] of [[ours, dOurs], [reference, dRef]] as const) {
        d.ctrl.set(action);
        for (let k = 0; k < opts.frameSkip; k++) mj.mj_step(m, d);
        mj.mj_rnePostConstraint(m, d);
      }
      maxContacts = Math.max(maxContacts, dRef.ncon);
      for (const f of ROLLOUT_FIELDS) {
        const e = vectorError(dataArray(dOurs, f), dataArray(dRef, f));
        if (e > maxError[f]) maxError[f] = e;
        if (e > threshold && firstStepAbove[f] < 0) firstStepAbove[f] = step;
      }
    }
  } finally {
    dOurs.delete();
    dRef.delete();
  }
  return { maxError, firstStepAbove, maxContacts };
}

function fmt(xs: number[], at: number): string {
  const lo = Math.max(0, at - 3);
  return `[${lo}..] ${xs.slice(lo, at + 4).map((x) => Number(x.toPrecision(8))).join(', ')}`;
}

async function main(): Promise<void> {
  const [oursPath, refPath, frameSkipArg] = process.argv.slice(2);
  if (!oursPath || !refPath) {
    process.stderr.write('usage: model-compare.ts <ours.xml> <reference.xml> [frameSkip]\n');
    process.exit(2);
  }
  const mj = await loadMj();
  const ours = modelFromFile(mj, oursPath);
  const ref = modelFromFile(mj, refPath);
  try {
    let bad = 0;
    for (const d of compareModels(mj, ours, ref)) {
      if (d.maxError === 0) continue;
      if (d.maxError > 1e-6) bad++;
      const at = Math.max(0, d.worstIndex);
      process.stdout.write(`${d.field}: err ${d.maxError.toExponential(2)} at ${d.worstIndex}\n  ours ${fmt(d.ours, at)}\n  ref  ${fmt(d.reference, at)}\n`);
    }
    for (const n of compareNames(ours, ref)) {
      process.stdout.write(`name of ${n.kind} ${n.index}: ours '${n.ours}' reference '${n.reference}'\n`);
    }
    process.stdout.write(`${bad} model field(s) differ; narena ours ${ours.narena} ref ${ref.narena}\n`);
    if (ours.nq === ref.nq && ours.nv === ref.nv && ours.nu === ref.nu) {
      const r = compareRollouts(mj, ours, ref, { frameSkip: Number(frameSkipArg ?? 1), steps: 100, seed: 1, noise: 0.1 });
      process.stdout.write(`rollout: maxContacts ${r.maxContacts}\n`);
      for (const f of ROLLOUT_FIELDS) {
        process.stdout.write(`  ${f}: max err ${r.maxError[f].toExponential(2)} first step above 1e-6: ${r.firstStepAbove[f]}\n`);
      }
    }
  } finally {
    ours.delete();
    ref.delete();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
