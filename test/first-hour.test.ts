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
