/**
 * Export the policy alone for inference (format in agents/policy-format.ts).
 * Written atomically: a temp directory renamed into place.
 */
import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceDirAtomically } from '../src/atomic-dir.js';
import { Mlp } from '../src/nn/mlp.js';
import { RppMlp } from '../src/nn/rpp-mlp.js';
import type { SacAgent } from './sac.js';
import { POLICY_FORMAT, POLICY_VERSION, type PolicyActivation, type PolicyHead, type PolicyLayer, type PolicyManifest, type TensorRef } from './policy-format.js';

/**
 * Collects weights in order. Reads are asynchronous (`data()`): the webgpu backend in
 * Node has no dataSync. The caller may dispose a tensor right after add.
 */
class WeightWriter {
  readonly chunks: Promise<Float32Array>[] = [];
  length = 0;
  add(t: tf.Tensor): TensorRef {
    const ref = { offset: this.length, length: t.size, shape: [...t.shape] };
    // A kept clone holds the data until the read is done (webgpu caches the values on the
    // tensor record when the read completes; a disposed tensor has none).
    const held = tf.keep(t.clone());
    this.chunks.push((held.data() as Promise<Float32Array>).finally(() => held.dispose()));
    this.length += t.size;
    return ref;
  }
  async concat(): Promise<Float32Array> {
    const out = new Float32Array(this.length);
    let off = 0;
    for (const c of await Promise.all(this.chunks)) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

/** Trunk layers and heads of the actor network as plain (W, b, activation, scale). */
function describeNetwork(agent: SacAgent, ww: WeightWriter): { trunk: PolicyLayer[]; heads: PolicyHead[] } {
  const net = agent.actor.net;
  // A manual scope (tf.tidy only returns tensors): frees the effective weights after reading.
  tf.engine().startScope();
  try {
    if (net instanceof Mlp) {
      return {
        trunk: net.trunk.map((l) => ({ w: ww.add(l.w), b: ww.add(l.b), activation: net.activation as PolicyActivation, scale: null, tanhMask: null })),
        heads: net.heads.map((l) => ({ w: ww.add(l.w), b: ww.add(l.b) })),
      };
    }
    if (net instanceof RppMlp) {
      const trunk = net.trunk.map(({ linear, activation }): PolicyLayer => {
        const { w, b } = linear.effective();
        const mixed = activation.kind === 'mixed';
        return {
          w: ww.add(w),
          b: ww.add(b),
          activation: activation.kind,
          scale: activation.wBasic === null ? null : ww.add(tf.add(activation.wBasic, 1)),
          tanhMask: mixed ? activation.rep.signFlippedChannels().map((f) => (f ? 1 : 0)) : null,
        };
      });
      const heads = net.heads.map((h) => {
        const { w, b } = h.effective();
        return { w: ww.add(w), b: ww.add(b) };
      });
      return { trunk, heads };
    }
    throw new Error(`exportPolicy: unsupported actor network type ${(net as object).constructor.name}; expected Mlp or RppMlp.`);
  } finally {
    tf.engine().endScope();
  }
}

/** Write <dir>/policy.json and <dir>/weights.bin. */
export async function exportPolicy(agent: SacAgent, dir: string, meta: { envId: string }): Promise<PolicyManifest> {
  const ww = new WeightWriter();
  const { trunk, heads } = describeNetwork(agent, ww);
  const low = agent.toEnvUnits(new Float32Array(agent.actDim).fill(-1));
  const high = agent.toEnvUnits(new Float32Array(agent.actDim).fill(1));
  const cfg = agent.config;
  const manifest: PolicyManifest = {
    format: POLICY_FORMAT,
    version: POLICY_VERSION,
    envId: meta.envId,
    agentKind: agent.kind,
    obsDim: agent.obsDim,
    obsUsed: agent.actor.net.inDim,
    actDim: agent.actDim,
    actionLow: Array.from(low),
    actionHigh: Array.from(high),
    trunk,
    mean: heads[0],
    std: { ...heads[1], param: cfg.stdParam, logStdMin: cfg.logStdMin, logStdMax: cfg.logStdMax },
    weightsFile: 'weights.bin',
    weightsLength: ww.length,
  };
  const w = await ww.concat();
  return replaceDirAtomically(dir, async (tmp) => {
    await writeFile(join(tmp, 'weights.bin'), new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
    await writeFile(join(tmp, 'policy.json'), JSON.stringify(manifest, null, 1));
    return manifest;
  });
}
