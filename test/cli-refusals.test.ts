/**
 * Refusals (issue 13, items 2, 3, 8 and part of 9): a refused command exits 2 with one
 * line and no stack trace, on every command, and writes nothing: a failed start leaves
 * no run directory (and a directory whose start failed before step 0 can be used
 * again), a refused resume leaves every file of the run as it was, a refused
 * comparison leaves the report and the directory as they were.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
const TINY = ['--env', 'InvertedPendulum-v5', '--hidden', '16,16', '--batch-size', '32', '--learning-starts', '200', '--eval-every', '300', '--eval-episodes', '1', '--backend', 'wasm', '--no-progress'];

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Ran> {
  const env = { ...process.env };
  delete env.RPP_SAC_DEBUG;
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Exit 2, the message, and no stack trace (neither a plain one nor one inside a JSON log line). */
function assertRefused(r: Ran, message: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.stderr}`);
  assert.match(r.stderr, message, what);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+|"stack"|\\n\s+at /, `${what}: stack trace printed:\n${r.stderr}`);
}

/** Every file under dir with the hash of its contents. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(dir.length)] = createHash('sha1').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rpp-sac-refusals-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A directory this process cannot create entries in, or null. Tests run as root here, which
 * ignores permission bits but not a read-only pseudo filesystem like /sys (EPERM or EROFS).
 */
function unwritableDir(): string | null {
  for (const d of ['/sys']) {
    const probe = join(d, `rpp-sac-probe-${process.pid}`);
    try {
      mkdirSync(probe);
      rmSync(probe, { recursive: true, force: true });
    } catch {
      return d;
    }
  }
  return null;
}

test('--out where nothing can be written says "cannot write to", names the reason and the fix, and writes nothing', { timeout: 120_000 }, async (t) => {
  const ro = unwritableDir();
  if (ro === null) return t.skip('no unwritable directory found (/sys is writable here)');
  const out = join(ro, `rpp-sac-test-${process.pid}`, 'run');
  const r = await run(['train', ...TINY, '--steps', '300', '--out', out]);
  assertRefused(r, new RegExp(`cannot write to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: E[A-Z]+: .*Pass another --out`), 'unwritable --out');
  assert.doesNotMatch(r.stderr, /ENOENT/);
  assert.ok(!existsSync(out));
});

test('a refused start writes nothing; a run dir whose start failed before step 0 is used again (and warns that it makes no updates); a refused resume changes nothing', { timeout: 300_000 }, async () => {
  writeFileSync(join(dir, 'a-file'), 'x');
  // A directory left by a start that failed before step 0 (as earlier versions left them).
  const again = join(dir, 'failed-start');
  mkdirSync(join(again, 'checkpoints'), { recursive: true });
  writeFileSync(join(again, 'config.json'), JSON.stringify({ env: 'InvertedPendulum-v5', agent: 'rpp-sac', symmetry: 'nosuch' }));
  writeFileSync(join(again, 'status.json'), JSON.stringify({ state: 'failed', step: 0, totalSteps: 300, updatedAt: '', error: "no symmetry 'nosuch'" }));

  const [badSymmetry, badBackend, underFile, reused] = await Promise.all([
    run(['train', ...TINY, '--agent', 'rpp-sac', '--symmetry', 'nosuch', '--steps', '300', '--out', join(dir, 'sym')]),
    run(['train', ...TINY, '--backend', 'gpu9000', '--steps', '300', '--out', join(dir, 'backend')]),
    run(['train', ...TINY, '--steps', '300', '--out', join(dir, 'a-file', 'run')]),
    // learningStarts 300 of 300 steps: it trains nothing and says so.
    run(['train', ...TINY, '--learning-starts', '300', '--steps', '300', '--out', again]),
  ]);
  assertRefused(badSymmetry, /no symmetry 'nosuch'/, 'unknown symmetry');
  assert.ok(!existsSync(join(dir, 'sym')), 'a refused start left its --out directory behind');
  assertRefused(badBackend, /Unknown backend 'gpu9000'/, 'unknown backend');
  assert.ok(!existsSync(join(dir, 'backend')));
  assertRefused(underFile, /cannot write to .*a-file.* is not a directory/, '--out under a file');

  assert.equal(reused.code, 0, reused.stderr);
  assert.match(reused.stderr, /NO GRADIENT UPDATES: --steps 300 is at or below --learning-starts 300/);
  const status = JSON.parse(readFileSync(join(again, 'status.json'), 'utf8')) as { state: string; step: number };
  assert.deepEqual([status.state, status.step], ['finished', 300]);

  // Two copies of the finished run: one with a damaged checkpoint, one with an edited config.json.
  const corrupt = join(dir, 'corrupt');
  const edited = join(dir, 'edited');
  cpSync(again, corrupt, { recursive: true });
  cpSync(again, edited, { recursive: true });
  truncateSync(join(corrupt, 'checkpoints', 'latest', 'params.bin'), 10);
  const config = JSON.parse(readFileSync(join(edited, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(edited, 'config.json'), JSON.stringify({ ...config, hidden: [32, 32] }, null, 2) + '\n');
  const before = { corrupt: snapshot(corrupt), edited: snapshot(edited) };
  const [r1, r2] = await Promise.all([run(['resume', corrupt, '--steps', '600', '--no-progress']), run(['resume', edited, '--steps', '600', '--no-progress'])]);
  assertRefused(r1, /cannot resume .*corrupt.*checkpoint/, 'corrupt checkpoint');
  assertRefused(r2, /cannot resume .*edited.*checkpoint/, 'edited config.json');
  assert.deepEqual(snapshot(corrupt), before.corrupt, 'a refused resume changed files');
  assert.deepEqual(snapshot(edited), before.edited, 'a refused resume changed files');
});

test('every command exits 2 on a user error, with one line and no stack trace', { timeout: 180_000 }, async () => {
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  // A comparable directory with an earlier report that a refused comparison must not touch.
  const cmp = join(dir, 'cmp');
  const seed = join(cmp, 'InvertedPendulum-v5', 'sac', 'seed-0');
  mkdirSync(seed, { recursive: true });
  writeFileSync(join(seed, 'config.json'), JSON.stringify({ env: 'InvertedPendulum-v5', agent: 'sac', seed: 0 }));
  writeFileSync(join(seed, 'evaluations.jsonl'), [100, 200].map((step) => JSON.stringify({ step, meanReturn: step / 10, stdReturn: 0, returns: [step / 10], meanLength: 10, equivError: null, alpha: 1, criticLoss: null, actorLoss: null, stepsPerSec: 1, wallTime: 1 })).join('\n') + '\n');
  mkdirSync(join(cmp, 'compare'));
  writeFileSync(join(cmp, 'compare', 'report.md'), '# a good report\n');

  const cases: [string, string[], RegExp][] = [
    ['train: bad flag value', ['train', '--env', 'InvertedPendulum-v5', '--gamma', '1.5', '--out', join(dir, 'x1')], /--gamma 1\.5/],
    ['train: unknown flag', ['train', '--env', 'InvertedPendulum-v5', '--gama', '0.9', '--out', join(dir, 'x2')], /unknown option '--gama'/],
    ['resume: not a run', ['resume', join(dir, 'nothing')], /is not a run directory/],
    ['eval: not a run', ['eval', join(dir, 'nothing')], /is not a run directory/],
    ['sweep: unknown agent', ['sweep', '--env', 'InvertedPendulum-v5', '--agents', 'sacc', '--seeds', '0', '--steps', '1000', '--dry-run', '--out', join(dir, 'sw')], /Unknown agent "sacc"/],
    ['sweep: bad seeds', ['sweep', '--env', 'InvertedPendulum-v5', '--agents', 'sac', '--seeds', 'x', '--steps', '1000', '--dry-run', '--out', join(dir, 'sw')], /Seed/],
    ['compare: no such dir', ['compare', join(dir, 'nothing')], /does not exist/],
    ['compare: empty dir', ['compare', empty], /No runs with evaluations/],
    ['compare: unknown baseline', ['compare', cmp, '--baseline', 'nosuch', '--no-png'], /--baseline nosuch: no runs of that agent.*sac/],
    ['compare: unknown interval method', ['compare', cmp, '--ci', 'bca', '--no-png'], /--ci <method>.*expected 'expanded' or 'percentile'/],
    ['worker: bad URL', ['worker', '--queue', 'http://localhost:6379', '--results', join(dir, 'w')], /unsupported scheme http:/],
  ];
  const results = await Promise.all(cases.map(([, args]) => run(args)));
  cases.forEach(([what, , message], i) => assertRefused(results[i]!, message, what));
  assert.ok(!existsSync(join(empty, 'compare')), 'compare on an empty dir left compare/ behind');
  assert.equal(readFileSync(join(cmp, 'compare', 'report.md'), 'utf8'), '# a good report\n');
  assert.deepEqual(readdirSync(join(cmp, 'compare')), ['report.md']);
  assert.ok(!existsSync(join(dir, 'x1')) && !existsSync(join(dir, 'sw')));
});

test('sweep: every planned run is read as `train` reads it before anything starts (dry run too); a run that exits 2 is not retried', { timeout: 120_000 }, async () => {
  const base = ['sweep', '--agents', 'sac,rpp-sac', '--seeds', '0-1', '--steps', '2e4'];
  const [env, grid, flag, ok, noUpdates, userError] = await Promise.all([
    run([...base, '--env', 'Walker3d-v5', '--dry-run', '--out', join(dir, 's1')]),
    run([...base, '--env', 'InvertedPendulum-v5', '--grid', 'equiv_wdd=1e-4,1e-2', '--dry-run', '--out', join(dir, 's2')]),
    run([...base, '--env', 'InvertedPendulum-v5', '--out', join(dir, 's3'), '--', '--batch-sise', '64']),
    run([...base, '--env', 'InvertedPendulum-v5', '--dry-run', '--out', join(dir, 's4'), '--', '--batch-size', '64']),
    run([...base, '--env', 'InvertedPendulum-v5', '--steps', '5000', '--dry-run', '--out', join(dir, 's5')]),
    run(['sweep', '--env', 'InvertedPendulum-v5', '--agents', 'sac', '--seeds', '0', '--steps', '100', '--retries', '2', '--out', join(dir, 's6'), '--train-command', `${process.execPath} -e process.exit(2)`]),
  ]);
  assertRefused(env, /4 of 4 planned runs are invalid; nothing was started/, 'typo in env');
  assert.equal(env.stderr.match(/Unknown env 'Walker3d-v5'/g)?.length, 4, env.stderr);
  assertRefused(grid, /4 of 6 planned runs are invalid/, 'typo in a grid key');
  assert.match(grid.stderr, /rpp-sac.*unknown option '--equiv-wdd'/);
  assertRefused(flag, /4 of 4 planned runs are invalid/, 'typo in a train flag');
  assert.match(flag.stderr, /unknown option '--batch-sise'/);
  assert.ok(!existsSync(join(dir, 's3')), 'a refused sweep wrote its directory');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(noUpdates.code, 0, noUpdates.stderr);
  assert.equal(noUpdates.stderr.match(/NO GRADIENT UPDATES: --steps 5000 is at or below --learning-starts 10000/g)?.length, 4, noUpdates.stderr);

  assert.equal(userError.code, 1, userError.stderr);
  const manifest = JSON.parse(readFileSync(join(dir, 's6', 'sweep.json'), 'utf8')) as { runs: { attempts: number; state: string }[] };
  assert.deepEqual(manifest.runs.map((r) => [r.state, r.attempts]), [['failed', 1]]);
});

test('re-running a sweep with other train flags is refused, naming them; --allow-changed-flags records the earlier config', { timeout: 120_000 }, async () => {
  const fakeTrain = join(import.meta.dirname, 'fixtures', 'fake-train.mjs');
  const out = join(dir, 'rerun');
  const sweep = (extra: string[], flags: string[]): Promise<Ran> =>
    run(['sweep', '--env', 'Hopper-v5', '--agents', 'sac', '--seeds', '0', '--steps', '1000', '--out', out, '--train-command', `${process.execPath} ${fakeTrain}`, ...extra, '--', ...flags]);
  const first = await sweep([], ['--batch-size', '64']);
  assert.equal(first.code, 0, first.stderr);
  const manifestBefore = readFileSync(join(out, 'sweep.json'), 'utf8');

  const [changed, dry] = await Promise.all([sweep([], ['--batch-size', '128', '--tau', '0.01']), sweep(['--dry-run'], ['--batch-size', '128'])]);
  assertRefused(changed, /already holds runs trained with other train flags \(--batch-size: 64 -> 128; --tau: unset -> 0\.01\).*new sweep directory.*--allow-changed-flags/, 'changed flags');
  assertRefused(dry, /--batch-size: 64 -> 128/, 'changed flags, dry run');
  assert.equal(readFileSync(join(out, 'sweep.json'), 'utf8'), manifestBefore);

  const allowed = await sweep(['--allow-changed-flags'], ['--batch-size', '128']);
  assert.equal(allowed.code, 0, allowed.stderr);
  const manifest = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { config: { trainArgs: string[] }; previousConfigs: { config: { trainArgs: string[] } }[] };
  assert.deepEqual(manifest.config.trainArgs, ['--batch-size', '128']);
  assert.deepEqual(manifest.previousConfigs.map((p) => p.config.trainArgs), [['--batch-size', '64']]);
});
