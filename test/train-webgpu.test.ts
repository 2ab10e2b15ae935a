/**
 * A short training run on the webgpu backend, through the CLI as a user starts it
 * (`rpp-sac train --backend webgpu`): it finishes and exits by itself (Dawn's device
 * is released), evaluations, a checkpoint and the policy are written, and meta.json
 * records the backend and the adapter. In Node webgpu reads only asynchronously, so
 * this is the path where actions, stats, evaluations and checkpoints are read with
 * `await data()`.
 *
 * Needs a WebGPU adapter (see test/sac-update-webgpu.test.ts); skipped with the reason
 * printed where none can be created.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseBackend } from '../src/backend.js';
import { probeWebgpuAdapter } from '../src/backend-webgpu.js';
import { RUN_FILES, type RunMeta } from '../src/run-files.js';
import { readJson, readJsonl } from './fixtures/read-run-files.js';

const MAIN = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
let skip: string | false = false;
const dir = mkdtempSync(join(tmpdir(), 'rpp-sac-train-webgpu-'));

before(async () => {
  const probe = await probeWebgpuAdapter();
  releaseBackend();
  if (probe.adapter === null) {
    skip = `no WebGPU adapter: ${probe.reason}`;
    console.log(`# train-webgpu: skipped, ${skip}`);
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, RPP_SAC_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`train --backend webgpu did not exit within ${timeoutMs} ms (a live GPU device keeps Node running?)\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

it('rpp-sac train --backend webgpu: a 400-step RPP-SAC run finishes, exits, and records the adapter', async (t) => {
  if (skip !== false) return t.skip(skip);
  const out = join(dir, 'run');
  const res = await run(
    ['train', '--env', 'InvertedPendulum-v5', '--agent', 'rpp-sac', '--hidden', '16,16', '--batch-size', '32', '--learning-starts', '200', '--eval-every', '200', '--eval-episodes', '1', '--checkpoint-every', '300', '--steps', '400', '--backend', 'webgpu', '--no-progress', '--out', out],
    240_000,
  );
  assert.equal(res.code, 0, `exit code ${res.code}\n${res.stdout}\n${res.stderr}`);
  const meta = readJson<RunMeta>(join(out, RUN_FILES.meta));
  assert.equal(meta.backend.name, 'webgpu');
  assert.ok(meta.backend.adapter !== undefined && typeof meta.backend.adapter.software === 'boolean', 'meta.json records the adapter');
  const evals = readJsonl<{ step: number; meanReturn: number; alpha: number; criticLoss: number | null; equivError: number | null }>(join(out, RUN_FILES.evaluationsJsonl));
  assert.deepEqual(
    evals.map((e) => e.step),
    [200, 400],
  );
  for (const e of evals) assert.ok(Number.isFinite(e.meanReturn) && Number.isFinite(e.alpha), JSON.stringify(e));
  // Stats were read (asynchronously) by the last evaluation, and the equivariance error was measured.
  assert.ok(evals[1].criticLoss !== null && Number.isFinite(evals[1].criticLoss), `criticLoss at step 400: ${evals[1].criticLoss}`);
  assert.ok(evals[1].equivError !== null && evals[1].equivError >= 0);
  assert.ok(existsSync(join(out, 'policy', 'policy.json')) && existsSync(join(out, 'policy', 'weights.bin')), 'the policy is exported');
  assert.ok(existsSync(join(out, 'checkpoints')), 'a checkpoint is written');
  const status = readJson<{ state: string; step: number }>(join(out, RUN_FILES.status));
  assert.equal(status.state, 'finished');
  assert.equal(status.step, 400);

  // `eval` of the exported policy on webgpu (read asynchronously) gives wasm's returns.
  const evalOn = async (backend: string): Promise<number[]> => {
    const r = await run(['eval', out, '--episodes', '2', '--json', '--backend', backend], 120_000);
    assert.equal(r.code, 0, `eval --backend ${backend}: exit code ${r.code}\n${r.stderr}`);
    return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { returns: number[] }).returns;
  };
  const [gpu, cpu] = [await evalOn('webgpu'), await evalOn('wasm')];
  gpu.forEach((g, k) => assert.ok(Math.abs(g - cpu[k]) <= 1e-4 * Math.max(1, Math.abs(cpu[k])), `episode ${k}: webgpu ${g}, wasm ${cpu[k]}`));
});

it('--backend auto never picks a software WebGPU adapter (it falls back to wasm and says why), and the process exits', async (t) => {
  const probe = await probeWebgpuAdapter();
  releaseBackend();
  if (probe.adapter === null) return t.skip(`no WebGPU adapter: ${probe.reason}`);
  if (!probe.adapter.software) return t.skip(`the adapter here is hardware (${probe.adapter.description}): auto picks webgpu, nothing to check about software adapters`);
  const script = "import { initBackend } from './src/backend.ts'; import { createLogger } from './src/logging.ts'; const b = await initBackend({ backend: 'auto', logger: createLogger({ silent: true }) }); console.log(JSON.stringify({ name: b.name, reason: b.reason }));";
  const res = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`initBackend('auto') did not exit within 60 s (the probe's GPU object kept Node alive?)\n${stdout}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
  assert.equal(res.code, 0, res.stdout);
  const info = JSON.parse(res.stdout.trim().split('\n').pop()!) as { name: string; reason: string };
  assert.equal(info.name, 'wasm');
  // Where Linux has no GPU device node, auto does not even ask Dawn (src/vulkan-loader.ts);
  // where it has one (e.g. a VM's virtio GPU) it asks, gets llvmpipe, and declines it.
  assert.match(info.reason, /only a software adapter|no GPU device node/);
});

it('--backend webgpu without the optional packages: exit 2 with the install command', async () => {
  const res = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', join(import.meta.dirname, 'fixtures', 'hide-webgpu.mjs'), MAIN, 'train', '--env', 'InvertedPendulum-v5', '--steps', '100', '--backend', 'webgpu', '--no-progress', '--out', join(dir, 'missing')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /Backend 'webgpu' needs the package webgpu .*Install it with: npm install webgpu@0\.6\.2 @tensorflow\/tfjs-backend-webgpu@4\.22\.0/s);
});
