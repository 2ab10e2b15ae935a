/**
 * One sweep process per sweep directory: two runners on the same dir would start the
 * same runs twice and overwrite each other's sweep.json. The lock file holds the owner's
 * pid; a lock whose process is gone (killed sweep) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const SWEEP_LOCK = '.sweep.lock';

interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the lock or throw naming the process that holds it. Returns the release function. */
export function acquireSweepLock(sweepDir: string): () => void {
  const path = join(sweepDir, SWEEP_LOCK);
  const info: LockInfo = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(info), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let held: LockInfo | null = null;
      try {
        held = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
      } catch {
        held = null;
      }
      // Only a lock from this host can be checked; a live holder elsewhere (shared disk) is respected.
      const stale = held === null || (held.hostname === info.hostname && !alive(held.pid));
      if (!stale) {
        throw new Error(
          `Another sweep (pid ${held?.pid} on ${held?.hostname}, since ${held?.startedAt}) is running in ${sweepDir}; wait for it, or delete ${path} if that process is gone`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Could not take the sweep lock ${path}`);
}
