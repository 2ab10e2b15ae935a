/**
 * scripts/gait-symmetry.ts as a user runs it: exported policies in run directories, a table
 * on stdout, rows in JSON, and clear refusals for an env without an exact mirror or a
 * directory without a policy.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../src/backend.js';
import { SacAgent } from '../agents/sac.js';
import { exportPolicy } from '../agents/policy-export.js';
import { symmetry } from '../envs/symmetries.js';
import { envSpec } from '../envs/registry.js';

const script = fileURLToPath(new URL('../scripts/gait-symmetry.ts', import.meta.url));
let dir: string;

async function exportRun(envId: string, agent: 'sac' | 'emlp-sac', obsDim: number, actDim: number, symmetryName: string | null): Promise<string> {
  const run = join(dir, envId, agent, 'seed-0');
  mkdirSync(run, { recursive: true });
  const a = new SacAgent({
    config: { agent, hidden: [16, 16], seed: 1 },
    obsDim,
    actDim,
    actionLow: new Array<number>(actDim).fill(-1),
    actionHigh: new Array<number>(actDim).fill(1),
    symmetry: symmetryName === null ? null : symmetry(envId, symmetryName),
  });
  await exportPolicy(a, join(run, 'policy'), { envId });
  a.dispose();
  return run;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gait-'));
  await initBackend({});
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('gait-symmetry: one row per run, labelled by agent dir and seed, with per-episode summaries in JSON', async () => {
  const emlp = await exportRun('Walker2d-v5', 'emlp-sac', 17, 6, 'exact_mirror');
  const sac = await exportRun('Walker2d-v5', 'sac', 17, 6, null);
  const out = join(dir, 'gait.json');
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--episodes', '2', '--out', out, emlp, join(sac, 'policy')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| Walker2d-v5 \| emlp-sac seed-0 \| -?\d+ \| \d+ \|/);
  assert.match(r.stdout, /\| Walker2d-v5 \| sac seed-0 \|/, 'a policy/ folder is labelled by its run too');
  const rows = (JSON.parse(readFileSync(out, 'utf8')) as { rows: { run: string; initial: number; mean: number; syncFraction: number; lengthMean: number; episodes: unknown[] }[] }).rows;
  assert.deepEqual(rows.map((x) => x.run), ['emlp-sac seed-0', 'sac seed-0']);
  for (const row of rows) {
    assert.equal(row.episodes.length, 2);
    // Walker2d's reset noise (5e-3 per coordinate) leaves the start state about 1% from its mirror image.
    assert.ok(row.initial > 1e-3 && row.initial < 0.05, `asymmetry at reset ${row.initial}`);
    assert.ok(row.mean >= 0 && row.mean <= 2 && row.syncFraction >= 0 && row.syncFraction <= 1);
    assert.ok(row.lengthMean >= 1 && row.lengthMean <= envSpec('Walker2d-v5').maxEpisodeSteps);
  }
});

test('gait-symmetry: an env without an exact mirror, and a directory without a policy, are refused with the fix', async () => {
  const cheetah = await exportRun('HalfCheetah-v5', 'sac', 17, 6, null);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--episodes', '1', cheetah], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /HalfCheetah-v5 has no exact mirror symmetry.*use Walker2d, Swimmer or Ant/);
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const e = spawnSync(process.execPath, ['--import', 'tsx', script, empty], { encoding: 'utf8' });
  assert.notEqual(e.status, 0);
  assert.match(e.stderr, /no policy\.json there or in its policy\/ folder/);
});
