/**
 * The configs shipped in runs/ run: every run planned by runs/sweeps/*.yaml, and every
 * preset in runs/presets/ for every agent kind, resolves its `train` arguments into a run
 * config exactly as `rpp-sac train` does (src/cli/train-options.ts), picks its symmetry, and
 * builds its agent from the env's real spaces (no training).
 *
 * Hidden widths are cut to 16 per layer (layer count kept) for the agents built here:
 * at 256x256 an agent takes 0.6-1.5 s to build on 2 loaded cores (orthogonal init of the
 * 256x256 layers dominates), 3 minutes for the 216 planned runs and 27 presets (measured
 * 2026-12-04), against about 13 s at 16. The widths play no part in what can fail here (env
 * ids, agent kinds, variants, flags, symmetry choice, obs/act sizes).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initBackend } from '../src/backend.js';
import { parseTrainArgs } from '../src/cli/train-options.js';
import { presetsDir, sacPart, type RunConfig } from '../src/run/run-config.js';
import { planRuns } from '../src/sweep/plan.js';
import { readSweepFile, resolveSweepConfig } from '../src/sweep/sweep-config.js';
import { SacAgent } from '../agents/sac.js';
import { AGENT_KINDS } from '../agents/sac-config.js';
import { resolveSymmetry } from '../agents/symmetry-choice.js';
import { make } from '../envs/registry.js';
import { symmetries } from '../envs/symmetries.js';

const SWEEPS = resolve(import.meta.dirname, '../runs/sweeps');
const SMALL = 16;

interface Spaces {
  obsDim: number;
  actDim: number;
  low: ArrayLike<number>;
  high: ArrayLike<number>;
}
const spaces = new Map<string, Spaces>();
let scratch: string;

before(async () => {
  await initBackend({ backend: 'wasm' });
  scratch = mkdtempSync(join(tmpdir(), 'shipped-configs-'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The env's observation and action spaces, as train-run.ts reads them (one env per id). */
async function spacesOf(envId: string): Promise<Spaces> {
  const known = spaces.get(envId);
  if (known !== undefined) return known;
  const env = await make(envId);
  const s: Spaces = { obsDim: env.observationSpace.shape[0], actDim: env.actionSpace.shape[0], low: env.actionSpace.low, high: env.actionSpace.high };
  env.close();
  spaces.set(envId, s);
  return s;
}

/** What `auto` should pick: the env's exact mirror where it has one, else the paper's map. */
function autoSpec(envId: string): string {
  const names = symmetries(envId).map((x) => x.name);
  return names.includes('exact_mirror') ? 'exact_mirror' : 'paper';
}

/** Build the run's agent as train-run.ts does (symmetry, sacPart, the env's spaces), with small hidden widths. */
async function buildAgent(config: Readonly<RunConfig>, where: string): Promise<void> {
  const symmetry = resolveSymmetry(config.env, config);
  if (config.agent !== 'sac' && config.symmetry === 'auto') assert.equal(symmetry?.name, autoSpec(config.env), `${where}: symmetry`);
  const s = await spacesOf(config.env);
  const agent = new SacAgent({ config: { ...sacPart(config), hidden: config.hidden.map(() => SMALL) }, obsDim: s.obsDim, actDim: s.actDim, actionLow: s.low, actionHigh: s.high, symmetry });
  assert.equal(agent.kind, config.agent);
  agent.dispose();
}

describe('shipped configs', () => {
  it('every run planned by runs/sweeps/*.yaml resolves as `rpp-sac train` would and builds its agent', async () => {
    const files = readdirSync(SWEEPS).filter((f) => /\.ya?ml$/.test(f)).sort();
    assert.ok(files.includes('prior-study.yaml') && files.includes('mujoco-5-envs.yaml'), files.join(', '));
    const agentsSeen = new Set<string>();
    for (const f of files) {
      const sweep = resolveSweepConfig(readSweepFile(join(SWEEPS, f)));
      const runs = planRuns(sweep, join(scratch, sweep.name));
      assert.ok(runs.length > 0, `${f} plans no runs`);
      for (const run of runs) {
        const where = `${f}: ${run.id}`;
        assert.equal(run.trainArgs[0], 'train', where);
        const { config, flags } = parseTrainArgs(run.trainArgs.slice(1));
        assert.deepEqual([config.env, config.agent, config.seed, config.totalSteps, flags.out], [run.env, run.kind, run.seed, sweep.steps, run.dir], where);
        await buildAgent(config, where);
        agentsSeen.add(`${run.agent}:${config.actorActivation}/${config.actorInit}`);
      }
    }
    // The matched baseline really trains a swish + LeCun plain actor.
    assert.ok(agentsSeen.has('sac-matched:swish/lecun') && agentsSeen.has('sac:relu/orthogonal'), [...agentsSeen].join(', '));
  });

  it('every preset in runs/presets/ resolves for every agent kind and builds its agent', async () => {
    const presets = readdirSync(presetsDir()).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    assert.ok(presets.length >= 9);
    for (const preset of presets) {
      for (const agent of AGENT_KINDS) {
        const { config } = parseTrainArgs(['--preset', preset, '--agent', agent]);
        assert.equal(config.env, preset);
        await buildAgent(config, `preset ${preset}, ${agent}`);
      }
    }
  });

  it("'exact' is refused where the env has no exact mirror, naming the choices", () => {
    const { config } = parseTrainArgs(['--env', 'HalfCheetah-v5', '--agent', 'rpp-sac', '--symmetry', 'exact']);
    assert.throws(() => resolveSymmetry(config.env, config), /no exact mirror symmetry\. Use --symmetry with one of: auto \(picks 'paper' here\), paper/);
    assert.throws(() => parseTrainArgs(['--env', 'Hopper-v5', '--agent', 'ppo']), /--agent ppo/);
  });
});
