/** src/run/eta.ts: the ETA follows the recent update-phase rate and counts the evaluations still to come. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EtaEstimator } from '../src/run/eta.js';

test('ETA: recent update-phase rate plus the remaining evaluations, not a since-start average', () => {
  // 1000 random steps at 1000 steps/s, then updates at 10 steps/s; an evaluation every 500 steps takes 2 s.
  const eta = new EtaEstimator({ totalSteps: 2000, learningStarts: 1000, evalEvery: 500 }, 30);
  for (let s = 0; s <= 1000; s += 100) eta.observe(s, s / 1000);
  assert.ok(Number.isNaN(eta.eta(900)), 'unknown before the update phase runs');
  eta.evaluated(2);
  eta.evaluated(2);
  for (let s = 1000; s <= 1300; s += 10) eta.observe(s, 1 + (s - 1000) / 10);
  // 700 steps at 10/s = 70 s, plus evaluations at 1500 and 2000 (2 s each).
  assert.equal(eta.remainingEvaluations(1300), 2);
  assert.ok(Math.abs(eta.eta(1300) - 74) < 1e-6, String(eta.eta(1300)));
  // A since-start average (1300 steps in 31 s) would have said about 16 s.
});
