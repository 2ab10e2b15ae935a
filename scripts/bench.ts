/**
 * `npm run bench [-- name ...]`: runs every benchmark module in scripts/bench/
 * (or only the named ones) and writes one JSON file to bench-results/.
 *
 * Each module exports `name: string` and `run(): Promise<Record<string, unknown>>`.
 * Benchmarks report medians and ratios measured in the same run: these machines are
 * noisy, so absolute times are only indicative.
 */
import { readdir, mkdir, writeFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initBackend } from '../src/backend.js';
import { getDefaultLogger } from '../src/logging.js';

interface BenchModule {
  name: string;
  run(): Promise<Record<string, unknown>>;
}

const here = dirname(fileURLToPath(import.meta.url));
const logger = getDefaultLogger();

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const backend = await initBackend({ logger });
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
}

await main();
