/**
 * End-to-end: the rpp-sac CLI on InvertedPendulum-v5 with a tiny budget and small
 * nets. Checks the run directory against src/run-files.ts, then SIGINT + resume,
 * then `eval` of the exported policy.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_FILES, type EpisodeRecord, type EvaluationRecord, type RunStatus } from '../src/run-files.js';
import { readJson, readJsonl } from './fixtures/read-run-files.js';

const MAIN = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
const SMALL = ['--env', 'InvertedPendulum-v5', '--hidden', '16,16', '--batch-size', '32', '--learning-starts', '300', '--eval-every', '500', '--eval-episodes', '2', '--backend', 'wasm', '--no-progress'];

interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Done> } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, RPP_SAC_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Done>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

const csvRows = (p: string): string[][] =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));

function assertIncreasing(xs: number[], what: string): void {
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i] > xs[i - 1], `${what} must increase: ${xs[i - 1]} then ${xs[i]}`);
}

describe('rpp-sac train / resume / eval on InvertedPendulum-v5', { concurrency: false }, () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'rpp-sac-cli-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('train writes every run file, with consistent contents', async () => {
    const out = join(root, 'train');
    const { done } = start(['train', ...SMALL, '--steps', '1500', '--checkpoint-every', '1000', '--seed', '3', '--out', out]);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { state: string; step: number };
    assert.deepEqual([summary.state, summary.step], ['finished', 1500]);

    const config = readJson<Record<string, unknown>>(join(out, RUN_FILES.config));
    assert.equal(config.env, 'InvertedPendulum-v5');
    assert.equal(config.agent, 'sac');
    assert.equal(config.seed, 3);
    assert.equal(config.totalSteps, 1500);
    assert.deepEqual(config.hidden, [16, 16]);
    assert.equal(config.gamma, 0.99); // default filled in
    const meta = readJson<{ backend: { name: string; versions: Record<string, string>; matmul: { path: string; madd?: string } }; command: string[]; startedAt: string; hostname: string }>(join(out, RUN_FILES.meta));
    assert.equal(meta.backend.name, 'wasm');
    // Which matmul ran (our kernels by default on wasm) and with which multiply-add.
    assert.equal(meta.backend.matmul.path, 'own');
    assert.ok(['relaxed_madd', 'mul+add'].includes(meta.backend.matmul.madd ?? ''), JSON.stringify(meta.backend.matmul));
    // The code that ran: package version, and in a git checkout the commit it was at.
    const pkg = readJson<{ version: string }>(join(import.meta.dirname, '..', 'package.json'));
    assert.equal(meta.backend.versions['rpp-sac'], pkg.version);
    if (existsSync(join(import.meta.dirname, '..', '.git'))) assert.match(meta.backend.versions['rpp-sac-commit'], /^[0-9a-f]{40}(\+dirty)?$/);
    assert.equal(meta.command[1], 'train');
    const status = readJson<RunStatus>(join(out, RUN_FILES.status));
    assert.deepEqual([status.state, status.step, status.totalSteps], ['finished', 1500, 1500]);

    const episodes = readJsonl<EpisodeRecord>(join(out, RUN_FILES.episodesJsonl));
    assert.ok(episodes.length > 10);
    assertIncreasing(episodes.map((e) => e.step), 'episode steps');
    for (const e of episodes) {
      assert.ok(e.length >= 1 && e.length <= 1000);
      // InvertedPendulum-v5 pays 1 per step, 0 on the terminating step.
      assert.ok(e.return === e.length || e.return === e.length - 1, `return ${e.return} vs length ${e.length}`);
    }
    assert.ok(episodes[episodes.length - 1].step <= 1500);
    const epCsv = csvRows(join(out, RUN_FILES.episodesCsv));
    assert.deepEqual(epCsv[0], ['step', 'return', 'length']);
    assert.equal(epCsv.length - 1, episodes.length);

    const evals = readJsonl<EvaluationRecord>(join(out, RUN_FILES.evaluationsJsonl));
    assert.deepEqual(evals.map((e) => e.step), [500, 1000, 1500]);
    for (const e of evals) {
      assert.equal(e.returns.length, 2);
      assert.ok(Math.abs(e.meanReturn - (e.returns[0] + e.returns[1]) / 2) < 1e-9);
      assert.equal(e.equivError, null); // plain SAC
      assert.ok(e.alpha > 0 && e.alpha <= 1);
      assert.ok(e.stepsPerSec > 0 && e.wallTime > 0);
    }
    assert.equal(evals[0].criticLoss !== null, true); // learning started at 300
    assertIncreasing(evals.map((e) => e.wallTime), 'wallTime');
    const evCsv = csvRows(join(out, RUN_FILES.evaluationsCsv));
    assert.deepEqual(evCsv[0], ['step', 'meanReturn', 'stdReturn', 'meanLength', 'equivError', 'equivErrorStd', 'alpha', 'criticLoss', 'actorLoss', 'stepsPerSec', 'wallTime']);
    assert.equal(evCsv.length - 1, 3);

    const log = readJsonl<{ level: string; message: string }>(join(out, RUN_FILES.log));
    assert.ok(log.some((l) => l.message.startsWith('eval step 1500')));
    const manifest = readJson<{ loop: { step: number }; replay: { size: number } | null }>(join(out, RUN_FILES.checkpoints, 'latest', 'manifest.json'));
    assert.equal(manifest.loop.step, 1500);
    assert.equal(manifest.replay?.size, 1500);
    assert.ok(existsSync(join(out, RUN_FILES.policy, 'policy.json')));

    // eval of the exported policy: deterministic, so the same seed gives the training-time numbers
    // (exactly here, where a return counts steps; in general up to float32 rounding: the exported
    // policy runs plain tf ops, the agent our kernels, see runs/README.md).
    const ev = await start(['eval', out, '--episodes', '2', '--json', '--backend', 'wasm']).done;
    assert.equal(ev.code, 0, ev.stderr);
    const res = JSON.parse(ev.stdout.trim()) as { meanReturn: number; stdReturn: number; returns: number[]; seed: number };
    assert.equal(res.seed, 1003);
    assert.equal(res.returns.length, 2);
    assert.deepEqual(res.returns, evals[2].returns);
  });

  test('SIGINT stops cleanly with a checkpoint; resume continues the step count to the end', async () => {
    const out = join(root, 'sigint');
    const { child, done } = start(['train', ...SMALL, '--steps', '1500', '--checkpoint-every', '100000', '--out', out]);
    // Wait until learning has started (an episode past step 400 is on disk), then interrupt.
    const epPath = join(out, RUN_FILES.episodesJsonl);
    for (let i = 0; i < 1200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (existsSync(epPath) && readJsonl<EpisodeRecord>(epPath).some((e) => e.step > 400)) break;
    }
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, r.stderr);
    const status = readJson<RunStatus>(join(out, RUN_FILES.status));
    assert.equal(status.state, 'interrupted');
    assert.ok(status.step > 400 && status.step < 1500, `interrupted at ${status.step}`);
    const manifest = readJson<{ loop: { step: number }; replay: { size: number } }>(join(out, RUN_FILES.checkpoints, 'latest', 'manifest.json'));
    assert.equal(manifest.loop.step, status.step);
    assert.equal(manifest.replay.size, status.step);
    const before = readJsonl<EpisodeRecord>(epPath);
    assert.ok(before.every((e) => e.step <= status.step));

    const res = await start(['resume', out, '--backend', 'wasm', '--no-progress']).done;
    assert.equal(res.code, 0, res.stderr);
    const final = readJson<RunStatus>(join(out, RUN_FILES.status));
    assert.deepEqual([final.state, final.step], ['finished', 1500]);
    const episodes = readJsonl<EpisodeRecord>(epPath);
    assert.ok(episodes.length > before.length);
    assertIncreasing(episodes.map((e) => e.step), 'episode steps across the resume');
    assert.ok(episodes.slice(before.length).every((e) => e.step > status.step));
    const evals = readJsonl<EvaluationRecord>(join(out, RUN_FILES.evaluationsJsonl));
    assert.deepEqual(evals.map((e) => e.step), [500, 1000, 1500]);
    const m2 = readJson<{ loop: { step: number }; updates: number }>(join(out, RUN_FILES.checkpoints, 'latest', 'manifest.json'));
    assert.equal(m2.loop.step, 1500);
    assert.equal(m2.updates, 1500 - 300); // one update per step after learningStarts, none lost or repeated
    const meta = readJson<{ resumes: unknown[] }>(join(out, RUN_FILES.meta));
    assert.equal(meta.resumes.length, 1);
  });
});
