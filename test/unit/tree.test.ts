import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkKernelTree } from '../../src/core/kernel/tree.js';
import { rejectsWith } from '../helpers/errors.js';
import { kernelSkeleton, tempDir, writeTree } from '../helpers/kernel-tree.js';

const tmp = tempDir('kh-tree-');
after(tmp.cleanup);

describe('checkKernelTree', () => {
  it('accepts a tree with Makefile, Kconfig, include/ and arch/', async () => {
    const dir = join(tmp.dir, 'ok');
    writeTree(dir, kernelSkeleton());
    await checkKernelTree(dir);
  });

  it('rejects a missing path', async () => {
    await rejectsWith(checkKernelTree(join(tmp.dir, 'nope')), 'NOT_A_KERNEL_TREE');
  });

  it('rejects a file', async () => {
    const f = join(tmp.dir, 'file');
    writeFileSync(f, 'x');
    await rejectsWith(checkKernelTree(f), 'NOT_A_KERNEL_TREE');
  });

  it('names each missing part', async () => {
    const dir = join(tmp.dir, 'partial');
    writeTree(dir, kernelSkeleton());
    rmSync(join(dir, 'Kconfig'));
    rmSync(join(dir, 'arch'), { recursive: true });
    await rejectsWith(checkKernelTree(dir), 'NOT_A_KERNEL_TREE', /has no Kconfig, arch\/$/);
  });

  it('rejects include as a file', async () => {
    const dir = join(tmp.dir, 'incfile');
    writeTree(dir, { Makefile: '', Kconfig: '', 'arch/x86/Kconfig': '', include: 'not a dir' });
    await rejectsWith(checkKernelTree(dir), 'NOT_A_KERNEL_TREE');
  });
});
