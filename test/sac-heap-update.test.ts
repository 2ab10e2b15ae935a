/**
 * The tensor-free update (agents/sac-heap-update.ts) against the tape path it replaces:
 * the same agent, seed and replay buffer trained both ways must end with the same bits in
 * every parameter, target parameter, Adam moment and step count, the same Rng state, and
 * the same reported stats. Cases: plain SAC at a small size; a batch and widths that are
 * not multiples of 4 (so the critic head is a matmul, not the dense-one kernel, and every
 * product has column tails); one hidden layer with a gradient clip that binds and the
 * softplus std; the matched baseline's swish networks; RPP-SAC with plain critics and L2
 * penalties; RPP-SAC with RPP critics, decoupled decay and a clip; EMLP-SAC. Also: the two
 * paths alternating update by update (a switch mid-run must not show), a checkpoint taken on
 * it resumed on it, no tensors left behind, and the settings that keep the tape path.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { Rng } from '../src/random.js';
import { ReplayBuffer } from '../src/replay/replay-buffer.js';
import { SacAgent, type SacAgentState, type UpdateStats } from '../agents/sac.js';
import type { SacConfigInput } from '../agents/sac-config.js';
import { useHeapUpdate } from '../agents/sac-heap-update.js';
import { useHostKernels } from '../src/kernels/host-kernel.js';
import { useOwnMatmul } from '../src/kernels/own-matmul.js';
import { symmetry as envSymmetry } from '../envs/symmetries.js';

interface Case {
  name: string;
  obs: number;
  act: number;
  config: SacConfigInput;
  updates: number;
  /** The env and symmetry the RPP and EMLP agents use (its obs and act sizes). */
  env?: [string, string];
}

const CASES: Case[] = [
  { name: 'SAC, two hidden layers of 64, batch 64', obs: 17, act: 6, config: { agent: 'sac', hidden: [64, 64], batchSize: 64, seed: 3 }, updates: 12 },
  { name: 'SAC, widths 36 and 22, batch 30 (column tails; the critic head a matmul)', obs: 11, act: 3, config: { agent: 'sac', hidden: [36, 22], batchSize: 30, seed: 5, tau: 0.02 }, updates: 10 },
  { name: 'SAC, one hidden layer, a gradient clip that binds, softplus std', obs: 8, act: 2, config: { agent: 'sac', hidden: [40], batchSize: 16, seed: 7, gradClipNorm: 0.05, stdParam: 'softplus' }, updates: 10 },
  { name: 'the matched baseline (swish actor, LeCun init) with swish critics', obs: 11, act: 3, config: { agent: 'sac', hidden: [32, 20], batchSize: 24, seed: 9, actorActivation: 'swish', actorInit: 'lecun', criticActivation: 'swish' }, updates: 8 },
  { name: 'RPP-SAC (RPP actor, plain critics, L2 penalties)', obs: 17, act: 6, env: ['Walker2d-v5', 'exact_mirror'], config: { agent: 'rpp-sac', hidden: [32, 32], batchSize: 32, seed: 2, actorEquivWd: 0.01, actorBasicWd: 0.3 }, updates: 10 },
  { name: 'RPP-SAC with RPP critics, decoupled decay, a clip, softplus std', obs: 17, act: 6, env: ['Walker2d-v5', 'exact_mirror'], config: { agent: 'rpp-sac', hidden: [32, 24], batchSize: 20, seed: 4, rppCritic: true, penaltyMode: 'decoupled', gradClipNorm: 0.1, stdParam: 'softplus' }, updates: 8 },
  { name: 'EMLP-SAC with EMLP critics', obs: 11, act: 3, env: ['Hopper-v5', 'paper'], config: { agent: 'emlp-sac', hidden: [24, 24], batchSize: 16, seed: 6, rppCritic: true }, updates: 8 },
];

function filledBuffer(obs: number, act: number): ReplayBuffer {
  const rb = new ReplayBuffer({ capacity: 4000, obsDim: obs, actDim: act, seed: 11 });
  const rng = new Rng(12);
  const v = (k: number): number[] => Array.from({ length: k }, () => rng.normal());
  for (let i = 0; i < 600; i++) rb.add(v(obs), v(act).map(Math.tanh), rng.normal(), v(obs), rng.random() < 0.05);
  return rb;
}

function makeAgent(c: Case): SacAgent {
  const symmetry = c.env === undefined ? null : envSymmetry(...c.env);
  return new SacAgent({ config: c.config, obsDim: c.obs, actDim: c.act, actionLow: new Array(c.act).fill(-1), actionHigh: new Array(c.act).fill(1), symmetry });
}

interface Trained {
  state: SacAgentState;
  stats: Array<UpdateStats | null>;
  paths: Array<string | null>;
}

/** Train a fresh agent; heap(i) says whether update i may take the tensor-free path. */
function train(c: Case, heap: (i: number) => boolean): Trained {
  const agent = makeAgent(c);
  const rb = filledBuffer(c.obs, c.act);
  const stats: Array<UpdateStats | null> = [];
  const paths: Array<string | null> = [];
  try {
    for (let i = 0; i < c.updates; i++) {
      useHeapUpdate(heap(i));
      stats.push(agent.update(rb, { stats: i % 2 === 0 }));
      paths.push(agent.updatePath);
    }
    return { state: agent.getState(), stats, paths };
  } finally {
    useHeapUpdate(true);
    agent.dispose();
  }
}

/** Every differing entry, as "where: tape vs heap" (the first few). */
function stateDiffs(a: SacAgentState, b: SacAgentState): string[] {
  const out: string[] = [];
  const cmp = (where: string, x: Float32Array, y: Float32Array): void => {
    assert.equal(x.length, y.length, where);
    for (let j = 0; j < x.length; j++) if (!Object.is(x[j], y[j])) out.push(`${where}[${j}]: ${x[j]} vs ${y[j]}`);
  };
  for (const [group, arrays] of Object.entries(a.params)) arrays.forEach((x, i) => cmp(`${group}.${i}`, x, b.params[group as keyof SacAgentState['params']][i]));
  for (const [k, s] of Object.entries(a.adam)) {
    const t = b.adam[k as keyof SacAgentState['adam']];
    if (s.t !== t.t) out.push(`adam.${k}.t: ${s.t} vs ${t.t}`);
    cmp(`adam.${k}.m`, s.m, t.m);
    cmp(`adam.${k}.v`, s.v, t.v);
  }
  return out;
}

describe('the tensor-free SAC update (wasm)', () => {
  before(async () => {
    await initBackend({ backend: 'wasm' });
  });

  for (const c of CASES) {
    it(`gives the tape path's bits: ${c.name}`, () => {
      const tape = train(c, () => false);
      const heap = train(c, () => true);
      assert.deepEqual(tape.paths, new Array(c.updates).fill('tape'));
      assert.deepEqual(heap.paths, new Array(c.updates).fill('heap'), 'the tensor-free update did not run');
      assert.deepEqual(stateDiffs(tape.state, heap.state).slice(0, 5), []);
      assert.deepEqual(heap.state.rng, tape.state.rng);
      assert.equal(heap.state.updates, c.updates);
      assert.deepEqual(heap.stats, tape.stats);
      // The run moved: a test of equal bits on parameters that never changed would prove nothing.
      const init = makeAgent(c);
      const before0 = init.getState().params.actor[0];
      init.dispose();
      assert.ok(heap.state.params.actor[0].some((x, j) => x !== before0[j]), 'the actor did not change');
    });
  }

  it('switching paths between updates does not show in the bits', () => {
    const c = CASES[1];
    const tape = train(c, () => false);
    const mixed = train(c, (i) => i % 2 === 1);
    assert.deepEqual(mixed.paths.slice(0, 4), ['tape', 'heap', 'tape', 'heap']);
    assert.deepEqual(stateDiffs(tape.state, mixed.state).slice(0, 5), []);
    assert.deepEqual(mixed.stats, tape.stats);
  });

  it('a checkpoint taken on it resumes on it bit for bit', () => {
    const c = CASES[0];
    const straight = train(c, () => true);
    const half = Math.floor(c.updates / 2);
    const first = makeAgent(c);
    const rb = filledBuffer(c.obs, c.act);
    for (let i = 0; i < half; i++) first.update(rb, { stats: i % 2 === 0 });
    const saved = first.getState();
    first.dispose();
    // The same buffer goes on (its state is the run's, not the agent's).
    const second = makeAgent(c);
    second.setState(saved);
    for (let i = half; i < c.updates; i++) second.update(rb, { stats: i % 2 === 0 });
    assert.equal(second.updatePath, 'heap');
    assert.deepEqual(stateDiffs(straight.state, second.getState()).slice(0, 5), []);
    second.dispose();
  });

  it('allocates no tensors that outlive an update (relu, swish, RPP with RPP critics)', () => {
    for (const c of [CASES[0], CASES[3], CASES[5]]) {
      const agent = makeAgent(c);
      const rb = filledBuffer(c.obs, c.act);
      agent.update(rb);
      const tensors = tf.memory().numTensors;
      const bytes = tf.memory().numBytes;
      for (let i = 0; i < 5; i++) agent.update(rb, { stats: i % 2 === 0 });
      assert.equal(agent.updatePath, 'heap');
      assert.equal(tf.memory().numTensors, tensors, c.name);
      assert.equal(tf.memory().numBytes, bytes, c.name);
      agent.dispose();
    }
  });

  it('is not taken on the XNNPACK matmul path or when host kernels are off', () => {
    const c = CASES[4];
    const rb = filledBuffer(c.obs, c.act);
    for (const [off, on] of [
      [() => useOwnMatmul('off'), () => useOwnMatmul('auto')],
      [() => useHostKernels(false), () => useHostKernels(true)],
    ]) {
      const agent = makeAgent(c);
      off();
      try {
        agent.update(rb, { stats: false });
        assert.equal(agent.updatePath, 'tape');
      } finally {
        on();
        agent.dispose();
      }
    }
  });
});
