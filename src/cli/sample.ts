import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TreeSettings } from '../core/index.js';

/** A stand-in written for the sample (not the kernel's script) with the 6.1 script's shape. */
const SCRIPT = `#!/bin/sh
# kheaders sample stand-in: list headers, copy them with cpio, pack with tar.
dir_list="include/ arch/$SRCARCH/include/"
if [ "$building_out_of_srctree" ]; then
  (cd "$srctree" && for f in $dir_list; do find "$f" -name "*.h"; done | cpio --quiet -pd "$1.tmp")
fi
for f in $dir_list; do find "$f" -name "*.h"; done | cpio --quiet -pdu "$1.tmp"
find "$1.tmp" -type f -print0 | xargs -0 -n1 perl -pi -e 'BEGIN {undef $/;}; s/\\/\\*((?!SPDX).)*?\\*\\///smg;'
tar "\${KBUILD_BUILD_TIMESTAMP:+--mtime=$KBUILD_BUILD_TIMESTAMP}" --exclude=".__afs*" --exclude=".nfs*" \\
    --owner=0 --group=0 --sort=name --numeric-owner --mode=u=rw,go=r,a+X -I $XZ -cf "$1" -C "$1.tmp" .
`;

const SPDX = '/* SPDX-License-Identifier: GPL-2.0 */\n';

/** A small kernel-like tree, already "prepared": made up here, not copied from Linux. */
function sampleFiles(arch: string): Record<string, string> {
  return {
    Makefile: '# sample tree made by kheaders\nVERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n',
    Kconfig: 'mainmenu "kheaders sample"\n',
    'kernel/gen_kheaders.sh': SCRIPT,
    'include/linux/sample.h': `${SPDX}/* A sample header. */\n#ifndef _LINUX_SAMPLE_H\n#define _LINUX_SAMPLE_H\nstruct sample { int a; /* the a */ };\n#endif\n`,
    'include/linux/types.h': `${SPDX}#ifndef _LINUX_TYPES_H\n#define _LINUX_TYPES_H\ntypedef unsigned int u32; /* 32 bits */\n#endif\n`,
    'include/uapi/linux/sample.h': `${SPDX}/*\n * user API\n */\n#define SAMPLE_MAGIC 0x6b68\n`,
    'include/dt-bindings/input/sample-codes.h': `${SPDX}#define KEY_SAMPLE 1\n`,
    [`include/linux/a-header-with-a-rather-long-name-to-exercise-gnu-longlink-entries-in-the-tar-writer.h`]: `${SPDX}#define LONG 1\n`,
    'include/generated/autoconf.h': '#define CONFIG_SAMPLE 1\n#define CONFIG_IKHEADERS_MODULE 1\n',
    'include/generated/utsrelease.h': '#define UTS_RELEASE "6.1.0-sample"\n',
    'include/generated/utsversion.h': '#define UTS_VERSION "#1 SMP"\n',
    [`arch/${arch}/include/asm/sample.h`]: `${SPDX}/* arch part */\n#define ARCH_SAMPLE 1\n`,
    [`arch/${arch}/include/generated/asm/sample-offsets.h`]: '#define SAMPLE_OFFSET 8 /* generated */\n',
  };
}

/** Writes the sample tree to a fresh temp dir; returns its settings and a cleanup. */
export async function makeSampleTree(arch: string, makeArch: string): Promise<{ tree: TreeSettings; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'kheaders-sample-'));
  for (const [name, body] of Object.entries(sampleFiles(arch))) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), body);
  }
  await symlink('../../uapi/linux/sample.h', join(root, 'include/dt-bindings/input/linux-sample-codes.h'));
  return { tree: { source: root, arch, makeArch }, cleanup: () => rm(root, { recursive: true, force: true }) };
}
