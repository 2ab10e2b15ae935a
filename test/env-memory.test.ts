import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { HumanoidEnv, InvertedPendulumEnv, defaultModelPath, loadMujoco, wasmHeapBytes } from '../envs/index.js';

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

test('300 Humanoid envs can be created and closed in turn without heap growth', async (t) => {
  const o = opts('humanoid.xml');
  if (o === null) return t.skip('no model');
  let first = 0;
  let last = 0;
  for (let i = 0; i < 300; i++) {
    const env = new HumanoidEnv(o);
    env.reset({ seed: i });
    if (i === 10) first = wasmHeapBytes(env.data);
    last = wasmHeapBytes(env.data);
    env.close();
  }
  t.diagnostic(`heap MB at env 10: ${(first / 2 ** 20).toFixed(1)}, at env 300: ${(last / 2 ** 20).toFixed(1)}`);
  // 300 leaked Humanoid datas would add at least 300 MB (1 MB arena each with our model, 15 MB with the reference).
  assert.ok(last - first <= 64 * 2 ** 20);
});
