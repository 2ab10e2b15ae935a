import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/logging.js';
import { compareSweep, type CompareResult } from '../src/compare/compare-sweep.js';
import type { GroupSummary } from '../src/compare/summary.js';
import { envPower, plannedSeedsPerAgent } from '../src/compare/env-power.js';
import type { SweepManifest } from '../src/sweep/manifest.js';
import { mean, std } from '../src/stats/descriptive.js';
import { detectableDifference, pooledSd } from '../src/stats/power.js';
import { writeFixtureRun, range } from './fixtures/write-runs.js';
import { checkWellFormedXml } from './fixtures/xml-check.js';

const logger = createLogger({ silent: true });
const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b} (tol ${tol})`);

let sweep: string;
let result: CompareResult;

// Hopper-v5: SAC and EMLP-SAC return 100 per 1000 steps, RPP-SAC 120, plus a per-seed offset.
// One RPP-SAC seed stopped at step 8000 (still running), so every Hopper number is taken at 8000.
const emlpOffsets = [0, 50, 10, 40, 30];
before(async () => {
  sweep = mkdtempSync(join(tmpdir(), 'compare-report-'));
  for (let seed = 0; seed < 5; seed++) {
    writeFixtureRun({ dir: join(sweep, 'Hopper-v5/sac', `seed-${seed}`), env: 'Hopper-v5', agent: 'sac', seed, steps: range(1000, 10000, 1000), meanReturn: (s) => s / 10 + 10 * seed });
    const short = seed === 4;
    writeFixtureRun({
      dir: join(sweep, 'Hopper-v5/rpp-sac', `seed-${seed}`),
      env: 'Hopper-v5',
      agent: 'rpp-sac',
      seed,
      steps: range(1000, short ? 8000 : 10000, 1000),
      meanReturn: (s) => (1.2 * s) / 10 + 10 * seed,
      equivError: (s) => 1000 / s,
      state: short ? 'running' : 'finished',
      totalSteps: 10000,
    });
    // EMLP-SAC's runs record the std's equivariance error too; RPP-SAC's predate it.
    writeFixtureRun({
      dir: join(sweep, 'Hopper-v5/emlp-sac', `seed-${seed}`),
      env: 'Hopper-v5',
      agent: 'emlp-sac',
      seed,
      steps: range(1000, 10000, 1000),
      meanReturn: (s) => s / 10 + emlpOffsets[seed],
      equivError: () => 0,
      equivErrorStd: (s) => 10 / s,
    });
  }
  // A failed run is left out, and a half-written last line is skipped with a warning.
  writeFixtureRun({ dir: join(sweep, 'Hopper-v5/sac/seed-9'), env: 'Hopper-v5', agent: 'sac', seed: 9, steps: [1000, 2000], meanReturn: () => -500, state: 'failed' });
  const torn = join(sweep, 'Hopper-v5/emlp-sac/seed-0/evaluations.jsonl');
  writeFileSync(torn, readFileSync(torn, 'utf8') + '{"step": 11000, "meanRet');

  // Walker2d-v5: an RPP-SAC prior-strength grid (2 x 2, 2 seeds) and SAC; final return = 1000*log10(basic/equiv) + seed.
  for (const seed of [0, 1]) {
    writeFixtureRun({ dir: join(sweep, 'Walker2d-v5/sac', `seed-${seed}`), env: 'Walker2d-v5', agent: 'sac', seed, steps: [500, 1000], meanReturn: (s) => s + seed });
    for (const equivWd of [1e-6, 1e-4]) {
      for (const basicWd of [1e-6, 1e-2]) {
        writeFixtureRun({
          dir: join(sweep, 'Walker2d-v5/rpp-sac', `equiv_wd=${equivWd === 1e-6 ? '1e-6' : '1e-4'},basic_wd=${basicWd === 1e-6 ? '1e-6' : '0.01'}`, `seed-${seed}`),
          env: 'Walker2d-v5',
          agent: 'rpp-sac',
          seed,
          steps: [500, 1000],
          meanReturn: (s) => (s / 1000) * 1000 * Math.log10(basicWd / equivWd) + seed,
          equivError: () => equivWd * 100,
        });
      }
    }
  }
  result = await compareSweep(sweep, { threshold: 'Hopper-v5=500', resamples: 1000, curveResamples: 200, logger });
});
after(() => rmSync(sweep, { recursive: true, force: true }));

function group(env: string, series: string): GroupSummary {
  const g = result.summary.envs.find((e) => e.env === env)?.groups.find((x) => x.series === series);
  assert.ok(g, `group ${env} ${series}`);
  return g;
}

test('final return, AUC and steps-to-threshold are measured at the common end step, with CIs', () => {
  const hopper = result.summary.envs.find((e) => e.env === 'Hopper-v5');
  assert.ok(hopper);
  assert.equal(hopper.endStep, 8000);
  assert.equal(hopper.startStep, 1000);
  assert.deepEqual(hopper.groups.map((g) => g.series), ['SAC', 'RPP-SAC', 'EMLP-SAC']);

  const sac = group('Hopper-v5', 'SAC');
  assert.deepEqual(sac.seeds, [0, 1, 2, 3, 4], 'failed seed 9 is left out');
  assert.deepEqual(sac.finalReturn.perSeed.map((p) => p.value), [800, 810, 820, 830, 840]);
  close(sac.finalReturn.mean.estimate, 820, 1e-9);
  assert.ok(sac.finalReturn.mean.low < 820 && sac.finalReturn.mean.high > 820);
  assert.ok(sac.finalReturn.mean.low >= 800 && sac.finalReturn.mean.high <= 840);
  // Linear curve from 100 to 800 over [1000, 8000]: AUC is the average of the ends, plus the offset.
  assert.deepEqual(sac.auc.perSeed.map((p) => p.value), [450, 460, 470, 480, 490]);
  close(sac.stepsToThreshold?.meanOfReached?.estimate ?? NaN, 5000, 1e-9);

  const rpp = group('Hopper-v5', 'RPP-SAC');
  assert.deepEqual(rpp.finalReturn.perSeed.map((p) => p.value), [960, 970, 980, 990, 1000]);
  // 120 k + 10 seed >= 500 first at k = 5, 5, 4, 4, 4 thousand steps.
  assert.deepEqual(rpp.stepsToThreshold?.perSeed.map((p) => p.value), [5000, 5000, 4000, 4000, 4000]);
  assert.equal(rpp.stepsToThreshold?.reached, 5);
  close(rpp.finalEquivError?.estimate ?? NaN, 0.125, 1e-12);
  assert.deepEqual(rpp.lastSteps, [10000, 10000, 10000, 10000, 8000]);

  const emlp = group('Hopper-v5', 'EMLP-SAC');
  // IQM per rliable: middle 3 of [800, 810, 830, 840, 850].
  close(emlp.finalReturn.iqm.estimate, 826.6666666666666, 1e-9);
  assert.equal(group('Hopper-v5', 'SAC').finalEquivError, null);
});

test("the std's equivariance error: summarised where runs record it; runs that predate it still load", () => {
  const emlp = group('Hopper-v5', 'EMLP-SAC');
  close(emlp.finalEquivErrorStd?.estimate ?? NaN, 10 / 8000, 1e-12);
  assert.deepEqual(emlp.equivErrorStdCurve?.map((p) => p.step), range(1000, 10000, 1000));
  close(emlp.equivErrorStdCurve?.[0].mean ?? NaN, 0.01, 1e-12);
  const rpp = group('Hopper-v5', 'RPP-SAC');
  assert.equal(rpp.finalEquivErrorStd, null);
  assert.equal(rpp.equivErrorStdCurve, null);
  assert.ok(rpp.finalEquivError !== null && rpp.equivErrorCurve !== null, "the mean's error of older runs is still read");
  assert.equal(group('Hopper-v5', 'SAC').equivErrorStdCurve, null);

  const md = readFileSync(result.reportPath, 'utf8');
  assert.match(md, /Std's equivariance error at end \[95% CI\]/);
  assert.match(md, /!\[Hopper-v5 policy std's equivariance error\]\(plots\/Hopper-v5-equiv-error-std\.svg\)/);
  const svg = readFileSync(join(result.outDir, 'plots/Hopper-v5-equiv-error-std.svg'), 'utf8');
  checkWellFormedXml(svg);
  const series = svg
    .split('class="mark-line role-mark center_marks"')
    .slice(1)
    .map((g) => /aria-label="[^"]*series: ([^;"]+)/.exec(g)?.[1]);
  assert.deepEqual(series, ['EMLP-SAC'], 'only the runs that record it');
  // Walker2d's runs all predate it: no column, no plot.
  assert.ok(!existsSync(join(result.outDir, 'plots/Walker2d-v5-equiv-error-std.svg')));
});

test('curves: one point per common step up to the end step, all seeds contributing, bands around the mean', () => {
  const rpp = group('Hopper-v5', 'RPP-SAC');
  assert.deepEqual(rpp.returnCurve.map((p) => p.step), range(1000, 8000, 1000));
  assert.ok(rpp.returnCurve.every((p) => p.nSeeds === 5));
  const p = rpp.returnCurve[2]; // step 3000: 360 + 10 seed
  close(p.mean, 380, 1e-9);
  assert.ok(p.low <= p.mean && p.mean <= p.high && p.high - p.low > 0);
  assert.equal(group('Hopper-v5', 'SAC').equivErrorCurve, null);
});

test('pairwise against SAC: Welch p matches scipy and the verdicts read right', () => {
  const hopper = result.summary.envs.find((e) => e.env === 'Hopper-v5');
  assert.ok(hopper);
  assert.equal(hopper.baseline, 'SAC');
  const find = (c: string, m: string) => hopper.pairwise.find((p) => p.candidate === c && p.metric === m);
  const rppFinal = find('RPP-SAC', 'finalReturn');
  assert.ok(rppFinal?.welch);
  // scipy.stats.ttest_ind(rpp, sac, equal_var=False): t=16, df=8, p=2.3341863207874e-07
  close(rppFinal.welch.t, 16, 1e-9);
  close(rppFinal.welch.df, 8, 1e-9);
  close(rppFinal.welch.p, 2.3341863207874e-7, 1e-12);
  close(rppFinal.difference?.estimate ?? NaN, 160, 1e-9);
  assert.ok((rppFinal.difference?.low ?? 0) > 0);
  assert.equal(rppFinal.probabilityOfImprovement, 1);
  // Every test of the report (both envs, every agent and metric with a p) is one Holm family.
  const all = result.summary.envs.flatMap((e) => e.pairwise).filter((x) => x.welch !== null && !Number.isNaN(x.welch.p));
  assert.ok(all.length >= 6 && all.every((x) => x.holm?.family === all.length), `family ${all.length}`);
  assert.ok(all.every((x) => (x.holm?.p ?? -1) >= (x.welch?.p ?? 2) && (x.holm?.p ?? 2) <= Math.min(1, all.length * (x.welch?.p ?? 0)) + 1e-15));
  // Holm keeps the order of the p-values.
  const byP = [...all].sort((x, y) => (x.welch?.p ?? 0) - (y.welch?.p ?? 0));
  assert.ok(byP.every((x, i) => i === 0 || (x.holm?.p ?? 0) >= (byP[i - 1].holm?.p ?? 0)));
  assert.equal(rppFinal.significantAfterHolm, true);
  assert.equal(
    rppFinal.verdict,
    `RPP-SAC's final return is higher than SAC's, and the difference is significant at 5% (p<0.001, 5 seeds), also after Holm's correction for the ${all.length} tests in this report (adjusted p<0.001).`,
  );

  const emlpFinal = find('EMLP-SAC', 'finalReturn');
  // scipy: t=0.5144957554275265, p=0.6217634298359601, df=7.476151980598222
  close(emlpFinal?.welch?.p ?? NaN, 0.6217634298359601, 1e-10);
  assert.equal(emlpFinal?.verdict, "EMLP-SAC's final return is higher than SAC's, but the difference is not significant at 5% (p=0.62, 5 seeds).");
  assert.ok((emlpFinal?.difference?.low ?? 1) < 0 && (emlpFinal?.difference?.high ?? -1) > 0);

  const rppSteps = find('RPP-SAC', 'stepsToThreshold');
  // SAC: all 5000 (no spread); RPP-SAC [5000, 5000, 4000, 4000, 4000]. scipy: t=-2.449489742783178, df=4, p=0.07048399691021992
  close(rppSteps?.welch?.p ?? NaN, 0.07048399691021992, 1e-10);
  assert.equal(rppSteps?.verdict, 'RPP-SAC needs fewer steps to reach 500 than SAC, but the difference is not significant at 5% (p=0.07, 5 seeds).');
  close(rppSteps?.difference?.estimate ?? NaN, -600, 1e-9);
});

test('power: each tested pair and each env say what size of true difference Welch\'s test would catch', () => {
  const hopper = result.summary.envs.find((e) => e.env === 'Hopper-v5');
  assert.ok(hopper);
  const sacFinal = group('Hopper-v5', 'SAC').finalReturn.perSeed.map((p) => p.value as number);
  const rppFinal = hopper.pairwise.find((p) => p.candidate === 'RPP-SAC' && p.metric === 'finalReturn');
  // SAC and RPP-SAC seeds spread alike (sd 15.8): 5 v 5 needs about 2.02-2.2 sd (stats-power.test.ts).
  const sd = std(sacFinal);
  const d = rppFinal?.detectable ?? NaN;
  assert.ok(d > 2.024 * sd && d < 2.2 * sd, `detectable ${d}, sd ${sd}`);
  // The steps-to-threshold pair is tested too; untested pairs carry null, not a number.
  assert.ok(hopper.pairwise.every((p) => (p.welch === null ? p.detectable === null : p.detectable === null || (p.detectable ?? 0) > 0)));

  // Env level: no sweep manifest here, so at the most seeds any agent has (5); the spread pooled over agents.
  const pw = hopper.power;
  assert.ok(pw);
  assert.equal(pw.seedsPerAgent, 5);
  assert.equal(pw.seedsFrom, 'runs');
  const pooled = pooledSd(hopper.groups.map((g) => g.finalReturn.perSeed.map((p) => p.value as number)));
  close(pw.finalReturn.pooledSd ?? NaN, pooled, 1e-9);
  assert.ok((pw.finalReturn.detectable ?? 0) > 2.024 * pooled && (pw.finalReturn.detectable ?? Infinity) < 2.2 * pooled);
  close(pw.finalReturn.baselineMean ?? NaN, mean(sacFinal), 1e-9);
  const report = readFileSync(result.reportPath, 'utf8');
  assert.match(report, /Power: with 5 seeds per agent \(the most any agent has here\) and this env's seed-to-seed standard deviation pooled over its agents/);
  // And what a 10%-of-SAC effect would take, with the same test: at that many seeds the
  // detectable difference is within it, one seed fewer it is not (to the simulation's noise:
  // another simulation seed here).
  const need = pw.finalReturn.seedsForShare;
  assert.ok(need && !need.atLeast);
  close(need.difference, 0.1 * mean(sacFinal), 1e-9);
  const at = (n: number): number => detectableDifference({ sd: pooled, n }, { sd: pooled, n }, { seed: 11 });
  assert.ok(at(need.seeds) <= 1.02 * need.difference && at(need.seeds - 1) > 0.98 * need.difference, `${need.seeds} seeds`);
  assert.match(report, new RegExp(`To detect a true difference of 10% of SAC's mean as often, a study would need about ${need.seeds} seeds per agent in final return`));
  assert.match(report, /\| Agent \| Metric \| Difference vs SAC \[95% CI\] \| Welch's p \| Holm's p \| Detectable at 80% power \| P\(improvement\) \|/);
});

test("power figures use the sweep's planned seeds per agent when its manifest has them", () => {
  const runs = ['sac', 'rpp-sac/basic_wd=1', 'rpp-sac/basic_wd=10'].flatMap((a) => [0, 1, 2, 3, 4].map((seed) => ({ id: `Walker2d-v5/${a}/seed-${seed}`, env: 'Walker2d-v5' })));
  const manifest = { runs: [...runs, { id: 'Hopper-v5/sac/seed-0', env: 'Hopper-v5' }] } as unknown as SweepManifest;
  assert.equal(plannedSeedsPerAgent(manifest, 'Walker2d-v5'), 5);
  assert.equal(plannedSeedsPerAgent(manifest, 'Hopper-v5'), 1);
  assert.equal(plannedSeedsPerAgent(manifest, 'Ant-v5'), null);
  assert.equal(plannedSeedsPerAgent(null, 'Walker2d-v5'), null);
  // Two finished seeds of a five-seed plan: the figures are for the plan.
  const walker = result.summary.envs.find((e) => e.env === 'Walker2d-v5');
  assert.ok(walker);
  const planned = envPower(walker.groups, walker.groups[0], 5, 0.05, 0);
  assert.equal(planned?.seedsPerAgent, 5);
  assert.equal(planned?.seedsFrom, 'sweep plan');
  const observed = envPower(walker.groups, walker.groups[0], null, 0.05, 0);
  assert.equal(observed?.seedsPerAgent, 2);
  // Fewer seeds, larger detectable differences.
  assert.ok((observed?.finalReturn.detectable ?? 0) > (planned?.finalReturn.detectable ?? Infinity));
});

test('grid sweep: heat map cells hold the mean final return of each (equivWd, basicWd) point', () => {
  const walker = result.summary.envs.find((e) => e.env === 'Walker2d-v5');
  assert.ok(walker);
  assert.equal(walker.groups.length, 5);
  assert.equal(walker.heatMaps.length, 1);
  const hm = walker.heatMaps[0];
  assert.equal(hm.xAxis, 'equiv_wd');
  assert.equal(hm.yAxis, 'basic_wd');
  const cell = (x: number, y: number) => hm.cells.find((c) => c.x === x && c.y === y);
  // 1000 * log10(basic/equiv) + mean seed offset 0.5
  close(cell(1e-6, 1e-2)?.meanFinalReturn ?? NaN, 4000.5, 1e-6);
  close(cell(1e-4, 1e-6)?.meanFinalReturn ?? NaN, -1999.5, 1e-6);
  close(cell(1e-6, 1e-6)?.meanFinalReturn ?? NaN, 0.5, 1e-6);
  assert.equal(cell(1e-4, 1e-2)?.nSeeds, 2);
  assert.ok(hm.plot && existsSync(join(result.outDir, hm.plot)));
});

test('report.md and summary.json carry the table numbers; failures and torn lines are reported', () => {
  const md = readFileSync(result.reportPath, 'utf8');
  assert.match(md, /\| SAC \| 5 \| 820 \[\d+(\.\d+)?, \d+(\.\d+)?\] \|/);
  assert.match(md, /RPP-SAC's final return is higher than SAC's, and the difference is significant at 5% \(p<0\.001, 5 seeds\), also after Holm's correction for the \d+ tests in this report \(adjusted p<0\.001\)\./);
  assert.match(md, /!\[Hopper-v5 return curves\]\(plots\/Hopper-v5-return-curves\.svg\)/);
  assert.match(md, /Hopper-v5\/sac\/seed-9`: status failed/);
  assert.match(md, /line 11: not valid JSON/);
  assert.match(md, /runs stop at different steps \(8000 to 10000\)/);
  const json = JSON.parse(readFileSync(result.summaryPath, 'utf8')) as typeof result.summary;
  // A published report names no path of the machine it was made on: the sweep is `..` from compare/.
  assert.ok(!md.includes(sweep) && !readFileSync(result.summaryPath, 'utf8').includes(sweep), 'absolute sweep path in the report');
  assert.match(md, /Sweep: `\.\.` \(relative to this report\)/);
  assert.equal(json.sweepDir, '..');
  // The hyperparameters of the compared runs, one column per agent.
  assert.match(md, /### Hyperparameters\n\n.*\n\n\| Key \| SAC \| RPP-SAC \| EMLP-SAC \|/);
  assert.match(md, /\| `gamma` \| 0\.99 \| 0\.99 \| 0\.99 \|/);
  const sac = json.envs[0].groups[0];
  assert.equal(sac.finalReturn.mean.estimate, 820);
  assert.equal(json.envs[0].pairwise.length, 2 * 3);
  // The return-curve SVG is well-formed XML with one line per agent, in table order.
  const svg = readFileSync(join(result.outDir, 'plots/Hopper-v5-return-curves.svg'), 'utf8');
  checkWellFormedXml(svg);
  const series = svg
    .split('class="mark-line role-mark center_marks"')
    .slice(1)
    .map((g) => /aria-label="[^"]*series: ([^;"]+)/.exec(g)?.[1]);
  assert.deepEqual(series, ['SAC', 'RPP-SAC', 'EMLP-SAC']);
  const walkerSvg = readFileSync(join(result.outDir, 'plots/Walker2d-v5-return-curves.svg'), 'utf8');
  assert.equal(walkerSvg.split('class="mark-line role-mark center_marks"').length - 1, 5, 'SAC + 4 grid points');
  for (const f of ['Hopper-v5-return-curves', 'Hopper-v5-final-return', 'Hopper-v5-equiv-error', 'Walker2d-v5-return-curves']) {
    assert.ok(existsSync(join(result.outDir, 'plots', `${f}.svg`)), f);
    assert.ok(existsSync(join(result.outDir, 'plots', `${f}.png`)), f);
  }
});

test('--finished-only leaves out the running seed, lists it with its step, and compares whole runs at their last step', async () => {
  const out = mkdtempSync(join(tmpdir(), 'compare-finished-'));
  try {
    const r = await compareSweep(sweep, { outDir: out, finishedOnly: true, resamples: 200, curveResamples: 50, png: false, logger });
    const hopper = r.summary.envs.find((e) => e.env === 'Hopper-v5')!;
    const rpp = hopper.groups.find((g) => g.agent === 'rpp-sac')!;
    assert.deepEqual(rpp.seeds, [0, 1, 2, 3]);
    assert.equal(hopper.endStep, 10000, 'no running run holds the common step back to 8000');
    const md = readFileSync(r.reportPath, 'utf8');
    assert.match(md, /Hopper-v5\/rpp-sac\/seed-4`: not finished \(running at step 8000 of 10000; --finished-only\)/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('--final-window: final return is the mean of the last evaluations, the report says which, and bad windows are refused', async () => {
  // A return that zigzags between evaluations: the end step alone and the window's mean differ.
  const dir = mkdtempSync(join(tmpdir(), 'compare-window-'));
  const zig = (s: number, seed: number): number => (s / 1000) % 2 === 0 ? 200 + seed : 100 + seed;
  try {
    for (let seed = 0; seed < 3; seed++) {
      for (const agent of ['sac', 'rpp-sac']) {
        writeFixtureRun({ dir: join(dir, 'Hopper-v5', agent, `seed-${seed}`), env: 'Hopper-v5', agent, seed, steps: range(1000, 10000, 1000), meanReturn: (s) => zig(s, seed) + (agent === 'rpp-sac' ? 5 : 0), equivError: agent === 'rpp-sac' ? () => 0.1 : undefined });
      }
    }
    const opts = { resamples: 200, curveResamples: 50, png: false, logger };
    const atEnd = await compareSweep(dir, { ...opts, outDir: join(dir, 'end') });
    const windowed = await compareSweep(dir, { ...opts, outDir: join(dir, 'window'), finalWindow: 3000 });
    const env = windowed.summary.envs[0];
    assert.deepEqual(env.finalSteps, [7000, 8000, 9000, 10000]);
    assert.deepEqual(atEnd.summary.envs[0].finalSteps, [10000]);
    assert.equal(windowed.summary.options.finalWindow, 3000);
    const sac = (r: CompareResult) => r.summary.envs[0].groups.find((g) => g.agent === 'sac')!;
    // seed 1: 200 at 10000 alone; (100 + 200 + 100 + 200) / 4 + 1 = 151 over 7000-10000.
    assert.equal(sac(atEnd).finalReturn.perSeed[1].value, 201);
    assert.equal(sac(windowed).finalReturn.perSeed[1].value, 151);
    // The AUC does not depend on the window.
    assert.equal(sac(windowed).auc.mean.estimate, sac(atEnd).auc.mean.estimate);
    assert.match(readFileSync(windowed.reportPath, 'utf8'), /Final return is the evaluation return averaged over the 4 evaluations from step 7000 to 10000 \(--final-window\), 10000 being the last step/);
    assert.match(readFileSync(atEnd.reportPath, 'utf8'), /Final return is the evaluation return at step 10000, the last step/);
    await assert.rejects(compareSweep(dir, { ...opts, outDir: join(dir, 'bad'), finalWindow: -5 }), /finalWindow -5: give a whole number of steps >= 0/);
    assert.ok(!existsSync(join(dir, 'bad')), 'a refused comparison writes nothing');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
