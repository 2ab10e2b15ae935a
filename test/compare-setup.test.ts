/**
 * compare states, for each pair it compares, every config key and derived network fact in
 * which the two agents differ (run-setup.ts): in summary.json (setupDifferences, each group's
 * setup) and as a table in report.md. Fixture runs carry whole resolved run configs, as
 * `rpp-sac train` writes them, and meta.json's symmetry record for the symmetric agents.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/logging.js';
import { compareSweep, type CompareResult } from '../src/compare/compare-sweep.js';
import type { CompareSummary, SetupComparison } from '../src/compare/summary.js';
import { resolveRunConfig } from '../src/run/run-config.js';
import { writeFixtureRun } from './fixtures/write-runs.js';

const logger = createLogger({ silent: true });
let sweep: string;
let vsSac: CompareResult;
let vsMatched: CompareResult;

const AGENTS: Record<string, Record<string, unknown>> = {
  sac: { agent: 'sac' },
  'sac-matched': { agent: 'sac', actorActivation: 'swish', actorInit: 'lecun' },
  'rpp-sac': { agent: 'rpp-sac' },
  'emlp-sac': { agent: 'emlp-sac' },
};

before(async () => {
  sweep = mkdtempSync(join(tmpdir(), 'compare-setup-'));
  for (const [label, flags] of Object.entries(AGENTS)) {
    for (const seed of [0, 1]) {
      // EMLP-SAC's seeds evaluated at different intervals: a key that varies within a group.
      const config = resolveRunConfig({ flags: { env: 'Walker2d-v5', seed, totalSteps: 2000, hidden: [32, 32], ...flags, ...(label === 'emlp-sac' ? { evalEvery: 1000 * (seed + 1) } : {}) } });
      writeFixtureRun({
        dir: join(sweep, 'Walker2d-v5', label, `seed-${seed}`),
        env: 'Walker2d-v5',
        agent: label,
        seed,
        steps: [1000, 2000],
        meanReturn: (s) => s / 10 + seed,
        config,
        ...(config.agent === 'sac' ? {} : { metaSymmetry: { choice: 'auto', spec: 'exact_mirror', group: 'Z2', exact: true } }),
      });
    }
  }
  vsSac = await compareSweep(sweep, { resamples: 200, curveResamples: 50, png: false, logger });
  vsMatched = await compareSweep(sweep, { baseline: 'sac-matched', outDir: join(sweep, 'compare-matched'), resamples: 200, curveResamples: 50, png: false, logger });
});
after(() => rmSync(sweep, { recursive: true, force: true }));

function pair(summary: CompareSummary, candidate: string): SetupComparison {
  const c = summary.envs[0].setupDifferences.find((x) => x.candidate === candidate);
  assert.ok(c, `no setup comparison for ${candidate}`);
  return c;
}
const keys = (c: SetupComparison, source: 'config' | 'derived'): string[] => c.differences.filter((d) => d.source === source).map((d) => d.key);

describe('compare: what differs between compared agents', () => {
  it('the matched baseline differs from SAC only in the actor activation and init', () => {
    const c = pair(vsSac.summary, 'SAC swish+LeCun');
    assert.equal(c.baseline, 'SAC');
    assert.deepEqual(keys(c, 'config'), ['actorActivation', 'actorInit']);
    assert.deepEqual(keys(c, 'derived'), ['actor activation', 'actor init']);
    assert.deepEqual(c.differences.slice(0, 2).map((d) => [d.candidate, d.baseline]), [['swish', 'relu'], ['lecun', 'orthogonal']]);
  });

  it('RPP-SAC against SAC: the agent kind, and the actor network with its parameter counts, penalty and symmetry', () => {
    const c = pair(vsSac.summary, 'RPP-SAC');
    assert.deepEqual(keys(c, 'config'), ['agent']);
    assert.deepEqual(keys(c, 'derived'), ['symmetry used', 'actor network', 'actor activation', 'actor init', 'actor parameters', 'actor equivariant parameters', 'actor penalty']);
    const d = Object.fromEntries(c.differences.map((x) => [x.key, [x.candidate, x.baseline]]));
    assert.deepEqual(d['symmetry used'], ['exact_mirror (Z2, exact)', 'none']);
    assert.deepEqual(d['actor penalty'], ['l2: equiv 1e-6, basic 1e-6', 'none']);
    // Plain actor 17 -> 32 -> 32 -> 6 + 6; RPP: both pathways (twice the weights and biases) and two activation scales of 32.
    const plain = 17 * 32 + 32 + 32 * 32 + 32 + 2 * (32 * 6 + 6);
    assert.deepEqual(d['actor parameters'], [2 * plain + 2 * 32, plain]);
  });

  it('against the matched baseline: the prior alone, the ignored actorActivation marked unused', () => {
    const c = pair(vsMatched.summary, 'RPP-SAC');
    assert.equal(c.baseline, 'SAC swish+LeCun');
    assert.deepEqual(keys(c, 'config'), ['agent', 'actorActivation', 'actorInit']);
    const act = c.differences.find((x) => x.key === 'actorActivation');
    assert.deepEqual([act?.candidate, act?.baseline, act?.unusedBy], ['relu', 'swish', ['candidate']]);
    assert.ok(!keys(c, 'derived').some((k) => k.startsWith('critic')), 'critics are the same plain relu MLPs');
    const md = readFileSync(vsMatched.reportPath, 'utf8');
    assert.match(md, /### What differs from SAC swish\+LeCun/);
    assert.match(md, /\| RPP-SAC \| `actorActivation` \| relu \(unused\) \| swish \|/);
    assert.match(md, /\| RPP-SAC \| actor activation \| swish \* \(1 \+ w_basic\) \| swish \|/);
  });

  it('a key that varies within a group, report.md table and summary.json', () => {
    const emlp = vsSac.summary.envs[0].groups.find((g) => g.series === 'EMLP-SAC');
    assert.deepEqual(emlp?.setup.config.evalEvery, { varies: [1000, 2000] });
    assert.equal(emlp?.setup.derived['actor network'], 'EMLP');
    const md = readFileSync(vsSac.reportPath, 'utf8');
    assert.match(md, /### What differs from SAC\n/);
    assert.match(md, /\| SAC swish\+LeCun \| `actorActivation` \| swish \| relu \|/);
    assert.match(md, /\| EMLP-SAC \| `evalEvery` \| varies: 1000 \/ 2000 \| 10000 \|/);
    assert.match(md, /\| EMLP-SAC \| actor penalty \| l2: equiv 1e-6 \| none \|/);
    const json = JSON.parse(readFileSync(vsSac.summaryPath, 'utf8')) as CompareSummary;
    assert.deepEqual(json.envs[0].setupDifferences.map((c) => c.candidate), ['SAC swish+LeCun', 'RPP-SAC', 'EMLP-SAC']);
    assert.equal(json.envs[0].groups[0].setup.config.actorActivation, 'relu');
  });
});
