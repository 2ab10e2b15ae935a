/**
 * Resume is exact: a run interrupted mid-episode and resumed with `mode: 'resume'`
 * (what `rpp-sac resume` does) ends where the uninterrupted run ends. Both go through
 * trainRun, the function `rpp-sac train` runs. "Equal" means, asserted below:
 *   - episodes.jsonl: the same records (step, return, length), the episode that spans
 *     the interrupt included;
 *   - evaluations.jsonl: the same records in every field except stepsPerSec and
 *     wallTime (those measure the machine);
 *   - the final checkpoint's manifest.json equal except createdAt: config, counters, the
 *     latest update's stats, the envs' places in their episodes, the agent's and the
 *     replay buffer's RNG states, the update count, the Adam step counts, and the SHA-256
 *     of params.bin (every parameter, target critics and log alpha included), adam.bin
 *     (both moments of the three optimisers) and each replay field: all bit-identical;
 *   - the exported policy's weights.bin byte for byte, and status.json finished at the same step.
 * Two interrupts: `stopAtStep` (plain SAC, one env) and an AbortSignal fired from
 * `onEvaluation` (RPP-SAC with RPP critics, two envs); the periodic checkpoints
 * (every 250 steps) are written in both runs too. Evaluations every 175 steps put one
 * (step 350) after the SAC interrupt but before the next stats refresh (every 100
 * updates, at step 400), so it reports the stats the checkpoint carried over.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainRun, type TrainRunOptions } from '../src/run/train-run.js';
import { resolveRunConfig } from '../src/run/run-config.js';
import { RUN_FILES, type EpisodeRecord, type EvaluationRecord, type RunStatus } from '../src/run-files.js';
import type { CheckpointManifest } from '../agents/checkpoint.js';
import { readJson, readJsonl } from './fixtures/read-run-files.js';

const TOTAL = 600;

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'rpp-sac-resume-'));
});
after(() => rmSync(root, { recursive: true, force: true }));


/** What two runs must agree on (see the module comment). */
function outcome(dir: string): { episodes: EpisodeRecord[]; evaluations: Omit<EvaluationRecord, 'stepsPerSec' | 'wallTime'>[]; manifest: Omit<CheckpointManifest, 'createdAt'>; weights: Buffer; status: [string, number] } {
  const evaluations = readJsonl<EvaluationRecord>(join(dir, RUN_FILES.evaluationsJsonl)).map(({ stepsPerSec: _s, wallTime: _w, ...rest }) => rest);
  const { createdAt: _c, ...manifest } = readJson<CheckpointManifest>(join(dir, RUN_FILES.checkpoints, 'latest', 'manifest.json'));
  const status = readJson<RunStatus>(join(dir, RUN_FILES.status));
  return {
    episodes: readJsonl<EpisodeRecord>(join(dir, RUN_FILES.episodesJsonl)),
    evaluations,
    manifest,
    weights: readFileSync(join(dir, RUN_FILES.policy, 'weights.bin')),
    status: [status.state, status.step],
  };
}

interface Case {
  name: string;
  flags: Record<string, unknown> & { agent: string };
  /** Interrupt by trainRun's stopAtStep, or by aborting its signal from onEvaluation at that step. */
  stop: { by: 'stopAtStep' | 'abort'; step: number };
}

const cases: Case[] = [
  { name: 'SAC, 1 env, stopped by stopAtStep at 333', flags: { agent: 'sac', numEnvs: 1 }, stop: { by: 'stopAtStep', step: 333 } },
  { name: 'RPP-SAC (RPP critics), 2 envs, aborted at the evaluation of step 350', flags: { agent: 'rpp-sac', symmetry: 'exact', rppCritic: true, numEnvs: 2 }, stop: { by: 'abort', step: 350 } },
];

describe('resume after an interrupt equals the uninterrupted run (trainRun)', { concurrency: false }, () => {
  for (const c of cases) {
    it(c.name, async () => {
      const config = resolveRunConfig({
        flags: { env: 'InvertedPendulum-v5', totalSteps: TOTAL, hidden: [16, 16], batchSize: 32, learningStarts: 100, evalEvery: 175, evalEpisodes: 2, seed: 11, bufferSize: 1000, checkpointEvery: 250, ...c.flags },
      });
      const common = (dir: string): TrainRunOptions => ({ runDir: dir, config, mode: 'new', backend: 'wasm', command: ['test'], logLevel: 'error', progressBar: false });

      const whole = join(root, `${c.flags.agent}-whole`);
      assert.equal((await trainRun(common(whole))).state, 'finished');

      const split = join(root, `${c.flags.agent}-split`);
      const ctl = new AbortController();
      const stoppedAt = c.stop.step;
      const first = await trainRun({
        ...common(split),
        ...(c.stop.by === 'stopAtStep' ? { stopAtStep: stoppedAt } : {}),
        signal: ctl.signal,
        onEvaluation: (r) => {
          if (c.stop.by === 'abort' && r.step === stoppedAt) ctl.abort();
        },
      });
      assert.deepEqual([first.state, first.step, first.stoppedBy], ['interrupted', stoppedAt, c.stop.by]);
      const atStop = readJson<CheckpointManifest>(join(split, RUN_FILES.checkpoints, 'latest', 'manifest.json'));
      assert.equal(atStop.loop?.step, stoppedAt);
      assert.ok(atStop.loop?.rollout?.envs.some((e) => e.length > 0), 'the interrupt falls inside an episode');

      const second = await trainRun({ ...common(split), mode: 'resume' });
      assert.deepEqual([second.state, second.step], ['finished', TOTAL]);

      const want = outcome(whole);
      const got = outcome(split);
      assert.deepEqual(want.status, ['finished', TOTAL]);
      assert.ok(want.episodes.some((e) => e.step > stoppedAt) && want.evaluations.some((e) => e.step > stoppedAt));
      assert.deepEqual(got.episodes, want.episodes);
      assert.deepEqual(got.evaluations, want.evaluations);
      assert.deepEqual(got.manifest, want.manifest);
      assert.ok(got.weights.equals(want.weights), 'exported policy weights differ');
      assert.deepEqual(got.status, want.status);
    });
  }
});
