import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceDirAtomically } from '../src/atomic-dir.js';

test('replaceDirAtomically swaps in the new directory, and a failed write leaves the old one and no leftovers', async () => {
  const root = mkdtempSync(join(tmpdir(), 'atomic-dir-'));
  try {
    const dir = join(root, 'sub', 'ckpt');
    // First write creates the parent and the directory.
    assert.equal(await replaceDirAtomically(dir, async (tmp) => { await writeFile(join(tmp, 'a.txt'), 'one'); return 1; }), 1);
    assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'one');
    // A replacement drops files the new contents do not have.
    writeFileSync(join(dir, 'stale.txt'), 'x');
    await replaceDirAtomically(dir, async (tmp) => writeFile(join(tmp, 'a.txt'), 'two'));
    assert.deepEqual(readdirSync(dir), ['a.txt']);
    assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'two');
    // A failure half-way (e.g. disk full) keeps the old contents and removes the temporary dir.
    await assert.rejects(
      replaceDirAtomically(dir, async (tmp) => {
        await writeFile(join(tmp, 'a.txt'), 'half');
        throw new Error('ENOSPC: no space left on device');
      }),
      /ENOSPC/,
    );
    assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'two');
    assert.deepEqual(readdirSync(join(root, 'sub')), ['ckpt']);
    // The parent being a file is an error before anything is written.
    mkdirSync(join(root, 'f'));
    writeFileSync(join(root, 'f', 'file'), '');
    await assert.rejects(replaceDirAtomically(join(root, 'f', 'file', 'x'), async () => 0), /EEXIST|ENOTDIR/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
