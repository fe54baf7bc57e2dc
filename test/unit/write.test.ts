// The shared atomic writer: copies and writes land whole or not at all, and
// the digests agree with md5sum / sha256sum.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { copyFileAtomically, digestBuffer, digestFile, writeFileAtomically } from '../../src/core/io/atomic.js';
import { tempDir } from '../helpers/action-tree.js';
import { asNobody, isRoot, sharedDir } from '../helpers/as-nobody.js';
import { rejectsWith } from '../helpers/errors.js';

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
    // Root can write anywhere: as root, the write runs as nobody in a root-owned 0755 directory.
    const base = sharedDir('kheaders-write-ro-');
    t.after(() => rmSync(base, { recursive: true, force: true }));
    const dir = join(base, 'ro');
    mkdirSync(dir, { mode: 0o755 });
    const target = join(dir, 'x.json');
    const fix = 'pass --json with a writable path';
    let write: Promise<unknown>;
    if (isRoot) {
      write = asNobody(base, `const { writeFileAtomically } = await import(\`\${SRC}/core/io/atomic.js\`);
await writeFileAtomically(${JSON.stringify(target)}, '{}', ${JSON.stringify(fix)});`);
    } else {
      chmodSync(dir, 0o500);
      write = writeFileAtomically(target, '{}', fix);
    }
    // The caller's own fix, word for word, is the point.
    await rejectsWith(write, 'WRITE_FAILED', undefined, /^pass --json with a writable path$/);
    assert.deepEqual(readdirSync(dir), []);
  });

  void it('a directory as the target is refused', async () => {
    const dir = join(tmp.dir, 'isdir');
    mkdirSync(dir);
    await rejectsWith(writeFileAtomically(dir, 'x'), 'BAD_INPUT');
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
