/**
 * The browser viewer (`rpp-sac view`, src/viewer/) in a real Chromium: Debian's
 * /usr/bin/chromium (or $CHROMIUM), driven by puppeteer-core, which never downloads a
 * browser. Where no Chromium is installed the tests skip with the reason printed.
 *
 * A tiny RPP-SAC run on Swimmer-v5 (300 steps, 16x16 nets) is trained through the CLI,
 * evaluated with `--record`, and served by the same site builder and server `view` uses.
 * Checks: the page loads with no console errors; the canvas is not blank and changes as
 * the body moves; the in-page deterministic rollout (MuJoCo wasm + tfjs wasm in the page)
 * gives the same per-step rewards as Node over 200 steps (1e-5 relative); the mirror view
 * reports a finite equivariance error; the recording plays back to its final state; with
 * ?backend=webgpu (Chromium's WebGPU on SwiftShader here) the policy runs on WebGPU and the
 * rollout matches Node to 1e-4 relative, skipped with the page's reason where no adapter exists.
 * A screenshot is written to test-artifacts/viewer-swimmer.png.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { loadPolicy } from '../agents/policy-loader.js';
import { make } from '../envs/registry.js';
import { initBackend } from '../src/backend.js';
import { createLogger } from '../src/logging.js';
import { checkRecording } from '../src/run/episode-record.js';
import { evalRun } from '../src/run/eval-run.js';
import { buildViewSite } from '../src/viewer/view-site.js';
import { serveSite } from '../src/viewer/view-server.js';

const ROOT = join(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (install Debian's chromium package, or set CHROMIUM): browser viewer tests skipped`;
if (skip) console.log(`# ${skip}`);

interface ViewApi {
  rollout(seed: number, steps: number): Promise<number[]>;
  playRecording(i: number): Promise<{ steps: number; qpos: number[]; qvel: number[]; drift: number; ret: number }>;
  runPolicy(seed: number, n: number, mirror: boolean, stochastic?: boolean): Promise<{ step: number; ret: number; equivError: number; stateError: number }>;
  backend: string;
  adapter: { name: string; fallback: boolean } | null;
}
declare const rppView: ViewApi;

/** The canvas as 64x36 grey levels (read in the page from the WebGL canvas). */
async function canvasGrey(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const src = document.querySelector('#view canvas') as HTMLCanvasElement;
    const c = document.createElement('canvas');
    c.width = 64;
    c.height = 36;
    const g = c.getContext('2d')!;
    g.drawImage(src, 0, 0, 64, 36);
    const d = g.getImageData(0, 0, 64, 36).data;
    const out: number[] = [];
    for (let i = 0; i < d.length; i += 4) out.push(Math.round((d[i] + d[i + 1] + d[i + 2]) / 3));
    return out;
  });
}

/** Per-step rewards of the run's deterministic policy in Node (wasm), as the page's rollout() computes them. */
async function nodeRewards(runDir: string, seed: number, steps: number): Promise<number[]> {
  await initBackend({ backend: 'wasm', logger: createLogger({ level: 'warn' }) });
  const policy = await loadPolicy(join(runDir, 'policy'));
  const env = await make('Swimmer-v5');
  const obs = new Float32Array(env.observationSpace.shape[0]);
  obs.set(env.reset({ seed }).observation);
  const rewards: number[] = [];
  while (rewards.length < steps) {
    const r = env.step(policy.act(obs));
    rewards.push(r.reward);
    obs.set(r.terminated || r.truncated ? env.reset().observation : r.observation);
  }
  env.close();
  policy.dispose();
  return rewards;
}

describe('browser viewer on a tiny Swimmer-v5 RPP-SAC run', { skip, concurrency: false }, () => {
  let dir: string;
  let runDir: string;
  let recFile: string;
  let server: Server;
  let url: string;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rpp-sac-view-'));
    runDir = join(dir, 'run');
    recFile = join(dir, 'rec.json');
    const t0 = Date.now();
    const tr = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'train', '--env', 'Swimmer-v5', '--agent', 'rpp-sac', '--hidden', '16,16', '--batch-size', '32', '--learning-starts', '100', '--steps', '300', '--eval-every', '300', '--eval-episodes', '1', '--checkpoint-every', '300', '--backend', 'wasm', '--no-progress', '--seed', '2', '--out', runDir], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(tr.status, 0, tr.stderr);
    const logger = createLogger({ level: 'warn' });
    await evalRun({ runDir, episodes: 1, seed: 5, backend: 'wasm', record: recFile, logger });
    const { files } = await buildViewSite({ runDir, recording: recFile });
    ({ server, url } = await serveSite(files));
    console.log(`# trained, recorded and bundled in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const { launch } = await import('puppeteer-core');
    const profile = mkdtempSync(join(tmpdir(), 'rpp-sac-chromium-'));
    browser = await launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--enable-unsafe-webgpu', '--window-size=1200,700'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 700 });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  });

  after(async () => {
    await browser?.close();
    server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('the page loads the run (env model, policy, recording) with no console errors', async () => {
    const t0 = Date.now();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction('window.rppView?.ready === true || window.rppViewError !== undefined', { timeout: 60_000 });
    const err = await page.evaluate(() => (window as unknown as { rppViewError?: string }).rppViewError);
    assert.equal(err, undefined, err);
    assert.equal(await page.evaluate(() => rppView.backend), 'wasm');
    console.log(`# page ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.deepEqual(consoleErrors, []);
  });

  test('the canvas is not blank and changes as the body moves; a screenshot is saved', async () => {
    await page.evaluate(() => rppView.runPolicy(5, 0, false));
    const g0 = await canvasGrey(page);
    const mean = g0.reduce((a, b) => a + b, 0) / g0.length;
    const sd = Math.sqrt(g0.reduce((a, b) => a + (b - mean) ** 2, 0) / g0.length);
    assert.ok(sd > 5, `canvas looks blank (grey level std ${sd.toFixed(2)})`);
    await page.evaluate(() => rppView.runPolicy(5, 80, false));
    const g1 = await canvasGrey(page);
    const changed = g0.filter((v, i) => Math.abs(v - g1[i]) > 8).length;
    assert.ok(changed > 20, `only ${changed} of ${g0.length} sampled pixels changed after 80 steps`);
    const st = await page.evaluate(() => rppView.runPolicy(5, 50, true, true));
    assert.ok(st.step === 50 && Number.isFinite(st.ret), `stochastic mode: ${JSON.stringify(st)}`);
    const m = await page.evaluate(() => rppView.runPolicy(5, 150, true));
    assert.ok(Number.isFinite(m.equivError) && Number.isFinite(m.stateError), JSON.stringify(m));
    console.log(`# mirror view after 150 steps: equivariance error ${m.equivError.toExponential(2)}, state error ${m.stateError.toExponential(2)}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'viewer-swimmer.png') });
    assert.deepEqual(consoleErrors, []);
  });

  test('the in-page deterministic rollout matches Node: per-step rewards to 1e-5 relative over 200 steps', async () => {
    const steps = 200;
    const longer = 1000; // compared and reported, not asserted: a whole Swimmer episode
    const seed = 9;
    const inPage = await page.evaluate((s, n) => rppView.rollout(s, n), seed, longer);
    const node = await nodeRewards(runDir, seed, longer);
    let worst = 0;
    let worstLonger = 0;
    for (let t = 0; t < longer; t++) {
      const rel = Math.abs(node[t] - inPage[t]) / Math.max(Math.abs(node[t]), 1e-8);
      if (t >= steps) {
        worstLonger = Math.max(worstLonger, rel);
        continue;
      }
      worst = Math.max(worst, rel);
      assert.ok(rel <= 1e-5, `step ${t}: Node reward ${node[t]}, page ${inPage[t]} (relative difference ${rel})`);
    }
    console.log(`# max relative reward difference, page vs Node: ${worst.toExponential(2)} over the first ${steps} steps, ${worstLonger.toExponential(2)} over steps ${steps}-${longer - 1}`);
  });

  test('?backend=webgpu, where the browser offers an adapter: the policy runs on WebGPU and the rollout matches Node (wasm) to 1e-4 relative over 200 steps', async (t) => {
    const gpuPage = await browser.newPage();
    const errors: string[] = [];
    gpuPage.on('pageerror', (e) => errors.push(String(e)));
    gpuPage.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    try {
      await gpuPage.goto(`${url}?backend=webgpu`, { waitUntil: 'load' });
      await gpuPage.waitForFunction('window.rppView?.ready === true || window.rppViewError !== undefined', { timeout: 120_000 });
      const err = await gpuPage.evaluate(() => (window as unknown as { rppViewError?: string }).rppViewError);
      if (err !== undefined && /offers no WebGPU|no adapter was found/.test(err)) return t.skip(err);
      assert.equal(err, undefined, err);
      assert.equal(await gpuPage.evaluate(() => rppView.backend), 'webgpu');
      const adapter = await gpuPage.evaluate(() => rppView.adapter);
      assert.ok(adapter !== null, 'the page records the adapter it runs on');
      const status = await gpuPage.evaluate(() => document.getElementById('status')!.textContent ?? '');
      assert.match(status, /^webgpu backend \(/);
      const steps = 200;
      const seed = 9;
      const inPage = await gpuPage.evaluate((sd, n) => rppView.rollout(sd, n), seed, steps);
      const node = await nodeRewards(runDir, seed, steps);
      let worst = 0;
      for (let k = 0; k < steps; k++) worst = Math.max(worst, Math.abs(node[k] - inPage[k]) / Math.max(Math.abs(node[k]), 1e-8));
      console.log(`# webgpu page (adapter ${adapter.name}${adapter.fallback ? ', fallback' : ''}): max relative reward difference to Node wasm over ${steps} steps ${worst.toExponential(2)}`);
      assert.ok(worst <= 1e-4, `relative reward difference ${worst}`);
      assert.deepEqual(errors, []);
    } finally {
      await gpuPage.close();
    }
  });

  test('the recording plays back in the page to the recorded final state', async () => {
    const rec = checkRecording(JSON.parse(readFileSync(recFile, 'utf8')));
    const ep = rec.episodes[0];
    const p = await page.evaluate(() => rppView.playRecording(0));
    assert.equal(p.steps, ep.length);
    const diff = Math.max(...p.qpos.map((x, i) => Math.abs(x - ep.qpos[ep.length][i])), ...p.qvel.map((x, i) => Math.abs(x - ep.qvel[ep.length][i])));
    console.log(`# playback of ${ep.length} recorded steps: final state difference ${diff}, largest drift from any recorded frame ${p.drift}`);
    assert.ok(diff <= 1e-9, `final state differs by ${diff}`);
    assert.ok(Math.abs(p.ret - ep.return) <= 1e-9 * Math.max(1, Math.abs(ep.return)));
    assert.deepEqual(consoleErrors, []);
  });
});
