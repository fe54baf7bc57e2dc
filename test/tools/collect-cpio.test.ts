// collectHeaders against the cpio variant's oracle (find | cpio -pd/-pdu), as
// the 6.1/6.12-stable scripts copy; the other variants are in test/unit/collect.test.ts.
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { collectHeaders } from '../../src/core/build/collect.js';
import type { HeaderEntry, Variant } from '../../src/core/types.js';
import { defaultRules, type FileRules } from '../../src/core/kernel/script.js';
import { assertSameSet, files, IN_TREE, OBJ, SRC } from '../helpers/collect-fixtures.js';
import { oracleFileSet } from '../helpers/fileset-oracle.js';
import { tempDir, writeTree, type Node } from '../helpers/kernel-tree.js';

const tmp = tempDir('kh-collect-');
after(tmp.cleanup);
let seq = 0;
function tree(nodes: Record<string, Node>): string {
  const dir = join(tmp.dir, `t${seq++}`);
  writeTree(dir, nodes);
  return dir;
}

async function check(variant: Variant, src: string, obj: string | undefined, rules: FileRules): Promise<HeaderEntry[]> {
  const ours = await collectHeaders({ srctree: src, objtree: obj, srcarch: 'x86', variant, rules });
  const o = oracleFileSet({ src, obj, arch: 'x86', variant, rules });
  try {
    assertSameSet(ours, o.entries);
  } finally {
    o.cleanup();
  }
  return ours;
}

describe('collectHeaders against find/cpio', () => {
  const inTree = tree(IN_TREE);
  const src = tree(SRC);
  const obj = tree(OBJ);

  it('cpio: in-tree build', async () => {
    const ours = await check('cpio', inTree, undefined, defaultRules('cpio'));
    const names = ours.map((e) => e.name);
    assert.ok(!names.some((n) => n.startsWith('arch/arm64')), 'other arches are ignored');
    assert.ok(names.indexOf('include/ｆ.h') < names.indexOf('include/😀.h'), 'UTF-8 byte order, not UTF-16');
    assert.ok(ours.every((e) => e.from === 'src'));
    assert.equal(ours.find((e) => e.name === 'include/sd.h')?.kind, 'symlink');
  });

  it('cpio: out-of-tree build, objtree over srctree', async () => {
    const ours = await check('cpio', src, obj, defaultRules('cpio'));
    assert.equal(ours.find((e) => e.name === 'include/linux/a.h')?.from, 'obj');
    assert.equal(ours.find((e) => e.name === 'include/generated/autoconf.h')?.from, 'obj');
  });

  it('cpio without -u (old scripts): srctree wins', async () => {
    const rules = { excludeSillyRename: false, dropUtsversion: false, objOverrides: false };
    const ours = await check('cpio', src, obj, rules);
    assert.equal(ours.find((e) => e.name === 'include/linux/a.h')?.from, 'src');
  });

  it('a missing arch/<SRCARCH>/include is skipped, as find does', async () => {
    await check('cpio', tree(files('m', ['include/linux/only.h'])), undefined, defaultRules('cpio'));
  });
});
