/**
 * The queue end to end on a real redis-server: two worker processes, one
 * SIGKILLed mid-run; BullMQ retries with backoff; idempotent enqueue.
 * Training is test/fixtures/queue/fake-train.mjs (a few hundred ms per run).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/logging.js';
import { enqueueRuns, queueStatus, startWorker, type RunJob, type RunWorker, type SweepQueueStatus } from '../src/queue/index.js';
import { startTestRedis, type TestRedis } from './fixtures/queue/redis-server.js';

const fixtures = fileURLToPath(new URL('./fixtures/queue/', import.meta.url));
const fakeTrain = path.join(fixtures, 'fake-train.mjs');
const trainCommand = [process.execPath, fakeTrain];
// Short locks so a dead worker's run is reclaimed within ~6 s (long enough that a busy CI machine does not lose live locks).
const fastLocks = { lockDurationMs: 4000, stalledIntervalMs: 1500, maxStalledCount: 2, progressIntervalMs: 200 };

let redis: TestRedis | null = null;
let tmp = '';
const processes: ChildProcess[] = [];
const inProcessWorkers: RunWorker[] = [];

before(async () => {
  redis = await startTestRedis();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rpp-sac-queue-'));
});

after(async () => {
  for (const worker of inProcessWorkers) await worker.close({ requeue: true }).catch(() => undefined);
  for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await redis?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

function skipReason(): string | false {
  return redis ? false : 'no redis-server could be started (install it: bash scripts/redis.sh start, or apt-get install -y redis-server)';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls probe until it returns a value; on timeout the error carries the output of the process(es) waited on. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 45_000, output?: () => string[]): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await sleep(150);
  }
  const printed = output ? `; its output so far:\n${output().join('\n') || '(none)'}` : '';
  throw new Error(`timed out waiting for ${what}${printed}`);
}

interface WorkerProcess {
  child: ChildProcess;
  lines: string[];
}

function spawnWorker(name: string, resultsDir: string, env: NodeJS.ProcessEnv = {}): WorkerProcess {
  const opts = { queueUrl: redis!.url, resultsDir, concurrency: 1, trainCommand, workerName: name, ...fastLocks };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(fixtures, 'worker-entry.ts'), JSON.stringify(opts)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  processes.push(child);
  const lines: string[] = [];
  let stderr = '';
  // A chunk may end mid-line: keep the tail until its newline arrives.
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts.filter(Boolean));
  });
  // Its log lines (winston writes warnings such as a lost job lock to stderr) go into `lines`
  // too, marked, so a timed-out wait prints them; they cannot match 'ready'/'started'/'completed'.
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => `stderr: ${l}`));
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGKILL' && signal !== 'SIGTERM') lines.push(`exited ${code} ${signal}: ${stderr}`);
  });
  return { child, lines };
}

function fakeRun(sweepId: string, seed: number, steps: number, stepMs: number, extra: string[] = []): RunJob {
  const runKey = `Fake-v0/sac/seed-${seed}`;
  return { sweepId, runKey, args: ['--steps', String(steps), '--step-ms', String(stepMs), '--seed', String(seed), ...extra], resultsRelDir: `${sweepId}/${runKey}` };
}

async function readLines(file: string): Promise<string[]> {
  try {
    return (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** A finished run dir must hold exactly one completion, status finished, and each evaluation step once, in order. */
async function assertRunIntact(runDir: string, steps: number, seed: number): Promise<void> {
  assert.equal((await readLines(path.join(runDir, 'completions.log'))).length, 1, `${runDir}: completions`);
  const status = JSON.parse(await fs.readFile(path.join(runDir, 'status.json'), 'utf8')) as { state: string; step: number };
  assert.deepEqual([status.state, status.step], ['finished', steps], `${runDir}: status.json`);
  const evals = (await readLines(path.join(runDir, 'evaluations.jsonl'))).map((l) => JSON.parse(l) as { step: number; meanReturn: number });
  assert.deepEqual(evals.map((e) => e.step), Array.from({ length: steps }, (_, i) => i + 1), `${runDir}: evaluation steps`);
  assert.deepEqual(evals.map((e) => e.meanReturn), evals.map((e) => seed * 1000 + e.step), `${runDir}: evaluation values`);
}

/** Writers of a run dir, in the order they first wrote; fails if an earlier writer wrote again after a later one started. */
async function writersInOrder(runDir: string): Promise<number[]> {
  const pids = (await readLines(path.join(runDir, 'writers.log'))).map((l) => Number(l.split(' ')[0]));
  const order: number[] = [];
  for (const pid of pids) {
    if (order.at(-1) === pid) continue;
    assert.ok(!order.includes(pid), `${runDir}: writer ${pid} wrote again after writer ${order.at(-1)} took over (two writers)`);
    order.push(pid);
  }
  return order;
}

/** A TCP proxy to redis on loopback that delays every connection after its first by delayMs. */
async function slowSecondConnections(redisPort: number, delayMs: number): Promise<{ url: string; close: () => void }> {
  const sockets: net.Socket[] = [];
  let accepted = 0;
  const server = net.createServer((client) => {
    sockets.push(client);
    client.pause();
    setTimeout(() => {
      const upstream = net.connect(redisPort, '127.0.0.1');
      sockets.push(upstream);
      client.pipe(upstream).pipe(client);
      client.resume();
      for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
        a.on('error', () => b.destroy());
        a.on('close', () => b.destroy());
      }
    }, accepted++ === 0 ? 0 : delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('distributed sweep queue (real redis-server)', { skip: false }, () => {
  test('two workers, one SIGKILLed mid-run: every run finishes exactly once, the killed run resumes on the other worker', { timeout: 200_000 }, async (t) => {
    // The timeout is above the sum of the waits below (30 + 60 + 30 + 60 s), so a stuck step
    // fails with its own message and the worker's output, not a bare test timeout.
    const reason = skipReason();
    if (reason) return t.skip(reason);
    const sweepId = 'kill-test';
    const resultsDir = path.join(tmp, 'shared-results');
    const steps = 16;
    const runs = [0, 1, 2, 3].map((seed) => fakeRun(sweepId, seed, steps, 150));

    const first = await enqueueRuns(redis!.url, sweepId, runs, { attempts: 3, backoffMs: 200 });
    assert.equal(first.added.length, 4);
    const again = await enqueueRuns(redis!.url, sweepId, runs, { attempts: 3, backoffMs: 200 });
    assert.deepEqual([again.added.length, again.present.length], [0, 4], 're-enqueueing the same sweep adds nothing');
    let status = await queueStatus(redis!.url, sweepId);
    assert.equal(status.queued.length + status.running.length, 4);

    // A's trainers stop advancing after step 4 while the hold file exists: A is certainly mid-run when killed.
    const holdFile = path.join(tmp, 'hold-A');
    await fs.writeFile(holdFile, '');
    // A starts alone, so it certainly holds a run before B (concurrency 1 each) could drain the queue.
    const a = spawnWorker('A', resultsDir, { FAKE_TRAIN_HOLD: holdFile, FAKE_TRAIN_HOLD_AFTER: '4' });
    // Whatever happens here, this test's workers must not stay on the queue to take the next test's runs.
    const mine: WorkerProcess[] = [a];
    t.after(() => {
      for (const w of mine) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    });
    await waitFor('worker A ready', async () => a.lines.some((l) => l.startsWith('ready')), 30_000, () => a.lines);

    // Kill A once its run has checkpointed step 4 (where it holds); B starts meanwhile.
    const victim = await waitFor('worker A to be mid-run', async () => {
      const started = a.lines.filter((l) => l.startsWith('started ')).at(-1)?.slice('started '.length);
      if (!started) return undefined;
      const runDir = path.join(resultsDir, sweepId, started);
      const ckpt = await fs.readFile(path.join(runDir, 'checkpoints', 'latest', 'manifest.json'), 'utf8').catch(() => '');
      return ckpt && (JSON.parse(ckpt) as { step: number }).step === 4 ? started : undefined;
      // Twice this wait ran out (at 45 s, then at 90 s as the test's timeout) with no output to
      // say why. A likely cause, now fixed in the worker: A took its job before startWorker had
      // returned, so its 'started' line was never printed. The wait bounds how long a failure takes.
    }, 60_000, () => a.lines);
    const b = spawnWorker('B', resultsDir);
    mine.push(b);
    await waitFor('worker B ready', async () => b.lines.some((l) => l.startsWith('ready')), 30_000, () => b.lines);
    const victimDir = path.join(resultsDir, sweepId, victim);
    const victimTrainerPid = Number((await readLines(path.join(victimDir, 'writers.log')))[0]!.split(' ')[0]);
    a.child.kill('SIGKILL');

    status = await waitFor('all 4 runs to finish', async () => {
      const s = await queueStatus(redis!.url, sweepId);
      return s.finished.length === 4 ? s : undefined;
    }, 60_000);
    assert.equal(status.failed.length, 0);

    // The orphaned trainer of the killed worker was stopped by its guard (SIGINT), and could still
    // log and record its interruption: its output no longer goes to the dead worker's pipe.
    assert.equal(isAlive(victimTrainerPid), false, 'the killed worker\'s training process must not outlive it');
    assert.deepEqual(await readLines(path.join(victimDir, 'interrupts.log')), [`${victimTrainerPid} 4`]);

    let completions = 0;
    for (const run of runs) {
      const runDir = path.join(resultsDir, run.resultsRelDir);
      await assertRunIntact(runDir, steps, Number(run.runKey.split('-').at(-1)));
      completions += (await readLines(path.join(runDir, 'completions.log'))).length;
      const writers = await writersInOrder(runDir);
      const resumes = await readLines(path.join(runDir, 'resumes.log'));
      if (run.runKey === victim) {
        assert.equal(writers.length, 2, 'the killed run was written by its first trainer, then by one resuming trainer');
        assert.equal(resumes.length, 1);
        assert.equal(Number(resumes[0]!.split(' ')[1]), 4, 'resumed from the checkpoint the killed trainer left');
      } else {
        assert.equal(writers.length, 1, `${run.runKey} ran in one go`);
        assert.equal(resumes.length, 0);
      }
    }
    assert.equal(completions, 4, 'every run completed exactly once');

    // Both attempts of the killed run appended to its log on the shared volume.
    const victimLog = await fs.readFile(path.join(resultsDir, sweepId, 'logs', `${victim}.log`), 'utf8');
    assert.match(victimLog, /=== \S+ worker A attempt 1: .* train .*--out [\s\S]*=== \S+ worker B attempt \d: .* resume /);

    const victimJob = status.finished.find((r) => r.runKey === victim)!;
    assert.equal(victimJob.result?.worker, 'B');
    assert.equal(victimJob.result?.resumed, true);
    assert.equal(victimJob.progress?.state, 'finished');
    assert.equal(victimJob.progress?.step, steps);
    assert.ok(b.lines.includes(`completed ${victim}`));
    // A held its only run until it died, so B trained all four.
    assert.deepEqual(status.finished.map((r) => r.result?.worker), ['B', 'B', 'B', 'B']);
    assert.equal(a.lines.filter((l) => l.startsWith('completed ')).length, 0);

    b.child.kill('SIGTERM');
  });

  test('a crashing run is retried by BullMQ with backoff and resumes; failed runs are retried by re-enqueueing; finished runs are skipped; a run dir without checkpoint is set aside', { timeout: 60_000 }, async (t) => {
    const reason = skipReason();
    if (reason) return t.skip(reason);
    const sweepId = 'retry-test';
    const resultsDir = path.join(tmp, 'retry-results');
    const steps = 8;
    const retried = fakeRun(sweepId, 5, steps, 40, ['--fail-at', '5']);
    const failsOnce = fakeRun(sweepId, 6, steps, 40, ['--fail-at', '3']);
    await enqueueRuns(redis!.url, sweepId, [retried], { attempts: 3, backoffMs: 300 });
    await enqueueRuns(redis!.url, sweepId, [failsOnce], { attempts: 1 });

    // Nobody dies here: long locks, so a starved test process on a busy machine cannot lose a live lock.
    const worker = await startWorker({ queueUrl: redis!.url, resultsDir, concurrency: 2, trainCommand, logger: createLogger({ silent: true }), ...fastLocks, lockDurationMs: 30_000, stalledIntervalMs: 10_000 });
    inProcessWorkers.push(worker);
    const failures: string[] = [];
    worker.on('failed', (runKey) => failures.push(runKey));

    let status: SweepQueueStatus = await waitFor('one run finished and one failed', async () => {
      const s = await queueStatus(redis!.url, sweepId);
      return s.finished.length === 1 && s.failed.length === 1 ? s : undefined;
    });
    assert.equal(status.finished[0]!.runKey, retried.runKey);
    assert.equal(status.finished[0]!.attemptsMade, 2, 'one failed attempt, then one that finished: ' + JSON.stringify(status.finished[0]));
    assert.equal(status.finished[0]!.result?.resumed, true);
    assert.equal(status.failed[0]!.runKey, failsOnce.runKey);
    assert.match(status.failed[0]!.failedReason ?? '', /exit code 3[\s\S]*simulated crash at step 3/);
    assert.deepEqual(failures.sort(), [retried.runKey, failsOnce.runKey].sort());

    const reenqueue = await enqueueRuns(redis!.url, sweepId, [retried, failsOnce], { attempts: 1 });
    assert.deepEqual(reenqueue, { added: [], present: [retried.runKey], retried: [failsOnce.runKey], skippedFinished: [] });
    status = await waitFor('the re-enqueued run to finish', async () => {
      const s = await queueStatus(redis!.url, sweepId);
      return s.finished.length === 2 ? s : undefined;
    });
    for (const run of [retried, failsOnce]) {
      const runDir = path.join(resultsDir, run.resultsRelDir);
      await assertRunIntact(runDir, steps, Number(run.runKey.split('-').at(-1)));
      const resumes = await readLines(path.join(runDir, 'resumes.log'));
      assert.equal(resumes.length, 1);
      // Resumed from the last checkpoint before the crash step.
      assert.equal(Number(resumes[0]!.split(' ')[1]), run === retried ? 4 : 2);
    }

    const withResults = await enqueueRuns(redis!.url, sweepId, [retried, failsOnce], { resultsDir });
    assert.deepEqual(withResults.skippedFinished.sort(), [retried.runKey, failsOnce.runKey].sort());

    // A run dir left without a checkpoint (killed before its first one) is moved aside, and the run starts over.
    const stale = fakeRun(sweepId, 8, steps, 20);
    const staleDir = path.join(resultsDir, stale.resultsRelDir);
    await fs.mkdir(staleDir, { recursive: true });
    await fs.writeFile(path.join(staleDir, 'status.json'), JSON.stringify({ state: 'running', step: 2, totalSteps: steps, updatedAt: '' }));
    await fs.writeFile(path.join(staleDir, 'evaluations.jsonl'), JSON.stringify({ step: 1, meanReturn: -1 }) + '\n');
    await enqueueRuns(redis!.url, sweepId, [stale]);
    await waitFor('the stale run to finish', async () => ((await queueStatus(redis!.url, sweepId)).finished.length === 3 ? true : undefined));
    await assertRunIntact(staleDir, steps, 8);
    const abandoned = await fs.readdir(path.join(resultsDir, '.abandoned'));
    assert.equal(abandoned.length, 1);
    assert.match(abandoned[0]!, /^retry-test__Fake-v0__sac__seed-8-\d+$/);
    assert.match(await fs.readFile(path.join(resultsDir, '.abandoned', abandoned[0]!, 'evaluations.jsonl'), 'utf8'), /"meanReturn":-1/);
    await worker.close();
  });

  test('jobs waiting before a worker starts are all reported to listeners attached right after startWorker resolves', { timeout: 60_000 }, async (t) => {
    const reason = skipReason();
    if (reason) return t.skip(reason);
    const sweepId = 'listen-test';
    const resultsDir = path.join(tmp, 'listen-results');
    // Runs already finished on disk: the worker's quickest path (no trainer), so a job taken
    // before the caller could listen would go unheard.
    const runs = [10, 11, 12].map((seed) => fakeRun(sweepId, seed, 2, 1));
    for (const run of runs) {
      const runDir = path.join(resultsDir, run.resultsRelDir);
      await fs.mkdir(path.join(runDir, 'checkpoints', 'latest'), { recursive: true });
      await fs.writeFile(path.join(runDir, 'checkpoints', 'latest', 'manifest.json'), JSON.stringify({ step: 2 }));
      await fs.writeFile(path.join(runDir, 'status.json'), JSON.stringify({ state: 'finished', step: 2, totalSteps: 2, updatedAt: '' }));
    }
    await enqueueRuns(redis!.url, sweepId, runs);
    // Every connection after the worker's first (BullMQ's blocking one) opens 1 s late: the
    // window in which a worker that took jobs before it was ready would take all three.
    const proxy = await slowSecondConnections(redis!.port, 1000);
    t.after(() => proxy.close());
    const worker = await startWorker({ queueUrl: proxy.url, resultsDir, concurrency: 3, trainCommand, logger: createLogger({ silent: true }), ...fastLocks });
    inProcessWorkers.push(worker);
    const heard: string[] = [];
    worker.on('completed', (runKey, result) => heard.push(`${runKey} ${result.skipped}`));
    await waitFor('the 3 runs to finish', async () => ((await queueStatus(redis!.url, sweepId)).finished.length === 3 ? true : undefined));
    await worker.close();
    assert.deepEqual(heard.sort(), runs.map((r) => `${r.runKey} true`).sort());
  });
});
