/**
 * Bundles the viewer page (src/viewer/page/app.ts) with esbuild. The page imports the
 * same env, symmetry and policy-loader sources as Node; the three Node modules
 * envs/mujoco-loader.ts imports (node:fs, node:path, node:url) are replaced by the small
 * stand-ins in browser-shims/, and Node-only branches (MuJoCo's and the policy loader's
 * dynamic imports of node modules) stay as external imports the browser never reaches.
 */
import { build, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** The page's JavaScript as one ES module (~3 MB unminified, ~1 s to build). */
export async function bundleViewer(opts: { minify?: boolean } = {}): Promise<string> {
  const res = await build({
    entryPoints: [viewerFile('page/app')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    minify: opts.minify ?? true,
    sourcemap: false,
    logLevel: 'silent',
    external: ['node:*', 'module', 'fs', 'path', 'os', 'crypto', 'worker_threads', 'perf_hooks'],
    plugins: [shims],
  });
  return res.outputFiles[0].text;
}
