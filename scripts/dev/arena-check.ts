/**
 * Checks that the `<size memory>` of each envs/models/*.xml leaves headroom: runs long
 * random-action rollouts (resetting to a noisy qpos0 every `episode` steps, as envs do)
 * and reports the peak arena use and any MuJoCo warnings (constraint/contact overflow).
 *   node --import tsx scripts/dev/arena-check.ts [envSteps=20000]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMj, modelFromFile, MODELS, type Mujoco } from './model-compare.js';
import type { MjModel } from '../../envs/mujoco-loader.js';
import { Rng } from '../../src/random.js';

export interface ArenaUse {
  narena: number;
  /** Peak bytes of the arena used for contacts and constraints. */
  maxuseArena: number;
  /** Peak bytes of the stack, which lives at the other end of the same arena. */
  maxuseStack: number;
  maxContacts: number;
  maxEfc: number;
  /** Sum of MuJoCo warning counters over all warning kinds. */
  warnings: number;
}

/** Random-action rollout of `envSteps` env steps; episodes of `episode` steps from qpos0 + U(±noise). */
export function measureArena(mj: Mujoco, m: MjModel, frameSkip: number, envSteps: number, seed = 0, episode = 1000, noise = 0.1): ArenaUse {
  const rng = new Rng(seed);
  const d = new mj.MjData(m);
  const range = Array.from(m.actuator_ctrlrange as ArrayLike<number>);
  const qpos0 = Array.from(m.qpos0 as ArrayLike<number>);
  let maxContacts = 0;
  let maxEfc = 0;
  try {
    for (let t = 0; t < envSteps; t++) {
      if (t % episode === 0 || !Number.isFinite((d.qpos as Float64Array)[0])) {
        mj.mj_resetData(m, d);
        d.qpos.set(qpos0.map((x) => x + rng.uniform(-noise, noise)));
        d.qvel.set(Array.from({ length: m.nv }, () => rng.uniform(-noise, noise)));
        mj.mj_forward(m, d);
      }
      d.ctrl.set(Array.from({ length: m.nu }, (_, i) => rng.uniform(range[2 * i], range[2 * i + 1])));
      for (let k = 0; k < frameSkip; k++) mj.mj_step(m, d);
      mj.mj_rnePostConstraint(m, d);
      maxContacts = Math.max(maxContacts, d.ncon);
      maxEfc = Math.max(maxEfc, d.nefc);
    }
    let warnings = 0;
    for (let w = 0; w < d.warning.size(); w++) warnings += d.warning.get(w)?.number ?? 0;
    return { narena: m.narena, maxuseArena: d.maxuse_arena, maxuseStack: d.maxuse_stack, maxContacts, maxEfc, warnings };
  } finally {
    d.delete();
  }
}

async function main(): Promise<void> {
  const envSteps = Number(process.argv[2] ?? 20000);
  const modelsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../envs/models');
  const mj = await loadMj();
  for (const { file, frameSkip } of MODELS) {
    const m = modelFromFile(mj, path.join(modelsDir, file));
    try {
      const u = measureArena(mj, m, frameSkip, envSteps);
      const pct = ((100 * (u.maxuseArena + u.maxuseStack)) / u.narena).toFixed(1);
      process.stdout.write(
        `${file}: narena ${u.narena} maxuse arena ${u.maxuseArena} + stack ${u.maxuseStack} (${pct}%) maxContacts ${u.maxContacts} maxEfc ${u.maxEfc} warnings ${u.warnings}\n`,
      );
    } finally {
      m.delete();
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
