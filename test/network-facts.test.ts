/**
 * agentFacts: the parameter counts and widths it states from a config equal those of the
 * agent built from that config (actor, one critic), for every agent kind, with plain and RPP
 * critics, on Z2 mirrors and Ant's Z4 cycle (where hidden widths round to multiples of 4);
 * unusedKeys names the keys an agent ignores.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../src/backend.js';
import { SacAgent } from '../agents/sac.js';
import { parseSacConfig, type SacConfigInput } from '../agents/sac-config.js';
import { agentFacts, unusedKeys } from '../agents/network-facts.js';
import { resolveSymmetry } from '../agents/symmetry-choice.js';
import { envSpec } from '../envs/registry.js';
import { symmetry } from '../envs/symmetries.js';
import type { SymmetrySpec } from '../envs/types.js';

before(async () => {
  await initBackend({ backend: 'wasm' });
});

const count = (vars: readonly { size: number }[]): number => vars.reduce((s, v) => s + v.size, 0);

const cases: { env: string; input: SacConfigInput; spec?: SymmetrySpec }[] = [
  { env: 'Walker2d-v5', input: { agent: 'sac', hidden: [32, 24] } },
  { env: 'Walker2d-v5', input: { agent: 'sac', hidden: [32, 24], actorActivation: 'swish', actorInit: 'lecun' } },
  { env: 'Walker2d-v5', input: { agent: 'rpp-sac', hidden: [32, 24] } },
  { env: 'HalfCheetah-v5', input: { agent: 'emlp-sac', hidden: [32], rppCritic: true } },
  { env: 'HalfCheetah-v5', input: { agent: 'rpp-sac', hidden: [16, 16], rppCritic: true } },
  { env: 'Ant-v5', input: { agent: 'rpp-sac', hidden: [30, 18], rppCritic: true }, spec: symmetry('Ant-v5', 'paper') },
];

describe('agentFacts', () => {
  for (const { env, input, spec } of cases) {
    it(`${env} ${JSON.stringify(input)}: counts and widths equal the built agent's`, () => {
      const cfg = parseSacConfig({ ...input, seed: 1 });
      const sym = spec ?? resolveSymmetry(env, cfg);
      const { obsDim, actDim } = envSpec(env);
      const facts = agentFacts(cfg, obsDim, actDim, sym);
      const agent = new SacAgent({ config: cfg, obsDim, actDim, actionLow: new Array(actDim).fill(-1), actionHigh: new Array(actDim).fill(1), symmetry: sym });
      assert.equal(facts.actor.params, count(agent.actor.variables), 'actor params');
      assert.equal(facts.critic.params, count(agent.critic1.variables), 'critic params');
      const widths = (net: unknown): number[] => {
        const n = net as { trunk: { w?: { shape: number[] }; linear?: { wEquiv: { shape: number[] } } }[] };
        return n.trunk.map((l) => (l.w ?? l.linear!.wEquiv).shape[1]);
      };
      assert.deepEqual(facts.actor.hidden, widths(agent.actor.net));
      assert.deepEqual(facts.critic.hidden, widths(agent.critic1.net));
      agent.dispose();
    });
  }

  it('states activation, init, symmetry and penalties; equivariant parameters of an EMLP layer by hand', () => {
    const { obsDim, actDim } = envSpec('HalfCheetah-v5');
    const sac = agentFacts(parseSacConfig({ hidden: [8] }), obsDim, actDim, null);
    assert.deepEqual(
      [sac.symmetry, sac.actor.network, sac.actor.activation, sac.actor.init, sac.actor.params, sac.actor.equivariantParams, sac.actor.penalty],
      [null, 'plain MLP', 'relu', 'orthogonal(sqrt 2)', 17 * 8 + 8 + 2 * (8 * 6 + 6), null, 'none'],
    );
    const cfg = parseSacConfig({ agent: 'emlp-sac', hidden: [8], actorEquivWd: 1e-4 });
    const emlp = agentFacts(cfg, obsDim, actDim, resolveSymmetry('HalfCheetah-v5', cfg));
    assert.equal(emlp.symmetry, 'paper (Z2, not exact)');
    assert.deepEqual([emlp.actor.network, emlp.actor.activation, emlp.actor.penalty], ['EMLP', 'swish', 'l2: equiv 1e-4']);
    // HalfCheetah paper: obs = 2 invariant + 15 flipped, act = 6 flipped, hidden 4T1 (8 channels: 4 even + 4 odd).
    // 17 -> 8: (2*4 + 15*4) weights + 4 invariant biases; 8 -> 6 (mean, odd): 6*4 + 0; 8 -> 6 (std, invariant): 6*4 + 6.
    assert.equal(emlp.actor.equivariantParams, 2 * 4 + 15 * 4 + 4 + 6 * 4 + 6 * 4 + 6);
    assert.equal(emlp.critic.network, 'plain MLP');
  });

  it('unusedKeys: what each agent ignores', () => {
    const keys = (input: SacConfigInput): string[] => [...unusedKeys(parseSacConfig(input))].sort();
    assert.deepEqual(keys({ agent: 'sac' }), ['actorBasicWd', 'actorEquivWd', 'criticBasicWd', 'criticEquivWd', 'penaltyMode', 'rppCritic', 'symmetry']);
    assert.deepEqual(keys({ agent: 'rpp-sac' }), ['actorActivation', 'actorInit', 'criticBasicWd', 'criticEquivWd']);
    assert.deepEqual(keys({ agent: 'emlp-sac', rppCritic: true }), ['actorActivation', 'actorBasicWd', 'actorInit', 'criticActivation', 'criticBasicWd', 'criticInit']);
  });
});
