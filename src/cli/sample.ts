import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { KheadersError, type TreeSettings } from '../core/index.js';

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
  await writeSample(root, arch);
  return { tree: { source: root, arch, makeArch }, cleanup: () => rm(root, { recursive: true, force: true }) };
}

const LINK = 'include/dt-bindings/input/linux-sample-codes.h';
const LINK_TARGET = '../../uapi/linux/sample.h';

async function writeSample(root: string, arch: string): Promise<void> {
  for (const [name, body] of Object.entries(sampleFiles(arch))) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), body);
  }
  await symlink(LINK_TARGET, join(root, LINK));
}

/** Is dir exactly the sample tree for arch (the same files, bytes and link, nothing else)? */
async function isSample(dir: string, arch: string): Promise<boolean> {
  const want = sampleFiles(arch);
  const seen: string[] = [];
  const walk = async (rel: string): Promise<boolean> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!(await walk(r))) return false;
      } else if (e.isSymbolicLink()) {
        if (r !== LINK || (await readlink(join(dir, r))) !== LINK_TARGET) return false;
        seen.push(r);
      } else if (e.isFile() && want[r] !== undefined && (await readFile(join(dir, r), 'utf8')) === want[r]) {
        seen.push(r);
      } else {
        return false;
      }
    }
    return true;
  };
  return (await walk('')) && seen.length === Object.keys(want).length + 1;
}

/**
 * The sample tree kept at dir (the first run's, next to its archive), so the
 * archive can be verified against it afterwards. An existing sample tree is
 * reused; anything else at dir is refused, never replaced.
 */
export async function keepSampleTree(dir: string, arch: string, makeArch: string): Promise<TreeSettings> {
  const st = await lstat(dir).catch(() => undefined);
  if (st !== undefined) {
    if (!st.isDirectory() || !(await isSample(dir, arch))) {
      throw new KheadersError('BAD_INPUT', `${dir} exists and is not kheaders' sample tree for ${arch}; the sample build keeps its tree there`,
        'remove it, build elsewhere with --output DIR/kheaders_data.tar.xz, or pass --source DIR');
    }
    return { source: dir, arch, makeArch };
  }
  await mkdir(dirname(dir), { recursive: true });
  const stage = await mkdtemp(join(dirname(dir), `.${basename(dir)}.${process.pid}.tmp-`));
  try {
    await writeSample(stage, arch);
    await rename(stage, dir);
  } catch (e) {
    await rm(stage, { recursive: true, force: true });
    throw e;
  }
  return { source: dir, arch, makeArch };
}
