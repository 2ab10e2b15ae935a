/**
 * Load an exported policy (agents/policy-format.ts) and run it. Needs only
 * @tensorflow/tfjs, so it works in a browser (give a URL of the policy directory)
 * and in Node (a directory path, or a URL).
 *
 *   const policy = await loadPolicy('runs/x/policy');     // or 'https://host/policy/'
 *   const action = policy.act(obs);                       // env units, deterministic
 *   policy.dispose();
 */
import * as tf from '@tensorflow/tfjs';
import { POLICY_FORMAT, POLICY_VERSION, type PolicyHead, type PolicyLayer, type PolicyManifest, type TensorRef } from './policy-format.js';

export interface LoadedPolicy {
  readonly manifest: PolicyManifest;
  /** Deterministic actions in env units for obs [n*obsDim] (n inferred). */
  act(obs: ArrayLike<number>): Float32Array;
  /** The pre-tanh mean [n*actDim]. */
  mean(obs: ArrayLike<number>): Float32Array;
  /** The pre-tanh standard deviation [n*actDim] (the std head through manifest.std.param and its clamps), for stochastic actions. */
  std(obs: ArrayLike<number>): Float32Array;
  /**
   * act/mean/std reading the result with `await data()`: what a backend without
   * synchronous reads needs (webgpu in Node; in a browser its canvas-based sync read is
   * slow and, in headless Chromium, unreliable). Same numbers as the sync forms.
   */
  actAsync(obs: ArrayLike<number>): Promise<Float32Array>;
  meanAsync(obs: ArrayLike<number>): Promise<Float32Array>;
  stdAsync(obs: ArrayLike<number>): Promise<Float32Array>;
  dispose(): void;
}

async function fetchBoth(source: string): Promise<{ manifest: PolicyManifest; weights: ArrayBuffer }> {
  if (/^(https?|blob|data):/i.test(source) || typeof process === 'undefined') {
    const base = source.endsWith('/') ? source : `${source}/`;
    const res = await fetch(`${base}policy.json`);
    if (!res.ok) throw new Error(`loadPolicy: cannot fetch ${base}policy.json (HTTP ${res.status})`);
    const manifest = (await res.json()) as PolicyManifest;
    const wr = await fetch(`${base}${manifest.weightsFile}`);
    if (!wr.ok) throw new Error(`loadPolicy: cannot fetch ${base}${manifest.weightsFile} (HTTP ${wr.status})`);
    return { manifest, weights: await wr.arrayBuffer() };
  }
  // Node with a filesystem path: import fs lazily so browser bundles never need it.
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const manifest = JSON.parse(await fs.readFile(path.join(source, 'policy.json'), 'utf8')) as PolicyManifest;
  const buf = await fs.readFile(path.join(source, manifest.weightsFile));
  return { manifest, weights: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer };
}

/** Load from a directory path (Node) or URL (browser/Node), or from already-read parts. */
export async function loadPolicy(source: string | { manifest: PolicyManifest; weights: ArrayBuffer }): Promise<LoadedPolicy> {
  const { manifest, weights } = typeof source === 'string' ? await fetchBoth(source) : source;
  return policyFromParts(manifest, weights);
}

export function policyFromParts(manifest: PolicyManifest, weights: ArrayBuffer): LoadedPolicy {
  if (manifest.format !== POLICY_FORMAT) throw new Error(`loadPolicy: not an rpp-sac policy (format '${String(manifest.format)}').`);
  if (manifest.version !== POLICY_VERSION) throw new Error(`loadPolicy: policy format version ${manifest.version}, this loader reads ${POLICY_VERSION}.`);
  if (weights.byteLength !== manifest.weightsLength * 4) {
    throw new Error(`loadPolicy: weights file has ${weights.byteLength} bytes, the manifest says ${manifest.weightsLength * 4}; the export is incomplete or corrupt.`);
  }
  const all = new Float32Array(weights);
  const owned: tf.Tensor[] = [];
  const t = (r: TensorRef): tf.Tensor => {
    const x = tf.tensor(all.subarray(r.offset, r.offset + r.length), r.shape);
    owned.push(x);
    return x;
  };
  const trunk = manifest.trunk.map((l: PolicyLayer) => ({
    w: t(l.w) as tf.Tensor2D,
    b: t(l.b),
    activation: l.activation,
    scale: l.scale === null ? null : t(l.scale),
    mask: l.tanhMask === null ? null : (() => {
      const m = tf.tensor1d(l.tanhMask);
      owned.push(m);
      return m;
    })(),
  }));
  const head = (h: PolicyHead): { w: tf.Tensor2D; b: tf.Tensor } => ({ w: t(h.w) as tf.Tensor2D, b: t(h.b) });
  const meanHead = head(manifest.mean);
  const stdHead = head(manifest.std);
  const { obsDim, obsUsed, actDim } = manifest;
  const low = Float32Array.from(manifest.actionLow);
  const high = Float32Array.from(manifest.actionHigh);

  /** The head's output as a tensor the caller reads and disposes. */
  const forwardHead = (obs: ArrayLike<number>, which: 'mean' | 'std'): tf.Tensor => {
    if (obs.length % obsDim !== 0) throw new Error(`policy: obs has ${obs.length} values, not a multiple of obsDim ${obsDim}`);
    const n = obs.length / obsDim;
    return tf.tidy(() => {
      let h: tf.Tensor2D = tf.tensor2d(Float32Array.from(obs), [n, obsDim]);
      if (obsUsed !== obsDim) h = tf.slice(h, [0, 0], [-1, obsUsed]);
      for (const l of trunk) {
        const z = tf.add(tf.matMul(h, l.w), l.b) as tf.Tensor2D;
        let y: tf.Tensor2D;
        if (l.activation === 'relu') y = tf.relu(z);
        else if (l.activation === 'tanh') y = tf.tanh(z);
        else if (l.activation === 'swish') y = tf.mul(z, tf.sigmoid(z));
        else y = tf.add(tf.mul(l.mask!, tf.tanh(z)), tf.mul(tf.sub(1, l.mask!), tf.mul(z, tf.sigmoid(z)))) as tf.Tensor2D;
        h = (l.scale === null ? y : tf.mul(y, l.scale)) as tf.Tensor2D;
      }
      if (which === 'mean') return tf.add(tf.matMul(h, meanHead.w), meanHead.b);
      const z = tf.add(tf.matMul(h, stdHead.w), stdHead.b);
      const { param, logStdMin, logStdMax } = manifest.std;
      return param === 'log-std' ? tf.exp(tf.clipByValue(z, logStdMin, logStdMax)) : tf.clipByValue(tf.softplus(z), Math.exp(logStdMin), Math.exp(logStdMax));
    });
  };
  const readSync = (t: tf.Tensor): Float32Array => {
    try {
      return t.dataSync() as Float32Array;
    } finally {
      t.dispose();
    }
  };
  const readAsync = async (t: tf.Tensor): Promise<Float32Array> => {
    try {
      return (await t.data()) as Float32Array;
    } finally {
      t.dispose();
    }
  };
  const squash = (m: Float32Array): Float32Array => {
    const out = new Float32Array(m.length);
    for (let i = 0; i < m.length; i++) {
      const j = i % actDim;
      out[i] = low[j] + (Math.tanh(m[i]) + 1) * ((high[j] - low[j]) / 2);
    }
    return out;
  };

  return {
    manifest,
    mean: (obs) => readSync(forwardHead(obs, 'mean')),
    std: (obs) => readSync(forwardHead(obs, 'std')),
    act: (obs) => squash(readSync(forwardHead(obs, 'mean'))),
    meanAsync: (obs) => readAsync(forwardHead(obs, 'mean')),
    stdAsync: (obs) => readAsync(forwardHead(obs, 'std')),
    actAsync: async (obs) => squash(await readAsync(forwardHead(obs, 'mean'))),
    dispose() {
      for (const x of owned) x.dispose();
    },
  };
}
