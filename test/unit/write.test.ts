// The shared atomic writer: copies and writes land whole or not at all, and
// the digests agree with md5sum / sha256sum.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KheadersError } from '../../src/core/errors.js';
import { copyFileAtomically, digestBuffer, digestFile, writeFileAtomically } from '../../src/core/io/atomic.js';
import { tempDir } from '../helpers/action-tree.js';

const tmp = tempDir('kheaders-write-');
after(tmp.cleanup);

/** The digests as coreutils print them. */
function oracle(path: string): { md5: string; sha256: string } {
  const first = (cmd: string): string => execFileSync(cmd, [path]).toString().split(' ')[0];
  return { md5: first('md5sum'), sha256: first('sha256sum') };
}

void describe('atomic writes', () => {
  void it('copyFileAtomically copies byte for byte into a new directory and returns the digests', async () => {
    const src = join(tmp.dir, 'src.bin');
    writeFileSync(src, randomBytes(300_000));
    const dest = join(tmp.dir, 'new/deep/copy.bin');
    const w = await copyFileAtomically(src, dest);
    assert.deepEqual(readFileSync(dest), readFileSync(src));
    assert.deepEqual({ md5: w.md5, sha256: w.sha256 }, oracle(src));
    assert.equal(w.size, 300_000);
    assert.deepEqual(readdirSync(join(tmp.dir, 'new/deep')), ['copy.bin'], 'no temp file left');
  });

  void it('copyFileAtomically replaces an existing file, and a missing source leaves the old one alone', async () => {
    const dir = join(tmp.dir, 'replace');
    mkdirSync(dir);
    const dest = join(dir, 'a.tar.xz');
    writeFileSync(dest, 'old');
    writeFileSync(join(tmp.dir, 'new.bin'), 'new contents');
    await copyFileAtomically(join(tmp.dir, 'new.bin'), dest);
    assert.equal(readFileSync(dest, 'utf8'), 'new contents');
    await assert.rejects(copyFileAtomically(join(tmp.dir, 'missing.bin'), dest), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    assert.equal(readFileSync(dest, 'utf8'), 'new contents');
    assert.deepEqual(readdirSync(dir), ['a.tar.xz']);
  });

  void it('an unwritable directory is a KheadersError carrying the caller\'s fix, and leaves nothing', async (t) => {
    if (process.getuid?.() === 0) return t.skip('root can write anywhere');
    const dir = join(tmp.dir, 'ro');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    await assert.rejects(writeFileAtomically(join(dir, 'x.json'), '{}', 'pass --json with a writable path'),
      (e: Error) => e instanceof KheadersError && /cannot write/.test(e.message) && e.fix === 'pass --json with a writable path');
    assert.deepEqual(readdirSync(dir), []);
  });

  void it('a directory as the target is refused', async () => {
    const dir = join(tmp.dir, 'isdir');
    mkdirSync(dir);
    await assert.rejects(writeFileAtomically(dir, 'x'), (e: Error) => e instanceof KheadersError && /is a directory/.test(e.message));
    assert.deepEqual(readdirSync(tmp.dir).filter((n) => n.startsWith('.isdir.')), [], 'no temp file left');
  });

  void it('digestFile, digestBuffer and writeFileAtomically agree with md5sum and sha256sum', async () => {
    const data = randomBytes(1_000_003);
    const path = join(tmp.dir, 'digest.bin');
    const w = await writeFileAtomically(path, data);
    const want = oracle(path);
    for (const got of [w, await digestFile(path), digestBuffer(data)]) {
      assert.deepEqual({ md5: got.md5, sha256: got.sha256 }, want);
      assert.equal(got.size, data.length);
    }
  });
});
