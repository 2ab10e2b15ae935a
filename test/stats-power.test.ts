import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/random.js';
import { detectableDifference, pooledSd, seedsToDetect } from '../src/stats/power.js';
import { welchTTest } from '../src/stats/welch-t-test.js';

/** Share of simulated studies (normal seeds, true difference `diff`) in which Welch's p < 0.05. */
function rejectionRate(diff: number, a: { sd: number; n: number }, b: { sd: number; n: number }, studies: number, seed: number): number {
  const rng = new Rng(seed);
  let hits = 0;
  for (let s = 0; s < studies; s++) {
    const xa = Array.from({ length: a.n }, () => rng.normal(diff, a.sd));
    const xb = Array.from({ length: b.n }, () => rng.normal(0, b.sd));
    if (welchTTest(xa, xb).p < 0.05) hits++;
  }
  return hits / studies;
}

test("detectable difference: above the pooled t-test's exact answer, and the normal answer for many seeds", () => {
  // The pooled t-test is the most powerful test for equal-variance normal groups: its
  // detectable difference at 5 v 5, alpha 0.05, power 0.8 is 2.024 sd (scipy.stats.nct).
  // Welch's test, which estimates its df, needs a little more.
  const d = detectableDifference({ sd: 1, n: 5 }, { sd: 1, n: 5 });
  assert.ok(d > 2.024 && d < 2.2, `got ${d}`);
  // Scales with the standard deviation (same draws, same seed).
  assert.ok(Math.abs(detectableDifference({ sd: 300, n: 5 }, { sd: 300, n: 5 }) - 300 * d) < 1e-6 * 300 * d);
  // Many seeds: (z_0.975 + z_0.8) * sqrt(2 / n), within the simulation's noise.
  const many = detectableDifference({ sd: 1, n: 100 }, { sd: 1, n: 100 });
  const normal = (1.95996 + 0.84162) * Math.sqrt(2 / 100);
  assert.ok(Math.abs(many / normal - 1) < 0.03, `got ${many}, normal limit ${normal}`);
});

test('a true difference of that size is detected about 80% of the time in fresh simulations, half of it far less often', () => {
  // Fresh draws (another seed, 6000 studies: binomial noise of a rate near 0.8 about 0.005).
  for (const [a, b] of [
    [{ sd: 1, n: 5 }, { sd: 1, n: 5 }],
    [{ sd: 2, n: 5 }, { sd: 0.7, n: 3 }],
    [{ sd: 1, n: 3 }, { sd: 1, n: 3 }],
  ]) {
    const d = detectableDifference(a, b);
    const rate = rejectionRate(d, a, b, 6000, 11);
    assert.ok(rate > 0.77 && rate < 0.83, `power at D=${d.toFixed(3)} for ${JSON.stringify([a, b])}: ${rate}`);
    const half = rejectionRate(d / 2, a, b, 6000, 12);
    assert.ok(half < 0.4, `power at D/2: ${half}`);
  }
});

test('detectable difference is NaN where no test exists, and bad levels are refused', () => {
  assert.ok(Number.isNaN(detectableDifference({ sd: 1, n: 1 }, { sd: 1, n: 5 })));
  assert.ok(Number.isNaN(detectableDifference({ sd: 0, n: 4 }, { sd: 0, n: 5 })));
  assert.throws(() => detectableDifference({ sd: 1, n: 5 }, { sd: 1, n: 5 }, { power: 1 }), /power must be in \(0, 1\)/);
  assert.throws(() => detectableDifference({ sd: 1, n: 5 }, { sd: 1, n: 5 }, { alpha: 0 }), /alpha must be in \(0, 1\)/);
  assert.throws(() => detectableDifference({ sd: 1, n: 5 }, { sd: 1, n: 5 }, { studies: 10 }), /studies must be an integer >= 100/);
});

test('pooled standard deviation weights each group by n - 1 and skips single values', () => {
  // Variances 1 (n 3) and 4 (n 5): (2*1 + 4*4) / 6 = 3.
  const g1 = [-1, 0, 1];
  const g2 = [0, 0, 0, 4, -4].map((v) => v / Math.sqrt(8) * 2);
  assert.ok(Math.abs(pooledSd([g1, g2, [42]]) - Math.sqrt(3)) < 1e-12, `${pooledSd([g1, g2])}`);
  assert.ok(Number.isNaN(pooledSd([[1], []])));
});

test('seeds to detect: the smallest equal group size whose detectable difference is within the target', () => {
  // Many seeds: the normal answer 2 (z_0.975 + z_0.8)^2 sd^2 / D^2 = 15.70 (D = sd) to 156.98 (D = sd / sqrt(10)).
  const big = seedsToDetect(1, 1 / Math.sqrt(10));
  assert.equal(big.atLeast, false);
  assert.ok(big.seeds >= 155 && big.seeds <= 162, `${big.seeds} seeds for 0.316 sd`);
  // Few seeds: Welch's estimated df costs more than the normal answer (16), and the answer brackets.
  const one = seedsToDetect(1, 1);
  assert.ok(one.seeds >= 17 && one.seeds <= 19, `${one.seeds} seeds for 1 sd`);
  const at = (n: number): number => detectableDifference({ sd: 1, n }, { sd: 1, n });
  assert.ok(at(one.seeds) <= 1 && at(one.seeds - 1) > 1);
  // Scale-free: sd and difference scaled together give the same count.
  assert.equal(seedsToDetect(250, 250).seeds, one.seeds);
  // Two seeds each suffice only for an enormous difference (Welch's df is then about 1-2).
  assert.deepEqual(seedsToDetect(1, 100), { seeds: 2, atLeast: false });
  assert.ok(seedsToDetect(1, 10).seeds > 2);
  assert.deepEqual(seedsToDetect(1, 0.01, { maxSeeds: 300 }), { seeds: 300, atLeast: true });
  assert.throws(() => seedsToDetect(0, 1), /sd must be positive/);
  assert.throws(() => seedsToDetect(1, -1), /difference must be positive/);
});
