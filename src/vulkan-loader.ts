/**
 * Whether a Linux machine has the Vulkan loader (libvulkan.so.1), which Dawn needs for any
 * WebGPU adapter there. Why ask first: without it, Dawn's probe prints a native warning
 * ("Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file") to stderr on every
 * `auto` backend choice, on exactly the GPU-less servers where wasm is the answer anyway.
 * Only `auto` asks; `--backend webgpu` always probes and reports Dawn's own reason.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const LOADER = 'libvulkan.so.1';

/** The dynamic linker's cache listing (`ldconfig -p`), or null where ldconfig cannot run. */
function ldconfigListing(): string | null {
  for (const bin of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    const r = spawnSync(bin, ['-p'], { encoding: 'utf8', timeout: 5000 });
    if (r.status === 0 && typeof r.stdout === 'string') return r.stdout;
  }
  return null;
}

/** Directories the loader is searched in when the cache cannot be read: LD_LIBRARY_PATH, then the usual ones. */
function libraryDirs(env: NodeJS.ProcessEnv, arch: string): string[] {
  const multiarch = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[arch];
  const dirs = (env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d.length > 0);
  for (const base of ['/usr/lib', '/lib', '/usr/local/lib']) {
    if (multiarch !== undefined) dirs.push(join(base, multiarch));
    dirs.push(base);
  }
  dirs.push('/usr/lib64', '/lib64');
  return dirs;
}

export interface VulkanLoaderProbe {
  platform?: NodeJS.Platform;
  /** `ldconfig -p` output (null: not available). Default: run ldconfig. */
  listing?: string | null;
  /** Whether a file exists (default fs.existsSync). */
  exists?: (path: string) => boolean;
  env?: NodeJS.ProcessEnv;
  arch?: string;
  /** A directory's entries, [] when it cannot be read (default fs.readdirSync). */
  list?: (dir: string) => string[];
}

/**
 * null when a WebGPU probe may find an adapter (not Linux, or the loader is there), else
 * why it cannot. A library in LD_LIBRARY_PATH counts even when the cache lacks it.
 */
export function missingVulkanLoader(probe: VulkanLoaderProbe = {}): string | null {
  if ((probe.platform ?? process.platform) !== 'linux') return null;
  const exists = probe.exists ?? existsSync;
  const listing = probe.listing === undefined ? ldconfigListing() : probe.listing;
  if (listing !== null && listing.includes(LOADER)) return null;
  if (libraryDirs(probe.env ?? process.env, probe.arch ?? process.arch).some((d) => exists(join(d, LOADER)))) return null;
  return `no Vulkan loader (${LOADER}) on this machine, so no WebGPU adapter; a GPU's driver package installs it (Debian: libvulkan1)`;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * null when a Linux machine has a device node a hardware Vulkan driver opens (a DRM render
 * node /dev/dri/renderD*, NVIDIA's /dev/nvidia<N>, WSL2's /dev/dxg), else why no hardware
 * adapter can exist. Why ask: with Mesa's drivers installed but no GPU, Dawn's probe finds only
 * llvmpipe (never chosen) after printing native 'artificially reduced' warnings on every run.
 */
export function missingGpuDeviceNode(probe: VulkanLoaderProbe = {}): string | null {
  if ((probe.platform ?? process.platform) !== 'linux') return null;
  const exists = probe.exists ?? existsSync;
  const list = probe.list ?? listDir;
  if (list('/dev/dri').some((n) => n.startsWith('renderD'))) return null;
  if (list('/dev').some((n) => /^nvidia\d+$/.test(n)) || exists('/dev/dxg')) return null;
  return 'no GPU device node (/dev/dri/renderD*, /dev/nvidia<N> or /dev/dxg); in a container, pass the GPU through (e.g. --device /dev/dri or --gpus all)';
}
