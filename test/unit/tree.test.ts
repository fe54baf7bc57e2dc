import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { KheadersError } from '../../src/core/errors.js';
import { checkKernelTree } from '../../src/core/kernel/tree.js';
import { kernelSkeleton, tempDir, writeTree } from '../helpers/kernel-tree.js';

const tmp = tempDir('kh-tree-');
after(tmp.cleanup);

async function rejectsWith(dir: string, re: RegExp): Promise<void> {
  await assert.rejects(checkKernelTree(dir), (e: unknown) => {
    assert.ok(e instanceof KheadersError);
    assert.match(e.message, re);
    assert.match(e.fix ?? '', /Linux kernel source tree/);
    return true;
  });
}

describe('checkKernelTree', () => {
  it('accepts a tree with Makefile, Kconfig, include/ and arch/', async () => {
    const dir = join(tmp.dir, 'ok');
    writeTree(dir, kernelSkeleton());
    await checkKernelTree(dir);
  });

  it('rejects a missing path', async () => {
    await rejectsWith(join(tmp.dir, 'nope'), /does not exist/);
  });

  it('rejects a file', async () => {
    const f = join(tmp.dir, 'file');
    writeFileSync(f, 'x');
    await rejectsWith(f, /not a directory/);
  });

  it('names each missing part', async () => {
    const dir = join(tmp.dir, 'partial');
    writeTree(dir, kernelSkeleton());
    rmSync(join(dir, 'Kconfig'));
    rmSync(join(dir, 'arch'), { recursive: true });
    await rejectsWith(dir, /has no Kconfig, arch\//);
  });

  it('rejects include as a file', async () => {
    const dir = join(tmp.dir, 'incfile');
    writeTree(dir, { Makefile: '', Kconfig: '', 'arch/x86/Kconfig': '', include: 'not a dir' });
    await rejectsWith(dir, /has no include\//);
  });
});
