/**
 * `sweep --time-limit`: runs that would not finish before the limit are not started and are
 * left for the next invocation; at the limit running runs are interrupted (they checkpoint)
 * and the next invocation resumes them; the estimate switches from measured rates to the
 * observed time of finished runs of the same kind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { createLogger } from '../src/logging.js';
import { readManifest } from '../src/sweep/manifest.js';
import { parseDuration } from '../src/sweep/parse-values.js';
import { planRuns, type PlannedRun } from '../src/sweep/plan.js';
import { runSweep } from '../src/sweep/run-sweep.js';
import { resolveSweepConfig } from '../src/sweep/sweep-config.js';
import { MEASURED_MARGIN, OBSERVED_MARGIN, SweepRunTimes, type RunTimeEstimator } from '../src/sweep/time-limit.js';
import { runSeconds, type MeasuredRates } from '../src/sweep/estimate.js';
import { parseTrainArgs } from '../src/cli/train-options.js';
import type { RunStatus } from '../src/run-files.js';

const fakeTrain = fileURLToPath(new URL('./fixtures/fake-train.mjs', import.meta.url));
const trainCommand = [process.execPath, fakeTrain];
const logger = createLogger({ silent: true });
let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'sweep-time-limit-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const status = (dir: string): RunStatus => JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as RunStatus;

/** An estimator with fixed answers per seed, recording what it was told. */
function fixedEstimator(secBySeed: Record<number, number>): RunTimeEstimator & { asked: number[]; observed: Array<[number, number, number]> } {
  const asked: number[] = [];
  const observed: Array<[number, number, number]> = [];
  return {
    asked,
    observed,
    async estimateSec(plan: PlannedRun) {
      asked.push(plan.seed);
      return secBySeed[plan.seed] ?? 0;
    },
    observe(plan: PlannedRun, from: number, to: number) {
      observed.push([plan.seed, from, to]);
    },
  };
}

test('parseDuration reads 2h45m, 90m, 1.5h, 45s and bare seconds, and names the fix for bad input', () => {
  assert.equal(parseDuration('2h45m'), 9900);
  assert.equal(parseDuration('90m'), 5400);
  assert.equal(parseDuration('1.5h'), 5400);
  assert.equal(parseDuration('45s'), 45);
  assert.equal(parseDuration('3600'), 3600);
  assert.equal(parseDuration(120), 120);
  for (const bad of ['', '0', '-5', '2 hours', 'h', '5d']) assert.throws(() => parseDuration(bad), /use e\.g\. 2h45m/, bad);
});

test('runs whose estimate exceeds the time left are not started; the next invocation trains them', async () => {
  const out = join(root, 'defer');
  const config = resolveSweepConfig({ env: 'Hopper-v5', agents: 'sac', seeds: '0-2', steps: 1000, parallel: 1, out });
  // Seed 1 needs an hour, the others a second; the limit is 10 minutes.
  const est = fixedEstimator({ 0: 1, 1: 3600, 2: 1 });
  const r = await runSweep({ config, trainCommand, logger, env: process.env, timeLimit: { deadlineMs: Date.now() + 600_000, estimator: est } });
  assert.equal(r.finished, 2);
  const m = readManifest(out);
  assert.equal(m?.stoppedBy, 'time-limit');
  assert.deepEqual(m?.runs.map((x) => [x.seed, x.state]), [[0, 'finished'], [1, 'interrupted'], [2, 'finished']]);
  assert.equal(existsSync(join(out, 'Hopper-v5/sac/seed-1')), false, 'the deferred run was not started');
  assert.deepEqual(est.asked, [0, 1, 2]);
  // Finished runs are reported to the estimator with the steps they covered.
  assert.deepEqual(est.observed, [[0, 0, 1000], [2, 0, 1000]]);

  const again = await runSweep({ config, trainCommand, logger, env: process.env });
  assert.equal(again.finished, 1);
  assert.equal(again.skipped, 2);
  assert.equal(readManifest(out)?.state, 'finished');
  assert.equal(readManifest(out)?.stoppedBy, undefined);
});

test('at the time limit running runs are interrupted with a checkpoint, and the next invocation resumes them', async () => {
  const out = join(root, 'deadline');
  const config = resolveSweepConfig({ env: 'Hopper-v5', agents: 'sac', seeds: '0-1', steps: 1000, parallel: 1, out });
  const env = { ...process.env, FAKE_TRAIN_SLEEP_MS: '300', FAKE_TRAIN_EVALS: '10' };
  // The estimate says the run fits (1 s), but it takes ~3 s: the limit (1.5 s) stops it.
  const est = fixedEstimator({ 0: 1, 1: 1 });
  const r = await runSweep({ config, trainCommand, logger, env, timeLimit: { deadlineMs: Date.now() + 1500, estimator: est } });
  assert.equal(r.interrupted, true);
  const m = readManifest(out);
  assert.equal(m?.stoppedBy, 'time-limit');
  assert.deepEqual(m?.runs.map((x) => x.state), ['interrupted', 'interrupted']);
  const s = status(join(out, 'Hopper-v5/sac/seed-0'));
  assert.equal(s.state, 'interrupted');
  assert.ok(s.step > 0 && s.step < 1000, `checkpointed part-way (step ${s.step})`);
  assert.equal(existsSync(join(out, 'Hopper-v5/sac/seed-1')), false);
  assert.deepEqual(est.observed, [], 'an interrupted run is not an observation');

  const again = await runSweep({ config, trainCommand, logger, env: { ...process.env } });
  assert.equal(again.finished, 2);
  assert.deepEqual(readManifest(out)?.runs.map((x) => x.actions), [['resume'], ['train']]);
});

test('--fill-to-limit starts runs that cannot finish while enough time is left; they checkpoint at the limit and resume next time', async () => {
  const out = join(root, 'fill');
  const config = resolveSweepConfig({ env: 'Hopper-v5', agents: 'sac', seeds: '0-1', steps: 1000, parallel: 1, out });
  const env = { ...process.env, FAKE_TRAIN_SLEEP_MS: '300', FAKE_TRAIN_EVALS: '10' };
  // Both runs "need an hour"; 1.5 s are left. Without fill nothing would start (test above).
  const tooLittle = await runSweep({
    config, trainCommand, logger, env,
    timeLimit: { deadlineMs: Date.now() + 1500, estimator: fixedEstimator({ 0: 3600, 1: 3600 }), fill: true, fillMinSec: 10 },
  });
  assert.equal(tooLittle.finished, 0);
  assert.equal(existsSync(join(out, 'Hopper-v5/sac/seed-0')), false, 'less than fillMinSec left: not started');
  const r = await runSweep({
    config, trainCommand, logger, env,
    timeLimit: { deadlineMs: Date.now() + 1500, estimator: fixedEstimator({ 0: 3600, 1: 3600 }), fill: true, fillMinSec: 0.5 },
  });
  assert.equal(r.interrupted, true);
  assert.equal(readManifest(out)?.stoppedBy, 'time-limit');
  const s = status(join(out, 'Hopper-v5/sac/seed-0'));
  assert.equal(s.state, 'interrupted');
  assert.ok(s.step > 0 && s.step < 1000, `started anyway and checkpointed part-way (step ${s.step})`);
  const again = await runSweep({ config, trainCommand, logger, env: { ...process.env } });
  assert.equal(again.finished, 2);
  assert.deepEqual(readManifest(out)?.runs.map((x) => x.actions), [['resume'], ['train']]);
});

test('SweepRunTimes: measured CPU rates with the margin first, then the observed rate of the same kind of run', async () => {
  const config = resolveSweepConfig({ env: 'Hopper-v5', agents: 'sac,rpp-sac', seeds: '0-1', steps: 10_000, parallel: 2, out: join(root, 'times') });
  const plans = planRuns(config, config.out);
  const sac0 = plans.find((p) => p.agent === 'sac' && p.seed === 0)!;
  const sac1 = plans.find((p) => p.agent === 'sac' && p.seed === 1)!;
  const rpp0 = plans.find((p) => p.agent === 'rpp-sac' && p.seed === 0)!;
  const rates: MeasuredRates = { envStepSec: 1e-4, actSec: 1e-3, evalActSec: 1e-4, updateSec: 0.02 };
  const measuredFor: string[] = [];
  const times = new SweepRunTimes({
    steps: 10_000,
    parallel: 2,
    cores: 2,
    measure: async (cfg) => {
      measuredFor.push(cfg.agent);
      return rates;
    },
  });
  const first = await times.estimateSec(sac0, 0);
  // The run model of `sweep --dry-run` (estimate.ts's runSeconds, tested there), times the margin;
  // 2 runs on 2 cores: no slowdown.
  const sacCfg = { ...parseTrainArgs(sac0.trainArgs.slice(1)).config, totalSteps: 10_000 };
  assert.ok(Math.abs(first - runSeconds(sacCfg, 0, rates) * MEASURED_MARGIN) < 1e-9);
  // 4 runs on 2 cores share them: twice as long.
  const crowded = new SweepRunTimes({ steps: 10_000, parallel: 4, cores: 2, measure: async () => rates });
  assert.ok(Math.abs((await crowded.estimateSec(sac0, 0)) - 2 * first) < 1e-9);
  const again = await times.estimateSec(sac1, 0);
  assert.equal(first, again, 'same cost class, same estimate');
  assert.deepEqual(measuredFor, ['sac'], 'one measurement per cost class');
  await times.estimateSec(rpp0, 0);
  assert.deepEqual(measuredFor, ['sac', 'rpp-sac']);
  assert.ok(first > 0);
  // Half the steps left: less time (random phase and evaluations aside, about half).
  assert.ok((await times.estimateSec(sac0, 5000)) < first);

  // After an observed run: 10 000 steps in 500 s -> 0.05 s/step for the rest of that class.
  times.observe(sac0, 0, 10_000, 500);
  assert.equal(await times.estimateSec(sac1, 0), 10_000 * 0.05 * OBSERVED_MARGIN);
  assert.equal(await times.estimateSec(sac1, 4000), 6000 * 0.05 * OBSERVED_MARGIN);
  assert.ok(MEASURED_MARGIN > 1);
});

test('SweepRunTimes: runs that finished correct the measured estimate of classes that have not (rates measured under load read slow)', async () => {
  const config = resolveSweepConfig({ env: 'Hopper-v5', agents: 'sac,rpp-sac', seeds: '0-1', steps: 10_000, parallel: 2, out: join(root, 'calibrated') });
  const plans = planRuns(config, config.out);
  const sac0 = plans.find((p) => p.agent === 'sac' && p.seed === 0)!;
  const rpp0 = plans.find((p) => p.agent === 'rpp-sac' && p.seed === 0)!;
  const cfgOf = (p: typeof sac0) => ({ ...parseTrainArgs(p.trainArgs.slice(1)).config, totalSteps: 10_000 });
  // What runs really cost, per class, and what a measurement taken while the cores are busy reads: 2x slow.
  const truth: Record<string, MeasuredRates> = {
    sac: { envStepSec: 1e-4, actSec: 1e-3, evalActSec: 1e-4, updateSec: 0.02 },
    'rpp-sac': { envStepSec: 1e-4, actSec: 2e-3, evalActSec: 2e-4, updateSec: 0.03 },
  };
  const slow = (r: MeasuredRates): MeasuredRates => ({ envStepSec: 2 * r.envStepSec, actSec: 2 * r.actSec, evalActSec: 2 * r.evalActSec, updateSec: 2 * r.updateSec });
  const times = new SweepRunTimes({ steps: 10_000, parallel: 2, cores: 2, measure: async (cfg) => slow(truth[cfg.agent]!) });
  const rppTrue = runSeconds(cfgOf(rpp0), 0, truth['rpp-sac']!);
  // Before any run has finished: the measurement with the fixed margin, 2x slow.
  const before = await times.estimateSec(rpp0, 0);
  assert.ok(Math.abs(before - 2 * rppTrue * MEASURED_MARGIN) < 1e-6 * rppTrue);
  // A SAC run resumed at 4000 steps finishes in what its true rates say.
  await times.estimateSec(sac0, 4000);
  const sacTrue = runSeconds(cfgOf(sac0), 4000, truth.sac!);
  times.observe(sac0, 4000, 10_000, sacTrue);
  // RPP-SAC has not finished a run, but its estimate now carries SAC's observed/measured ratio (0.5).
  const after = await times.estimateSec(rpp0, 0);
  assert.ok(Math.abs(after - rppTrue * OBSERVED_MARGIN) < 1e-6 * rppTrue, `calibrated ${after} s vs true ${rppTrue} s x ${OBSERVED_MARGIN}`);
  // A run that never was measured for (its measurement failed) is left out of the calibration, not a crash.
  const failing = new SweepRunTimes({ steps: 10_000, parallel: 2, cores: 2, measure: async (cfg) => { if (cfg.agent === 'sac') throw new Error('no'); return truth['rpp-sac']!; } });
  failing.observe(sac0, 0, 10_000, 100);
  assert.ok(Math.abs((await failing.estimateSec(rpp0, 0)) - rppTrue * MEASURED_MARGIN) < 1e-6 * rppTrue);
});

test('sweep --time-limit on the CLI: bad durations are user errors naming the fix', () => {
  const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'sweep', '--env', 'Hopper-v5', '--agents', 'sac', '--seeds', '0', '--steps', '1000', '--time-limit', '2 hours', '--out', join(root, 'cli')], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--time-limit.*Duration "2 hours" is not a positive time; use e\.g\. 2h45m/);
  const fill = spawnSync(process.execPath, ['--import', 'tsx', cli, 'sweep', '--env', 'Hopper-v5', '--agents', 'sac', '--seeds', '0', '--steps', '1000', '--fill-to-limit', '--out', join(root, 'cli')], { encoding: 'utf8' });
  assert.equal(fill.status, 2);
  assert.match(fill.stderr, /--fill-to-limit needs --time-limit/);
});

test('an error in the sweep itself (here the estimator) stops the other runs with a checkpoint, writes the manifest and names the fix', async () => {
  const out = join(root, 'error');
  const config = resolveSweepConfig({ env: 'Hopper-v5', agents: 'sac', seeds: '0-1', steps: 1000, parallel: 2, out });
  const env = { ...process.env, FAKE_TRAIN_SLEEP_MS: '300', FAKE_TRAIN_EVALS: '10' };
  const est: RunTimeEstimator = {
    async estimateSec(plan: PlannedRun) {
      // Seed 1's worker fails while seed 0's run is under way.
      if (plan.seed === 1) {
        await new Promise((r) => setTimeout(r, 800));
        throw new Error('rate measurement failed');
      }
      return 1;
    },
    observe() {},
  };
  await assert.rejects(
    runSweep({ config, trainCommand, logger, env, timeLimit: { deadlineMs: Date.now() + 600_000, estimator: est } }),
    /rate measurement failed.*run the same command again to resume/,
  );
  const m = readManifest(out);
  assert.equal(m?.stoppedBy, 'error');
  assert.equal(m?.state, 'interrupted');
  assert.deepEqual(m?.runs.map((x) => x.state), ['interrupted', 'interrupted']);
  const s = status(join(out, 'Hopper-v5/sac/seed-0'));
  assert.equal(s.state, 'interrupted');
  assert.ok(s.step > 0 && s.step < 1000, `checkpointed part-way (step ${s.step})`);
});
