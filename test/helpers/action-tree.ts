// A small, made-up, *unprepared* kernel-like tree whose Makefile implements
// just enough of `defconfig`/`olddefconfig`/`prepare` to generate headers,
// plus a `make` shim that records every call. Nothing here is copied from Linux.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';

const SPDX = '/* SPDX-License-Identifier: GPL-2.0 */\n';

const MAKEFILE = `# made-up test kernel for kheaders; not Linux
VERSION = 6
PATCHLEVEL = 1
SUBLEVEL = 0
ARCH ?= x86
SRCARCH := $(ARCH)
ifeq ($(ARCH),x86_64)
SRCARCH := x86
endif
O ?= .
.PHONY: olddefconfig prepare
%defconfig:
\tcp arch/$(SRCARCH)/configs/$@ $(O)/.config
olddefconfig:
\ttest -f $(O)/.config
prepare:
\tmkdir -p $(O)/include/generated $(O)/include/config $(O)/arch/$(SRCARCH)/include/generated/asm
\tsed -n 's/^CONFIG_\\([A-Za-z0-9_]*\\)=y$$/#define CONFIG_\\1 1/p' $(O)/.config > $(O)/include/generated/autoconf.h
\techo '#define UTS_RELEASE "6.1.0-kh"' > $(O)/include/generated/utsrelease.h
\techo '#define __NR_made_up 3 /* generated */' > $(O)/arch/$(SRCARCH)/include/generated/asm/unistd_64.h
`;

/** A made-up script with the traits of the 6.1-stable (cpio) variant, so detection is certain. */
const SCRIPT = `#!/bin/sh
# made-up stand-in for the test tree; not the kernel's script
dirs="include/ arch/$SRCARCH/include/"
if [ "$building_out_of_srctree" ]; then
\t(cd "$srctree" && for f in $dirs; do find "$f" -name "*.h"; done) | cpio --quiet -pd "$tmp"
fi
for f in $dirs; do find "$f" -name "*.h"; done | cpio --quiet -pdu "$tmp"
find "$tmp" -type f -print0 | xargs -0 -n1 perl -pi -e 'BEGIN {undef $/;}; s/\\/\\*((?!SPDX).)*?\\*\\///smg;'
tar "\${KBUILD_BUILD_TIMESTAMP:+--mtime=$KBUILD_BUILD_TIMESTAMP}" --exclude=".__afs*" --exclude=".nfs*" \\
    --owner=0 --group=0 --sort=name --numeric-owner --mode=u=rw,go=r,a+X -C "$tmp" -cf - . | xz > "$out"
`;

/** Files of the tree, relative path → content. */
export function treeFiles(arch = 'x86'): Record<string, string> {
  return {
    Makefile: MAKEFILE,
    Kconfig: 'mainmenu "made-up"\nsource "init/Kconfig"\nsource "arch/$(SRCARCH)/Kconfig"\n',
    'init/Kconfig': 'config MADE_UP\n\tbool "made up"\n',
    [`arch/${arch}/Kconfig`]: 'config ARCH_MADE_UP\n\tdef_bool y\n',
    [`arch/${arch}/configs/x86_64_defconfig`]: 'CONFIG_MADE_UP=y\nCONFIG_IKHEADERS=y\n',
    [`arch/${arch}/configs/tiny_defconfig`]: 'CONFIG_MADE_UP=y\n',
    'kernel/gen_kheaders.sh': SCRIPT,
    'scripts/gen.sh': '#!/bin/sh\necho generator\n',
    'include/linux/made-up.h': `${SPDX}/* a header */\n#ifndef _MADE_UP_H\n#define _MADE_UP_H\nstruct made_up { int a; /* a */ };\n#endif\n`,
    'include/linux/types.h': `${SPDX}typedef unsigned int u32; /* 32 bits */\n`,
    'include/uapi/linux/made-up.h': `${SPDX}#define MADE_UP_MAGIC 0x6b68\n`,
    'include/dt-bindings/input/codes.h': `${SPDX}#define KEY_MADE_UP 1\n`,
    [`arch/${arch}/include/asm/made-up.h`]: `${SPDX}/* arch part */\n#define ARCH_MADE_UP 1\n`,
  };
}

/** Writes the unprepared tree into dir (which must exist or be creatable). */
export function writeTree(dir: string, arch = 'x86'): string {
  for (const [name, body] of Object.entries(treeFiles(arch))) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  symlinkSync('../input/codes.h', join(dir, 'include/dt-bindings/input/link.h'));
  return dir;
}

/** A fresh copy with new timestamps (cp -r, no -p), like a new clone. */
export function copyTree(from: string, to: string): string {
  execFileSync('cp', ['-r', from, to]);
  return to;
}

/** A temp workspace (mkdtemp under os.tmpdir(); cleanup() removes it), shared with the other helpers. */
export { tempDir } from './kernel-tree.js';

/** A `make` on PATH that appends its arguments to log, then runs the real make. */
export function makeShim(dir: string): { bin: string; log: string } {
  const bin = join(dir, 'shim-bin');
  const log = join(dir, 'make-calls.log');
  mkdirSync(bin, { recursive: true });
  const real = execFileSync('sh', ['-c', 'command -v make']).toString().trim();
  writeFileSync(join(bin, 'make'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n`);
  chmodSync(join(bin, 'make'), 0o755);
  return { bin, log };
}
