/**
 * `rpp-sac worker` / `rpp-sac queue-status` as processes on a real
 * redis-server: progress reaches queue-status; SIGTERM hands the running run
 * back to the queue without using an attempt, and the next worker resumes it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { enqueueRuns, queueStatus, type SweepQueueStatus } from '../src/queue/index.js';
import { startTestRedis, type TestRedis } from './fixtures/queue/redis-server.js';

const fixtures = fileURLToPath(new URL('./fixtures/queue/', import.meta.url));
const cliEntry = path.join(fixtures, 'cli-entry.ts');
const trainCommand = JSON.stringify([process.execPath, path.join(fixtures, 'fake-train.mjs')]);

let redis: TestRedis | null = null;
let tmp = '';
const processes: ChildProcess[] = [];

before(async () => {
  redis = await startTestRedis();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rpp-sac-queue-cli-'));
});

after(async () => {
  for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await redis?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cliEntry, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function statusJson(sweep: string): SweepQueueStatus {
  const r = cli(['queue-status', '--queue', redis!.url, '--sweep', sweep, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as SweepQueueStatus;
}

/** Long locks: no worker dies in these tests (SIGTERM hands runs back at once), and a busy machine must not lose live locks. */
function startWorkerCli(name: string, resultsDir: string, env: NodeJS.ProcessEnv = {}, concurrency = 1): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cliEntry, 'worker', '--queue', redis!.url, '--results', resultsDir, '--train-command', trainCommand,
      '--lock-duration', '30000', '--stalled-interval', '10000', '--progress-interval', '200', '--name', name, '--log-level', 'warn', '--concurrency', String(concurrency)],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } },
  );
  processes.push(child);
  return child;
}

test('worker CLI: progress in queue-status, SIGTERM requeues without using an attempt, another worker resumes', { timeout: 90_000 }, async (t) => {
  if (!redis) return t.skip('no redis-server could be started (bash scripts/redis.sh install)');
  const sweep = 'cli-test';
  const resultsDir = path.join(tmp, 'results');
  const runKey = 'Fake-v0/sac/seed-7';
  const runDir = path.join(resultsDir, sweep, runKey);
  await enqueueRuns(redis.url, sweep, [{ runKey, args: ['--steps', '20', '--step-ms', '50', '--seed', '7'], resultsRelDir: `${sweep}/${runKey}` }], { attempts: 2, backoffMs: 200 });

  // W1's trainer holds at step 3 while the hold file exists, so it is certainly mid-run below.
  const holdFile = path.join(tmp, 'hold-W1');
  await fs.writeFile(holdFile, '');
  const w1 = startWorkerCli('W1', resultsDir, { FAKE_TRAIN_HOLD: holdFile, FAKE_TRAIN_HOLD_AFTER: '3' });
  t.after(() => void w1.kill('SIGKILL'));
  await waitFor('W1 to publish progress at step 3', async () => {
    const run = (await queueStatus(redis!.url, sweep)).running[0];
    return run?.progress && run.progress.step === 3 ? run : undefined;
  });
  const running = statusJson(sweep).running[0]!;
  assert.equal(running.progress?.worker, 'W1');
  assert.equal(running.progress?.totalSteps, 20);
  assert.equal(running.progress?.lastEval?.meanReturn, 7000 + running.progress!.lastEval!.step);

  const text = cli(['queue-status', '--queue', redis.url, '--sweep', sweep]);
  assert.match(text.stdout, /0 queued, 1 running, 0 finished, 0 failed/);
  assert.match(text.stdout, /running\s+Fake-v0\/sac\/seed-7 step 3\/20 return 7003\.0 on W1/);

  const exited = new Promise<number | null>((resolve) => w1.once('exit', (code) => resolve(code)));
  w1.kill('SIGTERM');
  assert.equal(await exited, 0);
  const handedBack = await queueStatus(redis.url, sweep);
  assert.deepEqual([handedBack.queued.length, handedBack.running.length], [1, 0], 'the run is back in the queue');
  assert.equal(handedBack.queued[0]!.attemptsMade, 0, 'a clean hand-back does not use an attempt');
  const interrupted = JSON.parse(await fs.readFile(path.join(runDir, 'status.json'), 'utf8')) as { state: string; step: number };
  assert.deepEqual([interrupted.state, interrupted.step], ['interrupted', 3], 'the trainer was stopped with SIGINT and recorded it');

  const w2 = startWorkerCli('W2', resultsDir);
  t.after(() => void w2.kill('SIGKILL'));
  const done = await waitFor('W2 to finish the run', async () => {
    const s = await queueStatus(redis!.url, sweep);
    return s.finished.length === 1 ? s.finished[0] : undefined;
  });
  w2.kill('SIGTERM');
  assert.equal(done.result?.worker, 'W2');
  assert.equal(done.result?.resumed, true);
  const resumes = (await fs.readFile(path.join(runDir, 'resumes.log'), 'utf8')).trim().split('\n');
  assert.equal(resumes.length, 1);
  assert.equal(Number(resumes[0]!.split(' ')[1]), 3);
  const steps = (await fs.readFile(path.join(runDir, 'evaluations.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
  assert.deepEqual(steps, Array.from({ length: 20 }, (_, i) => i + 1));
});

test('worker CLI rejects a non-redis URL with a message naming the expected form', { timeout: 30_000 }, () => {
  const r = cli(['worker', '--queue', 'http://localhost:6379', '--results', path.join(tmp, 'x')]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unsupported scheme http:.*redis:\/\/host:6379/);
});

test('sweep --queue plans the sweep, writes sweep.json, enqueues idempotently; sweep --status follows it; workers train the planned args', { timeout: 90_000 }, async (t) => {
  if (!redis) return t.skip('no redis-server could be started (bash scripts/redis.sh install)');
  const resultsDir = path.join(tmp, 'sweep-results');
  const sweepArgs = ['sweep', '--queue', redis.url, '--results', resultsDir, '--env', 'Fake-v0', '--agents', 'sac,rpp-sac', '--seeds', '0-1', '--steps', '5', '--name', 'qs'];
  const first = cli(sweepArgs);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /sweep qs on redis:\/\/127\.0\.0\.1:\d+: 4 added, 0 already queued/);
  const manifest = JSON.parse(await fs.readFile(path.join(resultsDir, 'qs', 'sweep.json'), 'utf8')) as { runs: { id: string }[] };
  assert.deepEqual(manifest.runs.map((r) => r.id).sort(), ['Fake-v0/rpp-sac/seed-0', 'Fake-v0/rpp-sac/seed-1', 'Fake-v0/sac/seed-0', 'Fake-v0/sac/seed-1']);

  const pending = cli(['sweep', '--status', '--queue', redis.url, '--name', 'qs']);
  assert.match(pending.stdout, /sweep qs: 4 queued, 0 running, 0 finished, 0 failed/);

  const worker = startWorkerCli('W3', resultsDir, {}, 2);
  t.after(() => void worker.kill('SIGKILL'));
  await waitFor('the 4 runs to finish', async () => ((await queueStatus(redis!.url, 'qs')).finished.length === 4 ? true : undefined), 60_000);
  worker.kill('SIGTERM');
  // The worker ran `train <planned args> --out <results>/qs/<run>`: the fake trainer recorded them.
  const config = JSON.parse(await fs.readFile(path.join(resultsDir, 'qs', 'Fake-v0', 'rpp-sac', 'seed-1', 'config.json'), 'utf8')) as { steps: number; seed: number };
  assert.deepEqual([config.steps, config.seed], [5, 1]);
  // Enqueueing again adds nothing: the runs are finished on disk.
  assert.match(cli(sweepArgs).stdout, /0 added, 0 already queued, 0 failed runs retried, 4 finished \(skipped\)/);
});
