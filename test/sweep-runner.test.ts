import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/logging.js';
import { readManifest } from '../src/sweep/manifest.js';
import { runSweep } from '../src/sweep/run-sweep.js';
import { resolveSweepConfig, type SweepInput } from '../src/sweep/sweep-config.js';
import type { EvaluationRecord, RunStatus } from '../src/run-files.js';

const fakeTrain = fileURLToPath(new URL('./fixtures/fake-train.mjs', import.meta.url));
const trainCommand = [process.execPath, fakeTrain];
const logger = createLogger({ silent: true });
let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'sweep-runner-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

interface Call {
  argv: string[];
  dir: string;
}

function setup(name: string, extraEnv: Record<string, string> = {}, input: Partial<SweepInput> = {}) {
  const out = join(root, name);
  const callsFile = join(root, `${name}.calls.jsonl`);
  const config = resolveSweepConfig({ env: 'Hopper-v5', agents: 'sac,rpp-sac', seeds: '0-1', steps: 1000, parallel: 2, out, ...input });
  const env = { ...process.env, FAKE_TRAIN_CALLS: callsFile, ...extraEnv };
  const calls = (): Call[] =>
    existsSync(callsFile) ? readFileSync(callsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Call) : [];
  return { out, config, env, calls };
}

const status = (dir: string): RunStatus => JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as RunStatus;
const evals = (dir: string): EvaluationRecord[] =>
  readFileSync(join(dir, 'evaluations.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EvaluationRecord);

test('runs every env/agent/seed in its own directory, then skips them all when re-run', async () => {
  const { out, config, env, calls } = setup('fresh');
  const r = await runSweep({ config, trainCommand, logger, env });
  assert.equal(r.finished, 4);
  assert.equal(r.failed.length, 0);
  for (const id of ['Hopper-v5/sac/seed-0', 'Hopper-v5/sac/seed-1', 'Hopper-v5/rpp-sac/seed-0', 'Hopper-v5/rpp-sac/seed-1']) {
    assert.equal(status(join(out, id)).state, 'finished', id);
    assert.equal(evals(join(out, id)).length, 5);
  }
  assert.equal(calls().length, 4);
  assert.ok(calls().every((c) => c.argv[0] === 'train'));
  const m = readManifest(out);
  assert.equal(m?.state, 'finished');
  assert.deepEqual(m?.runs.map((x) => x.state), ['finished', 'finished', 'finished', 'finished']);
  assert.ok(existsSync(join(out, 'logs/Hopper-v5/sac/seed-0.log')));

  const again = await runSweep({ config, trainCommand, logger, env });
  assert.equal(again.skipped, 4);
  assert.equal(again.finished, 0);
  assert.equal(calls().length, 4, 'no new processes for finished runs');
  assert.equal(readManifest(out)?.createdAt, m?.createdAt);
  // A skipped run still says when and how it was trained.
  const skippedEntry = readManifest(out)!.runs[0]!;
  assert.deepEqual([skippedEntry.state, skippedEntry.attempts, skippedEntry.actions], ['skipped', 0, ['skip']]);
  assert.deepEqual([skippedEntry.exitCode, skippedEntry.startedAt, skippedEntry.endedAt, skippedEntry.durationSec], [0, m!.runs[0]!.startedAt, m!.runs[0]!.endedAt, m!.runs[0]!.durationSec]);
  assert.ok(m!.runs[0]!.startedAt !== null && m!.runs[0]!.durationSec !== null);

  // Asking for more steps continues the finished runs from their checkpoints.
  const longer = await runSweep({ config: { ...config, steps: 2000 }, trainCommand, logger, env });
  assert.equal(longer.finished, 4);
  const extended = calls().slice(4);
  assert.equal(extended.length, 4);
  assert.deepEqual(extended[0].argv.slice(0, 1).concat(extended[0].argv.slice(2)), ['resume', '--steps', '2000']);
  const s0 = join(out, 'Hopper-v5/sac/seed-0');
  assert.deepEqual([status(s0).state, status(s0).totalSteps], ['finished', 2000]);
  assert.deepEqual(evals(s0).map((e) => e.step), [200, 400, 600, 800, 1000, 1200, 1600, 2000]);
  assert.deepEqual(readManifest(out)?.runs[0].actions, ['extend']);
});

test('a run that crashes once is resumed from its checkpoint and the others go on', async () => {
  const { out, config, env, calls } = setup('crash-once', { FAKE_TRAIN_CRASH_ONCE: 'rpp-sac/seed-1' });
  const r = await runSweep({ config, trainCommand, logger, env });
  assert.equal(r.failed.length, 0);
  assert.equal(r.finished, 4);
  const crashed = calls().filter((c) => c.dir.includes('rpp-sac/seed-1'));
  assert.deepEqual(crashed.map((c) => c.argv[0]), ['train', 'resume']);
  const entry = readManifest(out)?.runs.find((x) => x.id === 'Hopper-v5/rpp-sac/seed-1');
  assert.equal(entry?.attempts, 2);
  assert.deepEqual(entry?.actions, ['train', 'resume']);
  // The resumed run has each evaluation exactly once.
  assert.deepEqual(evals(join(out, 'Hopper-v5/rpp-sac/seed-1')).map((e) => e.step), [200, 400, 600, 800, 1000]);
});

test('a crash before any checkpoint is retried from scratch, the dead attempt moved aside', async () => {
  const { out, config, env, calls } = setup('crash-no-ckpt', { FAKE_TRAIN_CRASH_ONCE_NO_CKPT: 'sac/seed-0' }, { agents: 'sac', seeds: '0' });
  const r = await runSweep({ config, trainCommand, logger, env });
  assert.equal(r.finished, 1);
  assert.deepEqual(calls().map((c) => c.argv[0]), ['train', 'train']);
  const aside = readdirSync(join(out, '.abandoned'));
  assert.equal(aside.length, 1);
  assert.match(aside[0], /^Hopper-v5__sac__seed-0-\d+$/);
  assert.equal(evals(join(out, 'Hopper-v5/sac/seed-0')).length, 5);
});

test('a run that keeps crashing is reported failed after one retry; the sweep finishes the rest', async () => {
  const { out, config, env, calls } = setup('crash-always', { FAKE_TRAIN_CRASH_ALWAYS: 'sac/seed-0' }, { agents: 'sac', seeds: '0-2' });
  const r = await runSweep({ config, trainCommand, logger, env });
  assert.equal(r.failed.length, 1);
  assert.equal(r.finished, 2);
  assert.equal(r.failed[0].id, 'Hopper-v5/sac/seed-0');
  assert.equal(r.failed[0].attempts, 2);
  assert.match(r.failed[0].error ?? '', /exit code 4[\s\S]*simulated permanent crash/);
  assert.equal(calls().filter((c) => c.dir.endsWith('seed-0')).length, 2);
  assert.equal(readManifest(out)?.state, 'failed');
});

test('an interrupted sweep resumes interrupted runs and skips finished ones when re-run', async () => {
  const { out, config, env, calls } = setup('interrupt', { FAKE_TRAIN_SLEEP_MS: '150', FAKE_TRAIN_EVALS: '10' }, { agents: 'sac', seeds: '0-2', parallel: 2 });
  const ac = new AbortController();
  const sweep = runSweep({ config, trainCommand, logger, env, signal: ac.signal });
  // Abort once the first two runs have evaluated at least once. They sleep 150 ms per evaluation
  // (1.5 s a run) so that, on a loaded machine, neither finishes before the abort lands.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ok = ['seed-0', 'seed-1'].every((s) => {
      try {
        return status(join(out, 'Hopper-v5/sac', s)).step > 0;
      } catch {
        return false;
      }
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  ac.abort();
  const first = await sweep;
  assert.equal(first.interrupted, true);
  const m = readManifest(out);
  assert.equal(m?.state, 'interrupted');
  assert.deepEqual(m?.runs.map((x) => x.state), ['interrupted', 'interrupted', 'interrupted']);
  assert.equal(status(join(out, 'Hopper-v5/sac/seed-0')).state, 'interrupted');
  assert.equal(existsSync(join(out, 'Hopper-v5/sac/seed-2')), false, 'no new run starts after abort');

  const second = await runSweep({ config, trainCommand, logger, env });
  assert.equal(second.finished, 3);
  const byDir = (s: string) => calls().filter((c) => c.dir.endsWith(s)).map((c) => c.argv[0]);
  assert.deepEqual(byDir('seed-0'), ['train', 'resume']);
  assert.deepEqual(byDir('seed-1'), ['train', 'resume']);
  assert.deepEqual(byDir('seed-2'), ['train']);
  assert.equal(evals(join(out, 'Hopper-v5/sac/seed-0')).length, 10);
});

test('grid sweeps pass the grid values as train flags and record them in sweep.json', async () => {
  const { out, config, env } = setup('grid', {}, { agents: 'sac,rpp-sac', seeds: '0', grid: { equiv_wd: [1e-6, 1e-4], basic_wd: [1e-2] } });
  const r = await runSweep({ config, trainCommand, logger, env });
  assert.equal(r.finished, 3);
  const cfg = JSON.parse(readFileSync(join(out, 'Hopper-v5/rpp-sac/equiv_wd=1e-4,basic_wd=0.01/seed-0/config.json'), 'utf8')) as {
    actorEquivWd: number;
    actorBasicWd: number;
  };
  assert.deepEqual([cfg.actorEquivWd, cfg.actorBasicWd], [1e-4, 0.01]);
  const m = readManifest(out);
  assert.deepEqual(m?.runs.map((x) => x.grid), [null, { equiv_wd: 1e-6, basic_wd: 0.01 }, { equiv_wd: 1e-4, basic_wd: 0.01 }]);
});

test('a train command that cannot start is reported, not thrown', async () => {
  const { config, env } = setup('no-command', {}, { agents: 'sac', seeds: '0' });
  const r = await runSweep({ config, trainCommand: [join(root, 'does-not-exist')], logger, env });
  assert.equal(r.failed.length, 1);
  assert.match(r.failed[0].error ?? '', /could not start the train command/);
});

test('a second sweep on the same directory is refused while the first runs', async () => {
  const { out, config, env } = setup('locked', { FAKE_TRAIN_SLEEP_MS: '50' }, { agents: 'sac', seeds: '0' });
  const first = runSweep({ config, trainCommand, logger, env });
  await assert.rejects(runSweep({ config, trainCommand, logger, env }), /Another sweep \(pid \d+ on .*\) is running in/);
  assert.equal((await first).finished, 1);
  assert.equal(existsSync(join(out, '.sweep.lock')), false, 'lock released');
  // A stale lock (dead pid on this host) is taken over.
  writeFileSync(join(out, '.sweep.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, hostname: hostname(), startedAt: 'then' }));
  assert.equal((await runSweep({ config, trainCommand, logger, env })).skipped, 1);
});

test('never more than --parallel runs at once', async () => {
  const eventsFile = join(root, 'parallel.events');
  const { config, env } = setup('parallel', { FAKE_TRAIN_SLEEP_MS: '40', FAKE_TRAIN_EVENTS: eventsFile }, { agents: 'sac,rpp-sac', seeds: '0-2', parallel: 2 });
  const r = await runSweep({ config, trainCommand, logger, env });
  assert.equal(r.finished, 6);
  let running = 0;
  let peak = 0;
  const events = readFileSync(eventsFile, 'utf8').trim().split('\n');
  assert.equal(events.length, 12);
  for (const e of events) {
    running += e.startsWith('start') ? 1 : -1;
    peak = Math.max(peak, running);
  }
  assert.equal(running, 0);
  // The first two runs are spawned together, so the pool is used to its limit and not beyond.
  assert.equal(peak, 2);
});

test('compare on a parent of several sweeps finds each run in its own sweep.json and flags repeated seeds', async () => {
  const { compareSweep } = await import('../src/compare/compare-sweep.js');
  const r = await compareSweep(root, { resamples: 50, curveResamples: 20, png: false, logger });
  const hopper = r.summary.envs.find((e) => e.env === 'Hopper-v5');
  assert.ok(hopper);
  // The grid sweep's runs sit 5 levels below root; their grid points come from grid/sweep.json.
  const gridded = hopper.groups.filter((g) => g.gridLabel !== null).map((g) => g.gridLabel);
  assert.deepEqual(gridded, ['equiv_wd=1e-6,basic_wd=0.01', 'equiv_wd=1e-4,basic_wd=0.01']);
  assert.ok(r.summary.warnings.some((w) => /seed 0 of sac appears twice/.test(w)));
});

test('--on-run-finished runs a command after each finished run, one at a time, with the run named in its env; a failing one is only logged', async () => {
  const { out, config, env } = setup('hook');
  const record = join(root, 'hook.jsonl');
  const hookJs = join(root, 'hook.mjs');
  // Appends what it saw (and when) and sleeps, so overlapping hooks would show.
  writeFileSync(
    hookJs,
    `import { appendFileSync, readFileSync } from 'node:fs';
const t0 = Date.now();
const state = JSON.parse(readFileSync(process.env.RPP_SAC_RUN_DIR + '/status.json', 'utf8')).state;
await new Promise((r) => setTimeout(r, 200));
appendFileSync(${JSON.stringify(record)}, JSON.stringify({ id: process.env.RPP_SAC_RUN_ID, sweep: process.env.RPP_SAC_SWEEP_DIR, state, t0, t1: Date.now() }) + '\\n');
if (process.env.RPP_SAC_RUN_ID.endsWith('rpp-sac/seed-1')) { console.error('cannot commit'); process.exit(3); }
`,
  );
  const messages: string[] = [];
  const capture = { info: (m: string) => messages.push(m), warn: (m: string) => messages.push(`WARN ${m}`), error: (m: string) => messages.push(`ERROR ${m}`), debug: () => {} } as unknown as typeof logger;
  const r = await runSweep({ config, trainCommand, logger: capture, env, onRunFinished: `"${process.execPath}" "${hookJs}"` });
  assert.equal(r.finished, 4);
  assert.equal(r.failed.length, 0, 'a failing hook does not fail the run or the sweep');
  const seen = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; sweep: string; state: string; t0: number; t1: number });
  assert.deepEqual(seen.map((x) => x.id).sort(), ['Hopper-v5/rpp-sac/seed-0', 'Hopper-v5/rpp-sac/seed-1', 'Hopper-v5/sac/seed-0', 'Hopper-v5/sac/seed-1']);
  assert.ok(seen.every((x) => x.state === 'finished' && x.sweep === out));
  const byStart = [...seen].sort((a, b) => a.t0 - b.t0);
  for (let i = 1; i < byStart.length; i++) assert.ok(byStart[i].t0 >= byStart[i - 1].t1, 'hooks never overlap');
  assert.ok(messages.some((m) => /^WARN run Hopper-v5\/rpp-sac\/seed-1: --on-run-finished command failed \(exit 3\): cannot commit; the sweep goes on$/.test(m)), messages.join('\n'));
  assert.equal(readManifest(out)?.state, 'finished');
});

test('a --train-command with flags of its own (not this CLI\'s) still runs: only the progress ETA reads train flags, and it does without', async () => {
  const { out, config, env, calls } = setup('foreign-flags', {}, { trainArgs: ['--my-own-flag', '3'] });
  const r = await runSweep({ config, trainCommand, logger, env, progressIntervalMs: 10 });
  assert.equal(r.finished, 4);
  assert.ok(calls().every((c) => c.argv.includes('--my-own-flag')));
  assert.equal(readManifest(out)?.state, 'finished');
});
