// What cachedBuild builds and stores holds the tar the kernel's own tools make
// from the same tree (the cpio-kind stand-in script of test/helpers/verify-tree.ts:
// find | cpio, perl, GNU tar, xz), and the stored entry is those bytes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { cachedBuild } from '../../src/core/cache/cached-build.js';
import { localCache } from '../../src/core/cache/local.js';
import { nullLogger } from '../../src/core/log.js';
import { tempDir } from '../helpers/kernel-tree.js';
import { oracleArchive, TS, writeKernel } from '../helpers/verify-tree.js';

const tmp = tempDir('kh-cached-oracle-');
after(tmp.cleanup);

void it('a miss builds and stores the tar the kernel\'s own tools make from the same tree', async () => {
  const src = join(tmp.dir, 'src');
  const obj = join(tmp.dir, 'obj');
  writeKernel(src, obj);
  const output = join(tmp.dir, 'out/kheaders_data.tar.xz');
  const r = await cachedBuild({
    command: 'build',
    tree: { source: src, objtree: obj, arch: 'x86', makeArch: 'x86_64' },
    pack: { mtime: { epoch: TS, origin: 'test' }, compression: 'compat', threads: 1 },
    output,
  }, { cache: localCache(join(tmp.dir, 'cache'), nullLogger) }, nullLogger);
  assert.equal(r.origin, 'build');
  const objCopy = join(tmp.dir, 'obj-oracle');
  execFileSync('cp', ['-a', obj, objCopy]);
  const unxz = (b: Buffer): Buffer => execFileSync('xz', ['-dc'], { input: b, maxBuffer: 1 << 26 });
  const bytes = readFileSync(output);
  assert.deepEqual(unxz(bytes), unxz(readFileSync(oracleArchive(src, objCopy))));
  assert.deepEqual(readFileSync(join(tmp.dir, 'cache', `${r.primaryKey}.tar.xz`)), bytes);
});
