/**
 * `rpp-sac view` without a browser: the server listens on 127.0.0.1 only, on a free port
 * it prints, and serves the page, bundle, wasm, model and recording; `--export` writes the
 * same files as a static folder. Uses a recording-only run dir (config.json + an
 * `eval --record` file from a fixed policy), so no training is needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { make } from '../envs/registry.js';
import type { MujocoEnv } from '../envs/mujoco-env.js';
import { unwrap } from '../envs/wrappers/wrapper.js';
import { recordEpisodes } from '../src/run/episode-record.js';

const MAIN = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');

async function recordingRun(): Promise<{ dir: string; runDir: string; rec: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'rpp-sac-view-cli-'));
  const runDir = join(dir, 'run');
  mkdirSync(runDir);
  writeFileSync(join(runDir, 'config.json'), JSON.stringify({ env: 'Swimmer-v5', agent: 'sac', seed: 0 }));
  const env = await make('Swimmer-v5', { maxEpisodeSteps: 50 });
  const rec = join(dir, 'rec.json');
  writeFileSync(rec, JSON.stringify(await recordEpisodes(env, unwrap(env) as MujocoEnv, () => [0.5, -0.5], 1, 3)));
  env.close();
  return { dir, runDir, rec };
}

test('view serves the site on 127.0.0.1 at the printed address', async () => {
  const { dir, runDir, rec } = await recordingRun();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'view', runDir, '--recording', rec], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /serving .* at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => reject(new Error(`view exited with ${code}: ${err}`)));
    });
    const view = (await (await fetch(`${url}view.json`)).json()) as { envId: string; policy: boolean; recording: boolean; modelFile: string };
    assert.deepEqual([view.envId, view.policy, view.recording, view.modelFile], ['Swimmer-v5', false, true, 'swimmer.xml']);
    for (const [path, type] of [['', 'text/html'], ['app.js', 'text/javascript'], ['mujoco.wasm', 'application/wasm'], ['tfjs-backend-wasm-simd.wasm', 'application/wasm'], ['envs/models/swimmer.xml', 'application/xml'], ['recording.json', 'application/json']]) {
      const r = await fetch(`${url}${path}`);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type') ?? '', new RegExp(type), path);
      await r.arrayBuffer();
    }
    assert.equal((await fetch(`${url}../../etc/passwd`)).status, 404);
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('view --export writes a static folder; a run without policy or recording is refused', async () => {
  const { dir, runDir, rec } = await recordingRun();
  try {
    const out = join(dir, 'site');
    const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'view', runDir, '--recording', rec, '--export', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['index.html', 'app.js', 'view.json', 'mujoco.wasm', 'tfjs-backend-wasm.wasm', 'envs/models/swimmer.xml', 'recording.json']) assert.ok(existsSync(join(out, f)), f);
    assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /<script type="module" src="\.\/app\.js">/);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'view', runDir], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /no exported policy yet .* and no --recording/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
