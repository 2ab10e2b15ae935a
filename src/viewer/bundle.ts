/**
 * Bundles the viewer page (src/viewer/page/app.ts) with esbuild. The page imports the
 * same env, symmetry and policy-loader sources as Node; the three Node modules
 * envs/mujoco-loader.ts imports (node:fs, node:path, node:url) are replaced by the small
 * stand-ins in browser-shims/, and Node-only branches (MuJoCo's and the policy loader's
 * dynamic imports of node modules) stay as external imports the browser never reaches.
 */
import { build, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A source file of the viewer, from source (tsx: .ts) or from dist/ (.js). */
function viewerFile(rel: string): string {
  const ts = join(here, `${rel}.ts`);
  return existsSync(ts) ? ts : join(here, `${rel}.js`);
}

const shims: Plugin = {
  name: 'rpp-sac-browser-shims',
  setup(b) {
    b.onResolve({ filter: /^node:(fs|path|url)$/ }, (args) => {
      // Only envs/mujoco-loader.ts is redirected; other importers keep the real module (external, unreachable in the page).
      if (args.kind === 'dynamic-import' || !/mujoco-loader\.[jt]s$/.test(args.importer)) return { path: args.path, external: true };
      const name = args.path.slice('node:'.length);
      return { path: viewerFile(`browser-shims/node-${name}`) };
    });
  },
};

/**
 * The optional WebGPU backend is bundled when installed (the page imports it only for
 * `?backend=webgpu`); when it is not, the import stays external and the page says what to install.
 */
const optionalWebgpu: Plugin = {
  name: 'rpp-sac-optional-webgpu',
  setup(b) {
    b.onResolve({ filter: /^@tensorflow\/tfjs-backend-webgpu$/ }, (args) => {
      try {
        createRequire(import.meta.url).resolve(args.path);
        return undefined;
      } catch {
        return { path: args.path, external: true };
      }
    });
  },
};

/**
 * The page's JavaScript as ES modules (~1 s to build): `app.js`, the entry, and the chunks
 * it imports (split so that the WebGPU backend, ~0.3 MB, is fetched only for
 * `?backend=webgpu`). File name (relative to the page) -> source.
 */
export async function bundleViewer(opts: { minify?: boolean } = {}): Promise<Map<string, string>> {
  const outdir = '/viewer-out';
  const res = await build({
    entryPoints: { app: viewerFile('page/app') },
    bundle: true,
    format: 'esm',
    splitting: true,
    outdir,
    chunkNames: 'chunk-[hash]',
    platform: 'browser',
    target: 'es2022',
    write: false,
    minify: opts.minify ?? true,
    sourcemap: false,
    logLevel: 'silent',
    external: ['node:*', 'module', 'fs', 'path', 'os', 'crypto', 'worker_threads', 'perf_hooks'],
    plugins: [shims, optionalWebgpu],
  });
  return new Map(res.outputFiles.map((f) => [relative(outdir, f.path).split(sep).join('/'), f.text]));
}
