import { existsSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { KheadersError } from '../../src/core/errors.js';
import { detectVariant, type FileRules } from '../../src/core/variant.js';
import { tempDir, writeTree } from '../helpers/kernel-tree.js';

// Synthetic scripts, written for these tests: each has only the features that
// tell the variants apart (copy tool, tree order, excludes, utsversion.h).
const LIST = 'dirs="\ninclude/\narch/$SRCARCH/include/\n"\n';
const FROM_SRC = (copy: string): string =>
  `if [ -n "$building_out_of_srctree" ]; then\n\t(cd "$srctree"; for d in $dirs; do find "$d" -name "*.h"; done | ${copy})\nfi\n`;
const PACK = (opts: string): string => `tar ${opts} --sort=name -I "$XZ" -cf "$1" -C "$stage" .\n`;
const EXCL = '--exclude=".__afs*" --exclude=".nfs*"';
const RM_UTS = 'rm -f "$stage/include/generated/utsversion.h"\n';

const cpio = (u: string, extra = '', excl = EXCL): string =>
  `#!/bin/sh\nset -e\nstage=$1.d\n${LIST}${FROM_SRC('cpio --quiet -pd "$stage"')}` +
  `for d in $dirs; do find "$d" -name "*.h"; done | cpio --quiet ${u} "$stage" 2>/dev/null\n${extra}${PACK(excl)}`;

const TAR_COPY = 'tar -c -f - -T - | tar -xf - -C "$stage"';
const tarScript = (excl: string): string =>
  `#!/bin/sh\n# note: an older version of this copied with cpio\nset -e\nstage=$1.d\n${LIST}${FROM_SRC(TAR_COPY)}` +
  `for d in $dirs; do find "$d" -name "*.h"; done | ${TAR_COPY}\n${RM_UTS}${PACK(excl)}`;

const LISTS_SCRIPT =
  '#!/bin/sh\nset -e\nout=$1\nsrclist=$2\nobjlist=$3\nstage=$out.d\n' +
  'sed "s:^$srctree/::" "$srclist" | tar -c -f - -C "$srctree" -T - | tar -xf - -C "$stage"\n' +
  'tar -c -f - -T "$objlist" | tar -xf - -C "$stage"\n' + PACK('');

const listsMakefile = (objSkip: string): string =>
  'obj-y += other.o\n' +
  '$(obj)/kheaders_data.tar.xz: $(src)/gen_kheaders.sh $(obj)/kheaders-srclist $(obj)/kheaders-objlist FORCE\n' +
  '\t$(call if_changed_rule,kheaders_data)\n' +
  'filechk_kheaders_objlist = \\\n\tfor d in include "arch/$(SRCARCH)/include"; do \\\n' +
  `\t\tfind "$\${d}/generated" ${objSkip}-name "*.h" -print; \\\n\tdone\n` +
  'filechk_kheaders_srclist = \\\n\tfor d in include "arch/$(SRCARCH)/include"; do \\\n' +
  '\t\tfind "$(srctree)/$${d}" -path "$(srctree)/$${d}/generated" -prune -o -name "*.h" -print; \\\n\tdone\n';
const OBJ_SKIP = '! -path "include/generated/utsversion.h" -a ';

const tmp = tempDir('kh-variant-');
after(tmp.cleanup);
let n = 0;
function treeWith(script: string | undefined, makefile = 'obj-y += fork.o\n'): string {
  const dir = join(tmp.dir, `k${n++}`);
  writeTree(dir, { 'kernel/Makefile': makefile, ...(script === undefined ? {} : { 'kernel/gen_kheaders.sh': script }) });
  return dir;
}

const R = (excludeSillyRename: boolean, dropUtsversion: boolean, objOverrides = true): FileRules => ({
  excludeSillyRename, dropUtsversion, objOverrides,
});

describe('detectVariant', () => {
  const known: Array<[string, string, string | undefined, string, FileRules]> = [
    ['cpio with -u and excludes (6.1/6.12 stable)', cpio('-pdu'), undefined, 'cpio', R(true, false)],
    ['cpio without excludes (6.6)', cpio('-pdu', '', ''), undefined, 'cpio', R(false, false)],
    ['cpio without -u (5.x)', cpio('-pd', '', ''), undefined, 'cpio', R(false, false, false)],
    ['cpio that drops utsversion.h', cpio('-pdu', RM_UTS), undefined, 'cpio', R(true, true)],
    ['tar copy with excludes (6.14)', tarScript(EXCL), undefined, 'tar', R(true, true)],
    ['tar copy without excludes (6.15/6.16)', tarScript(''), undefined, 'tar', R(false, true)],
    ['file lists in kernel/Makefile (6.17+)', LISTS_SCRIPT, listsMakefile(OBJ_SKIP), 'makefile', R(false, true)],
    ['file lists keeping utsversion.h', LISTS_SCRIPT, listsMakefile(''), 'makefile', R(false, false)],
  ];
  for (const [what, script, mk, variant, rules] of known) {
    it(`knows ${what}`, async () => {
      const info = await detectVariant(treeWith(script, mk));
      assert.equal(info.variant, variant);
      assert.equal(info.known, true, info.reason);
      assert.deepEqual(info.rules, rules);
      assert.match(info.reason, rules.excludeSillyRename ? /excludes \.__afs/ : /no name excludes/);
    });
  }

  it('falls back to the closest variant for an unknown script, saying why', async () => {
    const odd = `#!/bin/sh\n${LIST}for d in $dirs; do find "$d" -name "*.h"; done | xargs cp --parents -t "$1.d"\n`;
    const info = await detectVariant(treeWith(odd));
    assert.equal(info.known, false);
    assert.equal(info.variant, 'tar');
    assert.match(info.reason, /closest is "tar"/);
    assert.match(info.reason, /tar -T copy/);
  });

  it('flags an exclude pattern it does not apply', async () => {
    const info = await detectVariant(treeWith(cpio('-pdu', '', `${EXCL} --exclude="*.orig"`)));
    assert.equal(info.variant, 'cpio');
    assert.equal(info.known, false);
    assert.match(info.reason, /--exclude=\*\.orig/);
  });

  it('flags a script with only one of the two silly-rename excludes', async () => {
    const info = await detectVariant(treeWith(cpio('-pdu', '', '--exclude=".nfs*"')));
    assert.equal(info.known, false);
    assert.match(info.reason, /both or neither/);
  });

  it('follows the script when the Makefile has lists it does not use, but says so', async () => {
    const info = await detectVariant(treeWith(tarScript(''), listsMakefile(OBJ_SKIP)));
    assert.equal(info.variant, 'tar');
    assert.equal(info.known, false);
    assert.match(info.reason, /kheaders-srclist/);
  });

  it('rejects a tree without kernel/gen_kheaders.sh', async () => {
    const dir = treeWith(undefined);
    await assert.rejects(detectVariant(dir), (e: unknown) => {
      assert.ok(e instanceof KheadersError);
      assert.match(e.message, /gen_kheaders\.sh is missing/);
      assert.match(e.fix ?? '', /5\.2/);
      return true;
    });
  });
});

const KSRC = '/tmp/ksrc/linux-source-6.1';
describe('detectVariant on a real tree', { skip: !existsSync(KSRC) && 'no kernel tree at /tmp/ksrc' }, () => {
  it('reads the 6.1 script as cpio with excludes, keeping utsversion.h', async () => {
    const info = await detectVariant(KSRC);
    assert.deepEqual([info.variant, info.known, info.rules], ['cpio', true, R(true, false)]);
  });
});
