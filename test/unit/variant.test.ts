import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { rejectsWith } from '../helpers/errors.js';
import { detectVariant, type FileRules } from '../../src/core/kernel/script.js';
import { tempDir, writeTree } from '../helpers/kernel-tree.js';
import { cpio, EXCL, LIST, LISTS_SCRIPT, listsMakefile, OBJ_SKIP, PACK, RM_UTS, tarScript } from '../helpers/variant-scripts.js';

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
      assert.deepEqual({ excludeSillyRename: info.rules.excludeSillyRename, dropUtsversion: info.rules.dropUtsversion, objOverrides: info.rules.objOverrides }, rules);
      assert.deepEqual([info.rules.sort, info.rules.mode, info.rules.owner, info.rules.mtime, info.rules.names], ['name', true, 'numeric', 'kbuild', 'headers']);
      assert.match(info.reason, rules.excludeSillyRename ? /excludes \.__afs/ : /no name excludes/);
    });
  }

  it('an unknown copy is unknown, naming the line, and follows the closest rules', async () => {
    const odd = `#!/bin/sh\n${LIST}for d in $dirs; do find "$d" -name "*.h"; done | xargs cp --parents -t "$1.d"\n${PACK('')}`;
    const info = await detectVariant(treeWith(odd));
    assert.equal(info.known, false);
    assert.equal(info.variant, 'cpio');
    assert.match(info.reason, /line 6: command: .*cp --parents/);
    assert.match(info.reason, /a copy into the staging dir/);
  });

  it('applies any --exclude pattern of the final tar', async () => {
    const info = await detectVariant(treeWith(cpio('-pdu', '', `${EXCL} --exclude="*.orig"`)));
    assert.equal(info.known, true, info.reason);
    assert.deepEqual([info.rules.excludeSillyRename, info.rules.excludes], [true, ['*.orig']]);
  });

  it('one of the two silly-rename excludes is an exclude like any other', async () => {
    const info = await detectVariant(treeWith(cpio('-pdu', '', '--exclude=".nfs*"')));
    assert.equal(info.known, true, info.reason);
    assert.deepEqual([info.rules.excludeSillyRename, info.rules.excludes], [false, ['.nfs*']]);
  });

  it('follows the script, not lists the Makefile has but the script does not use', async () => {
    const info = await detectVariant(treeWith(tarScript(''), listsMakefile(OBJ_SKIP)));
    assert.equal(info.variant, 'tar');
    assert.equal(info.known, true, info.reason);
  });

  it('rejects a tree without kernel/gen_kheaders.sh', async () => {
    const dir = treeWith(undefined);
    await rejectsWith(detectVariant(dir), 'NOT_A_KERNEL_TREE');
  });
});

// detectVariant on the real 6.1 tree: test/e2e/tree.e2e.test.ts.
