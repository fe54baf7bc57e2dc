// collectHeaders against the cpio variant's oracle (find | cpio -pd/-pdu), as
// the 6.1/6.12-stable scripts copy; the other variants are in test/unit/collect.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultRules } from '../../src/core/kernel/script.js';
import { collectHarness, files, IN_TREE, OBJ, SRC } from '../helpers/collect-fixtures.js';

const { tree, check } = collectHarness();

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
