import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatP, verdict, type VerdictInput } from '../src/compare/verdict.js';
import { parseThresholds } from '../src/compare/thresholds.js';
import { agentDisplayName, seriesName } from '../src/compare/agent-labels.js';

const base: VerdictInput = { candidate: 'RPP-SAC', baseline: 'SAC', metric: 'final return', difference: 120, p: 0.31, nCandidate: 5, nBaseline: 5, alpha: 0.05 };

test('verdicts say direction, significance, p and seeds in plain words', () => {
  assert.equal(verdict(base), "RPP-SAC's final return is higher than SAC's, but the difference is not significant at 5% (p=0.31, 5 seeds).");
  assert.equal(verdict({ ...base, difference: -3, p: 0.012 }), "RPP-SAC's final return is lower than SAC's, and the difference is significant at 5% (p=0.012, 5 seeds).");
  assert.equal(verdict({ ...base, p: 0.0004, nBaseline: 4 }), "RPP-SAC's final return is higher than SAC's, and the difference is significant at 5% (p<0.001, 5 vs 4 seeds).");
  assert.equal(verdict({ ...base, p: 0.03, alpha: 0.01 }), "RPP-SAC's final return is higher than SAC's, but the difference is not significant at 1% (p=0.03, 5 seeds).");
  assert.equal(verdict({ ...base, difference: 0 }), "RPP-SAC's final return equals SAC's (5 seeds).");
  assert.equal(
    verdict({ ...base, p: NaN, nCandidate: 1, nBaseline: 1 }),
    "RPP-SAC's final return is higher than SAC's, but significance cannot be tested (needs at least 2 seeds per agent and some spread; 1 seed).",
  );
  const steps = { ...base, metric: 'steps to reach 3000', countNoun: true };
  assert.equal(verdict({ ...steps, difference: -20000, p: 0.04 }), 'RPP-SAC needs fewer steps to reach 3000 than SAC, and the difference is significant at 5% (p=0.04, 5 seeds).');
  assert.equal(verdict({ ...steps, difference: 0 }), 'RPP-SAC needs as many steps to reach 3000 as SAC (5 seeds).');
  // Where the test alone is significant, the verdict says whether Holm's correction over the report keeps it.
  assert.equal(
    verdict({ ...base, p: 0.004, holm: { p: 0.048, family: 16 } }),
    "RPP-SAC's final return is higher than SAC's, and the difference is significant at 5% (p=0.004, 5 seeds), also after Holm's correction for the 16 tests in this report (adjusted p=0.048).",
  );
  assert.equal(
    verdict({ ...base, p: 0.02, holm: { p: 0.32, family: 16 } }),
    "RPP-SAC's final return is higher than SAC's, and the difference is significant at 5% (p=0.02, 5 seeds), but not after Holm's correction for the 16 tests in this report (adjusted p=0.32).",
  );
  assert.equal(verdict({ ...base, holm: { p: 1, family: 16 } }), verdict(base));
  assert.equal(formatP(0.0456), 'p=0.046');
  assert.equal(formatP(0.00099), 'p<0.001');
});

test('thresholds and display names', () => {
  assert.equal(parseThresholds(undefined)('Hopper-v5'), null);
  assert.equal(parseThresholds('3000')('Hopper-v5'), 3000);
  const per = parseThresholds('Hopper-v5=2500, Walker2d-v5=4000');
  assert.deepEqual([per('Hopper-v5'), per('Walker2d-v5'), per('Ant-v5')], [2500, 4000, null]);
  assert.throws(() => parseThresholds('abc'), /not a number/);
  assert.throws(() => parseThresholds('Hopper-v5=x'), /Env-v5=3000/);
  assert.equal(agentDisplayName('rpp-sac'), 'RPP-SAC');
  assert.equal(agentDisplayName('td3'), 'TD3');
  assert.equal(seriesName('rpp-sac', 'equiv_wd=1e-6,basic_wd=0.01'), 'RPP-SAC (equiv_wd=1e-6, basic_wd=0.01)');
});
