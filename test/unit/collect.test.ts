import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectHeaders } from '../../src/core/build/collect.js';
import type { Variant } from '../../src/core/types.js';
import { defaultRules } from '../../src/core/kernel/script.js';
import { collectHarness, files, IN_TREE, key, OBJ, SRC } from '../helpers/collect-fixtures.js';
import { rejectsWith } from '../helpers/errors.js';

const { tree, check, dir } = collectHarness();

// cpio's oracle needs cpio: those cases are in test/tools/collect-cpio.test.ts.
const VARIANTS: Variant[] = ['tar', 'makefile'];

describe('collectHeaders against find/tar', () => {
  const inTree = tree(IN_TREE);
  const src = tree(SRC);
  const obj = tree(OBJ);

  for (const v of VARIANTS) {
    it(`${v}: in-tree build`, async () => {
      const ours = await check(v, inTree, undefined, defaultRules(v));
      const names = ours.map((e) => e.name);
      assert.ok(!names.some((n) => n.startsWith('arch/arm64')), 'other arches are ignored');
      assert.ok(names.indexOf('include/ｆ.h') < names.indexOf('include/😀.h'), 'UTF-8 byte order, not UTF-16');
      assert.ok(ours.every((e) => e.from === 'src'));
      assert.equal(ours.find((e) => e.name === 'include/sd.h')?.kind, 'symlink');
    });

    it(`${v}: out-of-tree build, objtree over srctree`, async () => {
      const ours = await check(v, src, obj, defaultRules(v));
      const a = ours.find((e) => e.name === 'include/linux/a.h')!;
      assert.equal(a.from, v === 'makefile' ? 'src' : 'obj');
      assert.equal(ours.find((e) => e.name === 'include/generated/autoconf.h')?.from, 'obj');
    });

  }

  for (const v of ['cpio', 'tar', 'makefile'] as const) {
    it(`${v}: passing objtree equal to srctree (or a link to it) is in-tree`, async () => {
      const link = join(dir, `link-${v}`);
      symlinkSync(inTree, link);
      const plain = await collectHeaders({ srctree: inTree, srcarch: 'x86', variant: v });
      assert.deepEqual(await collectHeaders({ srctree: inTree, objtree: inTree, srcarch: 'x86', variant: v }), plain);
      const viaLink = await collectHeaders({ srctree: inTree, objtree: link, srcarch: 'x86', variant: v });
      assert.deepEqual(viaLink.map(key), plain.map(key));
    });
  }

  it('tar with the silly-rename excludes (v6.14)', async () => {
    await check('tar', inTree, undefined, { excludeSillyRename: true, dropUtsversion: true, objOverrides: true });
    await check('tar', src, obj, { excludeSillyRename: true, dropUtsversion: true, objOverrides: true });
  });

  it('makefile variant keeping utsversion.h when the Makefile does not skip it', async () => {
    await check('makefile', inTree, undefined, { excludeSillyRename: false, dropUtsversion: false, objOverrides: true });
  });

  it('a missing arch/<SRCARCH>/include is skipped, as find does', async () => {
    const t = tree(files('m', ['include/linux/only.h']));
    for (const v of VARIANTS) await check(v, t, undefined, defaultRules(v));
  });
});

describe('collectHeaders on bad names and files', () => {
  const base = (): string => tree(files('b', ['include/linux/ok.h']));

  it('rejects a header whose name is not UTF-8, naming it', async () => {
    const t = base();
    writeFileSync(Buffer.from(`${t}/include/linux/bad\xff.h`, 'latin1'), 'x');
    await rejectsWith(collectHeaders({ srctree: t, srcarch: 'x86', variant: 'cpio' }), 'BAD_INPUT', /include\/linux\/bad/);
  });

  it('ignores a non-header file with a bad name, as find -name does', async () => {
    const t = base();
    writeFileSync(Buffer.from(`${t}/include/linux/bad\xff.txt`, 'latin1'), 'x');
    mkdirSync(Buffer.from(`${t}/include/dir\xfe`, 'latin1'));
    const got = await collectHeaders({ srctree: t, srcarch: 'x86', variant: 'tar' });
    assert.deepEqual(got.map((e) => e.name), ['include/linux/ok.h']);
  });

  it('rejects a header under a directory with a bad name', async () => {
    const t = base();
    const d = Buffer.from(`${t}/include/dir\xfe`, 'latin1');
    mkdirSync(d);
    writeFileSync(Buffer.concat([d, Buffer.from('/in.h')]), 'x');
    await rejectsWith(collectHeaders({ srctree: t, srcarch: 'x86', variant: 'cpio' }), 'BAD_INPUT');
  });

  it('rejects a header name with a newline', async () => {
    const t = base();
    writeFileSync(join(t, 'include/linux/new\nline.h'), 'x');
    await rejectsWith(collectHeaders({ srctree: t, srcarch: 'x86', variant: 'makefile' }), 'BAD_INPUT');
  });

  it('rejects a FIFO named *.h', async () => {
    const t = base();
    const r = spawnSync('mkfifo', [join(t, 'include/linux/pipe.h')]);
    assert.equal(r.status, 0);
    await rejectsWith(collectHeaders({ srctree: t, srcarch: 'x86', variant: 'cpio' }), 'BAD_INPUT');
  });
});

// collectHeaders on the real 6.1 tree and against its own gen_kheaders.sh: test/e2e/tree.e2e.test.ts.
