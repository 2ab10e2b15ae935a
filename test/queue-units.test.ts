/** The queue's pure parts and the process guard, without Redis. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRedisUrl } from '../src/queue/redis-url.js';
import { parseRunJob, runDirOf, runJobId, runLogOf, type RunJob } from '../src/queue/run-job.js';
import { queueArgs, runJobsOf } from '../src/queue/enqueue-sweep.js';
import { readLastEvaluation, readRunProgress } from '../src/queue/run-dir-state.js';
import { startGuarded, trainInvocation } from '../src/queue/train-process.js';

test('parseRedisUrl: host, port, db, credentials, TLS; clear errors', () => {
  assert.deepEqual(parseRedisUrl('redis://10.0.0.5:6380/2'), { host: '10.0.0.5', port: 6380, db: 2, tls: false });
  assert.deepEqual(parseRedisUrl('redis://localhost'), { host: 'localhost', port: 6379, db: 0, tls: false });
  assert.deepEqual(parseRedisUrl('rediss://user:p%40ss@h:1'), { host: 'h', port: 1, db: 0, tls: true, username: 'user', password: 'p@ss' });
  assert.deepEqual(parseRedisUrl('redis://[::1]:7000'), { host: '::1', port: 7000, db: 0, tls: false });
  assert.throws(() => parseRedisUrl('localhost:6379'), /unsupported scheme localhost:|expected redis:\/\/host:6379/);
  assert.throws(() => parseRedisUrl('not a url'), /Invalid --queue URL/);
  assert.throws(() => parseRedisUrl('redis://h:1/x'), /database index "x"/);
});

const job: RunJob = { sweepId: 's1', runKey: 'Hopper-v5/rpp-sac/equiv_wd=1e-6/seed-3', args: ['--env', 'Hopper-v5'], resultsRelDir: 's1/Hopper-v5/rpp-sac/equiv_wd=1e-6/seed-3' };

test('parseRunJob accepts a run and rejects paths that escape the results dir', () => {
  assert.deepEqual(parseRunJob(job), job);
  assert.throws(() => parseRunJob({ ...job, resultsRelDir: '../elsewhere' }), /resultsRelDir must be a relative path without "\.\." segments/);
  assert.throws(() => parseRunJob({ ...job, resultsRelDir: '/etc' }), /resultsRelDir must be a relative path/);
  assert.throws(() => parseRunJob({ ...job, sweepId: 'a:b' }), /sweepId may only contain letters, digits/);
  assert.throws(() => parseRunJob({ ...job, sweepId: 'a/b' }), /sweepId may only contain/);
  assert.throws(() => parseRunJob({ ...job, sweepId: '..' }), /sweepId must not be/);
  assert.throws(() => parseRunJob({ ...job, args: ['--out', 'x'] }), /args must not contain --out/);
  assert.throws(() => parseRunJob({ ...job, args: 'x' }), /args/);
  assert.equal(runJobId('s1', job.runKey), 's1|Hopper-v5/rpp-sac/equiv_wd=1e-6/seed-3');
  assert.equal(runDirOf('/shared', job), path.join('/shared', 's1/Hopper-v5/rpp-sac/equiv_wd=1e-6/seed-3'));
  assert.equal(runLogOf('/shared', job), path.join('/shared', 's1/logs/Hopper-v5/rpp-sac/equiv_wd=1e-6/seed-3.log'));
});

test('a planned run becomes a job: train and --out dropped, run dir under the sweep name', () => {
  assert.deepEqual(queueArgs(['train', '--env', 'E', '--out', '/x/y', '--seed', '1']), ['--env', 'E', '--seed', '1']);
  const [j] = runJobsOf('sw', [{ id: 'E/sac/seed-1', trainArgs: ['train', '--env', 'E', '--out', '/x', '--seed', '1'] }]);
  assert.deepEqual(j, { sweepId: 'sw', runKey: 'E/sac/seed-1', args: ['--env', 'E', '--seed', '1'], resultsRelDir: 'sw/E/sac/seed-1' });
});

test('trainInvocation: fresh train with --out, or resume of the run dir', () => {
  assert.deepEqual(trainInvocation(['node', 'cli.js'], job, '/r/d', false), ['node', 'cli.js', 'train', '--env', 'Hopper-v5', '--out', '/r/d']);
  assert.deepEqual(trainInvocation(['node', 'cli.js'], job, '/r/d', true), ['node', 'cli.js', 'resume', '/r/d']);
});

test('run progress from status.json and the last complete line of evaluations.jsonl (a torn last line is ignored)', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rpp-sac-progress-'));
  try {
    assert.equal(await readLastEvaluation(dir), null);
    const blank = await readRunProgress(dir, { hostname: 'h', resumed: false });
    assert.deepEqual([blank.state, blank.step, blank.fraction], ['starting', 0, null]);
    await fs.writeFile(path.join(dir, 'status.json'), JSON.stringify({ state: 'running', step: 3000, totalSteps: 12000, updatedAt: '' }));
    await fs.writeFile(path.join(dir, 'evaluations.jsonl'), JSON.stringify({ step: 1000, meanReturn: 12.5 }) + '\n' + JSON.stringify({ step: 2000, meanReturn: 40.25 }) + '\n{"step": 30');
    const p = await readRunProgress(dir, { hostname: 'h', resumed: true });
    assert.deepEqual([p.state, p.step, p.totalSteps, p.fraction, p.lastEval, p.resumed], ['running', 3000, 12000, 0.25, { step: 2000, meanReturn: 40.25 }, true]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('guarded process: exit code passes through; stop() ends it; output tail is kept', async () => {
  const ok = startGuarded([process.execPath, '-e', 'console.log("hello"); process.exit(7)']);
  const exit = await ok.done;
  assert.equal(exit.exitCode, 7);
  assert.match(exit.outputTail, /hello/);

  let ticks = 0;
  let output = '';
  const long = startGuarded([process.execPath, '-e', 'console.log("up"); setTimeout(() => {}, 60000)'], {
    onTick: async () => void ticks++,
    tickMs: 50,
    onOutput: (text) => void (output += text),
  });
  // Stop only once the child runs (the guard starts slowly on a busy machine).
  while (!output.includes('up')) await new Promise((r) => setTimeout(r, 50));
  long.stop();
  const stopped = await long.done;
  assert.equal(stopped.exitCode, 130, 'the guard stops the child with SIGINT and reports its signal exit as 128+2');
  assert.ok(ticks > 0);
});
