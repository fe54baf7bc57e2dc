import { existsSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { KheadersError } from '../../src/core/errors.js';
import { detectVariant, type FileRules } from '../../src/core/kernel/script.js';
import { tempDir, writeTree } from '../helpers/kernel-tree.js';
import { cpio, EXCL, LIST, LISTS_SCRIPT, listsMakefile, OBJ_SKIP, RM_UTS, tarScript } from '../helpers/variant-scripts.js';

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
