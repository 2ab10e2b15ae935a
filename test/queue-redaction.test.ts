/**
 * A --queue URL's credentials never reach a log line, a printed hint or a file:
 * a queued sweep and a worker on a password-protected redis-server, then every
 * file under the results root and every line they print is searched for the
 * user name and password (issue 13, item 10).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { queueStatus } from '../src/queue/index.js';
import { redactRedisUrl } from '../src/queue/redis-url.js';
import { startTestRedis, type TestRedis } from './fixtures/queue/redis-server.js';

const fixtures = fileURLToPath(new URL('./fixtures/queue/', import.meta.url));
const cliEntry = path.join(fixtures, 'cli-entry.ts');
const trainCommand = JSON.stringify([process.execPath, path.join(fixtures, 'fake-train.mjs')]);
const PASSWORD = 'hunter2-Secret';

let redis: TestRedis | null = null;
let tmp = '';
const processes: ChildProcess[] = [];

before(async () => {
  redis = await startTestRedis({ password: PASSWORD });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rpp-sac-queue-redact-'));
});

after(async () => {
  for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await redis?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

test('redactRedisUrl hides user name and password, keeps host, port and db', () => {
  assert.equal(redactRedisUrl('redis://default:pw@10.0.0.5:6379/2'), 'redis://***:***@10.0.0.5:6379/2');
  assert.equal(redactRedisUrl('redis://:pw@host:6379'), 'redis://:***@host:6379');
  assert.equal(redactRedisUrl('rediss://alice@host'), 'rediss://***@host');
  assert.equal(redactRedisUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  assert.equal(redactRedisUrl('http://u:p@x:1'), 'http://***:***@x:1');
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

test('a queued sweep and a worker write and print no credential of the --queue URL', { timeout: 90_000 }, async (t) => {
  if (!redis) return t.skip('no redis-server could be started (bash scripts/redis.sh install)');
  assert.ok(redis.url.includes(PASSWORD));
  const resultsDir = path.join(tmp, 'results');
  const printed: string[] = [];
  const sweepArgs = ['sweep', '--queue', redis.url, '--results', resultsDir, '--env', 'Fake-v0', '--agents', 'sac', '--seeds', '0-1', '--steps', '5', '--name', 'qr'];
  const sweep = spawnSync(process.execPath, ['--import', 'tsx', cliEntry, ...sweepArgs], { encoding: 'utf8', timeout: 30_000 });
  printed.push(sweep.stdout, sweep.stderr);
  assert.equal(sweep.status, 0, sweep.stderr);
  assert.match(sweep.stdout, /--queue redis:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+/);

  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', cliEntry, 'worker', '--queue', redis.url, '--results', resultsDir, '--train-command', trainCommand, '--progress-interval', '200', '--name', 'WR', '--log-level', 'debug'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  processes.push(worker);
  worker.stdout!.on('data', (c: Buffer) => printed.push(c.toString()));
  worker.stderr!.on('data', (c: Buffer) => printed.push(c.toString()));
  const deadline = Date.now() + 60_000;
  while ((await queueStatus(redis.url, 'qr')).finished.length < 2) {
    assert.ok(Date.now() < deadline, 'timed out waiting for the 2 runs');
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = new Promise((r) => worker.once('exit', r));
  worker.kill('SIGTERM');
  await exited;

  const output = printed.join('');
  assert.match(output, /queue worker ready/);
  const leaks = [PASSWORD, 'default:'];
  for (const secret of leaks) assert.ok(!output.includes(secret), `printed output contains ${secret}:\n${output}`);
  const files = await filesUnder(resultsDir);
  assert.ok(files.some((f) => f.endsWith('sweep.json')) && files.length > 4, files.join('\n'));
  for (const file of files) {
    const text = await fs.readFile(file, 'utf8');
    for (const secret of leaks) assert.ok(!text.includes(secret), `${file} contains ${secret}`);
  }
});
