import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGridAxis, parseSeeds, parseSteps, formatNumber } from '../src/sweep/parse-values.js';
import { readSweepFile, resolveSweepConfig } from '../src/sweep/sweep-config.js';
import { gridFlag, gridLabel, parseGridLabel, planRuns } from '../src/sweep/plan.js';
import { defaultTrainCommand, parseTrainCommand } from '../src/sweep/train-command.js';
import { formatDuration, progressSnapshot, type StepProgress } from '../src/sweep/progress.js';
import type { SweepRunEntry } from '../src/sweep/manifest.js';
import { isAbsolute } from 'node:path';

test('seed, step and grid syntax', () => {
  assert.deepEqual(parseSeeds('0-4'), [0, 1, 2, 3, 4]);
  assert.deepEqual(parseSeeds('0-2,7,1'), [0, 1, 2, 7]);
  assert.deepEqual(parseSeeds(3), [3]);
  assert.throws(() => parseSeeds('4-0'), /backwards/);
  assert.throws(() => parseSeeds('a'), /non-negative integer/);
  assert.equal(parseSteps('3e5'), 300000);
  assert.equal(parseSteps('1_000'), 1000);
  assert.throws(() => parseSteps('1.5'), /positive integer/);
  assert.deepEqual(parseGridAxis('equiv_wd=1e-6,1e-4'), ['equiv_wd', [1e-6, 1e-4]]);
  assert.throws(() => parseGridAxis('equiv_wd'), /name=v1,v2/);
  assert.throws(() => parseGridAxis('equiv_wd=x'), /not a number/);
  assert.equal(formatNumber(1e-6), '1e-6');
  assert.equal(formatNumber(300000), '3e5');
  assert.equal(formatNumber(0.01), '0.01');
  // Paper names map to the actor's prior strengths; other names follow the train CLI's kebab-case rule.
  assert.equal(gridFlag('equiv_wd'), '--actor-equiv-wd');
  assert.equal(gridFlag('basicWd'), '--actor-basic-wd');
  assert.equal(gridFlag('cbasic_wd'), '--critic-basic-wd');
  assert.equal(gridFlag('criticEquivWd'), '--critic-equiv-wd');
  assert.equal(gridFlag('batch_size'), '--batch-size');
  assert.equal(gridFlag('--lr'), '--lr');
  assert.deepEqual(parseTrainCommand('node  a.js'), ['node', 'a.js']);
  assert.deepEqual(parseTrainCommand('["my node","a b.js"]'), ['my node', 'a b.js']);
  // The default command runs this checkout's CLI through tsx by absolute paths (no cwd dependence).
  const saved = process.env.RPP_SAC_TRAIN_COMMAND;
  delete process.env.RPP_SAC_TRAIN_COMMAND;
  const def = defaultTrainCommand();
  if (saved !== undefined) process.env.RPP_SAC_TRAIN_COMMAND = saved;
  assert.equal(def[0], process.execPath);
  assert.ok(def.every((p, i) => i === 0 || p.startsWith('--') || p.startsWith('file://') || isAbsolute(p)), def.join(' '));
});

test('plan: seed-major (seed x env x agent x grid point), grid only for non-SAC agents by default', () => {
  const config = resolveSweepConfig({
    env: 'Walker2d-v5',
    agents: 'sac,rpp-sac',
    seeds: '0-1',
    steps: '1e3',
    grid: { equiv_wd: [1e-6, 1e-4], basic_wd: [1e-6, 1e-2] },
    trainArgs: ['--eval-every', '100'],
  });
  assert.equal(config.name, 'Walker2d-v5_sac+rpp-sac_1000_grid-equiv_wd+basic_wd');
  assert.deepEqual(config.gridAgents, ['rpp-sac']);
  const runs = planRuns(config, '/s');
  assert.equal(runs.length, 2 + 4 * 2);
  assert.deepEqual(
    runs.map((r) => r.id).slice(0, 4),
    ['Walker2d-v5/sac/seed-0', 'Walker2d-v5/rpp-sac/equiv_wd=1e-6,basic_wd=1e-6/seed-0', 'Walker2d-v5/rpp-sac/equiv_wd=1e-6,basic_wd=0.01/seed-0', 'Walker2d-v5/rpp-sac/equiv_wd=1e-4,basic_wd=1e-6/seed-0'],
  );
  assert.deepEqual(runs.map((r) => r.seed), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  const r = runs[7];
  assert.equal(r.gridLabel, 'equiv_wd=1e-6,basic_wd=0.01');
  assert.deepEqual(r.trainArgs, [
    'train', '--env', 'Walker2d-v5', '--agent', 'rpp-sac', '--seed', '1', '--steps', '1000', '--out', join('/s', r.id),
    '--actor-equiv-wd', '1e-6', '--actor-basic-wd', '0.01', '--eval-every', '100',
  ]);
  assert.deepEqual(parseGridLabel(r.gridLabel ?? ''), { equiv_wd: 1e-6, basic_wd: 0.01 });
  assert.equal(parseGridLabel('seed-0'), null);
  assert.equal(gridLabel({ a: 3e-7 }), 'a=3e-7');
  assert.throws(() => resolveSweepConfig({ env: 'X', agents: 'sac,emlp-sac', seeds: 0, steps: 10, grid: { equiv_wd: [1] } }), /no agent takes it/);
  assert.deepEqual(resolveSweepConfig({ env: 'X', agents: 'sac,rpp-sac,emlp-sac', seeds: 0, steps: 10, grid: { equiv_wd: [1] } }).gridAgents, ['rpp-sac']);
  assert.deepEqual(
    resolveSweepConfig({ env: 'X', agents: 'sac,rpp-sac', seeds: 0, steps: 10, grid: { lr: [1e-3] }, gridAgents: 'sac,rpp-sac' }).gridAgents,
    ['sac', 'rpp-sac'],
  );
  assert.throws(() => resolveSweepConfig({ env: 'X', agents: 'sac', seeds: 0, steps: 10, gridAgents: 'rpp-sac' }), /not among/);
});

test('variants: a named kind + flags, planned into its own directory; grids skip variants of sac/emlp-sac by default', () => {
  const config = resolveSweepConfig({
    env: 'Walker2d-v5',
    agents: 'sac,sac-matched,rpp-sac,rpp-wd',
    variants: { 'rpp-wd': { agent: 'rpp-sac', trainArgs: ['--actor-basic-wd', '0.01'] } },
    seeds: 0,
    steps: 100,
    grid: { equiv_wd: [1e-6, 1e-4] },
    trainArgs: ['--eval-every', '50', '--actor-init', 'orthogonal'],
  });
  assert.deepEqual(config.gridAgents, ['rpp-sac', 'rpp-wd']);
  assert.deepEqual(Object.keys(config.variants), ['sac', 'sac-matched', 'rpp-sac', 'rpp-wd']);
  const runs = planRuns(config, '/s');
  assert.deepEqual(runs.map((r) => `${r.id} ${r.kind}`), [
    'Walker2d-v5/sac/seed-0 sac',
    'Walker2d-v5/sac-matched/seed-0 sac',
    'Walker2d-v5/rpp-sac/equiv_wd=1e-6/seed-0 rpp-sac',
    'Walker2d-v5/rpp-sac/equiv_wd=1e-4/seed-0 rpp-sac',
    'Walker2d-v5/rpp-wd/equiv_wd=1e-6/seed-0 rpp-sac',
    'Walker2d-v5/rpp-wd/equiv_wd=1e-4/seed-0 rpp-sac',
  ]);
  // The variant's flags come after the sweep's trainArgs, so they win (--actor-init given twice: lecun is read last).
  assert.deepEqual(runs[1].trainArgs, [
    'train', '--env', 'Walker2d-v5', '--agent', 'sac', '--seed', '0', '--steps', '100', '--out', join('/s', 'Walker2d-v5/sac-matched/seed-0'),
    '--eval-every', '50', '--actor-init', 'orthogonal', '--actor-activation', 'swish', '--actor-init', 'lecun',
  ]);
  assert.deepEqual(runs[4].trainArgs.slice(3, 5), ['--agent', 'rpp-sac']);
  assert.deepEqual(runs[4].trainArgs.slice(-8), ['--actor-equiv-wd', '1e-6', '--eval-every', '50', '--actor-init', 'orthogonal', '--actor-basic-wd', '0.01']);
  const base = { env: 'X', seeds: 0, steps: 10 };
  assert.throws(() => resolveSweepConfig({ ...base, agents: 'sac,ppo' }), /Unknown agent "ppo": use a kind \(sac, rpp-sac, emlp-sac\) or a variant \(sac-matched/);
  assert.throws(() => resolveSweepConfig({ ...base, agents: 'x', variants: { x: { agent: 'td3', trainArgs: [] } } }), /agent "td3" is not an agent kind/);
  assert.throws(() => resolveSweepConfig({ ...base, agents: 'sac', variants: { sac: { agent: 'sac', trainArgs: [] } } }), /has the name of an agent kind/);
  assert.throws(() => resolveSweepConfig({ ...base, agents: 'x', variants: { x: { agent: 'sac', trainArgs: ['--seed', '3'] } } }), /sets --seed, which the sweep plans/);
  assert.throws(() => resolveSweepConfig({ ...base, agents: 'X Y', variants: { 'X Y': { agent: 'sac', trainArgs: [] } } }), /must be lower-case/);
});

test('sweep config file: YAML validated, unknown keys are errors naming the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-config-'));
  const good = join(dir, 'prior-grid.yaml');
  writeFileSync(good, 'env: Hopper-v5\nagents: [sac, rpp-sac]\nseeds: 0-2\nsteps: 3e5\nparallel: 2\ngrid:\n  equiv_wd: [1e-6, 1e-4]\n');
  const cfg = resolveSweepConfig(readSweepFile(good));
  assert.equal(cfg.name, 'prior-grid');
  assert.equal(cfg.out, 'runs/sweeps/prior-grid');
  assert.equal(cfg.steps, 300000);
  assert.deepEqual(cfg.seeds, [0, 1, 2]);
  assert.deepEqual(cfg.grid, { equiv_wd: [1e-6, 1e-4] });
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'env: Hopper-v5\nagents: sac\nseeds: 0\nsteps: 100\nparalel: 2\n');
  assert.throws(() => readSweepFile(bad), /Unrecognized key: "paralel"/);
  const badType = join(dir, 'bad2.yaml');
  writeFileSync(badType, 'env: Hopper-v5\nagents: sac\nseeds: 0\nsteps: 100\nparallel: two\n');
  assert.throws(() => readSweepFile(badType), /parallel/);
  const withVariant = join(dir, 'v.yaml');
  writeFileSync(withVariant, 'env: Hopper-v5\nagents: [sac, big]\nvariants:\n  big: { agent: sac, trainArgs: [--hidden, "400,300"] }\nseeds: 0\nsteps: 100\n');
  assert.deepEqual(resolveSweepConfig(readSweepFile(withVariant)).variants.big, { agent: 'sac', trainArgs: ['--hidden', '400,300'] });
  writeFileSync(withVariant, 'env: Hopper-v5\nagents: [big]\nvariants:\n  big: { agent: sac, flags: [] }\nseeds: 0\nsteps: 100\n');
  assert.throws(() => readSweepFile(withVariant), /flags/);
  rmSync(dir, { recursive: true, force: true });
});

test('progress line: done/total, running, failed and a step-based ETA', () => {
  const entry = (id: string, state: SweepRunEntry['state'], durationSec: number | null = null): SweepRunEntry => ({
    id, env: 'E', agent: 'sac', seed: 0, grid: null, gridLabel: null, dir: id, state, attempts: 1, actions: [], exitCode: null,
    error: null, log: '', startedAt: null, endedAt: null, durationSec,
  });
  const runs = [entry('a', 'finished', 100), entry('b', 'skipped'), entry('c', 'running'), entry('d', 'pending'), entry('e', 'failed')];
  // 'c' went from 0 to 500 of 1000 steps in this session; 'a' did 1000; 'd' has 1000 to go.
  const steps = new Map<string, StepProgress>([
    ['a', { startStep: 0, currentStep: 1000, totalSteps: 1000 }],
    ['c', { startStep: 0, currentStep: 500, totalSteps: 1000 }],
    ['d', { startStep: 0, currentStep: 0, totalSteps: 1000 }],
  ]);
  // 1500 steps in 150 s = 10 steps/s; 1500 steps remain -> 150 s.
  const p = progressSnapshot(runs, steps, 150, 2);
  assert.equal(p.etaSec, 150);
  assert.equal(p.message, 'sweep: 2/5 done (1 skipped), 1 running, 1 failed, ETA 2m30s');
  // Before any step is reported: mean duration of finished runs x open runs / parallel.
  const early = progressSnapshot(runs, new Map(), 0, 2);
  assert.equal(early.etaSec, (100 * 2) / 2);
  // Random-action steps (before learningStarts) are ~100x cheaper than update steps and do not
  // count: 'c' ran 0 -> 500 with learningStarts 400, so 100 update steps in 100 s; 'c' has 500
  // and 'd' 600 update steps to go -> 1100 s. (Counting all 500 steps would say 220 s.)
  const ls = (m: Map<string, StepProgress>): Map<string, StepProgress> => new Map([...m].map(([k, v]) => [k, { ...v, learningStarts: 400 }]));
  const fresh = new Map(steps);
  fresh.delete('a');
  assert.equal(progressSnapshot(runs, ls(fresh), 100, 2).etaSec, 1100);
  // Still in the random phase: no update step seen yet -> the finished runs' mean duration.
  fresh.set('c', { startStep: 0, currentStep: 300, totalSteps: 1000 });
  assert.equal(progressSnapshot(runs, ls(fresh), 10, 2).etaSec, (100 * 2) / 2);
  assert.equal(formatDuration(3725), '1h02m');
  // With a time limit the ETA runs past, the line says when the limit comes; within it, nothing more.
  assert.equal(progressSnapshot(runs, steps, 150, 2, 60).message, 'sweep: 2/5 done (1 skipped), 1 running, 1 failed, ETA 2m30s, time limit in 1m00s (the runs left then resume next time)');
  assert.equal(progressSnapshot(runs, steps, 150, 2, 3600).message, 'sweep: 2/5 done (1 skipped), 1 running, 1 failed, ETA 2m30s');
});
