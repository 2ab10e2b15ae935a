/**
 * Which rpp-sac code ran: the package version and, in a git checkout, the commit (with
 * '+dirty' when tracked files differ from it). Recorded in every run's meta.json beside the
 * backend versions, so a published result names the code that produced it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding rpp-sac's package.json (src/ and dist/src/ both live under it). */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'rpp-sac') return dir;
    dir = dirname(dir);
  }
  return undefined;
}

let cached: Record<string, string> | undefined;

export function sourceVersion(): Record<string, string> {
  if (cached !== undefined) return cached;
  const out: Record<string, string> = {};
  const root = packageRoot();
  if (root !== undefined) {
    out['rpp-sac'] = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    try {
      const git = (args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (existsSync(join(root, '.git'))) {
        const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
        out['rpp-sac-commit'] = git(['rev-parse', 'HEAD']) + (dirty ? '+dirty' : '');
      }
    } catch {
      // No git, or not a checkout: the package version alone is recorded.
    }
  }
  cached = out;
  return out;
}
