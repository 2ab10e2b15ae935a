/**
 * Loads the MuJoCo WebAssembly module once per process and compiles MJCF files into
 * models. Also locates the package's own model folder (`envs/models/`), both when running
 * from source (tsx) and from the built `dist/`.
 */
import loadMujocoFactory from '@mujoco/mujoco';
import type { MainModule, MjData, MjModel } from '@mujoco/mujoco';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Mujoco = MainModule;
export type { MjData, MjModel };

/** MuJoCo's mjtObj value for bodies (mjOBJ_BODY), used with mj_name2id. */
export const MJ_OBJ_BODY = 1;

let modulePromise: Promise<Mujoco> | null = null;
let loadedModule: Mujoco | null = null;

/** Load (once) and return the MuJoCo WASM module. Later calls return the same module. */
export function loadMujoco(): Promise<Mujoco> {
  modulePromise ??= loadMujocoFactory().then((mj) => {
    loadedModule = mj;
    return mj;
  });
  return modulePromise;
}

/** The already-loaded module; throws a clear error when `await loadMujoco()` has not run yet. */
export function requireMujoco(): Mujoco {
  if (loadedModule === null) {
    throw new Error('MuJoCo is not loaded yet: call `await loadMujoco()` (or use `await make(id)` / `await Env.create()`) before constructing an env directly.');
  }
  return loadedModule;
}

let packageRootCache: string | null = null;

/** Walk up from this module's file to the folder holding package.json (works from source and from dist/). */
export function packageRoot(): string {
  if (packageRootCache !== null) return packageRootCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      packageRootCache = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Could not find the rpp-sac package root (no package.json above ${fileURLToPath(import.meta.url)}).`);
    dir = parent;
  }
}

/** Absolute path of one of the package's own model files, e.g. defaultModelPath('hopper.xml'). */
export function defaultModelPath(file: string): string {
  return join(packageRoot(), 'envs', 'models', file);
}

/**
 * Read an MJCF file with a clear error when it is missing. Not cached: compiling costs far
 * more than reading, and a cache would hide edits to the file.
 */
export function readModelXml(xmlPath: string): string {
  const abs = isAbsolute(xmlPath) ? xmlPath : resolve(xmlPath);
  if (!existsSync(abs)) {
    throw new Error(`MJCF model file not found: ${abs}. Pass the option xmlFile with an absolute path to an existing MJCF file.`);
  }
  return readFileSync(abs, 'utf8');
}

/**
 * Compile an MJCF file into an MjModel (from its text: files it <include>s or meshes it
 * references are not resolved). The caller owns the model and must `.delete()` it.
 */
export function compileModel(mj: Mujoco, xmlPath: string): MjModel {
  const xml = readModelXml(xmlPath);
  try {
    return mj.MjModel.from_xml_string(xml);
  } catch (err) {
    throw new Error(`MuJoCo could not compile ${xmlPath}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Current size of the WASM heap in bytes, read through any live data view (the views are
 * Float64Arrays over the module's memory buffer; the module does not export HEAP8).
 */
export function wasmHeapBytes(data: MjData): number {
  return (data.qpos as Float64Array).buffer.byteLength;
}
