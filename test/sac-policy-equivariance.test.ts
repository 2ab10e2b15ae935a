/**
 * The whole action distribution of a symmetric SAC agent transforms with the env's symmetry:
 * SacAgent.policyEquivarianceErrors (mean against rho_act, std against |rho_act|) on the real
 * specs (Walker2d and Humanoid mirrors, Ant's exact mirror and both Z4 maps), at construction
 * and after 200 real updates on a replay buffer of random transitions.
 *  - EMLP-SAC: <= 1e-5 both times.
 *  - RPP-SAC: <= 1e-5 with the residual pathway zeroed, at construction and again after the
 *    updates (which move the residual pathway off zero, so it is zeroed again: what remains,
 *    the trained equivariant pathway, must still be exactly equivariant).
 * Small networks (64x64, batch 64) keep the file fast.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { Rng } from '../src/random.js';
import { ReplayBuffer } from '../src/replay/replay-buffer.js';
import { envSpec, symmetry } from '../envs/index.js';
import { SacAgent } from '../agents/sac.js';
import type { AgentKind } from '../agents/sac-config.js';

const TOL = 1e-5;
const UPDATES = 200;
const N_OBS = 32;

before(async () => {
  await initBackend({ backend: 'wasm' });
});

const CASES: Array<[envId: string, name: string]> = [
  ['Walker2d-v5', 'exact_mirror'],
  ['Ant-v5', 'exact_mirror'],
  ['Ant-v5', 'rotation90'],
  ['Ant-v5', 'paper'],
  ['Humanoid-v5', 'exact_mirror'],
];

function agentFor(envId: string, name: string, kind: AgentKind): SacAgent {
  const { obsDim, actDim } = envSpec(envId);
  return new SacAgent({
    config: { agent: kind, hidden: [64, 64], batchSize: 64, learningStarts: 0, seed: 3 },
    obsDim,
    actDim,
    actionLow: new Array(actDim).fill(-1),
    actionHigh: new Array(actDim).fill(1),
    symmetry: symmetry(envId, name),
  });
}

/** Random transitions of the env's sizes (obs N(0,1), actions tanh(N(0,1)), 10% terminal). */
function randomReplay(obsDim: number, actDim: number, seed: number): ReplayBuffer {
  const rb = new ReplayBuffer({ capacity: 1024, obsDim, actDim, seed });
  const rng = new Rng(seed);
  const v = (n: number): number[] => Array.from({ length: n }, () => rng.normal());
  for (let i = 0; i < 512; i++) rb.add(v(obsDim), v(actDim).map(Math.tanh), rng.normal(), v(obsDim), rng.random() < 0.1);
  return rb;
}

function randomObs(obsDim: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: N_OBS * obsDim }, () => rng.normal());
}

/** Zero the actor's residual pathway: w_basic, b_basic and the activations' scales. */
function zeroResidual(agent: SacAgent): void {
  const basic = agent.actor.net.paramGroups().basic;
  assert.ok(basic.length > 0, 'an RPP actor has a residual pathway');
  tf.tidy(() => basic.forEach((v) => v.assign(tf.zerosLike(v))));
}

function train(agent: SacAgent, replay: ReplayBuffer): void {
  for (let i = 0; i < UPDATES; i++) agent.update(replay, { stats: false });
}

const fmt = (e: { mean: number; std: number }): string => `mean ${e.mean.toExponential(1)}, std ${e.std.toExponential(1)}`;

function assertEquivariant(e: { mean: number; std: number } | null, what: string): void {
  assert.ok(e !== null);
  assert.ok(e.mean <= TOL && e.std <= TOL, `${what}: errors ${fmt(e)} above ${TOL}`);
}

/** Largest change of the deterministic action over the observations: the updates must have moved the policy. */
function maxChange(before: Float32Array, after: Float32Array): number {
  return before.reduce((m, b, i) => Math.max(m, Math.abs(after[i] - b)), 0);
}

for (const [envId, name] of CASES) {
  describe(`${envId} ${name}: the action distribution is equivariant`, () => {
    const { obsDim, actDim } = envSpec(envId);
    const obs = randomObs(obsDim, 17);

    it(`emlp-sac: at construction and after ${UPDATES} updates (<= ${TOL})`, (t) => {
      const agent = agentFor(envId, name, 'emlp-sac');
      const replay = randomReplay(obsDim, actDim, 5);
      try {
        const e0 = agent.policyEquivarianceErrors(obs, N_OBS);
        assertEquivariant(e0, 'at construction');
        const a0 = agent.actUnit(obs, N_OBS, 'deterministic');
        train(agent, replay);
        const moved = maxChange(a0, agent.actUnit(obs, N_OBS, 'deterministic'));
        const e1 = agent.policyEquivarianceErrors(obs, N_OBS);
        t.diagnostic(`construction: ${fmt(e0!)}; after ${UPDATES} updates: ${fmt(e1!)} (deterministic action moved up to ${moved.toFixed(3)})`);
        assert.ok(moved > 1e-2, `the updates hardly moved the policy (${moved})`);
        assertEquivariant(e1, `after ${UPDATES} updates`);
      } finally {
        agent.dispose();
      }
    });

    it(`rpp-sac, residual pathway zeroed: at construction and after ${UPDATES} updates (<= ${TOL})`, (t) => {
      const agent = agentFor(envId, name, 'rpp-sac');
      const replay = randomReplay(obsDim, actDim, 5);
      try {
        const withResidual0 = agent.policyEquivarianceErrors(obs, N_OBS)!;
        zeroResidual(agent);
        const e0 = agent.policyEquivarianceErrors(obs, N_OBS);
        assertEquivariant(e0, 'at construction, residual zeroed');
        train(agent, replay);
        const withResidual = agent.policyEquivarianceErrors(obs, N_OBS)!;
        zeroResidual(agent);
        const e1 = agent.policyEquivarianceErrors(obs, N_OBS);
        t.diagnostic(
          `residual on: ${fmt(withResidual0)} at construction, ${fmt(withResidual)} after ${UPDATES} updates; ` +
            `residual zeroed: ${fmt(e0!)} at construction, ${fmt(e1!)} after`,
        );
        // The updates moved the residual pathway off zero, so the check below is not vacuous.
        assert.ok(withResidual.mean > 1e3 * TOL, `residual pathway unused after ${UPDATES} updates: ${fmt(withResidual)}`);
        assertEquivariant(e1, `after ${UPDATES} updates, residual zeroed`);
      } finally {
        agent.dispose();
      }
    });
  });
}
