import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mean, std, percentile, median } from '../src/stats/descriptive.js';
import { iqm, trimMean } from '../src/stats/trimmed-mean.js';
import { normalizedAuc, stepsToThreshold } from '../src/stats/curve-metrics.js';
import { probabilityOfImprovement, stratifiedProbabilityOfImprovement } from '../src/stats/probability-of-improvement.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b} (tol ${tol})`);

test('mean, sample std and linear-interpolated percentiles match numpy', () => {
  close(mean([1, 2, 3, 4]), 2.5);
  // np.std([2,4,4,4,5,5,7,9], ddof=1)
  close(std([2, 4, 4, 4, 5, 5, 7, 9]), 2.138089935299395);
  // np.percentile([3,1,4,1,5,9,2,6], 30) = 2.1: position 2.1 between sorted[2]=2 and sorted[3]=3.
  close(percentile([3, 1, 4, 1, 5, 9, 2, 6], 30), 2.1);
  close(median([5, 1, 3]), 3);
  assert.ok(Number.isNaN(std([7])));
  assert.throws(() => mean([]), /empty/);
  assert.throws(() => percentile([1], 101), /\[0, 100\]/);
});

test('IQM follows scipy.stats.trim_mean(x, 0.25) (rliable), cutting whole values', () => {
  // n=4: cut 1 each side -> mean(2,3)
  close(iqm([4, 1, 3, 2]), 2.5);
  // n=5: floor(1.25)=1 cut each side -> mean(2,3,4)
  close(iqm([1, 2, 3, 4, 5]), 3);
  // n=7: floor(1.75)=1 -> mean of sorted[1..5] = mean(2,3,5,7,8) = 5
  close(iqm([5, 1, 9, 3, 7, 2, 8]), 5);
  // outlier is trimmed: mean(2,3,4,5,6)=4
  close(iqm([1, 2, 3, 4, 5, 6, 100]), 4);
  close(iqm([42]), 42);
});

test('fractional IQM gives the partly-cut end values partial weight', () => {
  // n=5, cut 1.25 values per side: weights 0,0.75,1,1,0.75 ... over sorted [1,2,3,4,5] -> (0.75*2+3+4*1+0.75*... )
  // mass on [1.25, 3.75]: value 2 weight 0.75, 3 weight 1, 4 weight 0.75 -> (1.5+3+3)/2.5 = 3
  close(iqm([1, 2, 3, 4, 5], { fractional: true }), 3);
  // skewed: [1,2,3,4,10]: (0.75*2 + 3 + 0.75*4)/2.5 = 7.5/2.5 = 3
  close(iqm([1, 2, 3, 4, 10], { fractional: true }), 3);
  // [0,0,0,0,0,10] n=6, cut 1.5: value index 1 w .5, 2 w1, 3 w1, 4 w .5 -> all zeros = 0
  close(iqm([0, 0, 0, 0, 0, 10], { fractional: true }), 0);
  // n=6 [1..6]: (0.5*2+3+4+0.5*5)/3 = 10.5/3 = 3.5
  close(iqm([1, 2, 3, 4, 5, 6], { fractional: true }), 3.5);
  close(trimMean([1, 2, 3, 4, 5, 6], 0), 3.5);
  assert.throws(() => trimMean([1, 2], 0.5), /proportion/);
});

test('normalised AUC is the trapezoid area divided by the step range', () => {
  // (0+10)/2*1000 + (10+30)/2*1000 + (30+20)/2*2000 = 75000 over 4000 steps
  close(normalizedAuc([0, 1000, 2000, 4000], [0, 10, 30, 20]), 18.75);
  // constant curve: AUC is that constant whatever the spacing
  close(normalizedAuc([5000, 6000, 9000], [7, 7, 7]), 7);
  close(normalizedAuc([100], [3]), 3);
  assert.throws(() => normalizedAuc([0, 0], [1, 2]), /strictly increasing/);
  assert.throws(() => normalizedAuc([0, 1], [1]), /differ in length/);
});

test('steps to threshold is the first eval step at or above it, else null', () => {
  const steps = [1000, 2000, 3000, 4000];
  const vals = [10, 50, 49, 80];
  assert.equal(stepsToThreshold(steps, vals, 50), 2000);
  assert.equal(stepsToThreshold(steps, vals, 60), 4000);
  assert.equal(stepsToThreshold(steps, vals, 5), 1000);
  assert.equal(stepsToThreshold(steps, vals, 81), null);
});

test('probability of improvement counts pairwise wins, ties as half', () => {
  // pairs: (3>1)(3>2)(3=3)->2.5, (1>1? tie .5)(1>2 no)(1>3 no)->0.5 ; total 3 / 6
  close(probabilityOfImprovement([3, 1], [1, 2, 3]), 0.5);
  close(probabilityOfImprovement([10, 11], [1, 2]), 1);
  close(stratifiedProbabilityOfImprovement([[10], [0]], [[1], [1]]), 0.5);
});
