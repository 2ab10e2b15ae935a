/**
 * Learning check: SAC and RPP-SAC (exact mirror symmetry) reach an average
 * deterministic evaluation return >= 900 on InvertedPendulum-v5 within a fixed step
 * budget. Fixed seeds, asserted thresholds, no retries. Small networks and a short
 * random phase keep each run to a few minutes on a 2-core machine.
 *
 * The run passes when any evaluation (every EVAL_EVERY steps, EVAL_EPISODES
 * deterministic episodes on a separate env) averages >= 900: SAC on this task is
 * known to oscillate after solving it (CleanRL reports 909 +- 56 over training), so
 * the first time it is solved is the stable quantity to assert.
 *
 * Measured (wasm, seed 1, machine load ~11 on 2 cores): SAC 1000:12 2000:68 3000:58
 * 4000:70 5000:1000 in 171 s; RPP-SAC 1000:33 2000:56 3000:74 4000:126 5000:1000 in
 * 189 s; about 60 s of CPU each.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../src/backend.js';
import { createLogger } from '../src/logging.js';
import { TrainLoop } from '../agents/train-loop.js';
import type { SacConfigInput } from '../agents/sac-config.js';

const ENV = 'InvertedPendulum-v5';
const logger = createLogger({ level: process.env.RPP_SAC_LOG_LEVEL ?? 'warn' });

/** Shared by both agents: they differ only by `agent`. */
export const LEARNING_CONFIG: SacConfigInput = {
  hidden: [64, 64],
  learningStarts: 1000,
  // Faster than the SB3 defaults on this task (measured: solved at 5k steps vs not
  // by 8k with lr 3e-4, tau 0.005, initAlpha 1): larger steps and a faster target.
  initAlpha: 0.1,
  actorLr: 1e-3,
  criticLr: 1e-3,
  tau: 0.02,
  evalEvery: 1000,
  evalEpisodes: 5,
  seed: 1,
};
const BUDGET = 15_000;

before(async () => {
  await initBackend({ backend: 'wasm' });
});

async function learn(agent: 'sac' | 'rpp-sac'): Promise<void> {
  const t0 = performance.now();
  const loop = await TrainLoop.create({ envId: ENV, config: { ...LEARNING_CONFIG, agent, symmetry: 'exact' }, logger });
  let solvedAt: number | null = null;
  try {
    while (loop.step < BUDGET && solvedAt === null) {
      loop.run(loop.step + LEARNING_CONFIG.evalEvery!);
      const last = loop.evaluations[loop.evaluations.length - 1];
      if (last.meanReturn >= 900) solvedAt = last.step;
    }
    const curve = loop.evaluations.map((e) => `${e.step}:${e.meanReturn.toFixed(0)}`).join(' ');
    logger.info(`${agent} on ${ENV}: ${curve} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    assert.ok(solvedAt !== null, `${agent} did not reach a mean evaluation return of 900 within ${BUDGET} steps: ${curve}`);
  } finally {
    loop.dispose();
  }
}

describe('learning on InvertedPendulum-v5', () => {
  it('SAC reaches eval return >= 900', () => learn('sac'));
  it('RPP-SAC (exact mirror) reaches eval return >= 900', () => learn('rpp-sac'));
});
