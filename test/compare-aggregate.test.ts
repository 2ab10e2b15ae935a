import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/logging.js';
import { compareSweep, type CompareResult } from '../src/compare/compare-sweep.js';
import { alignCurves } from '../src/compare/align-curves.js';
import { writeFixtureRun, range } from './fixtures/write-runs.js';
import { checkWellFormedXml } from './fixtures/xml-check.js';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b} (tol ${tol})`);
let result: CompareResult;
let sweep: string;

// Two envs with constant curves. Ant-v5: SAC 100, RPP-SAC 110..140 (seed 3 stops at 3000).
// Swimmer-v5: SAC 200, RPP-SAC 180..240. Normalised by SAC's mean: RPP-SAC
// [1.1, 1.2, 1.3, 1.4] and [0.9, 1.0, 1.1, 1.2].
before(async () => {
  sweep = mkdtempSync(join(tmpdir(), 'compare-aggregate-'));
  for (let seed = 0; seed < 4; seed++) {
    writeFixtureRun({ dir: join(sweep, 'Ant-v5/sac', `seed-${seed}`), env: 'Ant-v5', agent: 'sac', seed, steps: range(1000, 4000, 1000), meanReturn: () => 100 });
    writeFixtureRun({ dir: join(sweep, 'Ant-v5/rpp-sac', `seed-${seed}`), env: 'Ant-v5', agent: 'rpp-sac', seed, steps: range(1000, seed === 3 ? 3000 : 4000, 1000), meanReturn: () => 110 + 10 * seed });
    writeFixtureRun({ dir: join(sweep, 'Swimmer-v5/sac', `seed-${seed}`), env: 'Swimmer-v5', agent: 'sac', seed, steps: range(1000, 4000, 1000), meanReturn: () => 200 });
    writeFixtureRun({ dir: join(sweep, 'Swimmer-v5/rpp-sac', `seed-${seed}`), env: 'Swimmer-v5', agent: 'rpp-sac', seed, steps: range(1000, 4000, 1000), meanReturn: () => 180 + 20 * seed });
  }
  result = await compareSweep(sweep, { minSeeds: 3, resamples: 1000, curveResamples: 100, png: false, logger: createLogger({ silent: true }) });
});
after(() => rmSync(sweep, { recursive: true, force: true }));

test('across-env IQM of baseline-normalised scores with a stratified bootstrap CI', () => {
  const agg = result.summary.aggregate;
  assert.ok(agg);
  assert.deepEqual(agg.envs, ['Ant-v5', 'Swimmer-v5']);
  const rpp = agg.rows.find((r) => r.series === 'RPP-SAC');
  const sac = agg.rows.find((r) => r.series === 'SAC');
  assert.ok(rpp && sac);
  assert.equal(rpp.nRuns, 8);
  // Pooled [0.9, 1.0, 1.1, 1.1, 1.2, 1.2, 1.3, 1.4]: cut 2 each end -> mean(1.1, 1.1, 1.2, 1.2) = 1.15
  close(rpp.iqm.estimate, 1.15, 1e-12);
  close(rpp.mean.estimate, 1.15, 1e-12);
  assert.ok(rpp.iqm.low <= 1.15 && rpp.iqm.high >= 1.15 && rpp.iqm.high > rpp.iqm.low);
  // Ant: all 4 beat 100 -> 1; Swimmer: 180 < 200, 200 = 200, 220, 240 -> (0 + 0.5 + 1 + 1) / 4 = 0.625
  close(rpp.probabilityOfImprovement ?? NaN, (1 + 0.625) / 2, 1e-12);
  assert.equal(sac.iqm.estimate, 1);
  assert.deepEqual([sac.iqm.low, sac.iqm.high], [1, 1]);
  assert.equal(sac.probabilityOfImprovement, null);
  const md = readFileSync(result.reportPath, 'utf8');
  assert.match(md, /## Across envs/);
  assert.match(md, /\| RPP-SAC \| 8 \| 1\.15 \[/);
  assert.match(md, /!\[IQM across envs\]\(plots\/aggregate-iqm\.svg\)/);
  const svg = readFileSync(join(result.outDir, 'plots/aggregate-iqm.svg'), 'utf8');
  checkWellFormedXml(svg);
  const ticks = svg.split('class="mark-rect role-mark estimate_marks"')[1]?.split('</g>')[0] ?? '';
  assert.deepEqual([...ticks.matchAll(/series: ([^;"]+)/g)].map((m) => m[1]), ['SAC', 'RPP-SAC']);
});

test('--min-seeds extends curves past the shortest seed and reports the seed count per step', () => {
  const ant = result.summary.envs.find((e) => e.env === 'Ant-v5');
  assert.ok(ant);
  assert.equal(ant.endStep, 3000, 'final numbers still use the step every run reached');
  const rpp = ant.groups.find((g) => g.series === 'RPP-SAC');
  assert.deepEqual(rpp?.returnCurve.map((p) => [p.step, p.nSeeds]), [[1000, 4], [2000, 4], [3000, 4], [4000, 3]]);
  close(rpp?.returnCurve[3].mean ?? NaN, 120, 1e-12); // seeds 0..2 at 4000
  const md = readFileSync(result.reportPath, 'utf8');
  assert.match(md, /RPP-SAC: 4 from step 1000, 3 from step 4000/);
});

test('alignCurves interpolates between evaluations and never extrapolates', () => {
  const a = alignCurves([
    { id: 'a', steps: [0, 100, 200], values: [0, 10, 20] },
    { id: 'b', steps: [50, 150], values: [5, 25] },
  ]);
  // Grid starts at the latest first step (50) and ends at the earliest last step (150).
  assert.deepEqual(a.steps, [50, 100, 150]);
  assert.deepEqual(a.values, [[5, 10, 15], [5, 15, 25]]);
  assert.deepEqual(a.nSeeds, [2, 2, 2]);
  const b = alignCurves(
    [
      { id: 'a', steps: [0, 100, 200], values: [0, 10, 20] },
      { id: 'b', steps: [0, 100], values: [1, 2] },
    ],
    { minSeeds: 1 },
  );
  assert.deepEqual(b.steps, [0, 100, 200]);
  assert.ok(Number.isNaN(b.values[1][2]));
  assert.deepEqual(b.nSeeds, [2, 2, 1]);
});
