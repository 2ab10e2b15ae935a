/**
 * Checkpoints: bitwise round trip (then identical continued training), refusal of
 * corrupt and mismatched checkpoints with a message naming the problem, atomic
 * overwrite, and the exported policy reproducing the agent's deterministic actions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.js';
import { Rng } from '../src/random.js';
import { ReplayBuffer } from '../src/replay/replay-buffer.js';
import type { SymmetrySpec } from '../envs/types.js';
import { SacAgent, type SacAgentState } from '../agents/sac.js';
import type { SacConfigInput } from '../agents/sac-config.js';
import { loadCheckpoint, saveCheckpoint } from '../agents/checkpoint.js';
import { exportPolicy } from '../agents/policy-export.js';
import { loadPolicy } from '../agents/policy-loader.js';

const OBS = 3;
const ACT = 2;
/** A Z2 test symmetry: obs0, obs2 flip, obs1 invariant; the two actions swap. */
const SYM: SymmetrySpec = { name: 'test_mirror', group: 'Z2', exact: true, obs: [[0, -1], [1, 1], [2, -1]], act: [[1, 1], [0, 1]] };
const BASE: SacConfigInput = { hidden: [8, 8], batchSize: 16, learningStarts: 0, seed: 4 };
/** Plain SAC with the RPP networks' activation and init (the matched baseline), critics too. */
const MATCHED: SacConfigInput = { ...BASE, actorActivation: 'swish', actorInit: 'lecun', criticActivation: 'swish', criticInit: 'lecun' };

let dir: string;
before(async () => {
  await initBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'rpp-sac-ckpt-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function agentOf(config: SacConfigInput = BASE, symmetry: SymmetrySpec | null = null): SacAgent {
  return new SacAgent({ config, obsDim: OBS, actDim: ACT, actionLow: [-2, -1], actionHigh: [2, 1], symmetry });
}

function filledReplay(seed: number): ReplayBuffer {
  const rb = new ReplayBuffer({ capacity: 200, obsDim: OBS, actDim: ACT, seed });
  const rng = new Rng(seed);
  const v = (n: number): number[] => Array.from({ length: n }, () => rng.normal());
  for (let i = 0; i < 120; i++) rb.add(v(OBS), v(ACT).map(Math.tanh), rng.normal(), v(OBS), rng.random() < 0.1);
  return rb;
}

function assertStatesEqual(a: SacAgentState, b: SacAgentState): void {
  for (const g of Object.keys(a.params) as (keyof SacAgentState['params'])[]) {
    a.params[g].forEach((arr, i) => assert.deepEqual(Array.from(b.params[g][i]), Array.from(arr), `${g}[${i}] differs`));
  }
  for (const g of ['actor', 'critic', 'alpha'] as const) {
    assert.equal(b.adam[g].t, a.adam[g].t);
    assert.deepEqual(Array.from(b.adam[g].m), Array.from(a.adam[g].m), `adam ${g} m`);
    assert.deepEqual(Array.from(b.adam[g].v), Array.from(a.adam[g].v), `adam ${g} v`);
  }
  assert.deepEqual(b.rng, a.rng);
  assert.equal(b.updates, a.updates);
}

describe('checkpoint round trip', () => {
  for (const [label, config] of [['sac (relu, orthogonal)', BASE], ['sac (swish, lecun)', MATCHED]] as const) {
    it(`${label}: restores every parameter, Adam moment and RNG bitwise, and training continues identically`, async () => {
      const a = agentOf(config);
      const ra = filledReplay(1);
      for (let i = 0; i < 4; i++) a.update(ra, { stats: false });
      const path = join(dir, `rt-${config === BASE ? 'base' : 'matched'}`);
      await saveCheckpoint(path, { envId: 'Test-v0', agent: a, replay: ra });

      const b = agentOf(config);
      const rb = new ReplayBuffer({ capacity: 200, obsDim: OBS, actDim: ACT, seed: 99 });
      await loadCheckpoint(path, { envId: 'Test-v0', agent: b, replay: rb });
      assertStatesEqual(a.getState(), b.getState());
      assert.deepEqual(rb.getState(), ra.getState());

      for (let i = 0; i < 3; i++) {
        const sa = a.update(ra);
        const sb = b.update(rb);
        assert.deepEqual(sb, sa);
      }
      assertStatesEqual(a.getState(), b.getState());
      assert.deepEqual(Array.from(b.act([0.1, -0.2, 0.3], 1, 'stochastic')), Array.from(a.act([0.1, -0.2, 0.3], 1, 'stochastic')));
      a.dispose();
      b.dispose();
    });
  }

  it('overwrites atomically and leaves no temp directories', async () => {
    const a = agentOf();
    const path = join(dir, 'atomic');
    await saveCheckpoint(path, { envId: 'Test-v0', agent: a });
    a.update(filledReplay(2), { stats: false });
    await saveCheckpoint(path, { envId: 'Test-v0', agent: a });
    const b = agentOf();
    await loadCheckpoint(path, { envId: 'Test-v0', agent: b });
    assertStatesEqual(a.getState(), b.getState());
    const names = await readdir(dir);
    assert.ok(!names.some((n) => n.includes('.tmp-') || n.includes('.old-')), `leftovers: ${names.join(', ')}`);
    a.dispose();
    b.dispose();
  });

  it('does not leak tensors over updates', () => {
    const a = agentOf({ ...BASE, agent: 'rpp-sac', rppCritic: true, gradClipNorm: 0.5, stdParam: 'softplus' }, SYM);
    const rb = filledReplay(3);
    a.update(rb);
    // Acting fills the RPP layers' effective-weight cache (one record per layer, replaced
    // when the parameters change); the tensor-free update keeps its own on the heap.
    a.act([0, 1, 2, 3, 4, 5], 2, 'stochastic');
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) a.update(rb, { stats: i % 2 === 0 });
    a.act([0, 1, 2, 3, 4, 5], 2, 'stochastic');
    assert.equal(tf.memory().numTensors, n0);
    a.dispose();
  });
});

describe('checkpoint refusal', () => {
  let path: string;
  before(async () => {
    const a = agentOf();
    path = join(dir, 'ref');
    await saveCheckpoint(path, { envId: 'Test-v0', agent: a, replay: filledReplay(5) });
    a.dispose();
  });

  const refuse = async (config: SacConfigInput, envId: string, pattern: RegExp, symmetry: SymmetrySpec | null = null): Promise<void> => {
    const b = agentOf(config, symmetry);
    const before = b.getState();
    await assert.rejects(loadCheckpoint(path, { envId, agent: b }), pattern);
    assertStatesEqual(before, b.getState());
    b.dispose();
  };

  it('refuses another env', () => refuse(BASE, 'Other-v0', /env: checkpoint was made for 'Test-v0', this run is 'Other-v0'/));
  it('refuses another architecture', () => refuse({ ...BASE, hidden: [8, 4] }, 'Test-v0', /architecture of actor/));
  it('refuses another plain-network activation (same shapes)', () => refuse({ ...BASE, actorActivation: 'swish' }, 'Test-v0', /config: actorActivation \(checkpoint "relu", this run "swish"\)/));
  it('reads config keys a checkpoint predates as their defaults', async () => {
    // A checkpoint written before the plain-network keys existed: its config lacks them.
    const old = join(dir, 'old-keys');
    const a = agentOf();
    await saveCheckpoint(old, { envId: 'Test-v0', agent: a });
    const manifestPath = join(old, 'manifest.json');
    const m = JSON.parse(await readFile(manifestPath, 'utf8')) as { config: Record<string, unknown> };
    for (const k of ['actorActivation', 'actorInit', 'criticActivation', 'criticInit']) delete m.config[k];
    await writeFile(manifestPath, JSON.stringify(m));
    const b = agentOf();
    await loadCheckpoint(old, { envId: 'Test-v0', agent: b });
    assertStatesEqual(a.getState(), b.getState());
    a.dispose();
    b.dispose();
    await refuse(MATCHED, 'Test-v0', /config: actorActivation \(checkpoint "relu", this run "swish"\)/);
  });
  it('refuses another agent kind', () => refuse({ ...BASE, agent: 'rpp-sac' }, 'Test-v0', /agent: checkpoint is 'sac', this run is 'rpp-sac'/, SYM));
  it('refuses changed hyperparameters unless allowed', async () => {
    await refuse({ ...BASE, actorLr: 1e-3 }, 'Test-v0', /config: actorLr \(checkpoint 0\.0003, this run 0\.001\)/);
    const b = agentOf({ ...BASE, actorLr: 1e-3 });
    await loadCheckpoint(path, { envId: 'Test-v0', agent: b, allowConfigChange: true });
    b.dispose();
  });

  it('refuses a corrupted or truncated file, naming it', async () => {
    const bad = join(dir, 'bad');
    const a = agentOf();
    await saveCheckpoint(bad, { envId: 'Test-v0', agent: a, replay: filledReplay(6) });
    a.dispose();
    const p = join(bad, 'params.bin');
    const bytes = await readFile(p);
    bytes[10] ^= 0xff;
    await writeFile(p, bytes);
    const b = agentOf();
    await assert.rejects(loadCheckpoint(bad, { envId: 'Test-v0', agent: b }), /corrupt: params\.bin fails its SHA-256 check/);
    await truncate(join(bad, 'adam.bin'), 12);
    await assert.rejects(loadCheckpoint(bad, { envId: 'Test-v0', agent: b }), /corrupt: (params|adam)\.bin/);
    await writeFile(join(bad, 'manifest.json'), '{ not json');
    await assert.rejects(loadCheckpoint(bad, { envId: 'Test-v0', agent: b }), /manifest\.json is not valid JSON/);
    await assert.rejects(loadCheckpoint(join(dir, 'missing'), { envId: 'Test-v0', agent: b }), /No checkpoint .* manifest\.json is missing/);
    b.dispose();
  });
});

describe('policy export', () => {
  for (const [kind, sym, extra] of [['sac', null, {}], ['sac', null, MATCHED], ['rpp-sac', SYM, {}], ['emlp-sac', SYM, {}]] as const) {
    const label = extra === MATCHED ? 'sac (swish, lecun)' : kind;
    it(`${label}: loadPolicy reproduces the agent's deterministic actions`, async () => {
      const a = agentOf({ ...BASE, ...extra, agent: kind }, sym);
      a.update(filledReplay(7), { stats: false });
      const path = join(dir, `policy-${label.replace(/\W+/g, '-')}`);
      await exportPolicy(a, path, { envId: 'Test-v0' });
      const policy = await loadPolicy(path);
      const rng = new Rng(8);
      const obs = Float32Array.from({ length: 10 * OBS }, () => rng.normal());
      const want = a.act(obs, 10, 'deterministic');
      const got = policy.act(obs);
      want.forEach((w, i) => assert.ok(Math.abs(w - got[i]) < 1e-5, `action ${i}: ${got[i]} vs ${w}`));
      // The async forms (for backends without synchronous reads) give the same numbers.
      assert.deepEqual(Array.from(await policy.actAsync(obs)), Array.from(got));
      assert.deepEqual(Array.from(await policy.meanAsync(obs)), Array.from(policy.mean(obs)));
      assert.deepEqual(Array.from(await policy.stdAsync(obs)), Array.from(policy.std(obs)));
      const live = tf.memory().numTensors;
      policy.act(obs);
      await policy.actAsync(obs);
      assert.equal(tf.memory().numTensors, live, 'act and actAsync leave no tensors behind');
      if (extra === MATCHED) assert.deepEqual(policy.manifest.trunk.map((l) => l.activation), ['swish', 'swish']);
      policy.dispose();
      a.dispose();
    });
  }

  it('EMLP-SAC policy is equivariant and RPP/SAC error is reported', () => {
    const rng = new Rng(9);
    const obs = Float32Array.from({ length: 32 * OBS }, () => rng.normal());
    const emlp = agentOf({ ...BASE, agent: 'emlp-sac' }, SYM);
    const rpp = agentOf({ ...BASE, agent: 'rpp-sac' }, SYM);
    const sac = agentOf();
    const e = emlp.policyEquivarianceErrors(obs, 32)!;
    assert.ok(e.mean < 1e-5 && e.std < 1e-5, `EMLP errors ${JSON.stringify(e)}`);
    const r = rpp.policyEquivarianceErrors(obs, 32)!;
    assert.ok(r.mean > e.mean && r.mean < 0.5, `RPP mean error ${r.mean} (small at init: residual pathway is 1e-3)`);
    assert.ok(r.std < 0.5, `RPP std error ${r.std}`);
    assert.equal(sac.policyEquivarianceErrors(obs, 32), null);
    for (const x of [emlp, rpp, sac]) x.dispose();
  });
});
