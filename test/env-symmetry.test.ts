/**
 * Symmetry dynamics: simulate a random state and its mirror image side by side (setState with
 * the qpos/qvel maps), apply a random action `a` to one and map(a) to the other, and compare
 * map(obs1) with obs2 (and the rewards, for reward-preserving maps). Exact maps are asserted to
 * 1e-9 (relative to max(1, |value|)); approximate ones are measured and reported. Ant's maps
 * are also checked on unclipped contact forces after the body has landed, and its paper map
 * (a misspecified Z4) against the true 90 degree rotation, up to signs and x/y turns.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AntEnv,
  Box,
  HalfCheetahEnv,
  HopperEnv,
  HumanoidEnv,
  InvertedDoublePendulumEnv,
  InvertedPendulumEnv,
  MujocoEnv,
  ReacherEnv,
  SwimmerEnv,
  Walker2dEnv,
  applySignedPerm,
  checkSignedPerm,
  composeSignedPerm,
  defaultModelPath,
  envSpec,
  loadMujoco,
  symmetries,
  symmetry,
  type SignedPermMap,
  type SymmetrySpec,
} from '../envs/index.js';

const REF_DIR = '/work/shared/reference/gymnasium-mujoco-assets';
const TOL = 1e-9;
const STEPS = 30;

type Ctor = new (opts?: { xmlFile?: string }) => MujocoEnv;
const ENVS: Record<string, { file: string; ctor: Ctor }> = {
  'HalfCheetah-v5': { file: 'half_cheetah.xml', ctor: HalfCheetahEnv },
  'Hopper-v5': { file: 'hopper.xml', ctor: HopperEnv },
  'Walker2d-v5': { file: 'walker2d_v5.xml', ctor: Walker2dEnv },
  'Ant-v5': { file: 'ant.xml', ctor: AntEnv },
  'Swimmer-v5': { file: 'swimmer.xml', ctor: SwimmerEnv },
  'Humanoid-v5': { file: 'humanoid.xml', ctor: HumanoidEnv },
  'InvertedPendulum-v5': { file: 'inverted_pendulum.xml', ctor: InvertedPendulumEnv },
  'InvertedDoublePendulum-v5': { file: 'inverted_double_pendulum.xml', ctor: InvertedDoublePendulumEnv },
  'Reacher-v5': { file: 'reacher.xml', ctor: ReacherEnv },
};

function modelPath(id: string): string | null {
  const own = defaultModelPath(ENVS[id].file);
  if (existsSync(own)) return own;
  const ref = `${REF_DIR}/${ENVS[id].file}`;
  return existsSync(ref) ? ref : null;
}

/** Why a test skips: the model file was found in neither place modelPath looks. */
function noModel(id: string): string {
  return `no model XML for ${id}: neither ${defaultModelPath(ENVS[id].file)} nor ${REF_DIR}/${ENVS[id].file} exists`;
}

interface Rollout {
  /** max_i |map(obs1)[i] - obs2[i]| / max(1, |obs2[i]|) per step (index 0 = after reset). */
  obsErr: number[];
  /** |r1 - r2| / max(1, |r2|) per step (index 0 unused). */
  rewErr: number[];
}

interface RolloutOptions {
  /** Env options beside xmlFile (e.g. Ant's contactForceRange). */
  envOpts?: Record<string, unknown>;
  /** Random steps from the reset before the state is copied and mirrored (e.g. to land on the floor). */
  warmup?: number;
  /** Called after each step with both observations. */
  onStep?: (obs1: Float64Array, obs2: Float64Array) => void;
}

/** Run env pairs side by side from a mirrored reset-like state (or the state after `warmup` random steps). */
function mirroredRollout(id: string, xmlFile: string, spec: SymmetrySpec, qpos: SignedPermMap, qvel: SignedPermMap, seed: number, steps = STEPS, opts: RolloutOptions = {}): Rollout {
  const { ctor } = ENVS[id];
  const make = (): MujocoEnv => new ctor({ xmlFile, ...opts.envOpts } as { xmlFile?: string });
  const e1 = make();
  const e2 = make();
  try {
    e1.reset({ seed });
    e2.reset({ seed: seed + 1000 });
    let s = e1.getState();
    if ((opts.warmup ?? 0) > 0) {
      // A third env walks from the reset; both compared envs start fresh from its state.
      const e0 = make();
      try {
        e0.reset({ seed });
        const warm = new Box(e0.actionSpace.low, e0.actionSpace.high, seed + 3);
        for (let t = 0; t < opts.warmup!; t++) e0.step(warm.sample());
        s = e0.getState();
      } finally {
        e0.close();
      }
      e1.setState(s.qpos, s.qvel);
    }
    e2.setState(applySignedPerm(qpos, s.qpos), applySignedPerm(qvel, s.qvel));
    const act = new Box(e1.actionSpace.low, e1.actionSpace.high, seed + 7);
    const err = (o1: Float64Array, o2: Float64Array): number => {
      const m = applySignedPerm(spec.obs, o1);
      let worst = 0;
      for (let i = 0; i < m.length; i++) worst = Math.max(worst, Math.abs(m[i] - o2[i]) / Math.max(1, Math.abs(o2[i])));
      return worst;
    };
    const out: Rollout = { obsErr: [err(e1.observe(), e2.observe())], rewErr: [0] };
    for (let t = 0; t < steps; t++) {
      const a = act.sample();
      const r1 = e1.step(a);
      const r2 = e2.step(applySignedPerm(spec.act, a));
      out.obsErr.push(err(r1.observation, r2.observation));
      out.rewErr.push(Math.abs(r1.reward - r2.reward) / Math.max(1, Math.abs(r2.reward)));
      opts.onStep?.(r1.observation, r2.observation);
    }
    return out;
  } finally {
    e1.close();
    e2.close();
  }
}

const fmt = (x: number): string => x.toExponential(1);
const summary = (xs: number[]): string => [1, 10, xs.length - 1].map((t) => `step ${t}: ${fmt(xs[t])}`).join(', ');

/** Write a modified copy of a model (for symmetrized variants) and return its path. */
function withEdits(xmlFile: string, edits: Array<(xml: string) => string>): { path: string; cleanup: () => void } {
  let xml = readFileSync(xmlFile, 'utf8');
  for (const edit of edits) {
    const next = edit(xml);
    assert.notEqual(next, xml, 'a symmetrizing edit did not apply to the model file');
    xml = next;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rpp-sac-sym-'));
  const path = join(dir, 'model.xml');
  writeFileSync(path, xml);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Set attribute `attr` to `value` on the <joint> element named `name` (adding it when absent). */
function setJointAttr(name: string, attr: string, value: string): (xml: string) => string {
  return (xml) =>
    xml.replace(new RegExp(`<joint[^>]*name="${name}"[^>]*>`), (tag) => {
      const re = new RegExp(`\\s${attr}="[^"]*"`);
      return re.test(tag) ? tag.replace(re, ` ${attr}="${value}"`) : tag.replace('<joint', `<joint ${attr}="${value}"`);
    });
}

before(async () => {
  await loadMujoco();
});

describe('symmetry specs are well-formed', () => {
  for (const id of Object.keys(ENVS)) {
    test(id, () => {
      const { obsDim, actDim } = envSpec(id);
      for (const s of symmetries(id)) {
        checkSignedPerm(s.obs, obsDim);
        checkSignedPerm(s.act, actDim);
        const order = s.group === 'Z2' ? 2 : 4;
        for (const m of [s.obs, s.act, s.qpos, s.qvel]) {
          if (m === undefined) continue;
          let p = m;
          for (let k = 1; k < order; k++) {
            assert.ok(p.some(([src, sign], i) => src !== i || sign !== 1), `${id} ${s.name}: order below ${order}`);
            p = composeSignedPerm(m, p);
          }
          assert.ok(p.every(([src, sign], i) => src === i && sign === 1), `${id} ${s.name}: g^${order} is not the identity`);
        }
      }
    });
  }

  test('lookup errors list available names', () => {
    assert.throws(() => symmetry('Ant-v5', 'mirror'), /Available: exact_mirror, front_back_reflection, rotation90, paper/);
    assert.throws(() => symmetry('Humanoid-v5', 'paper'), /not provided as an index map/);
    assert.throws(() => symmetries('Pusher-v5'), /No symmetry table for env 'Pusher-v5'/);
    assert.throws(() => symmetries('Ant-v4'), /v5 observation layouts.*'Ant-v5'/);
    assert.equal(symmetries('Ant').length, 4);
    assert.ok(Object.isFrozen(symmetry('Ant-v5', 'paper')));
    assert.equal(symmetry('Walker2d-v5', 'exact_mirror').exact, true);
    assert.equal(symmetry('Humanoid-v5', 'exact_mirror').exact, false);
  });
});

describe('exact maps: mirrored trajectories agree to 1e-9', () => {
  const cases: Array<[string, string, boolean]> = [
    // [env id, symmetry name, reward preserved]
    ['Swimmer-v5', 'exact_mirror', true],
    ['Reacher-v5', 'exact_mirror', true],
    ['Walker2d-v5', 'exact_mirror', true],
    ['Walker2d-v5', 'paper', true],
    ['Ant-v5', 'exact_mirror', true],
    ['Ant-v5', 'front_back_reflection', false],
    ['Ant-v5', 'rotation90', false],
  ];
  for (const [id, name, rewardPreserved] of cases) {
    test(`${id} ${name}`, (t) => {
      const xml = modelPath(id);
      if (xml === null) return t.skip(noModel(id));
      const spec = symmetry(id, name);
      assert.ok(spec.qpos && spec.qvel);
      for (const seed of [1, 2]) {
        const r = mirroredRollout(id, xml, spec, spec.qpos, spec.qvel, seed);
        t.diagnostic(`seed ${seed} obs error ${summary(r.obsErr)}; max reward error ${fmt(Math.max(...r.rewErr))}`);
        assert.ok(Math.max(...r.obsErr) <= TOL, `obs error ${Math.max(...r.obsErr)}`);
        if (rewardPreserved) assert.ok(Math.max(...r.rewErr) <= TOL, `reward error ${Math.max(...r.rewErr)}`);
      }
    });
  }
});

/** Ant's contact forces unclipped (the observation layout is unchanged), so the maps are checked on real magnitudes, not on saturated +-1. */
const ANT_UNCLIPPED = { contactForceRange: [-1e4, 1e4] };
const ANT_CFRC = 27;
const ANT_CONTACT_WARMUP = 10;

/** Steps of a rollout whose observation has a nonzero leg-body contact force (obs[33:105]). */
function legContactCounter(): { onStep: (o1: Float64Array) => void; steps: () => number } {
  let n = 0;
  return {
    onStep: (o1) => {
      if (o1.subarray(ANT_CFRC + 6).some((v) => v !== 0)) n++;
    },
    steps: () => n,
  };
}

describe('Ant maps on the contact forces (after landing, unclipped)', () => {
  for (const [name, rewardPreserved] of [['exact_mirror', true], ['front_back_reflection', false], ['rotation90', false]] as const) {
    test(`${name}: all 105 entries agree to 1e-9 while the feet touch the floor`, (t) => {
      const xml = modelPath('Ant-v5');
      if (xml === null) return t.skip(noModel('Ant-v5'));
      const spec = symmetry('Ant-v5', name);
      for (const seed of [1, 2]) {
        const contacts = legContactCounter();
        const r = mirroredRollout('Ant-v5', xml, spec, spec.qpos!, spec.qvel!, seed, STEPS, { envOpts: ANT_UNCLIPPED, warmup: ANT_CONTACT_WARMUP, onStep: contacts.onStep });
        t.diagnostic(`seed ${seed}: ${contacts.steps()}/${STEPS} steps with leg contact forces; obs error ${summary(r.obsErr)}`);
        assert.ok(contacts.steps() >= 5, `only ${contacts.steps()} steps with contacts: the contact-force blocks are hardly exercised`);
        assert.ok(Math.max(...r.obsErr) <= TOL, `obs error ${Math.max(...r.obsErr)}`);
        if (rewardPreserved) assert.ok(Math.max(...r.rewErr) <= TOL, `reward error ${Math.max(...r.rewErr)}`);
      }
    });
  }
});

describe('approximate mirrors: exact once the model asymmetry is removed', () => {
  const cases: Array<[string, Array<(xml: string) => string>, string]> = [
    ['InvertedPendulum-v5', [(x) => x.replace(/(<geom[^>]*name="pole"[^>]*fromto="0 0 0 )0?\.001( 0 0\.6")/, '$10$2')], 'pole tip offset 1 mm -> 0'],
    ['InvertedDoublePendulum-v5', [(x) => x.replace(/gravity="1e-0?5 0 -9\.81"/, 'gravity="0 0 -9.81"')], 'gravity x 1e-5 -> 0'],
    [
      'Humanoid-v5',
      [setJointAttr('right_hip_y', 'armature', '0.01'), setJointAttr('right_knee', 'stiffness', '1'), (x) => x.replace('solver="PGS"', 'solver="Newton"')],
      'right_hip_y armature .008 -> .01, right_knee stiffness 0 -> 1, PGS -> Newton',
    ],
  ];
  for (const [id, edits, what] of cases) {
    test(`${id}: measured on the model, asserted on the symmetrized model (${what})`, (t) => {
      const xml = modelPath(id);
      if (xml === null) return t.skip(noModel(id));
      const spec = symmetry(id, 'exact_mirror');
      assert.equal(spec.exact, false);
      const onModel = mirroredRollout(id, xml, spec, spec.qpos!, spec.qvel!, 3);
      t.diagnostic(`model: obs error ${summary(onModel.obsErr)}`);
      assert.ok(onModel.obsErr[1] > TOL, 'the model asymmetry should show up after one step');
      const sym = withEdits(xml, edits);
      try {
        const r = mirroredRollout(id, sym.path, spec, spec.qpos!, spec.qvel!, 3);
        t.diagnostic(`symmetrized: obs error ${summary(r.obsErr)}; max reward error ${fmt(Math.max(...r.rewErr))}`);
        assert.ok(Math.max(...r.obsErr) <= TOL, `obs error ${Math.max(...r.obsErr)}`);
        assert.ok(Math.max(...r.rewErr) <= TOL, `reward error ${Math.max(...r.rewErr)}`);
      } finally {
        sym.cleanup();
      }
    });
  }
});

/**
 * For planar envs whose obs is [qpos[1:], qvel] (HalfCheetah, Hopper), the paper's obs map
 * implies a state map: qpos[1+i] follows obs[i], qpos[0] (x) follows vx.
 */
function planarStateMaps(spec: SymmetrySpec, nq: number): { qpos: SignedPermMap; qvel: SignedPermMap } {
  const vx = spec.obs[nq - 1];
  const qpos: Array<readonly [number, number]> = [[0, vx[1]]];
  for (let i = 0; i < nq - 1; i++) qpos.push([spec.obs[i][0] + 1, spec.obs[i][1]]);
  const qvel = spec.obs.slice(nq - 1).map(([src, sign]) => [src - (nq - 1), sign] as const);
  return { qpos, qvel };
}

describe("paper maps (misspecified): equivariance error measured, not asserted", () => {
  test('HalfCheetah, Hopper: front/back sign flips', (t) => {
    for (const [id, nq] of [['HalfCheetah-v5', 9], ['Hopper-v5', 6]] as const) {
      const xml = modelPath(id);
      if (xml === null) continue;
      const spec = symmetry(id, 'paper');
      const maps = planarStateMaps(spec, nq);
      const r = mirroredRollout(id, xml, spec, maps.qpos, maps.qvel, 4);
      t.diagnostic(`${id} paper: obs error ${summary(r.obsErr)}; max reward error ${fmt(Math.max(...r.rewErr))}`);
      assert.ok(r.obsErr.every(Number.isFinite));
    }
  });

  test('Swimmer paper (vy kept)', (t) => {
    const sw = modelPath('Swimmer-v5');
    if (sw === null) return t.skip(noModel('Swimmer-v5'));
    const exact = symmetry('Swimmer-v5', 'exact_mirror');
    const r = mirroredRollout('Swimmer-v5', sw, symmetry('Swimmer-v5', 'paper'), exact.qpos!, exact.qvel!, 5);
    t.diagnostic(`Swimmer paper: obs error ${summary(r.obsErr)}`);
    assert.ok(r.obsErr[1] > TOL, 'the paper map differs from the exact mirror at vy');
  });

  test('Ant paper Z4 (no signs, x/y kept): the true 90 degree rotation up to signs and x/y turns, contact forces included', (t) => {
    const ant = modelPath('Ant-v5');
    if (ant === null) return t.skip(noModel('Ant-v5'));
    const paper = symmetry('Ant-v5', 'paper');
    const rot = symmetry('Ant-v5', 'rotation90');
    // Where the paper's map takes an entry from the same source as the rotation, the two differ
    // at most by a sign; elsewhere entries pair up as the x, y components of one vector
    // (quaternion, velocities, torques and forces), which the rotation turns and the paper keeps.
    const same: number[] = [];
    const pairs: Array<[number, number]> = [];
    paper.obs.forEach(([src], i) => {
      if (src === rot.obs[i][0]) return same.push(i);
      const j = paper.obs.findIndex(([s]) => s === rot.obs[i][0]);
      assert.equal(rot.obs[j][0], src, `entries ${i} and ${j} are not an x/y pair`);
      pairs.push([i, j]);
    });
    assert.equal(same.filter((i) => i >= ANT_CFRC).length, 26, 'the z components of the 13 contact-force blocks');
    let worst = 0;
    const contacts = legContactCounter();
    const onStep = (o1: Float64Array, o2: Float64Array): void => {
      contacts.onStep(o1);
      const m = applySignedPerm(paper.obs, o1);
      const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));
      for (const i of same) worst = Math.max(worst, rel(Math.abs(m[i]), Math.abs(o2[i])));
      for (const [i, j] of pairs) worst = Math.max(worst, rel(Math.hypot(m[i], m[j]), Math.hypot(o2[i], o2[j])));
    };
    // Used as a symmetry (paper actions on the rotated state) the paper's map is far off ...
    const r = mirroredRollout('Ant-v5', ant, paper, rot.qpos!, rot.qvel!, 5);
    // ... but on a truly rotated trajectory it moves every entry, contact forces included, to
    // the right place, differing only by signs and x/y turns.
    mirroredRollout('Ant-v5', ant, rot, rot.qpos!, rot.qvel!, 1, STEPS, { envOpts: ANT_UNCLIPPED, warmup: ANT_CONTACT_WARMUP, onStep });
    t.diagnostic(`Ant paper as a symmetry: obs error ${summary(r.obsErr)}; on rotated trajectories, up to signs and x/y turns: ${fmt(worst)} (${contacts.steps()}/${STEPS} steps with leg contact forces)`);
    assert.ok(r.obsErr[1] > TOL, 'the paper map is not the rotation');
    assert.ok(contacts.steps() >= 5, `only ${contacts.steps()} steps with contacts`);
    assert.ok(worst <= TOL, `paper map vs rotation up to signs and x/y turns: ${worst}`);
  });
});
