// The whole pipeline against the kernel's own tools (test/helpers/build-oracle.ts),
// for the variants whose oracle needs only find, tar, perl and xz; the cpio
// variant's is in test/tools/build-cpio.test.ts. And fast compression.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeBuildEqualsKernel, ours, sha, srcTree, tmp, unxz } from '../helpers/build-oracle.js';
import { writeTree, type Node } from '../helpers/kernel-tree.js';

describeBuildEqualsKernel(['tar', 'makefile']);

describe('fast compression', () => {
  it('decompresses to the same tar as compat, and its bytes do not depend on the thread count', async () => {
    const src = srcTree('cpio');
    // ~8 MB, several of fast mode's 3 MiB blocks, so the threads really split the work
    const noise: Record<string, Node> = {};
    for (let i = 0; i < 8; i++) noise[`include/noise/n${i}.h`] = randomBytes(1 << 20).toString('base64');
    writeTree(src, noise);
    const compat = await ours(src, undefined, 'compat');
    const fast2 = await ours(src, undefined, 'fast', 2);
    const fast3 = await ours(src, undefined, 'fast', 3);
    assert.deepEqual(unxz(fast2), unxz(compat));
    assert.equal(sha(fast2), sha(fast3));
    assert.notEqual(sha(fast2), sha(compat));
    const file = join(tmp.dir, 'fast.tar.xz');
    writeFileSync(file, fast2);
    const blocks = execFileSync('xz', ['--robot', '--list', file]).toString();
    assert.ok(Number(/^file\t\d+\t(\d+)/m.exec(blocks)?.[1]) > 2, blocks);
  });
});
