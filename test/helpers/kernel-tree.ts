import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A file's text, { link: target } for a symlink, or { dir: true } for an empty directory. */
export type Node = string | { link: string } | { dir: true };

/** Write nodes (tree-relative '/'-separated names) under root, making parents. */
export function writeTree(root: string, nodes: Record<string, Node>): void {
  for (const [name, node] of Object.entries(nodes)) {
    const p = join(root, name);
    if (typeof node === 'object' && 'dir' in node) {
      mkdirSync(p, { recursive: true });
      continue;
    }
    mkdirSync(dirname(p), { recursive: true });
    if (typeof node === 'string') writeFileSync(p, node);
    else symlinkSync(node.link, p);
  }
}

/** The top-level files a kernel source tree has (enough for checkKernelTree). */
export function kernelSkeleton(extra: Record<string, Node> = {}): Record<string, Node> {
  return {
    Makefile: 'VERSION = 6\n',
    Kconfig: 'mainmenu "test"\n',
    'include/linux/kernel.h': '/* kernel */\n',
    'arch/x86/include/asm/x.h': '/* x86 */\n',
    ...extra,
  };
}

/** A fresh temp dir and a function that removes it. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
