/**
 * Replace a directory as a whole: the new contents are written into a hidden sibling, then
 * swapped in by renames, so a reader (or a crash, or a full disk) sees the old directory or
 * the new one, never a half-written mix. Checkpoints and exported policies are written so.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * fill(tmp) writes the new contents into tmp; then dir is replaced by it. If fill (or the
 * swap) fails, tmp is removed and the old dir is left as it was.
 */
export async function replaceDirAtomically<T>(dir: string, fill: (tmp: string) => Promise<T>): Promise<T> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const stamp = `${process.pid}-${Date.now()}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${stamp}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  try {
    const result = await fill(tmp);
    // Move any old directory aside, rename the new one in, then drop the old.
    const old = join(parent, `.${basename(dir)}.old-${stamp}`);
    const hadOld = existsSync(dir);
    if (hadOld) await rename(dir, old);
    await rename(tmp, dir);
    if (hadOld) await rm(old, { recursive: true, force: true });
    return result;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
