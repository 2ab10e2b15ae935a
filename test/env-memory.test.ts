import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { HopperEnv, HumanoidEnv, InvertedPendulumEnv, defaultModelPath, loadMujoco, wasmHeapBytes } from '../envs/index.js';

const REF_DIR = '/work/shared/reference/gymnasium-mujoco-assets';

function opts(file: string): { xmlFile?: string } | null {
  if (existsSync(defaultModelPath(file))) return {};
  return existsSync(`${REF_DIR}/${file}`) ? { xmlFile: `${REF_DIR}/${file}` } : null;
}

before(async () => {
  await loadMujoco();
});

test('creating and closing 1000 envs does not grow the WASM heap without bound', async (t) => {
  const o = opts('inverted_pendulum.xml');
  if (o === null) return t.skip('no model');
  const heapAt: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const env = new InvertedPendulumEnv(o);
    env.reset({ seed: i });
    env.step([0.1]);
    if (i % 100 === 99) heapAt.push(wasmHeapBytes(env.data));
    env.close();
  }
  t.diagnostic(`heap MB after 100..1000 envs: ${heapAt.map((b) => (b / 2 ** 20).toFixed(1)).join(', ')}`);
  // Each MjData holds an arena of 1 MB (our models) to 4 MB (reference XML): 1000 leaked envs would add 1-4 GB.
  assert.ok(heapAt[9] - heapAt[0] <= 32 * 2 ** 20, `heap grew from ${heapAt[0]} to ${heapAt[9]} bytes`);
});

test('100 Humanoid envs can be created and closed in turn without heap growth', async (t) => {
  const o = opts('humanoid.xml');
  if (o === null) return t.skip('no model');
  let first = 0;
  let last = 0;
  for (let i = 0; i < 100; i++) {
    const env = new HumanoidEnv(o);
    env.reset({ seed: i });
    if (i === 10) first = wasmHeapBytes(env.data);
    last = wasmHeapBytes(env.data);
    env.close();
  }
  t.diagnostic(`heap MB at env 10: ${(first / 2 ** 20).toFixed(1)}, at env 100: ${(last / 2 ** 20).toFixed(1)}`);
  // 100 leaked Humanoid datas would add at least 100 MB (1 MB arena each with our model, 15 MB with the reference).
  assert.ok(last - first <= 64 * 2 ** 20);
});

test('cached data views survive WASM heap growth (detached views are re-read)', async (t) => {
  const o = opts('hopper.xml');
  if (o === null) return t.skip('no model');
  const actions = [0.3, -0.5, 0.8];
  const reference = new HopperEnv(o);
  reference.reset({ seed: 11 });
  const expected = [1, 2, 3, 4].map(() => reference.step(actions).observation);
  reference.close();

  const env = new HopperEnv(o);
  env.reset({ seed: 11 });
  const got = [env.step(actions).observation, env.step(actions).observation];
  const heapBefore = wasmHeapBytes(env.data);
  const others = Array.from({ length: 40 }, () => new HumanoidEnv(opts('humanoid.xml') ?? o));
  const heapAfter = wasmHeapBytes(env.data);
  t.diagnostic(`heap grew from ${(heapBefore / 2 ** 20).toFixed(1)} MB to ${(heapAfter / 2 ** 20).toFixed(1)} MB`);
  assert.ok(heapAfter > heapBefore, 'the allocations should have grown the heap (otherwise the test proves nothing)');
  got.push(env.step(actions).observation, env.step(actions).observation);
  assert.deepEqual(got, expected);
  for (const e of others) e.close();
  env.close();
});
