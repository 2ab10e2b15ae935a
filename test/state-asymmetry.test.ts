/**
 * The state-asymmetry measure (envs/state-asymmetry.ts), and the fact it is used to read:
 * on Walker2d-v5, whose leg swap is exact, an exactly equivariant policy started from a
 * symmetric state keeps every state symmetric (the legs move as one), while a policy that is
 * not equivariant breaks the symmetry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { make } from '../envs/registry.js';
import { symmetry } from '../envs/symmetries.js';
import { asymmetry, trajectoryAsymmetry } from '../envs/state-asymmetry.js';
import { Rng } from '../src/random.js';

const spec = symmetry('Walker2d-v5', 'exact_mirror');

test('asymmetry: 0 for a mirror-symmetric state, sqrt(2) for one leg bent and the other straight', () => {
  const sym = Array.from({ length: 17 }, (_, i) => [0.3, -0.1, 0.2, 0.4, 0.5, 0.2, 0.4, 0.5, 1, 2, 3, -1, 0.7, 0.1, -1, 0.7, 0.1][i]);
  assert.equal(asymmetry(spec.obs, sym), 0);
  // obs[2..4] the right leg's joint angles, obs[5..7] the left's: only the right one bent.
  const oneLeg = new Array<number>(17).fill(0);
  oneLeg[2] = 0.3;
  oneLeg[3] = -0.2;
  oneLeg[4] = 0.1;
  assert.ok(Math.abs(asymmetry(spec.obs, oneLeg) - Math.SQRT2) < 1e-12);
  assert.equal(asymmetry(spec.obs, new Array<number>(17).fill(0)), 0);
  assert.throws(() => asymmetry(spec.obs, [1, 2, 3]), /the state has 3 values, the symmetry's observation map 17/);
});

test('trajectoryAsymmetry: initial, mean, in-sync fraction and the first step past the break level', () => {
  const leg = (a: number): number[] => {
    const x = new Array<number>(17).fill(0);
    x[0] = 1;
    x[2] = a;
    return x;
  };
  const states = [leg(0), leg(0.01), leg(0.5), leg(0)];
  const r = trajectoryAsymmetry(spec.obs, states);
  const each = states.map((x) => asymmetry(spec.obs, x));
  assert.equal(r.initial, 0);
  assert.ok(Math.abs(r.mean - each.reduce((s, a) => s + a, 0) / 4) < 1e-12);
  assert.equal(r.syncFraction, 3 / 4);
  assert.equal(r.breakStep, 2);
  assert.equal(trajectoryAsymmetry(spec.obs, [leg(0)]).breakStep, null);
  assert.throws(() => trajectoryAsymmetry(spec.obs, []), /no states/);
});

/** A deterministic tanh-linear policy a = tanh(K x); equivariant when K = (M + rho_a M rho_o) / 2. */
function linearPolicy(seed: number, equivariant: boolean): (x: ArrayLike<number>) => Float64Array {
  const rng = new Rng(seed);
  const od = 17;
  const ad = 6;
  const m = Array.from({ length: ad * od }, () => rng.normal() * 0.3);
  const k = m.slice();
  if (equivariant) {
    // (rho_a M rho_o^-1)[i][j] = s_a(i) s_o(j) M[src_a(i)][src_o(j)] for these involutions.
    for (let i = 0; i < ad; i++) {
      for (let j = 0; j < od; j++) {
        const [ai, as] = spec.act[i];
        const [oj, os] = spec.obs[j];
        k[i * od + j] = 0.5 * (m[i * od + j] + as * os * m[ai * od + oj]);
      }
    }
  }
  return (x) => {
    const a = new Float64Array(ad);
    for (let i = 0; i < ad; i++) {
      let s = 0;
      for (let j = 0; j < od; j++) s += k[i * od + j] * x[j];
      a[i] = Math.tanh(s);
    }
    return a;
  };
}

async function rollout(policy: (x: ArrayLike<number>) => Float64Array, steps: number): Promise<Float64Array[]> {
  // No reset noise: the start state is Walker2d's symmetric standing pose.
  const env = await make('Walker2d-v5', { resetNoiseScale: 0 });
  try {
    let obs = env.reset({ seed: 0 }).observation;
    const states = [Float64Array.from(obs)];
    for (let t = 0; t < steps; t++) {
      const r = env.step(policy(obs));
      states.push(Float64Array.from(r.observation));
      if (r.terminated || r.truncated) break;
      obs = r.observation;
    }
    return states;
  } finally {
    env.close();
  }
}

test('Walker2d-v5 from its symmetric pose: an equivariant policy keeps the legs in sync, a generic one breaks the symmetry', async () => {
  const symmetric = await rollout(linearPolicy(3, true), 150);
  const kept = trajectoryAsymmetry(spec.obs, symmetric);
  assert.ok(symmetric.length > 20, `the rollout ran (${symmetric.length} states)`);
  assert.equal(kept.initial, 0);
  assert.ok(Math.max(...symmetric.map((x) => asymmetry(spec.obs, x))) < 1e-9, 'every state stays its own mirror image (float64 rounding)');
  assert.equal(kept.breakStep, null);

  const generic = trajectoryAsymmetry(spec.obs, await rollout(linearPolicy(3, false), 150));
  assert.equal(generic.initial, 0);
  assert.ok(generic.breakStep !== null && generic.mean > 0.1, `a non-equivariant policy breaks it (mean ${generic.mean}, first at ${generic.breakStep})`);
});
