/**
 * sweep --dry-run's time estimate (src/sweep/estimate.ts): the run model against sums
 * worked out by hand, the slot schedule, measured rates, and the CLI's listing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from '../agents/checkpoint.js';
import { resolveRunConfig } from '../src/run/run-config.js';
import { measureRates, runSeconds, sweepSeconds } from '../src/sweep/estimate.js';

const repo = fileURLToPath(new URL('..', import.meta.url));

test('a run costs its random-action steps, its update steps and its evaluations at full episode length', () => {
  // InvertedPendulum-v5: 1000-step episodes.
  const cfg = resolveRunConfig({ flags: { env: 'InvertedPendulum-v5', totalSteps: 1000, learningStarts: 200, evalEvery: 300, evalEpisodes: 2 } });
  const rates = { envStepSec: 1e-3, actSec: 2e-3, evalActSec: 1e-3, updateSec: 1e-2 };
  // 200 random steps (0.2 s) + 800 update steps at 13 ms (10.4 s) + 4 evaluations (300, 600, 900, 1000)
  // of 2 episodes x 1000 steps x 2 ms (16 s).
  assert.ok(Math.abs(runSeconds(cfg, 0, rates) - 26.6) < 1e-9, String(runSeconds(cfg, 0, rates)));
  // Resumed at 500: 500 update steps (6.5 s) + 3 evaluations (600, 900, 1000: 12 s).
  assert.ok(Math.abs(runSeconds(cfg, 500, rates) - 18.5) < 1e-9, String(runSeconds(cfg, 500, rates)));
  // Two gradient steps per env step, 4 envs sharing a policy call.
  const utd = { ...cfg, gradientSteps: 2, numEnvs: 4 };
  assert.ok(Math.abs(runSeconds(utd, 1000, rates)) < 1e-12, 'a run at its budget has nothing left');
  assert.ok(Math.abs(runSeconds(utd, 0, rates) - (0.2 + 800 * (1e-3 + 0.5e-3 + 2e-2) + 16)) < 1e-9);
});

test('the sweep runs on parallel slots in the planned order; more slots than cores share them', () => {
  assert.equal(sweepSeconds([10, 10, 10], 2, 2), 20);
  assert.equal(sweepSeconds([30, 10, 10, 10], 2, 2), 30);
  assert.equal(sweepSeconds([10, 10, 10, 10], 4, 2), 20, 'four runs on two cores: twice as long each');
  assert.equal(sweepSeconds([5, 7], 1, 8), 12);
});

test('measured rates: an update of a 64x64 SAC costs more than an env step, all finite and positive', async () => {
  const cfg = resolveRunConfig({ flags: { env: 'InvertedPendulum-v5', hidden: [64, 64], batchSize: 128 } });
  const r = await measureRates(cfg);
  for (const [k, v] of Object.entries(r)) assert.ok(Number.isFinite(v) && v > 0, `${k} = ${v}`);
  assert.ok(r.updateSec > r.envStepSec, JSON.stringify(r));
});

test('sweep --dry-run lists each run with its estimate, counts runs per action and estimates the total; a resumed run costs less', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-estimate-'));
  try {
    const out = join(dir, 'sw');
    // Seed 1 stopped at step 6000 with a checkpoint: the sweep would resume it.
    const resumed = join(out, 'InvertedPendulum-v5', 'sac', 'seed-1');
    mkdirSync(join(resumed, 'checkpoints', 'latest'), { recursive: true });
    writeFileSync(join(resumed, 'status.json'), JSON.stringify({ state: 'interrupted', step: 6100, totalSteps: 12000, updatedAt: '' }));
    writeFileSync(join(resumed, 'checkpoints', 'latest', 'manifest.json'), JSON.stringify({ format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, loop: { step: 6000 } }));
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(repo, 'src', 'cli', 'main.ts'), 'sweep', '--env', 'InvertedPendulum-v5', '--agents', 'sac', '--seeds', '0-1', '--steps', '12000', '--parallel', '2', '--out', out, '--dry-run', '--', '--hidden', '32,32', '--learning-starts', '2000'],
      { cwd: repo, encoding: 'utf8', env: { ...process.env, RPP_SAC_LOG_LEVEL: 'warn' }, timeout: 110_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /measured InvertedPendulum-v5 sac 32,32: update [\d.]+ ms, env step [\d.]+ ms, policy call [\d.]+ ms \(CPU time\)/);
    assert.equal(r.stderr.match(/^measured /gm)?.length, 1, 'one measurement per network shape');
    const minutes = (line: string | undefined): number => {
      const m = /\(~([\d.]+) (s|min|h)\)/.exec(line ?? '');
      assert.ok(m, `no estimate in: ${line}`);
      return Number(m[1]) * { s: 1 / 60, min: 1, h: 60 }[m[2] as 's' | 'min' | 'h'];
    };
    const lines = r.stdout.split('\n');
    const fresh = minutes(lines.find((l) => l.startsWith('train  InvertedPendulum-v5/sac/seed-0')));
    const rest = minutes(lines.find((l) => l.startsWith('resume InvertedPendulum-v5/sac/seed-1')));
    assert.ok(rest < fresh, `resumed from 6000 of 12000 (${rest} min) must cost less than from 0 (${fresh} min)`);
    assert.match(r.stdout, /^2 runs: 1 train, 1 resume$/m);
    assert.match(r.stdout, /^estimated time: [\d.]+ (s|min|h) at --parallel 2 \([\d.]+ (s|min|h) of runs in all; /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sweep --dry-run gives no estimate for --backend webgpu, and says why', () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(repo, 'src', 'cli', 'main.ts'), 'sweep', '--env', 'InvertedPendulum-v5', '--agents', 'sac', '--seeds', '0', '--steps', '12000', '--out', join(tmpdir(), `sweep-estimate-gpu-${process.pid}`), '--dry-run', '--', '--backend', 'webgpu'],
    { cwd: repo, encoding: 'utf8', env: { ...process.env, RPP_SAC_LOG_LEVEL: 'warn' }, timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /no time estimate for --backend webgpu: GPU time cannot be measured as CPU time/);
  assert.doesNotMatch(r.stdout, /estimated time|\(~/);
  assert.match(r.stdout, /^1 run: 1 train$/m);
});
