/**
 * SAC and RPP-SAC updates on the webgpu backend against the wasm backend's: same
 * weights (the wasm agent's state copied in with setState), same minibatches (two
 * replay buffers filled alike, same sampling seed), same noise (the agent's Rng state
 * travels with setState). Two updates each, so the second runs on Adam moments the
 * first wrote. Checked: every parameter (actor, both critics, both targets, log alpha)
 * to <= 1e-4 relative (||webgpu - wasm|| / ||wasm|| per tensor), no device->host read
 * during an update without stats, and the async stats read.
 *
 * Needs a WebGPU adapter (on a machine without a GPU: Mesa >= 23's llvmpipe through
 * Vulkan, e.g. Debian 12's bookworm-backports mesa-vulkan-drivers). Where none can be
 * created the tests are skipped and the reason printed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend, releaseBackend } from '../src/backend.js';
import { probeWebgpuAdapter, type GpuAdapterRecord } from '../src/backend-webgpu.js';
import { countReads } from '../src/kernels/backend-reads.js';
import { Rng } from '../src/random.js';
import { ReplayBuffer } from '../src/replay/replay-buffer.js';
import { SacAgent, type SacAgentState } from '../agents/sac.js';
import type { SacConfigInput } from '../agents/sac-config.js';
import { resolveSymmetry } from '../agents/symmetry-choice.js';
import { createLogger } from '../src/logging.js';
import { relErr } from './numeric-helpers.js';

const quiet = createLogger({ silent: true });

const ENV = 'Walker2d-v5';
const OBS = 17;
const ACT = 6;
const B = 32;
const TOL = 1e-4;

let adapter: GpuAdapterRecord | null = null;
let skip: string | false = false;

before(async () => {
  const probe = await probeWebgpuAdapter();
  if (probe.adapter === null) {
    skip = `no WebGPU adapter: ${probe.reason}`;
    console.log(`# sac-update-webgpu: skipped, ${skip}`);
  } else {
    adapter = probe.adapter;
    console.log(`# sac-update-webgpu: adapter ${JSON.stringify(adapter)}`);
  }
});

after(() => {
  releaseBackend();
});

function fillReplay(): ReplayBuffer {
  const replay = new ReplayBuffer({ capacity: 64, obsDim: OBS, actDim: ACT, seed: 9 });
  const rng = new Rng(2);
  const vec = (n: number): number[] => Array.from({ length: n }, () => rng.normal());
  for (let i = 0; i < 64; i++) {
    const action = Array.from({ length: ACT }, () => rng.uniform(-0.99, 0.99));
    replay.add(vec(OBS), action, rng.normal(1, 2), vec(OBS), i % 3 === 0);
  }
  return replay;
}

function makeAgent(config: SacConfigInput): SacAgent {
  const kind = config.agent ?? 'sac';
  return new SacAgent({
    config,
    obsDim: OBS,
    actDim: ACT,
    actionLow: new Array(ACT).fill(-1),
    actionHigh: new Array(ACT).fill(1),
    symmetry: kind === 'sac' ? null : resolveSymmetry(ENV, { agent: kind, symmetry: 'exact' }),
  });
}

/** Every variable's values, read asynchronously (webgpu in Node has no dataSync). */
async function readParams(agent: SacAgent): Promise<Record<string, Float32Array[]>> {
  const out: Record<string, Float32Array[]> = {};
  for (const [name, vars] of Object.entries(agent.variableGroups())) out[name] = await Promise.all(vars.map(async (v) => (await v.data()) as Float32Array));
  return out;
}

const cases: { name: string; config: SacConfigInput }[] = [
  { name: 'SAC (relu MLPs, clip 1)', config: { agent: 'sac', gradClipNorm: 1 } },
  { name: 'RPP-SAC (RPP critics, penalties, log-std head)', config: { agent: 'rpp-sac', symmetry: 'exact', rppCritic: true, stdParam: 'log-std', actorEquivWd: 0.01, actorBasicWd: 0.5, criticEquivWd: 0.02, criticBasicWd: 0.3 } },
];

describe('SacAgent.update on webgpu equals the wasm backend (same weights, batches and noise)', () => {
  for (const c of cases) {
    it(`${c.name}: all parameters after 2 updates to <= ${TOL} relative; no reads in an update without stats`, async (t) => {
      if (skip !== false) return t.skip(skip);
      const config: SacConfigInput = { hidden: [32, 32], batchSize: B, gamma: 0.97, tau: 0.05, actorLr: 3e-3, criticLr: 2e-3, alphaLr: 5e-3, initAlpha: 0.3, seed: 4, ...c.config };

      await initBackend({ backend: 'wasm', logger: quiet });
      const ref = makeAgent(config);
      const replayRef = fillReplay();
      let s0: SacAgentState;
      let want: Record<string, Float32Array[]>;
      try {
        s0 = ref.getState();
        ref.update(replayRef, { stats: false });
        ref.update(replayRef, { stats: false });
        want = await readParams(ref);
      } finally {
        ref.dispose();
      }

      const info = await initBackend({ backend: 'webgpu', logger: quiet });
      assert.equal(info.name, 'webgpu');
      assert.ok(info.adapter !== undefined, 'BackendInfo records the adapter');
      const agent = makeAgent(config);
      const replay = fillReplay();
      try {
        agent.setState(s0);
        let before = 0;
        for (let k = 0; k < 2; k++) {
          // The networks cache projected weights and transposes from the first update on.
          if (k === 1) before = tf.memory().numTensors;
          const { result, reads } = countReads(() => agent.update(replay, { stats: false }));
          assert.equal(result, null);
          assert.equal(reads, 0, `update ${k + 1} without stats read ${reads} time(s) from the device`);
        }
        assert.equal(tf.memory().numTensors, before, 'the second update leaves no tensors behind');
        const got = await readParams(agent);
        let worst = 0;
        for (const [name, arrays] of Object.entries(want)) {
          arrays.forEach((w, i) => {
            const e = relErr(got[name][i], w);
            worst = Math.max(worst, e);
            assert.ok(e <= TOL, `${name}[${i}] differs by ${e.toExponential(2)} relative (tolerance ${TOL})`);
          });
        }
        console.log(`# ${c.name}: worst relative difference webgpu vs wasm ${worst.toExponential(2)}`);
        // The stats form for webgpu: one asynchronous read.
        const stats = await agent.updateAsync(replay);
        for (const [k, v] of Object.entries(stats)) assert.ok(Number.isFinite(v), `stat ${k} = ${v}`);
        // dataSync is refused with a clear message (not tfjs's "OffscreenCanvas is not defined").
        assert.throws(() => agent.update(replay, { stats: true }), /Synchronous reads .* not possible on the webgpu backend in Node/);
      } finally {
        agent.dispose();
        await initBackend({ backend: 'wasm', logger: quiet });
      }
    });
  }
});

