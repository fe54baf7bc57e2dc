import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KheadersError } from '../errors.js';

async function kindOf(path: string): Promise<'file' | 'dir' | 'other' | 'missing'> {
  try {
    const st = await stat(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

/** What a kernel source tree has at its top (all kernels since 2.6). */
const MARKERS: ReadonlyArray<readonly [string, 'file' | 'dir']> = [
  ['Makefile', 'file'],
  ['Kconfig', 'file'],
  ['include', 'dir'],
  ['arch', 'dir'],
];

/** Throw a KheadersError unless dir is a readable kernel source tree. */
export async function checkKernelTree(dir: string): Promise<void> {
  const fix = 'pass the top directory of an unpacked Linux kernel source tree (the one with Makefile, Kconfig, arch/ and include/)';
  const top = await kindOf(dir);
  if (top === 'missing') throw new KheadersError('NOT_A_KERNEL_TREE', `kernel tree ${dir} does not exist`, fix);
  if (top !== 'dir') throw new KheadersError('NOT_A_KERNEL_TREE', `kernel tree ${dir} is not a directory`, fix);
  const missing: string[] = [];
  for (const [name, want] of MARKERS) {
    if ((await kindOf(join(dir, name))) !== want) missing.push(want === 'dir' ? `${name}/` : name);
  }
  if (missing.length > 0) {
    throw new KheadersError('NOT_A_KERNEL_TREE',
      `${dir} is not a Linux kernel source tree: it has no ${missing.join(', ')}`,
      fix,
    );
  }
}
