import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapCi, bootstrapCis, bootstrapDiffCi, intervalTailPercent, stratifiedBootstrapCi } from '../src/stats/bootstrap.js';
import { mean } from '../src/stats/descriptive.js';
import { iqm } from '../src/stats/trimmed-mean.js';
import { Rng } from '../src/random.js';

test('bootstrap CI is deterministic for a seed and brackets the mean', () => {
  const x = [3.1, 4.7, 2.2, 5.9, 4.4, 3.8, 6.1, 2.9];
  const a = bootstrapCi(x, mean, { seed: 7, resamples: 3000, method: 'percentile' });
  const b = bootstrapCi(x, mean, { seed: 7, resamples: 3000, method: 'percentile' });
  assert.deepEqual(a, b);
  const c = bootstrapCi(x, mean, { seed: 8, resamples: 3000, method: 'percentile' });
  assert.notEqual(a.low, c.low);
  assert.equal(a.estimate, mean(x));
  assert.ok(a.low < a.estimate && a.estimate < a.high, JSON.stringify(a));
  // The percentile bootstrap of a mean is close to mean ± 1.96 * sd/sqrt(n) (here sd/sqrt(n)=0.4848 with ddof=0).
  assert.ok(Math.abs(a.high - a.low - 2 * 1.96 * 0.4848) < 0.3, `width ${a.high - a.low}`);
  // 80% interval sits inside the 95% one.
  const narrow = bootstrapCi(x, mean, { seed: 7, resamples: 3000, confidence: 0.8, method: 'percentile' });
  assert.ok(narrow.low > a.low && narrow.high < a.high);
  // The expanded interval (the default) is close to the t interval mean ± t_{7, 0.975} s / sqrt(n)
  // = ± 2.365 * 0.5183, and contains the percentile one (same resamples, read further out).
  const e = bootstrapCi(x, mean, { seed: 7, resamples: 3000 });
  assert.equal(e.method, 'expanded');
  assert.ok(Math.abs(e.high - e.low - 2 * 2.365 * 0.5183) < 0.4, `width ${e.high - e.low}`);
  assert.ok(e.low < a.low && e.high > a.high);
});

test('expanded tail: the t correction at small n, the plain tail at large n and for percentile', () => {
  // n = 5: sqrt(5/4) * t_{4, 0.975} = 1.118 * 2.776 = 3.104, P(Z > 3.104) = 0.095%.
  assert.ok(Math.abs(intervalTailPercent('expanded', 0.95, 5) - 0.0954) < 0.001, String(intervalTailPercent('expanded', 0.95, 5)));
  assert.ok(Math.abs(intervalTailPercent('expanded', 0.95, 1e6) - 2.5) < 0.01);
  assert.ok(Math.abs(intervalTailPercent('percentile', 0.95, 5) - 2.5) < 1e-12);
  assert.throws(() => bootstrapCi([1, 2], mean, { method: 'bca' as 'percentile' }), /expanded' or 'percentile/);
});

test('with 5 seeds the expanded interval covers near 95% where the plain percentile one falls short', () => {
  // The study's case: 5 seeds per agent. Same data and resamples for both readings.
  const rng = new Rng(2026);
  const trials = 400;
  let plain = 0;
  let expanded = 0;
  let plainDiff = 0;
  let expandedDiff = 0;
  for (let t = 0; t < trials; t++) {
    const x = Array.from({ length: 5 }, () => rng.normal(10, 2));
    const y = Array.from({ length: 5 }, () => rng.normal(10, 2));
    const inside = (ci: { low: number; high: number }, v: number): number => (ci.low <= v && v <= ci.high ? 1 : 0);
    plain += inside(bootstrapCi(x, mean, { seed: t, resamples: 1000, method: 'percentile' }), 10);
    expanded += inside(bootstrapCi(x, mean, { seed: t, resamples: 1000 }), 10);
    plainDiff += inside(bootstrapDiffCi(x, y, mean, { seed: t, resamples: 1000, method: 'percentile' }), 0);
    expandedDiff += inside(bootstrapDiffCi(x, y, mean, { seed: t, resamples: 1000 }), 0);
  }
  const c = [plain, expanded, plainDiff, expandedDiff].map((k) => k / trials);
  // Binomial sd at 400 trials is about 1.5%; measured here: about 84% / 91% (mean), 88% / 96% (difference).
  assert.ok(c[0] < 0.9, `percentile coverage of a mean ${c[0]}`);
  assert.ok(c[1] > 0.87 && c[1] - c[0] > 0.04, `expanded coverage of a mean ${c[1]} vs ${c[0]}`);
  assert.ok(c[2] < 0.93, `percentile coverage of a difference ${c[2]}`);
  assert.ok(c[3] > 0.92 && c[3] - c[2] > 0.04, `expanded coverage of a difference ${c[3]} vs ${c[2]}`);
});

test('bootstrap CI of a constant sample collapses to the constant', () => {
  const ci = bootstrapCi([5, 5, 5], mean, { resamples: 50 });
  assert.deepEqual([ci.low, ci.estimate, ci.high], [5, 5, 5]);
  assert.throws(() => bootstrapCi([], mean), /empty/);
  assert.throws(() => bootstrapCi([1], mean, { confidence: 1 }), /confidence/);
});

test('95% bootstrap CI covers the true mean about 95% of the time (normal data, n=20)', () => {
  const rng = new Rng(123);
  let covered = 0;
  const trials = 200;
  for (let t = 0; t < trials; t++) {
    const x = Array.from({ length: 20 }, () => rng.normal(10, 2));
    const ci = bootstrapCi(x, mean, { seed: t, resamples: 400 });
    if (ci.low <= 10 && 10 <= ci.high) covered++;
  }
  // Percentile bootstrap undercovers slightly at n=20; binomial sd ~1.5%.
  assert.ok(covered / trials > 0.85 && covered / trials <= 1, `coverage ${covered / trials}`);
});

test('difference CI: separated groups exclude 0, identical groups straddle it', () => {
  const lo = [1, 1.2, 0.9, 1.1, 1.05];
  const hi = [3, 3.1, 2.8, 3.3, 2.9];
  const d = bootstrapDiffCi(hi, lo, mean, { seed: 1 });
  assert.ok(d.low > 1.5 && d.high < 2.3, JSON.stringify(d));
  assert.ok(Math.abs(d.estimate - (mean(hi) - mean(lo))) < 1e-12);
  const same = bootstrapDiffCi(lo, lo, mean, { seed: 1 });
  assert.ok(same.low < 0 && same.high > 0);
});

test('stratified bootstrap keeps runs per stratum and aggregates by pooled IQM', () => {
  const strata = [
    [1, 2, 3, 4],
    [10, 11, 12, 13],
  ];
  const ci = stratifiedBootstrapCi(strata, undefined, { seed: 3, resamples: 1000 });
  // pooled IQM of [1,2,3,4,10,11,12,13] = mean(3,4,10,11) = 7
  assert.equal(ci.estimate, 7);
  assert.ok(ci.low <= 7 && ci.high >= 7);
  // Every resample draws exactly 4 values from each stratum (never 8 from one), so the pooled
  // middle half is always the 2 largest lows and 2 smallest highs: IQM in [(1+1+10+10)/4, (4+4+13+13)/4].
  // An unstratified bootstrap could draw 8 lows and go down to 1.
  assert.ok(ci.low >= 5.5 && ci.high <= 8.5 && ci.high > ci.low, JSON.stringify(ci));
  // A custom aggregate sees the strata with their sizes.
  const sizes: number[] = [];
  stratifiedBootstrapCi([[1, 2, 3], [4, 5]], (s) => {
    sizes.push(s[0].length * 10 + s[1].length);
    return iqm(s.flat());
  }, { resamples: 5 });
  assert.ok(sizes.every((v) => v === 32));
  // Deterministic for a seed.
  assert.deepEqual(stratifiedBootstrapCi(strata, undefined, { seed: 3, resamples: 1000 }), ci);
});

test('several statistics from the same resamples match the one-statistic bootstrap with the same seed', () => {
  const x = [5, 1, 9, 3, 7, 2, 8, 4];
  const both = bootstrapCis(x, { mean, iqm }, { seed: 11, resamples: 500 });
  assert.deepEqual(both.mean, bootstrapCi(x, mean, { seed: 11, resamples: 500 }));
  assert.deepEqual(both.iqm, bootstrapCi(x, iqm, { seed: 11, resamples: 500 }));
  // sorted [1, 2, 3, 4, 5, 7, 8, 9], cut 2 each end -> mean(3, 4, 5, 7) = 4.75
  assert.equal(both.iqm.estimate, 4.75);
});

test('one or two seeds: the interval says so (minSamples), and the report prints no CI', async () => {
  const { fmtCi } = await import('../src/compare/report-markdown.js');
  const one = bootstrapCi([5042], mean, { resamples: 100 });
  assert.deepEqual([one.low, one.high, one.minSamples], [5042, 5042, 1]);
  assert.equal(fmtCi(one), '5042 (1 seed, no CI)');
  const two = bootstrapCi([677, 714], mean, { resamples: 200 });
  assert.equal(two.minSamples, 2);
  // Any bootstrap interval of 2 values is their range: a 50% interval, so none is printed.
  assert.deepEqual([two.low, two.high], [677, 714]);
  assert.equal(fmtCi(two), '695.5 (2 seeds, no CI)');
  assert.match(fmtCi(bootstrapCi([677, 714, 690], mean, { resamples: 200 })), /^693\.7 \[6\d\d(\.\d+)?, 7\d\d(\.\d+)?\]$/);
  // A difference is as uncertain as its smaller side; strata as their smallest.
  assert.equal(bootstrapDiffCi([1, 2, 3], [4], mean, { resamples: 50 }).minSamples, 1);
  assert.equal(fmtCi(bootstrapDiffCi([1, 2, 3], [4], mean, { resamples: 50 })), '-2 (1 seed, no CI)');
  assert.equal(stratifiedBootstrapCi([[1, 2], [3, 4, 5]], undefined, { resamples: 50 }).minSamples, 2);
  assert.equal(bootstrapCis([1, 2, 3], { m: mean }, { resamples: 20 }).m.minSamples, 3);
});
