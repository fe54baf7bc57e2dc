// End-to-end: every form of kernel/gen_kheaders.sh in ../shared/kernel-scripts,
// run as kbuild runs it on the real Debian 6.1 tree (in-tree and O=), against
// `kheaders build` on the same tree. The tars are compared; xz runs at -0 for
// both sides' speed (the xz bytes of the forms are compared on generated trees
// by test:forms, and of the tree's own script by build.e2e).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildArchive } from '../../src/core/build/build.js';
import { resolveTree } from '../../src/core/kernel/resolve.js';
import { nullLogger } from '../../src/core/log.js';
import { kernelTree } from '../helpers/e2e-tree.js';
import { holdLock } from '../helpers/flock.js';
import { corpusForms, runForm, type Form } from '../helpers/forms.js';
import { overlayTree } from '../helpers/overlay.js';
import { differingFields, tarMembers } from '../helpers/tar-fields.js';

const TS = '2024-01-01 00:00:00 UTC';
const BIG = 1 << 30;

let lock = '';
let unlock: () => Promise<void> = async () => undefined;
let dir = '';
let bin = '';
const layouts: Array<{ name: string; src: string; obj?: string }> = [];

before(async () => {
  const get = await kernelTree();
  lock = path.join(get('cache'), '.lock');
  unlock = await holdLock(lock);
  dir = mkdtempSync(path.join(os.tmpdir(), 'kh-forms-e2e-'));
  bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'xz'), '#!/bin/sh\nexec /usr/bin/xz -0 -T1 "$@"\n');
  chmodSync(path.join(bin, 'xz'), 0o755);
  layouts.push({ name: 'in-tree', src: overlayTree(get('tree'), path.join(dir, 'tree'), 'x86', undefined) });
  const src = overlayTree(get('srctree'), path.join(dir, 'src'), 'x86', undefined);
  layouts.push({ name: 'O=', src, obj: overlayTree(get('objtree'), path.join(dir, 'obj'), 'x86', undefined, src) });
});

after(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await unlock();
});

/** Puts the form's texts in place of the tree's own. */
function install(src: string, form: Form): void {
  writeFileSync(path.join(src, 'kernel/gen_kheaders.sh'), form.script, { mode: 0o755 });
  writeFileSync(path.join(src, 'kernel/Makefile'), form.makefile ?? readFileSync(path.join(src, 'kernel/Makefile.orig')));
}

const forms = corpusForms();
for (const layoutIndex of [0, 1]) {
  describe(`every form on the real 6.1 tree, ${layoutIndex === 0 ? 'in-tree' : 'O='}`, () => {
    for (const form of forms) {
      test(form.name, async () => {
        const l = layouts[layoutIndex];
        assert.ok(l, 'the overlay trees were made');
        install(l.src, form);
        const theirs = runForm(form, l.src, l.obj, TS, { PATH: `${bin}:${process.env.PATH}`, XZ: path.join(bin, 'xz') });
        const tree = { source: l.src, objtree: l.obj, arch: 'x86', makeArch: 'x86_64' };
        const variant = await resolveTree(tree, nullLogger);
        assert.equal(variant.known, true, variant.reason);
        const ours = await buildArchive({ tree, pack: { mtime: { epoch: 1704067200, origin: '--mtime' }, compression: 'none', threads: 1 },
          output: path.join(dir, `ours-${layoutIndex}.tar`), variant }, nullLogger);
        const a = execFileSync('xz', ['-dc', theirs], { maxBuffer: BIG });
        const b = execFileSync('cat', [ours.archive], { maxBuffer: BIG });
        const tarClaim = ours.claim.fields.filter((f) => f !== 'xz');
        console.log(`${form.name} ${l.name}: ${ours.files} entries, ${tarClaim.length === 0 ? 'byte-identical tar' : `content-identical (${tarClaim.join(', ')})`}, tar ${a.equals(b) ? 'equal' : 'differs'}`);
        if (tarClaim.length === 0) {
          assert.ok(a.equals(b), `${form.name}: we claim byte-identical, and the tars differ (${a.length} vs ${b.length} bytes)`);
          return;
        }
        const diff = differingFields(await tarMembers(a), await tarMembers(b));
        assert.ok(!diff.fields.has('members'), diff.detail.slice(0, 5).join('\n'));
        for (const f of diff.fields) assert.ok(tarClaim.includes(f), `${f} differs, the claim names ${tarClaim.join(', ')}: ${diff.detail.slice(0, 5).join('; ')}`);
      });
    }
  });
}
