/**
 * Symmetries of the v5 envs as signed permutations of observations and actions
 * (`SymmetrySpec`), for equivariant / RPP networks and for tests.
 *
 * Names:
 *  - 'exact_mirror': the left/right (or, for the pendulums, cart x) reflection of the
 *    geometry. `exact` is true only where the model is exactly symmetric (Swimmer, Reacher,
 *    Walker2d-v5, Ant); for InvertedPendulum, InvertedDoublePendulum and Humanoid the map
 *    is the geometric mirror but the model breaks it slightly (see each `note`).
 *  - 'paper': the map the RPP paper's SAC code used (often misspecified, exact false).
 *  - Ant also 'front_back_reflection' and 'rotation90': exact symmetries of the physics that
 *    do not preserve the forward reward (exact false).
 * Maps assume the default observation layout (excludeCurrentPositionsFromObservation = true,
 * all observation blocks included).
 */
import * as M from './symmetry-maps.js';
import type { SignedPermMap, SymmetrySpec } from './types.js';

const NO_EXACT_PLANAR = 'no exact non-trivial mirror: y -> -y is the identity for this planar body; front/back flips change the robot and the sign of the forward reward';

const SPECS: Record<string, readonly SymmetrySpec[]> = {
  HalfCheetah: [
    {
      name: 'paper',
      group: 'Z2',
      exact: false,
      obs: M.halfCheetahPaperObs,
      act: M.halfCheetahPaperAct,
      note: `front/back sign flip used by RPP (obs 0 and 9 invariant, all others negated; all actions negated). Misspecified: ${NO_EXACT_PLANAR}.`,
    },
  ],
  Hopper: [
    {
      name: 'paper',
      group: 'Z2',
      exact: false,
      obs: M.hopperPaperObs,
      act: M.hopperPaperAct,
      note: `front/back sign flip used by RPP (height and z-velocity invariant). Misspecified: ${NO_EXACT_PLANAR}.`,
    },
  ],
  Walker2d: [
    {
      name: 'exact_mirror',
      group: 'Z2',
      exact: true,
      obs: M.walker2dExactMirrorObs,
      act: M.walker2dExactMirrorAct,
      qpos: M.walker2dExactMirrorQpos,
      qvel: M.walker2dExactMirrorQvel,
      note: 'left/right leg swap; exact in v5 (both feet have friction 1.9).',
    },
    {
      name: 'paper',
      group: 'Z2',
      exact: true,
      obs: M.walker2dExactMirrorObs,
      act: M.walker2dExactMirrorAct,
      qpos: M.walker2dExactMirrorQpos,
      qvel: M.walker2dExactMirrorQvel,
      note: "the RPP paper's leg swap, identical to exact_mirror; it was approximate on the v2/v4 model (foot friction 0.9 vs 1.9) and is exact on v5.",
    },
  ],
  Swimmer: [
    {
      name: 'exact_mirror',
      group: 'Z2',
      exact: true,
      obs: M.swimmerExactMirrorObs,
      act: M.swimmerExactMirrorAct,
      qpos: M.swimmerExactMirrorQpos,
      qvel: M.swimmerExactMirrorQvel,
      note: 'y-reflection: angles, angular rates and vy flip; vx kept.',
    },
    {
      name: 'paper',
      group: 'Z2',
      exact: false,
      obs: M.swimmerPaperObs,
      act: M.swimmerPaperAct,
      note: 'as exact_mirror except obs[4] (vy) kept invariant, as in the RPP code. Misspecified.',
    },
  ],
  InvertedPendulum: [
    {
      name: 'exact_mirror',
      group: 'Z2',
      exact: false,
      obs: M.invertedPendulumExactMirrorObs,
      act: M.invertedPendulumExactMirrorAct,
      qpos: M.invertedPendulumExactMirrorQpos,
      qvel: M.invertedPendulumExactMirrorQvel,
      note: 'x-reflection of cart and pole. Approximate: the pole tip is offset 1 mm in +x in the model (about 3e-3 error after one step); exact with the offset removed.',
    },
  ],
  InvertedDoublePendulum: [
    {
      name: 'exact_mirror',
      group: 'Z2',
      exact: false,
      obs: M.invertedDoublePendulumExactMirrorObs,
      act: M.invertedDoublePendulumExactMirrorAct,
      qpos: M.invertedDoublePendulumExactMirrorQpos,
      qvel: M.invertedDoublePendulumExactMirrorQvel,
      note: 'x-reflection of cart and poles (sines and constraint force flip, cosines kept). Approximate: the model has gravity x = 1e-5 (about 1e-6 error after one step).',
    },
  ],
  Reacher: [
    {
      name: 'exact_mirror',
      group: 'Z2',
      exact: true,
      obs: M.reacherExactMirrorObs,
      act: M.reacherExactMirrorAct,
      qpos: M.reacherExactMirrorQpos,
      qvel: M.reacherExactMirrorQvel,
      note: 'y-reflection of arm and target.',
    },
  ],
  Ant: [
    {
      name: 'exact_mirror',
      group: 'Z2',
      exact: true,
      obs: M.antExactMirrorObs,
      act: M.antExactMirrorAct,
      qpos: M.antExactMirrorQpos,
      qvel: M.antExactMirrorQvel,
      note: 'y-reflection: leg1 <-> leg4, leg2 <-> leg3; hips flip sign, ankles keep it.',
    },
    {
      name: 'front_back_reflection',
      group: 'Z2',
      exact: false,
      obs: M.antFrontBackReflectionObs,
      act: M.antFrontBackReflectionAct,
      qpos: M.antFrontBackReflectionQpos,
      qvel: M.antFrontBackReflectionQvel,
      note: 'x-reflection (leg1 <-> leg2, leg4 <-> leg3). Preserves the physics but not the reward: the forward velocity flips sign. Use only for direction-agnostic tasks.',
    },
    {
      name: 'rotation90',
      group: 'Z4',
      exact: false,
      obs: M.antRotation90Obs,
      act: M.antRotation90Act,
      qpos: M.antRotation90Qpos,
      qvel: M.antRotation90Qvel,
      note: '+90 degree yaw rotation (leg k -> k+1, alternating ankle signs). Preserves the physics but not the reward: the forward direction rotates.',
    },
    {
      name: 'paper',
      group: 'Z4',
      exact: false,
      obs: M.antPaperObs,
      act: M.antPaperAct,
      note: "the RPP paper's Z4 cyclic permutation of the legs without sign changes; z, quaternion and root velocities treated as invariant. The paper used obs[0:27] only (its contact forces were always 0); here the map covers the whole v5 observation: each leg body's contact-force block moves with its leg unchanged, the torso's is invariant (the paper's treatment of world-frame vectors). Misspecified: ankle ranges alternate in sign, and the true rotation also turns the quaternion and the x/y components of velocities and contact forces (rotation90).",
    },
  ],
  Humanoid: [
    {
      name: 'exact_mirror',
      group: 'Z2',
      exact: false,
      obs: M.humanoidExactMirrorObs,
      act: M.humanoidExactMirrorAct,
      qpos: M.humanoidExactMirrorQpos,
      qvel: M.humanoidExactMirrorQvel,
      note: "y-reflection: right <-> left limbs. Approximate (about 1e-2 per step): the model's right_hip_y armature (.008 vs .01) and right_knee stiffness (0 vs 1) differ from the left, and the PGS solver depends on constraint order. The RPP paper's Humanoid map acts on a transformed state ([z, R(quat), obs[5:45]]) and is not provided as an index map.",
    },
  ],
};

// Shared, so freeze them: callers get read-only specs.
for (const list of Object.values(SPECS)) for (const spec of list) Object.freeze(spec);

/** Turn 'Ant-v5' or 'Ant' into the family name used by the tables; other versions have other layouts. */
function family(envId: string): string {
  const m = /^(.*)-v(\d+)$/.exec(envId);
  if (m !== null && m[2] !== '5') {
    throw new Error(`Symmetry maps are written for the v5 observation layouts; '${envId}' is another version. Use '${m[1]}-v5'.`);
  }
  return m === null ? envId : m[1];
}

/** All known symmetries of an env (v5 observation layouts). Unknown ids are an error. */
export function symmetries(envId: string): SymmetrySpec[] {
  const specs = SPECS[family(envId)];
  if (specs === undefined) {
    throw new Error(`No symmetry table for env '${envId}'. Known envs: ${Object.keys(SPECS).map((k) => `${k}-v5`).join(', ')}.`);
  }
  return specs.slice();
}

/** One symmetry by name, e.g. symmetry('Walker2d-v5', 'exact_mirror'). */
export function symmetry(envId: string, name: string): SymmetrySpec {
  const specs = symmetries(envId);
  const found = specs.find((s) => s.name === name);
  if (found === undefined) {
    const extra = family(envId) === 'Humanoid' && name === 'paper' ? " (the RPP paper's Humanoid map acts on a transformed state and is not provided as an index map)" : '';
    throw new Error(`Env '${envId}' has no symmetry named '${name}'${extra}. Available: ${specs.map((s) => s.name).join(', ')}.`);
  }
  return found;
}

/** y[i] = sign_i * x[src_i]. `out` may be given to avoid allocation (must not alias x). */
export function applySignedPerm(map: SignedPermMap, x: ArrayLike<number>, out: Float64Array = new Float64Array(map.length)): Float64Array {
  for (let i = 0; i < map.length; i++) {
    const [src, sign] = map[i];
    out[i] = sign * x[src];
  }
  return out;
}

/** Compose maps: (a after b)(x) = a(b(x)). */
export function composeSignedPerm(a: SignedPermMap, b: SignedPermMap): SignedPermMap {
  return a.map(([src, sign]) => [b[src][0], sign * b[src][1]] as const);
}

/** Throws when `map` is not a signed permutation of `n` entries (each source used once, signs ±1). */
export function checkSignedPerm(map: SignedPermMap, n: number = map.length): void {
  if (map.length !== n) throw new Error(`Signed permutation has ${map.length} entries, expected ${n}.`);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const [src, sign] = map[i];
    if (!Number.isInteger(src) || src < 0 || src >= n) throw new Error(`Signed permutation entry ${i}: source ${src} is out of range [0, ${n}).`);
    if (sign !== 1 && sign !== -1) throw new Error(`Signed permutation entry ${i}: sign ${sign} must be +1 or -1.`);
    if (seen[src] === 1) throw new Error(`Signed permutation entry ${i}: source ${src} is used twice.`);
    seen[src] = 1;
  }
}
