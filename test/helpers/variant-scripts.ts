// Synthetic gen_kheaders.sh / kernel/Makefile texts, written for the tests:
// each has only the features that tell the variants apart (copy tool, tree
// order, excludes, utsversion.h). Not the kernel's scripts.
import type { Variant } from '../../src/core/types.js';

export const LIST = 'dirs="\ninclude/\narch/$SRCARCH/include/\n"\n';
export const FROM_SRC = (copy: string): string =>
  `if [ -n "$building_out_of_srctree" ]; then\n\t(cd "$srctree"; for d in $dirs; do find "$d" -name "*.h"; done | ${copy})\nfi\n`;
// The strip and the tar flags every current form has (kheaders' test text, not the kernel's).
export const STRIP = String.raw`find "$stage" -type f -print0 | xargs -0 -n1 perl -pi -e 'BEGIN {undef $/;}; s/\/\*((?!SPDX).)*?\*\///smg;'` + '\n';
export const PACK = (opts: string): string =>
  `${STRIP}tar "\${KBUILD_BUILD_TIMESTAMP:+--mtime=$KBUILD_BUILD_TIMESTAMP}" ${opts} --owner=0 --group=0 --sort=name --numeric-owner --mode=u=rw,go=r,a+X -I "$XZ" -cf "$1" -C "$stage" .\n`;
export const EXCL = '--exclude=".__afs*" --exclude=".nfs*"';
export const RM_UTS = 'rm -f "$stage/include/generated/utsversion.h"\n';

export const cpio = (u: string, extra = '', excl = EXCL): string =>
  `#!/bin/sh\nset -e\nstage=$1.d\n${LIST}${FROM_SRC('cpio --quiet -pd "$stage"')}` +
  `for d in $dirs; do find "$d" -name "*.h"; done | cpio --quiet ${u} "$stage" 2>/dev/null\n${extra}${PACK(excl)}`;

export const TAR_COPY = 'tar -c -f - -T - | tar -xf - -C "$stage"';
export const tarScript = (excl: string): string =>
  `#!/bin/sh\n# note: an older version of this copied with cpio\nset -e\nstage=$1.d\n${LIST}${FROM_SRC(TAR_COPY)}` +
  `for d in $dirs; do find "$d" -name "*.h"; done | ${TAR_COPY}\n${RM_UTS}${PACK(excl)}`;

export const LISTS_SCRIPT =
  '#!/bin/sh\nset -e\nout=$1\nsrclist=$2\nobjlist=$3\nstage=$out.d\n' +
  'sed "s:^$srctree/::" "$srclist" | tar -c -f - -C "$srctree" -T - | tar -xf - -C "$stage"\n' +
  'tar -c -f - -T "$objlist" | tar -xf - -C "$stage"\n' + PACK('');

export const listsMakefile = (objSkip: string): string =>
  'obj-y += other.o\n' +
  '$(obj)/kheaders_data.tar.xz: $(src)/gen_kheaders.sh $(obj)/kheaders-srclist $(obj)/kheaders-objlist FORCE\n' +
  '\t$(call if_changed_rule,kheaders_data)\n' +
  'filechk_kheaders_objlist = \\\n\tfor d in include "arch/$(SRCARCH)/include"; do \\\n' +
  `\t\tfind "$\${d}/generated" ${objSkip}-name "*.h" -print; \\\n\tdone\n` +
  'filechk_kheaders_srclist = \\\n\tfor d in include "arch/$(SRCARCH)/include"; do \\\n' +
  '\t\tfind "$(srctree)/$${d}" -path "$(srctree)/$${d}/generated" -prune -o -name "*.h" -print; \\\n\tdone\n';
export const OBJ_SKIP = '! -path "include/generated/utsversion.h" -a ';


/** kernel/gen_kheaders.sh and kernel/Makefile for a tree following each variant's newest rules. */
export function variantFiles(v: Variant): Record<string, string> {
  switch (v) {
    case 'cpio':
      return { 'kernel/gen_kheaders.sh': cpio('-pdu'), 'kernel/Makefile': 'obj-y += fork.o\n' };
    case 'tar':
      return { 'kernel/gen_kheaders.sh': tarScript(''), 'kernel/Makefile': 'obj-y += fork.o\n' };
    case 'makefile':
      return { 'kernel/gen_kheaders.sh': LISTS_SCRIPT, 'kernel/Makefile': listsMakefile(OBJ_SKIP) };
  }
}
