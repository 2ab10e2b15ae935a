/**
 * The WebGPU backend in Node: Dawn's Node bindings (the optional `webgpu` package,
 * a prebuilt dawn.node inside the npm package) provide navigator.gpu, then
 * @tensorflow/tfjs-backend-webgpu (optional too) registers the 'webgpu' tfjs backend.
 *
 * Facts this file is written around (measured with webgpu 0.6.2, tfjs 4.22):
 * - navigator.gpu must exist before @tensorflow/tfjs-backend-webgpu is imported (it
 *   registers its backend only if it sees one).
 * - Dawn needs XDG_RUNTIME_DIR set; when it is missing we point it at the OS temp dir.
 * - A software Vulkan device (Mesa's llvmpipe/lavapipe) is reported as a fallback
 *   adapter (info.isFallbackAdapter, architecture 'software'). `auto` never picks one.
 * - Node cannot read GPU memory synchronously: the backend's readSync needs
 *   OffscreenCanvas, and dawn.node completes buffer maps only on an event-loop turn,
 *   so dataSync() cannot work. Reads must be `await t.data()`. readSync is replaced
 *   by one that says so (the original fails with "OffscreenCanvas is not defined").
 * - Dawn keeps the process alive while navigator.gpu holds the GPU object:
 *   releaseWebgpu() destroys the device and drops it.
 */
import { tmpdir } from 'node:os';

/** What a run records about the adapter it ran on. */
export interface GpuAdapterRecord {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A fallback/software adapter (e.g. Mesa llvmpipe): correct, not fast. */
  software: boolean;
}

/** The packages this backend needs, with the versions tested together. */
export const WEBGPU_PACKAGES = { webgpu: '0.6.2', '@tensorflow/tfjs-backend-webgpu': '4.22.0' } as const;

const INSTALL_HINT = `npm install ${Object.entries(WEBGPU_PACKAGES)
  .map(([p, v]) => `${p}@${v}`)
  .join(' ')}`;

interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(opts?: { powerPreference?: string }): Promise<AdapterLike | null>;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|software/i;

/** The adapter's record; `software` from the fallback flag or a known software renderer's name. */
export function adapterRecord(adapter: AdapterLike): GpuAdapterRecord {
  const i = adapter.info ?? {};
  const rec = { vendor: i.vendor ?? '', architecture: i.architecture ?? '', device: i.device ?? '', description: i.description ?? '' };
  const software = i.isFallbackAdapter === true || adapter.isFallbackAdapter === true || SOFTWARE_NAMES.test(`${rec.architecture} ${rec.device} ${rec.description}`);
  return { ...rec, software };
}

let gpu: GpuLike | undefined;

/** Dawn's navigator.gpu, created once (throws with an install hint when `webgpu` is missing). */
async function nodeGpu(): Promise<GpuLike> {
  if (gpu !== undefined) return gpu;
  const g = globalThis as { navigator?: { gpu?: GpuLike } };
  if (g.navigator?.gpu !== undefined) return (gpu = g.navigator.gpu);
  let mod: { create(opts: string[]): GpuLike; globals: object };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (err) {
    throw new Error(`Backend 'webgpu' needs the package webgpu (Dawn for Node), which could not be loaded (${(err as Error).message}). Install it with: ${INSTALL_HINT}`);
  }
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  Object.assign(globalThis, mod.globals);
  gpu = mod.create([]);
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  return gpu;
}

/**
 * The adapter tfjs-backend-webgpu will take (it asks for 'high-performance'), or null
 * with the reason when none can be created (no Vulkan/Metal/D3D12 driver, or one Dawn
 * refuses, as Mesa 22's llvmpipe is).
 */
export async function probeWebgpuAdapter(): Promise<{ adapter: GpuAdapterRecord } | { adapter: null; reason: string }> {
  let g: GpuLike;
  try {
    g = await nodeGpu();
  } catch (err) {
    return { adapter: null, reason: (err as Error).message };
  }
  try {
    const a = await g.requestAdapter({ powerPreference: 'high-performance' });
    if (a === null) return { adapter: null, reason: 'Dawn found no WebGPU adapter (no usable Vulkan/Metal/D3D12 driver; on Linux without a GPU, Mesa >= 23 provides a software one: mesa-vulkan-drivers)' };
    return { adapter: adapterRecord(a) };
  } catch (err) {
    return { adapter: null, reason: `requesting a WebGPU adapter failed: ${(err as Error).message}` };
  }
}

interface WebgpuBackendLike {
  readSync(dataId: object): unknown;
  tensorMap: { get(dataId: object): { values?: unknown } | undefined };
  device: { destroy(): void; queue: { onSubmittedWorkDone(): Promise<void> } };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/**
 * Resolves when the GPU has finished all work queued so far (tfjs batches kernels into
 * command buffers: submit the open one first). No data is read. For timing.
 */
export async function webgpuIdle(tf: typeof import('@tensorflow/tfjs')): Promise<void> {
  const b = tf.backend() as unknown as WebgpuBackendLike;
  b.ensureCommandEncoderReady();
  b.endComputePassEncoder();
  b.submitQueue();
  await b.device.queue.onSubmittedWorkDone();
}

/**
 * Make 'webgpu' the tfjs backend. Returns the adapter it runs on. Throws with an
 * install hint when a package is missing, and with the reason when no adapter exists.
 */
export async function loadWebgpuBackend(tf: typeof import('@tensorflow/tfjs')): Promise<GpuAdapterRecord> {
  await nodeGpu(); // throws the install hint when `webgpu` is missing
  const probe = await probeWebgpuAdapter();
  if (probe.adapter === null) throw new Error(`Backend 'webgpu' cannot start: ${probe.reason}.`);
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (err) {
    throw new Error(`Backend 'webgpu' needs @tensorflow/tfjs-backend-webgpu, which could not be loaded (${(err as Error).message}). Install it with: ${INSTALL_HINT}`);
  }
  if (tf.findBackendFactory('webgpu') === null) throw new Error(`@tensorflow/tfjs-backend-webgpu registered no 'webgpu' backend (navigator.gpu was not set before it loaded).`);
  const ok = await tf.setBackend('webgpu');
  if (!ok) throw new Error(`The 'webgpu' backend failed to initialise on adapter '${probe.adapter.description}'.`);
  const b = tf.backend() as unknown as WebgpuBackendLike;
  b.readSync = (dataId: object): unknown => {
    const values = b.tensorMap.get(dataId)?.values;
    if (values != null) return values;
    throw new Error(
      'Synchronous reads (dataSync, arraySync) from the GPU are not possible on the webgpu backend in Node: Dawn completes buffer reads only on an event-loop turn. Use `await tensor.data()`.',
    );
  };
  return probe.adapter;
}

/** Destroy the webgpu backend's device and drop navigator.gpu so the process can exit. */
export function releaseWebgpu(tf: typeof import('@tensorflow/tfjs')): void {
  // The engine's registry, not tf.findBackend: that would start initialising a registered factory.
  const b = (tf.engine() as unknown as { registry: Record<string, WebgpuBackendLike | undefined> }).registry.webgpu;
  if (b !== undefined) {
    tf.removeBackend('webgpu');
    b.device.destroy();
  }
  const g = globalThis as { navigator?: { gpu?: GpuLike } };
  if (g.navigator !== undefined && gpu !== undefined && g.navigator.gpu === gpu) delete g.navigator.gpu;
  gpu = undefined;
}
