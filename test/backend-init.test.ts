// initBackend called concurrently (a sweep's parallel workers each measuring rates before
// their first run) must initialise once and give every caller the same backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../src/backend.js';

test('concurrent initBackend calls share one initialisation', async () => {
  const infos = await Promise.all([initBackend({ backend: 'wasm' }), initBackend({ backend: 'wasm' }), initBackend()]);
  assert.equal(infos[0]!.name, 'wasm');
  assert.equal(infos[1], infos[0]);
  assert.equal(infos[2], infos[0]);
});
