/**
 * `npm run bench [-- name ...]`: runs every benchmark module in scripts/bench/
 * (or only the named ones) and writes one JSON file to bench-results/.
 *
 * `--backend <choice>` picks the backend (as the CLI's flag; default RPP_SAC_BACKEND or auto).
 * Each module exports `name: string` and `run(): Promise<Record<string, unknown>>`.
 * Benchmarks report medians and ratios measured in the same run: these machines are
 * noisy, so absolute times are only indicative.
 */
import { readdir, mkdir, writeFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initBackend, releaseBackend } from '../src/backend.js';
import { getDefaultLogger } from '../src/logging.js';

interface BenchModule {
  name: string;
  run(): Promise<Record<string, unknown>>;
}

const here = dirname(fileURLToPath(import.meta.url));
const logger = getDefaultLogger();

async function main(): Promise<void> {
  // `npm run bench -- agents --backend webgpu`: module names, and optionally --backend (else RPP_SAC_BACKEND / auto).
  const args = process.argv.slice(2);
  const at = args.indexOf('--backend');
  const backendChoice = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0 && backendChoice === undefined) throw new Error('--backend needs a value');
  const only = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
  const backend = await initBackend({ logger, ...(backendChoice === undefined ? {} : { backend: backendChoice }) });
  const files = (await readdir(join(here, 'bench'))).filter((f) => f.endsWith('.ts')).sort();
  const results: Record<string, unknown> = {};
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(here, 'bench', f)).href)) as BenchModule;
    if (only.length > 0 && !only.includes(mod.name)) continue;
    logger.info(`bench ${mod.name} ...`);
    results[mod.name] = await mod.run();
    logger.info(`bench ${mod.name}: ${JSON.stringify(results[mod.name])}`);
  }
  const outDir = join(here, '..', 'bench-results');
  await mkdir(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(outDir, `bench-${stamp}.json`);
  const body = JSON.stringify({ date: new Date().toISOString(), backend, results }, null, 2);
  await writeFile(out + '.tmp', body);
  await rename(out + '.tmp', out);
  process.stdout.write(body + '\n');
  logger.info(`wrote ${out}`);
  releaseBackend();
}

await main();
