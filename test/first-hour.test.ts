/**
 * A new user's first hour (issue 13): the commands the README and the CLI's own
 * hints print run as printed in a fresh clone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

test('npm install / npm ci build dist/ (a prepare script), so `npx rpp-sac` runs in the clone', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
  assert.match(pkg.scripts.prepare ?? '', /npm run build|tsc -p tsconfig\.build\.json/);
  assert.equal(pkg.bin['rpp-sac'], 'dist/src/cli/main.js');
  assert.ok(existsSync(join(root, pkg.bin['rpp-sac']!)), 'npm install left no dist/src/cli/main.js');
});

test("the README's set-up is two commands and its main job is `npx rpp-sac train ...`", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim().split('\n'));
  assert.deepEqual(blocks[0], ['npm install', 'npm test']);
  assert.match(blocks[1]![0]!, /^npx rpp-sac train --env \S+ --agent rpp-sac /);
});

test('every hint the CLI prints names `npx rpp-sac <command>`', () => {
  const bare: string[] = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (/^\s*(\*|\/\/|\/\*)/.test(line)) return; // comments
      if (/(?<!npx )rpp-sac (train|resume|eval|sweep|compare|worker)\b/.test(line)) bare.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(bare, []);
});

test('--hidden: a bad value names the form, YAML `hidden: 64,64` reads like the flag, sizes that cannot fit are refused at once', async () => {
  const { parseTrainArgs } = await import('../src/cli/train-options.js');
  const { readConfigFile } = await import('../src/run/run-config.js');
  assert.throws(() => parseTrainArgs(['--env', 'InvertedPendulum-v5', '--hidden', 'abc']), /--hidden abc: expected comma-separated widths, e.g\. 256,256/);
  const t0 = Date.now();
  assert.throws(() => parseTrainArgs(['--env', 'InvertedPendulum-v5', '--hidden', '1e9']), /hidden 1000000000: the networks would need about [\d.e+]+ GB, more than this machine's/);
  assert.ok(Date.now() - t0 < 5000);
  assert.deepEqual(parseTrainArgs(['--env', 'InvertedPendulum-v5', '--hidden', '4096,4096']).config.hidden, [4096, 4096]);
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const d = mkdtempSync(join(tmpdir(), 'rpp-sac-hidden-'));
  try {
    writeFileSync(join(d, 'c.yaml'), 'env: InvertedPendulum-v5\nhidden: 64,64\n');
    assert.deepEqual(parseTrainArgs(['--config', join(d, 'c.yaml')]).config.hidden, [64, 64]);
    assert.deepEqual(readConfigFile(join(d, 'c.yaml')).hidden, [64, 64]);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('an unknown --symmetry lists the values --symmetry takes for that env (exact, not the spec name exact_mirror)', async () => {
  const { resolveSymmetry } = await import('../agents/symmetry-choice.js');
  assert.throws(
    () => resolveSymmetry('Walker2d-v5', { agent: 'rpp-sac', symmetry: 'mirror' }),
    (err: Error) => /has no symmetry 'mirror'\. Use --symmetry with one of: auto, exact, /.test(err.message) && !err.message.includes('exact_mirror'),
  );
});
