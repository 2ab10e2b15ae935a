/**
 * The files of the viewer site for one run: the page, its bundled JavaScript, the two
 * WebAssembly binaries (MuJoCo, the tfjs wasm backend), the env's MJCF, the run's exported
 * policy and, optionally, a recording from `rpp-sac eval --record`. `rpp-sac view` serves
 * them from memory on localhost; `--export <dir>` writes them as a static folder.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { MujocoEnv } from '../../envs/mujoco-env.js';
import { make } from '../../envs/registry.js';
import { unwrap } from '../../envs/wrappers/wrapper.js';
import { checkRecording } from '../run/episode-record.js';
import { UserError } from '../run/user-error.js';
import { bundleViewer } from './bundle.js';
import { INDEX_HTML } from './page/index-html.js';
import type { ViewManifest } from './page/view-manifest.js';

const require = createRequire(import.meta.url);

export interface ViewSiteOptions {
  runDir: string;
  /** A file written by `rpp-sac eval --record`, played back in the page. */
  recording?: string;
}

/** Path inside the site -> contents. */
export type SiteFiles = Map<string, Buffer | string>;

export async function buildViewSite(opts: ViewSiteOptions): Promise<{ files: SiteFiles; manifest: ViewManifest }> {
  const configPath = join(opts.runDir, 'config.json');
  if (!existsSync(configPath)) throw new UserError(`${opts.runDir} is not a run directory (no config.json). Pass the --out directory of an earlier \`npx rpp-sac train\`.`);
  const cfg = JSON.parse(readFileSync(configPath, 'utf8')) as { env: string; agent: string; symmetry?: string; seed: number };
  const policyDir = join(opts.runDir, 'policy');
  const hasPolicy = existsSync(join(policyDir, 'policy.json'));
  if (!hasPolicy && opts.recording === undefined) throw new UserError(`${opts.runDir} has no exported policy yet (${policyDir}/policy.json) and no --recording was given: nothing to show.`);

  const files: SiteFiles = new Map();
  const env = await make(cfg.env);
  const xmlFile = (unwrap(env) as MujocoEnv).xmlFile;
  env.close();
  files.set(`envs/models/${basename(xmlFile)}`, readFileSync(xmlFile));
  if (hasPolicy) {
    const policyJson = readFileSync(join(policyDir, 'policy.json'), 'utf8');
    files.set('policy/policy.json', policyJson);
    const weightsFile = (JSON.parse(policyJson) as { weightsFile: string }).weightsFile;
    files.set(`policy/${weightsFile}`, readFileSync(join(policyDir, weightsFile)));
  }
  if (opts.recording !== undefined) {
    if (!existsSync(opts.recording)) throw new UserError(`--recording ${opts.recording}: no such file (write one with \`npx rpp-sac eval <run> --record <file>\`).`);
    const text = readFileSync(opts.recording, 'utf8');
    let rec;
    try {
      rec = checkRecording(JSON.parse(text));
    } catch (err) {
      throw new UserError(`--recording ${opts.recording}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (rec.envId !== cfg.env) throw new UserError(`--recording ${opts.recording} was recorded on ${rec.envId}, the run is on ${cfg.env}.`);
    files.set('recording.json', text);
  }
  const manifest: ViewManifest = {
    envId: cfg.env,
    modelFile: basename(xmlFile),
    agent: cfg.agent,
    symmetry: cfg.symmetry ?? 'auto',
    seed: cfg.seed + 1000,
    run: basename(opts.runDir.replace(/\/+$/, '')),
    policy: hasPolicy,
    recording: opts.recording !== undefined,
  };
  files.set('view.json', JSON.stringify(manifest, null, 2));
  files.set('index.html', INDEX_HTML);
  for (const [name, text] of await bundleViewer()) files.set(name, text);
  files.set('mujoco.wasm', readFileSync(require.resolve('@mujoco/mujoco/mujoco.wasm')));
  const tfWasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) files.set(f, readFileSync(join(tfWasmDir, f)));
  return { files, manifest };
}

/** Write the site as a static folder. */
export function exportSite(files: SiteFiles, dir: string): void {
  for (const [path, contents] of files) {
    const out = join(dir, path);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, contents);
  }
}
