/** The replay ring buffer: storage, wraparound across chunks, seeded sampling, state round trip. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHUNK_ROWS, REPLAY_FIELDS, ReplayBuffer, type ReplayField } from '../src/replay/replay-buffer.js';

/** Transition k carries k in every slot so rows can be identified after sampling. */
function addK(rb: ReplayBuffer, k: number): void {
  rb.add(new Array(rb.obsDim).fill(k), new Array(rb.actDim).fill(-k), k * 10, new Array(rb.obsDim).fill(k + 0.5), k % 7 === 0);
}

function contiguous(rb: ReplayBuffer, f: ReplayField): Float32Array {
  const parts = rb.exportField(f);
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

describe('ReplayBuffer', () => {
  it('stores transitions and samples consistent rows', () => {
    const rb = new ReplayBuffer({ capacity: 100, obsDim: 3, actDim: 2, seed: 1 });
    for (let k = 1; k <= 40; k++) addK(rb, k);
    assert.equal(rb.size, 40);
    const b = rb.sample(64);
    for (let i = 0; i < 64; i++) {
      const k = b.obs[i * 3];
      assert.ok(k >= 1 && k <= 40 && Number.isInteger(k));
      assert.deepEqual(Array.from(b.obs.slice(i * 3, i * 3 + 3)), [k, k, k]);
      assert.deepEqual(Array.from(b.nextObs.slice(i * 3, i * 3 + 3)), [k + 0.5, k + 0.5, k + 0.5]);
      assert.deepEqual(Array.from(b.actions.slice(i * 2, i * 2 + 2)), [-k, -k]);
      assert.equal(b.rewards[i], k * 10);
      assert.equal(b.terminated[i], k % 7 === 0 ? 1 : 0);
    }
  });

  it('wraps around: keeps the newest capacity transitions, across chunk boundaries', () => {
    const cap = CHUNK_ROWS + 10;
    const rb = new ReplayBuffer({ capacity: cap, obsDim: 1, actDim: 1, seed: 2 });
    const total = cap + 25;
    for (let k = 0; k < total; k++) addK(rb, k);
    assert.equal(rb.size, cap);
    assert.equal(rb.getState().pos, 25);
    const obs = contiguous(rb, 'obs');
    // Slots 0..24 were overwritten by transitions cap..cap+24; the rest hold k = slot.
    for (let i = 0; i < 25; i++) assert.equal(obs[i], cap + i);
    assert.equal(obs[25], 25);
    assert.equal(obs[cap - 1], cap - 1);
    const b = rb.sample(4096);
    let min = Infinity;
    for (const k of b.obs) min = Math.min(min, k);
    assert.ok(min >= 25, `oldest 25 transitions are gone (min sampled ${min})`);
  });

  it('sampling is reproducible for a seed and differs across seeds', () => {
    const make = (seed: number): ReplayBuffer => {
      const rb = new ReplayBuffer({ capacity: 1000, obsDim: 2, actDim: 1, seed });
      for (let k = 0; k < 500; k++) addK(rb, k);
      return rb;
    };
    const a = Array.from(make(5).sample(32).obs);
    const b = Array.from(make(5).sample(32).obs);
    const c = Array.from(make(6).sample(32).obs);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('allocates lazily by chunk', () => {
    const rb = new ReplayBuffer({ capacity: 1_000_000, obsDim: 348, actDim: 17, seed: 0 });
    assert.equal(rb.allocatedBytes, 0);
    addK(rb, 1);
    const rowBytes = (2 * 348 + 17 + 2) * 4;
    assert.equal(rb.allocatedBytes, CHUNK_ROWS * rowBytes);
  });

  it('getState/setState round trip continues identically', () => {
    const a = new ReplayBuffer({ capacity: 50, obsDim: 2, actDim: 1, seed: 9 });
    for (let k = 0; k < 70; k++) addK(a, k);
    a.sample(10);
    const state = a.getState();
    const fields = Object.fromEntries(REPLAY_FIELDS.map((f) => [f, contiguous(a, f).slice()])) as Record<ReplayField, Float32Array>;
    const b = new ReplayBuffer({ capacity: 50, obsDim: 2, actDim: 1, seed: 123 });
    b.setState(state, fields);
    addK(a, 70);
    addK(b, 70);
    assert.deepEqual(Array.from(b.sample(40).obs), Array.from(a.sample(40).obs));
    const wrong = new ReplayBuffer({ capacity: 50, obsDim: 3, actDim: 1, seed: 0 });
    assert.throws(() => wrong.setState(state, fields), /shape mismatch/);
  });

  it('rejects bad input with a clear message', () => {
    const rb = new ReplayBuffer({ capacity: 10, obsDim: 2, actDim: 1, seed: 0 });
    assert.throws(() => rb.sample(4), /empty/);
    assert.throws(() => rb.add([1], [0], 0, [1, 2], false), /obsDim=2/);
    assert.throws(() => new ReplayBuffer({ capacity: 0, obsDim: 2, actDim: 1, seed: 0 }), /capacity/);
  });
});
