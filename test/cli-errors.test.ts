/**
 * User errors: a clear one-line message naming the problem and the fix, a non-zero
 * exit code, and no stack trace. All spawned at once (they fail before training).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rpp-sac-cli-err-'));
  writeFileSync(join(dir, 'unknown-key.yaml'), 'env: InvertedPendulum-v5\ngama: 0.9\n');
  writeFileSync(join(dir, 'wrong-type.json'), JSON.stringify({ env: 'InvertedPendulum-v5', batchSize: 'big' }));
  writeFileSync(join(dir, 'broken.yaml'), 'env: [unclosed\n');
  writeFileSync(join(dir, 'ok.yaml'), 'env: InvertedPendulum-v5\ngamma: 0.95\n');
  mkdirSync(join(dir, 'done-run'));
  writeFileSync(join(dir, 'done-run', 'config.json'), JSON.stringify({ env: 'InvertedPendulum-v5', totalSteps: 100 }));
  writeFileSync(join(dir, 'done-run', 'status.json'), JSON.stringify({ state: 'finished', step: 100, totalSteps: 100, updatedAt: '' }));
});

after(() => rmSync(dir, { recursive: true, force: true }));

function assertNoStack(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, `stack trace printed:\n${stderr}`);
}

test('malformed configs, unknown env and bad flag values are reported clearly', async () => {
  const out = join(dir, 'never');
  const [unknownKey, wrongType, broken, unknownEnv, badFlag, badBackend, missingEnv, badResume, finishedResume, badStopAt] = await Promise.all([
    run(['train', '--config', join(dir, 'unknown-key.yaml'), '--out', out]),
    run(['train', '--config', join(dir, 'wrong-type.json'), '--out', out]),
    run(['train', '--config', join(dir, 'broken.yaml'), '--out', out]),
    run(['train', '--config', join(dir, 'ok.yaml'), '--env', 'Walker3d-v5', '--out', out]),
    run(['train', '--env', 'InvertedPendulum-v5', '--gamma', '1.5', '--out', out]),
    run(['train', '--env', 'InvertedPendulum-v5', '--backend', 'gpu9000', '--out', out]),
    run(['train', '--steps', '1e3', '--out', out]),
    run(['resume', join(dir, 'no-such-run')]),
    run(['resume', join(dir, 'done-run')]),
    run(['train', '--env', 'InvertedPendulum-v5', '--stop-at', '1.5', '--out', out]),
  ]);

  assert.equal(unknownKey.code, 2);
  assert.match(unknownKey.stderr, /unknown key 'gama' \(did you mean 'gamma'\?\)/);
  assert.match(unknownKey.stderr, /unknown-key\.yaml/);

  assert.equal(wrongType.code, 2);
  assert.match(wrongType.stderr, /'batchSize': Invalid input: expected number, received string/);

  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /broken\.yaml is not valid YAML/);

  assert.notEqual(unknownEnv.code, 0);
  assert.match(unknownEnv.stderr, /Unknown env 'Walker3d-v5'.*Walker2d-v5/);

  assert.notEqual(badFlag.code, 0);
  assert.match(badFlag.stderr, /--gamma 1\.5: .*(<=|less than or equal)/i);

  assert.notEqual(badBackend.code, 0);
  assert.match(badBackend.stderr, /Unknown backend 'gpu9000'. Choose one of: auto/);

  assert.equal(missingEnv.code, 2);
  assert.match(missingEnv.stderr, /No environment given. Pass --env/);

  assert.equal(badResume.code, 2);
  assert.match(badResume.stderr, /is not a run directory/);

  assert.equal(finishedResume.code, 2);
  assert.match(finishedResume.stderr, /already finished its 100 steps.*--steps/);

  assert.equal(badStopAt.code, 2);
  assert.match(badStopAt.stderr, /--stop-at 1\.5: expected a positive integer/);

  for (const r of [unknownKey, wrongType, broken, unknownEnv, badFlag, badBackend, missingEnv, badResume, finishedResume, badStopAt]) assertNoStack(r.stderr);
  assert.equal(existsSync(out), false); // nothing written for a rejected command
});

test('--help documents every hyperparameter with its default', async () => {
  const r = await run(['train', '--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--gamma', '--tau', '--batch-size', '--learning-starts', '--gradient-steps', '--actor-equiv-wd', '--grad-clip-norm', '--target-entropy', '--num-envs', '--steps', '--checkpoint-every']) {
    assert.ok(r.stdout.includes(flag), `missing ${flag}`);
  }
  assert.match(r.stdout.replace(/\s+/g, ' '), /key: gamma; default: 0\.99/);
});
