// Small kernel-like trees for the verify tests, and an oracle that archives
// them with real find, cpio, perl, GNU tar and xz (not with our builder).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { kernelSkeleton, writeTree, type Node } from './kernel-tree.js';

/**
 * A stand-in kernel/gen_kheaders.sh of the cpio kind (6.1-stable), written for
 * these tests: find | cpio copy (srctree, then objtree with -u), perl comment
 * stripping, GNU tar with the normalizing flags, xz. TS is the --mtime.
 */
export const STANDIN_SCRIPT = `#!/bin/sh
# kheaders test stand-in: cpio-style header archive
set -e
out=$1
stage="$(pwd)/$out.stage"
dir_list="
include/
arch/$SRCARCH/include/
"
rm -rf "$stage"
mkdir -p "$stage"
if [ "$building_out_of_srctree" ]; then
  ( cd "$srctree"; for f in $dir_list; do find "$f" -name "*.h"; done | cpio --quiet -pd "$stage" )
fi
for f in $dir_list; do find "$f" -name "*.h"; done | cpio --quiet -pdu "$stage" >/dev/null 2>&1
find "$stage" -type f -print0 | xargs -0 -n1 perl -pi -e 'BEGIN {undef $/;}; s/\\/\\*((?!SPDX).)*?\\*\\///smg;'
tar --mtime="@$TS" --exclude=".__afs*" --exclude=".nfs*" --owner=0 --group=0 --sort=name --numeric-owner --mode=u=rw,go=r,a+X -I xz -cf "$out" -C "$stage/" .
rm -rf "$stage"
`;

export const TS = 1_700_000_000;

/** Source-tree headers: comments to strip, SPDX lines to keep, a symlink, two arches. */
export function sourceNodes(): Record<string, Node> {
  return kernelSkeleton({
    'kernel/gen_kheaders.sh': STANDIN_SCRIPT,
    'include/linux/kernel.h': '/* SPDX-License-Identifier: GPL-2.0 */\n/* drop me */\n#define KERNEL 1\nint a; /* and me */\n',
    'include/linux/list.h': '#ifndef LIST_H\n#define LIST_H\n' + Array.from({ length: 40 }, (_, i) => `#define L${i} ${i}\n`).join('') + '#endif\n',
    'include/dt-bindings/input/codes.h': '#define KEY_A 30\n',
    'include/linux/codes.h': { link: '../dt-bindings/input/codes.h' },
    'include/uapi/linux/types.h': '/*\n * multi-line\n */\ntypedef int s32;\n',
    'include/linux/notes.txt': 'not a header, not archived\n',
    'arch/x86/include/asm/x.h': '/* x86 */\n#define X86 1\n',
    'arch/x86/include/uapi/asm/unistd.h': '#define __NR_read 0\n',
    'arch/arm64/include/asm/y.h': '#define ARM64 1\n',
  });
}

/** What `make prepare` would leave in an objtree (generated headers). */
export function generatedNodes(opts: { release?: string; autoconf?: string } = {}): Record<string, Node> {
  return {
    'include/generated/autoconf.h': opts.autoconf ?? '#define CONFIG_X86 1\n#define CONFIG_E1000_MODULE 1\n#define CONFIG_HZ 250\n#define CONFIG_LOCALVERSION "-test"\n#define CONFIG_PHYSICAL_START 0x1000000\n',
    'include/generated/utsrelease.h': `#define UTS_RELEASE "${opts.release ?? '6.1.99-test'}"\n`,
    'include/generated/uapi/linux/version.h': '#define LINUX_VERSION_CODE 393571\n#define KERNEL_VERSION(a,b,c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))\n#define LINUX_VERSION_MAJOR 6\n#define LINUX_VERSION_PATCHLEVEL 1\n#define LINUX_VERSION_SUBLEVEL 99\n',
    'arch/x86/include/generated/asm/syscalls_64.h': '/* generated */\n__SYSCALL(0, sys_read)\n',
  };
}

/** The .config matching generatedNodes()' autoconf.h. */
export const DOT_CONFIG = [
  '#', '# Automatically generated file; DO NOT EDIT.', '#',
  'CONFIG_X86=y', 'CONFIG_E1000=m', '# CONFIG_DEBUG_INFO is not set', 'CONFIG_HZ=250',
  'CONFIG_LOCALVERSION="-test"', 'CONFIG_PHYSICAL_START=0x1000000', '',
].join('\n');

/** Writes a source tree (and, if given, an objtree with generated headers and .config). */
export function writeKernel(src: string, obj?: string): void {
  writeTree(src, sourceNodes());
  if (obj !== undefined) writeTree(obj, { ...generatedNodes(), '.config': DOT_CONFIG });
}

/** Runs the stand-in script (or another script file) in the objtree and returns the archive path. */
export function oracleArchive(src: string, obj: string | undefined, script = join(src, 'kernel/gen_kheaders.sh')): string {
  const cwd = obj ?? src;
  mkdirSync(join(cwd, 'kernel'), { recursive: true });
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], SRCARCH: 'x86', XZ: 'xz', LC_ALL: 'C', TS: String(TS), KBUILD_BUILD_TIMESTAMP: `@${TS}` };
  if (obj !== undefined) Object.assign(env, { srctree: src, building_out_of_srctree: '1' });
  execFileSync('sh', [script, 'kernel/kheaders_data.tar.xz'], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  return join(cwd, 'kernel/kheaders_data.tar.xz');
}
