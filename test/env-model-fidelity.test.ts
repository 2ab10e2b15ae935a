/**
 * Fidelity of envs/models/*.xml (written from the facts in spec/envs.md) against
 * Gymnasium's reference XMLs: compiled model quantities, 100 env steps of raw dynamics
 * from one random state with one random action sequence, and 100 steps of observations
 * and rewards through make(). The reference folder lives outside the repository
 * (../shared/reference/gymnasium-mujoco-assets from the repo root); without it those
 * tests are skipped. The arena-headroom check needs only our models and always runs.
 *
 * Error measures (see envs/models/README.md): compiled fields elementwise
 * |a-b| / max(|a|,|b|,1e-10); rollouts ||a-b||_2 / max(||b||_2, 1e-6) per env step.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compareModels,
  compareNames,
  compareRollouts,
  loadMj,
  modelFromFile,
  modelFromXml,
  MODELS,
  ROLLOUT_FIELDS,
  vectorError,
  type Mujoco,
} from '../scripts/dev/model-compare.js';
import { measureArena } from '../scripts/dev/arena-check.js';
import { make } from '../envs/registry.js';
import { Rng } from '../src/random.js';

const TOL = 1e-6;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OURS_DIR = path.join(repoRoot, 'envs', 'models');
const REF_DIR = path.resolve(repoRoot, '..', 'shared', 'reference', 'gymnasium-mujoco-assets');
const refSkip = existsSync(REF_DIR)
  ? false
  : `reference models not found at ${REF_DIR} (they ship with the project's CI workspace, not with the package)`;

let mj: Mujoco;
before(async () => {
  mj = await loadMj();
});

/** Compile ours and the reference, run fn, and free both models whatever happens. */
function withModels<T>(file: string, fn: (ours: ReturnType<typeof modelFromFile>, ref: ReturnType<typeof modelFromFile>) => T): T {
  const ours = modelFromFile(mj, path.join(OURS_DIR, file));
  try {
    const ref = modelFromFile(mj, path.join(REF_DIR, file));
    try {
      return fn(ours, ref);
    } finally {
      ref.delete();
    }
  } finally {
    ours.delete();
  }
}

for (const entry of MODELS) {
  describe(`model fidelity: ${entry.file}`, { skip: refSkip }, () => {
    test('compiled quantities and names match the reference', (t) => {
      withModels(entry.file, (ours, ref) => {
        const diffs = compareModels(mj, ours, ref);
        t.diagnostic(`worst compiled-field error ${Math.max(...diffs.map((d) => d.maxError)).toExponential(2)} over ${diffs.length} fields`);
        const bad = diffs.filter((d) => !(d.maxError <= TOL));
        const detail = bad.map((d) => `${d.field} (err ${d.maxError.toExponential(2)} at ${d.worstIndex})`).join('; ');
        assert.equal(bad.length, 0, `fields differ beyond ${TOL}: ${detail}`);
        const names = compareNames(ours, ref);
        assert.deepEqual(names, [], 'body/joint/site/tendon/actuator names differ');
      });
    });

    test('100 env steps of dynamics match (qpos, qvel, cfrc_ext and the other observed arrays)', (t) => {
      withModels(entry.file, (ours, ref) => {
        const r = compareRollouts(mj, ours, ref, { frameSkip: entry.frameSkip, steps: 100, seed: 7, noise: 0.1 }, TOL);
        const summary = ROLLOUT_FIELDS.map((f) => `${f} ${r.maxError[f].toExponential(1)}`).join(', ');
        t.diagnostic(`max errors: ${summary}; max contacts ${r.maxContacts}`);
        for (const f of ROLLOUT_FIELDS) {
          assert.ok(r.maxError[f] <= TOL, `${f}: max error ${r.maxError[f]} (first above ${TOL} at env step ${r.firstStepAbove[f]})`);
        }
        // The comparison means little for a walker unless the feet actually hit the floor.
        if (entry.hasContacts) assert.ok(r.maxContacts > 0, 'rollout never made contact with the floor');
      });
    });

    test('observations and rewards through make() match the reference XML over 100 steps', async (t) => {
      const envOurs = await make(entry.envId);
      const envRef = await make(entry.envId, { xmlFile: path.join(REF_DIR, entry.file) });
      try {
        const rng = new Rng(11);
        const low = envRef.actionSpace.low;
        const high = envRef.actionSpace.high;
        let obsOurs = envOurs.reset({ seed: 5 }).observation;
        let obsRef = envRef.reset({ seed: 5 }).observation;
        let maxObsErr = vectorError(obsOurs, obsRef);
        let maxRewardErr = 0;
        let episodesEnded = 0;
        for (let t = 0; t < 100; t++) {
          const action = Array.from(low, (lo, i) => rng.uniform(lo, high[i]));
          const a = envOurs.step(action);
          const b = envRef.step(action);
          maxObsErr = Math.max(maxObsErr, vectorError(a.observation, b.observation));
          maxRewardErr = Math.max(maxRewardErr, Math.abs(a.reward - b.reward) / Math.max(Math.abs(b.reward), 1e-6));
          assert.equal(a.terminated, b.terminated, `terminated differs at step ${t}`);
          assert.equal(a.truncated, b.truncated, `truncated differs at step ${t}`);
          obsOurs = a.observation;
          obsRef = b.observation;
          if (a.terminated || a.truncated) {
            episodesEnded++;
            obsOurs = envOurs.reset().observation;
            obsRef = envRef.reset().observation;
            maxObsErr = Math.max(maxObsErr, vectorError(obsOurs, obsRef));
          }
        }
        t.diagnostic(`max errors: observation ${maxObsErr.toExponential(2)}, reward ${maxRewardErr.toExponential(2)}; episodes ended ${episodesEnded}`);
        assert.ok(maxObsErr <= TOL, `observation max error ${maxObsErr}`);
        assert.ok(maxRewardErr <= TOL, `reward max error ${maxRewardErr}`);
      } finally {
        envOurs.close();
        envRef.close();
      }
    });
  });
}

describe('model fidelity: the comparison detects a real difference', { skip: refSkip }, () => {
  test('a hopper with one gear changed by 0.05% fails both the model and the dynamics comparison', () => {
    const text = readFileSync(path.join(OURS_DIR, 'hopper.xml'), 'utf8');
    const perturbedXml = text.replace('<motor name="thigh_joint" joint="thigh_joint" gear="200"/>', '<motor name="thigh_joint" joint="thigh_joint" gear="200.1"/>');
    assert.notEqual(perturbedXml, text, 'the perturbation did not apply: hopper.xml changed shape');
    const perturbed = modelFromXml(mj, perturbedXml, 'perturbed hopper');
    const ref = modelFromFile(mj, path.join(REF_DIR, 'hopper.xml'));
    try {
      const gear = compareModels(mj, perturbed, ref).find((d) => d.field === 'actuator_gear');
      assert.ok(gear !== undefined && gear.maxError > TOL, 'actuator_gear difference not detected');
      const r = compareRollouts(mj, perturbed, ref, { frameSkip: 4, steps: 100, seed: 7, noise: 0.1 }, TOL);
      assert.ok(r.maxError.qpos > TOL && r.maxError.qvel > TOL, `dynamics difference not detected: qpos ${r.maxError.qpos}, qvel ${r.maxError.qvel}`);
    } finally {
      perturbed.delete();
      ref.delete();
    }
  });
});

describe('model arena size (<size memory>) leaves headroom', () => {
  for (const entry of MODELS) {
    test(`${entry.file}: 400 random env steps use under a quarter of the arena, with no MuJoCo warnings`, () => {
      const m = modelFromFile(mj, path.join(OURS_DIR, entry.file));
      try {
        const u = measureArena(mj, m, entry.frameSkip, 400, 3, 200);
        assert.ok(u.maxuseArena + u.maxuseStack < u.narena / 4, `peak ${u.maxuseArena} + ${u.maxuseStack} bytes of ${u.narena}`);
        assert.equal(u.warnings, 0, 'MuJoCo raised warnings (e.g. contact or constraint buffer full)');
      } finally {
        m.delete();
      }
    });
  }
});
