/**
 * Learning check: SAC, RPP-SAC and EMLP-SAC (exact mirror symmetry) each reach an
 * average deterministic evaluation return >= 900 on InvertedPendulum-v5 within 15k env
 * steps, trained by trainRun (what `rpp-sac train` runs: the RxJS pipeline, run files,
 * checkpoints). Fixed seed, asserted threshold, no retries. Small networks and a short
 * random phase keep each run to a few minutes on a 2-core machine.
 *
 * A run passes when any evaluation (every EVAL_EVERY steps, 5 deterministic episodes on
 * a separate env) averages >= 900, and is then stopped through its AbortSignal: SAC on
 * this task is known to oscillate after solving it (CleanRL reports 909 +- 56 over
 * training), so the first time it is solved is the stable quantity to assert.
 *
 * Measured (wasm, seed 1, 2 cores at load ~10; each run's curve is printed as a test
 * diagnostic): SAC 1000:11 2000:65 3000:62 4000:106 5000:1000 in 58 s; RPP-SAC 1000:23
 * 2000:80 3000:78 4000:169 5000:1000 in 92 s; EMLP-SAC 1000:19 2000:93 3000:94 4000:101
 * 5000:110 6000:1000 in 157 s; 82 s of CPU for the three.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainRun } from '../src/run/train-run.js';
import { resolveRunConfig } from '../src/run/run-config.js';
import { RUN_FILES, type EvaluationRecord } from '../src/run-files.js';

const BUDGET = 15_000;

/** Shared by the three agents: they differ only by `agent`. */
const LEARNING_CONFIG = {
  env: 'InvertedPendulum-v5',
  totalSteps: BUDGET,
  symmetry: 'exact',
  hidden: [64, 64],
  learningStarts: 1000,
  // Faster than the SB3 defaults on this task (solved around 5k steps vs not by 8k with
  // lr 3e-4, tau 0.005, initAlpha 1): larger steps and a faster target.
  initAlpha: 0.1,
  actorLr: 1e-3,
  criticLr: 1e-3,
  tau: 0.02,
  evalEvery: 1000,
  evalEpisodes: 5,
  seed: 1,
  checkpointEvery: BUDGET,
  checkpointReplay: false,
};

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'rpp-sac-learning-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('learning on InvertedPendulum-v5 (trainRun)', { concurrency: false }, () => {
  for (const agent of ['sac', 'rpp-sac', 'emlp-sac'] as const) {
    it(`${agent} reaches eval return >= 900 within ${BUDGET} steps`, async (t) => {
      const t0 = performance.now();
      const dir = join(root, agent);
      const solved = new AbortController();
      const result = await trainRun({
        runDir: dir,
        config: resolveRunConfig({ flags: { ...LEARNING_CONFIG, agent } }),
        mode: 'new',
        backend: 'wasm',
        command: ['test'],
        logLevel: process.env.RPP_SAC_LOG_LEVEL ?? 'error',
        progressBar: false,
        signal: solved.signal,
        onEvaluation: (r) => {
          if (r.meanReturn >= 900) solved.abort();
        },
      });
      const evals = readFileSync(join(dir, RUN_FILES.evaluationsJsonl), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as EvaluationRecord);
      const curve = evals.map((e) => `${e.step}:${e.meanReturn.toFixed(0)}`).join(' ');
      t.diagnostic(`${agent}: ${curve} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      const solvedAt = evals.find((e) => e.meanReturn >= 900)?.step;
      assert.ok(solvedAt !== undefined && solvedAt <= BUDGET, `${agent} did not reach a mean evaluation return of 900 within ${BUDGET} steps: ${curve}`);
      assert.equal(result.stoppedBy, 'abort'); // stopped because solved, not by the budget
    });
  }
});
