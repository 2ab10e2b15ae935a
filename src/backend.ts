/**
 * The one place that initialises TensorFlow.js.
 *
 * Order: an explicit choice (argument or RPP_SAC_BACKEND) wins; otherwise
 * @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node when the user installed
 * them (optional peer dependencies, imported dynamically); otherwise the wasm
 * backend with SIMD. The pure-JS `cpu` backend (~28x slower for a SAC update)
 * is used only when asked for by name. `webgpu` (optional packages webgpu and
 * @tensorflow/tfjs-backend-webgpu, see backend-webgpu.ts): `auto` picks it after the
 * tfjs-node packages when Dawn finds a hardware adapter, never a software one.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useFastMatMulGradient } from './fast-matmul-grad.js';
import { useHeapCopyKernels } from './kernels/heap-copy-kernels.js';
import { describeMatmulPath } from './kernels/own-matmul.js';
import { useNativeTranspose } from './kernels/native-transpose.js';
import { useZeroCopyIdentity } from './kernels/zero-copy-identity.js';
import { WEBGPU_PACKAGES, loadWebgpuBackend, probeWebgpuAdapter, releaseWebgpu, type GpuAdapterRecord } from './backend-webgpu.js';
import { getDefaultLogger, type Logger } from './logging.js';
import { sourceVersion } from './source-version.js';
import { missingGpuDeviceNode, missingVulkanLoader } from './vulkan-loader.js';

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendInfo {
  /** The tfjs backend name in use ('wasm', 'tensorflow', 'webgpu', 'cpu'). */
  name: string;
  /** What was asked for. */
  requested: BackendChoice;
  /** Why this backend was chosen, in words. */
  reason: string;
  /** Versions of the packages involved, for run records. */
  versions: Record<string, string>;
  /** For wasm: whether SIMD is in use. */
  simd?: boolean;
  /** Whether dataSync() works (false for webgpu in Node: reads must be `await data()`). */
  syncReads: boolean;
  /** For webgpu: the adapter that ran (vendor, architecture, device, description, software or not). */
  adapter?: GpuAdapterRecord;
}

const NODE_PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const require = createRequire(import.meta.url);

/**
 * A dependency's version for run records. Packages whose `exports` hide
 * package.json (@mujoco/mujoco) are found by walking node_modules paths instead.
 */
function packageVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    for (const dir of require.resolve.paths(name) ?? []) {
      const file = join(dir, name, 'package.json');
      if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    }
    return undefined;
  }
}

function isInstalled(name: string): boolean {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

let current: BackendInfo | undefined;

export function parseBackendChoice(value: string | undefined): BackendChoice {
  const v = (value ?? 'auto').trim().toLowerCase();
  if ((BACKEND_CHOICES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new Error(`Unknown backend '${value}'. Choose one of: ${BACKEND_CHOICES.join(', ')} (flag --backend or env RPP_SAC_BACKEND).`);
}

async function loadNodeBackend(which: 'tensorflow-gpu' | 'tensorflow'): Promise<void> {
  const pkg = NODE_PACKAGES[which];
  try {
    await import(pkg);
  } catch (err) {
    throw new Error(
      `Backend '${which}' needs ${pkg}, which could not be loaded (${(err as Error).message}). ` +
        `Install it with: npm install ${pkg}@${packageVersion('@tensorflow/tfjs') ?? '4.22.0'}`,
    );
  }
  const ok = await tf.setBackend('tensorflow');
  if (!ok) throw new Error(`${pkg} loaded but its 'tensorflow' backend failed to initialise.`);
}

async function loadWasmBackend(): Promise<boolean> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Threads do not help on this machine size and need Node workarounds; keep one thread.
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('The wasm backend failed to initialise (is @tensorflow/tfjs-backend-wasm installed?).');
  void wasm;
  return tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
}

/**
 * For `auto`: whether the optional WebGPU packages are installed and Dawn finds a
 * hardware adapter. A software one (Mesa's llvmpipe) is never chosen: it is correct
 * but far slower than wasm. The probe's GPU object is released when not used.
 */
async function hardwareWebgpu(): Promise<{ use: true } | { use: false; why: string }> {
  for (const p of Object.keys(WEBGPU_PACKAGES)) if (!isInstalled(p)) return { use: false, why: `${p} is not installed` };
  const noLoader = missingVulkanLoader() ?? missingGpuDeviceNode();
  if (noLoader !== null) return { use: false, why: noLoader };
  const probe = await probeWebgpuAdapter();
  if (probe.adapter !== null && !probe.adapter.software) return { use: true };
  releaseWebgpu(tf);
  return { use: false, why: probe.adapter === null ? probe.reason : `only a software adapter: ${probe.adapter.description || probe.adapter.device}` };
}

/**
 * Initialise tfjs once per process. Later calls return the same info unless a
 * different explicit backend is requested.
 */
export async function initBackend(opts: { backend?: BackendChoice | string; logger?: Logger } = {}): Promise<BackendInfo> {
  // One initialisation at a time: two concurrent tf.setBackend calls (a sweep's parallel
  // workers measuring rates) make the second fail. Later callers wait, then see `current`.
  const turn = initQueue.then(() => initBackendNow(opts));
  initQueue = turn.catch(() => undefined);
  return turn;
}

let initQueue: Promise<unknown> = Promise.resolve();

async function initBackendNow(opts: { backend?: BackendChoice | string; logger?: Logger }): Promise<BackendInfo> {
  const logger = opts.logger ?? getDefaultLogger();
  const requested = parseBackendChoice(opts.backend ?? process.env.RPP_SAC_BACKEND ?? 'auto');
  if (current !== undefined && (requested === 'auto' || requested === current.requested)) return current;

  let reason: string;
  let simd: boolean | undefined;
  let adapter: GpuAdapterRecord | undefined;
  if (requested === 'tensorflow-gpu' || requested === 'tensorflow') {
    await loadNodeBackend(requested);
    reason = `requested explicitly (${NODE_PACKAGES[requested]})`;
  } else if (requested === 'webgpu') {
    adapter = await loadWebgpuBackend(tf);
    reason = `requested explicitly (adapter: ${adapter.description || adapter.device}${adapter.software ? ', a software adapter: correct but slow' : ''})`;
  } else if (requested === 'wasm') {
    simd = await loadWasmBackend();
    reason = 'requested explicitly';
  } else if (requested === 'cpu') {
    await tf.setBackend('cpu');
    reason = 'requested explicitly (pure-JS cpu backend: expect ~28x slower updates than wasm)';
  } else if (isInstalled(NODE_PACKAGES['tensorflow-gpu'])) {
    await loadNodeBackend('tensorflow-gpu');
    reason = `${NODE_PACKAGES['tensorflow-gpu']} is installed`;
  } else if (isInstalled(NODE_PACKAGES.tensorflow)) {
    await loadNodeBackend('tensorflow');
    reason = `${NODE_PACKAGES.tensorflow} is installed`;
  } else {
    const gpu = await hardwareWebgpu();
    if (gpu.use) {
      adapter = await loadWebgpuBackend(tf);
      reason = `webgpu is installed and found a hardware adapter (${adapter.description || adapter.device})`;
    } else {
      simd = await loadWasmBackend();
      reason = `default: neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed, and no hardware WebGPU adapter (${gpu.why})`;
    }
  }
  await tf.ready();
  useFastMatMulGradient();
  if (tf.getBackend() === 'wasm') {
    useZeroCopyIdentity();
    useNativeTranspose();
    useHeapCopyKernels();
  }

  const versions: Record<string, string> = { ...sourceVersion(), node: process.versions.node };
  for (const p of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@mujoco/mujoco']) {
    const v = packageVersion(p);
    if (v !== undefined) versions[p] = v;
  }
  current = { name: tf.getBackend(), requested, reason, versions, syncReads: tf.getBackend() !== 'webgpu', ...(simd === undefined ? {} : { simd }), ...(adapter === undefined ? {} : { adapter }) };
  logger.info(`tfjs backend: ${current.name}${simd === undefined ? '' : simd ? ' (SIMD)' : ' (no SIMD)'} - ${reason}; matmul: ${describeMatmulPath()}`);
  return current;
}

/**
 * Release what keeps the process alive (the webgpu device; nothing for other
 * backends). The next initBackend starts afresh.
 */
export function releaseBackend(): void {
  if (current?.name !== 'webgpu' && (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu === undefined) return;
  releaseWebgpu(tf);
  current = undefined;
}

/** The backend chosen by initBackend, or undefined before it ran. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}
