import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { presetsDir, readPreset, resolveRunConfig, readConfigFile, RunConfigSchema } from '../src/run/run-config.js';
import { addConfigOptions, coerceFlagValue, configFromFlags, flagOf } from '../src/cli/config-flags.js';
import { SacConfigSchema } from '../agents/sac-config.js';
import { RunDir } from '../src/run/run-dir.js';

const made: string[] = [];
const tempDir = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
};
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('run config resolution', () => {
  test('defaults < preset < file < flags', () => {
    const cfg = resolveRunConfig({ preset: { env: 'Swimmer-v5', gamma: 0.999, totalSteps: 5 }, file: { totalSteps: 7, tau: 0.01 }, flags: { tau: 0.02 } });
    assert.equal(cfg.env, 'Swimmer-v5');
    assert.equal(cfg.gamma, 0.999);
    assert.equal(cfg.totalSteps, 7);
    assert.equal(cfg.tau, 0.02);
    assert.equal(cfg.batchSize, 256);
    assert.ok(Object.isFrozen(cfg));
  });

  test('every preset parses and names its own env', () => {
    const files = readdirSync(presetsDir()).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 9);
    for (const f of files) {
      const id = f.replace(/\.yaml$/, '');
      assert.equal(resolveRunConfig({ preset: readPreset(id) }).env, id);
    }
    assert.equal(resolveRunConfig({ preset: readPreset('Swimmer-v5') }).gamma, 0.999);
    assert.equal(resolveRunConfig({ preset: readPreset('Humanoid-v5') }).totalSteps, 2_000_000);
    assert.throws(() => readPreset('Nope-v5'), /No preset 'Nope-v5'.*Available presets: .*Walker2d-v5/);
  });

  test('config files: JSON and YAML, unknown keys and wrong types named', () => {
    const dir = tempDir('rpp-sac-cfg-');
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ env: 'Hopper-v5', hidden: [64, 64] }));
    assert.deepEqual(readConfigFile(join(dir, 'a.json')), { env: 'Hopper-v5', hidden: [64, 64] });
    writeFileSync(join(dir, 'b.yml'), 'batchSzie: 128\nhidden: [1.5]\n');
    assert.throws(() => readConfigFile(join(dir, 'b.yml')), (e: Error) => /unknown key 'batchSzie' \(did you mean 'batchSize'\?\)/.test(e.message) && /'hidden.0'/.test(e.message));
    assert.throws(() => resolveRunConfig({ flags: { gamma: 0.9 } }), /No environment given/);
    assert.throws(() => resolveRunConfig({ flags: { env: 'Hopper-v5', logStdMin: 3 } }), /logStdMin \(3\) must be below logStdMax/);
  });
});

describe('flags from the schema', () => {
  test('one flag per field, each documented with its default', () => {
    const cmd = new Command('train');
    addConfigOptions(cmd);
    const longs = cmd.options.map((o) => o.long);
    for (const key of Object.keys(RunConfigSchema.shape)) assert.ok(longs.includes(`--${flagOf(key)}`), `no flag for ${key}`);
    assert.equal(longs.length, Object.keys(RunConfigSchema.shape).length);
    assert.ok(Object.keys(SacConfigSchema.shape).every((k) => longs.includes(`--${flagOf(k)}`)));
    const gamma = cmd.options.find((o) => o.long === '--gamma')!;
    assert.match(gamma.description, /default: 0\.99/);
  });

  test('values are coerced to what the field accepts', () => {
    const sh = RunConfigSchema.shape;
    assert.equal(coerceFlagValue('1e6', sh.totalSteps, 'steps'), 1_000_000);
    assert.deepEqual(coerceFlagValue('64,64', sh.hidden, 'hidden'), [64, 64]);
    assert.deepEqual(coerceFlagValue('128', sh.hidden, 'hidden'), [128]);
    assert.equal(coerceFlagValue('none', sh.gradClipNorm, 'grad-clip-norm'), null);
    assert.equal(coerceFlagValue('0.5', sh.gradClipNorm, 'grad-clip-norm'), 0.5);
    assert.equal(coerceFlagValue('paper', sh.targetEntropy, 'target-entropy'), 'paper');
    assert.equal(coerceFlagValue('-3', sh.targetEntropy, 'target-entropy'), -3);
    assert.equal(coerceFlagValue('true', sh.rppCritic, 'rpp-critic'), true);
    assert.equal(coerceFlagValue('rpp-sac', sh.agent, 'agent'), 'rpp-sac');
    assert.throws(() => coerceFlagValue('1.5', sh.batchSize, 'batch-size'), /--batch-size 1.5: .*expected int/i);
    assert.throws(() => coerceFlagValue('ppo', sh.agent, 'agent'), /--agent ppo:/);
  });

  test('parsed flags map back to config keys (only those given)', async () => {
    const cmd = new Command('train').exitOverride();
    addConfigOptions(cmd);
    cmd.action(() => undefined);
    await cmd.parseAsync(['--steps', '2e4', '--batch-size', '64', '--rpp-critic', '--env', 'Ant-v5'], { from: 'user' });
    assert.deepEqual(configFromFlags(cmd.opts()), { env: 'Ant-v5', totalSteps: 20000, batchSize: 64, rppCritic: true });
  });
});

describe('run directory writer', () => {
  test('CSV mirrors JSONL; truncateAfter drops later records and torn lines', () => {
    const dir = tempDir('rpp-sac-rundir-');
    const run = RunDir.create(dir);
    for (const s of [10, 20, 30]) run.appendEpisode({ step: s, return: s / 10, length: s });
    run.appendEvaluation({ step: 20, meanReturn: 1, stdReturn: 0, returns: [1, 1], meanLength: 5, equivError: null, alpha: 0.5, criticLoss: null, actorLoss: 2, stepsPerSec: 100, wallTime: 3 });
    assert.equal(readFileSync(run.path('evaluationsCsv'), 'utf8'), 'step,meanReturn,stdReturn,meanLength,equivError,equivErrorStd,alpha,criticLoss,actorLoss,stepsPerSec,wallTime\n20,1,0,5,,,0.5,,2,100,3\n');
    writeFileSync(run.path('episodesJsonl'), readFileSync(run.path('episodesJsonl'), 'utf8') + '{"step": 40, "ret');
    assert.deepEqual(run.truncateAfter(20), { episodes: 2, evaluations: 1 });
    assert.equal(readFileSync(run.path('episodesCsv'), 'utf8'), 'step,return,length\n10,1,10\n20,2,20\n');
    run.writeJson('config', { env: 'X' });
    assert.throws(() => RunDir.create(dir), /already holds a run .*rpp-sac resume/);
  });
});

describe('progress without a TTY', () => {
  test('logs a line with step, percentage, steps/s, ETA and the latest eval return', async () => {
    const { ProgressReporter } = await import('../src/run/progress.js');
    const winston = (await import('winston')).default;
    const { PassThrough } = await import('node:stream');
    const sink = new PassThrough();
    let text = '';
    sink.on('data', (d: Buffer) => (text += d.toString()));
    const logger = winston.createLogger({ transports: [new winston.transports.Stream({ stream: sink, format: winston.format.simple() })] });
    const p = new ProgressReporter({ totalSteps: 1000, startStep: 0, logger, bar: false, logEveryMs: 0 });
    await new Promise((r) => setTimeout(r, 20));
    p.update({ step: 250, lastEvalReturn: 12.5, updates: 150 });
    p.stop();
    await new Promise((r) => setImmediate(r));
    assert.match(text, /step 250\/1000 \(25\.0%\), \d+ steps\/s, ETA \d+m\d\ds, last eval return 12\.5, updates 150/);
  });
});
