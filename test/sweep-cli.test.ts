import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sweepInputFromCli } from '../src/cli/sweep.js';
import { compareSweep } from '../src/compare/compare-sweep.js';
import { createLogger } from '../src/logging.js';
import { runSweep } from '../src/sweep/run-sweep.js';
import { resolveSweepConfig } from '../src/sweep/sweep-config.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const fakeTrain = fileURLToPath(new URL('./fixtures/fake-train.mjs', import.meta.url));
let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function cli(script: 'sweep' | 'compare', args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'scripts', `${script}.ts`), ...args], {
    cwd: repo,
    env: { ...process.env, RPP_SAC_LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('sweep from a config file with CLI overrides and extra train flags, then compare', () => {
  const out = join(root, 'sweep');
  const calls = join(root, 'calls.jsonl');
  const config = join(root, 'small.yaml');
  writeFileSync(config, 'env: Hopper-v5\nagents: [sac, rpp-sac]\nseeds: 0-1\nsteps: 2e3\nparallel: 1\ntrainArgs: ["--eval-every", "400"]\n');
  const r = cli('sweep', ['--config', config, '--parallel', '2', '--out', out, '--train-command', `${process.execPath} ${fakeTrain}`, '--', '--batch-size', '64'], {
    FAKE_TRAIN_CALLS: calls,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^finished: 4 trained, 0 skipped, 0 failed of 4 runs/m);
  const argv = readFileSync(calls, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { argv: string[] }).argv);
  assert.equal(argv.length, 4);
  // File trainArgs first, then the flags after --.
  assert.deepEqual(argv[0].slice(-4), ['--eval-every', '400', '--batch-size', '64']);
  const manifest = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { config: { parallel: number; name: string } };
  assert.equal(manifest.config.parallel, 2, 'CLI --parallel overrides the file');
  assert.equal(manifest.config.name, 'small');

  // The same train flags as the runs were trained with (other flags are refused: test/cli-refusals.test.ts).
  const dry = cli('sweep', ['--config', config, '--out', out, '--train-command', `${process.execPath} ${fakeTrain}`, '--dry-run', '--', '--batch-size', '64']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(dry.stdout.trim().split('\n').filter((l) => l.startsWith('skip ')).length, 4);

  const c = cli('compare', [out, '--threshold', '500', '--no-png', '--resamples', '200', '--curve-resamples', '50']);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /Hopper-v5 \(at step 2000\):\n {2}RPP-SAC's final return is higher than SAC's/);
  assert.ok(existsSync(join(out, 'compare', 'report.md')));
  const plots = readdirSync(join(out, 'compare', 'plots'));
  assert.ok(plots.includes('Hopper-v5-return-curves.svg'));
  assert.equal(plots.filter((p) => p.endsWith('.png')).length, 0, '--no-png');
});

test('bad input gets one clear error line and exit code 1', async () => {
  const bad = join(root, 'bad.yaml');
  writeFileSync(bad, 'env: Hopper-v5\nagents: sac\nseeds: 0\nsteps: 10\nseed: 3\n');
  const r = cli('sweep', ['--config', bad, '--train-command', 'true']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Invalid sweep config .*bad\.yaml:\n✖ Unrecognized key: "seed"/);
  // The other messages in-process (each CLI process costs seconds of tsx start-up).
  assert.throws(() => sweepInputFromCli({ env: 'Hopper-v5' }, []), /sweep needs --agents, --seeds, --steps/);
  await assert.rejects(compareSweep(join(root, 'nope')), /does not exist/);
});

test('SIGTERM stops the sweep: runs checkpoint as interrupted, exit code 130, re-run resumes', async () => {
  const out = join(root, 'term');
  const args = ['--env', 'Hopper-v5', '--agents', 'sac', '--seeds', '0-1', '--steps', '1000', '--parallel', '2', '--out', out, '--train-command', `${process.execPath} ${fakeTrain}`];
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'scripts', 'sweep.ts'), ...args], {
    cwd: repo,
    env: { ...process.env, RPP_SAC_LOG_LEVEL: 'warn', FAKE_TRAIN_SLEEP_MS: '100', FAKE_TRAIN_EVALS: '20' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  // Wait until both runs have evaluated once, then terminate the sweep.
  const statusOf = (s: string) => {
    try {
      return JSON.parse(readFileSync(join(out, 'Hopper-v5/sac', s, 'status.json'), 'utf8')) as { state: string; step: number };
    } catch {
      return null;
    }
  };
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline && !['seed-0', 'seed-1'].every((s) => (statusOf(s)?.step ?? 0) > 0)) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  assert.equal(await exited, 130);
  assert.match(stdout, /^interrupted: 0 trained/m);
  assert.equal(statusOf('seed-0')?.state, 'interrupted');
  // Re-run in-process with the same flags (same sweep dir and config).
  const again = await runSweep({
    config: resolveSweepConfig(sweepInputFromCli({ env: 'Hopper-v5', agents: 'sac', seeds: '0-1', steps: '1000', parallel: 2, out }, [])),
    trainCommand: [process.execPath, fakeTrain],
    logger: createLogger({ silent: true }),
  });
  assert.equal(again.finished, 2);
  const manifest = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { runs: { actions: string[] }[] };
  assert.deepEqual(manifest.runs.map((r) => r.actions), [['resume'], ['resume']]);
});
