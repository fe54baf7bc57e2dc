// What a build claims on the real script forms (../shared/kernel-scripts), and the two ways
// a user steers it: --variant and --strict-variant.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildArchive } from '../../src/core/build/build.js';
import { resolveTree } from '../../src/core/kernel/resolve.js';
import { nullLogger } from '../../src/core/log.js';
import { rejectsWith } from '../helpers/errors.js';
import { corpusForms, runForm, writeFormTree } from '../helpers/forms.js';
import { tempDir } from '../helpers/kernel-tree.js';

const tmp = tempDir('kh-claim-');
after(tmp.cleanup);
let n = 0;
const form = (name: string): ReturnType<typeof corpusForms>[number] => {
  const f = corpusForms().find((x) => x.name === name);
  assert.ok(f, name);
  return f;
};
const pack = { mtime: { epoch: 1704067200, origin: '--mtime' }, compression: 'compat' as const, threads: 1 };
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

void describe('claims on the real script forms', () => {
  void it('an unknown construct is unknown, names its line, and --strict-variant refuses to build', async () => {
    const root = join(tmp.dir, `u${n++}`);
    mkdirSync(root);
    const f = form('6.1.y-late');
    const odd = { ...f, script: f.script.replace(/^(rm -rf \$cpio_dir)$/m, 'touch $cpio_dir/include/stamp.h\n$1') };
    assert.notEqual(odd.script, f.script);
    const [src] = writeFormTree(root, odd, false);
    const tree = { source: src, arch: 'x86', makeArch: 'x86' };
    const variant = await resolveTree(tree, nullLogger);
    assert.equal(variant.known, false);
    assert.match(variant.reason, /line \d+: command: touch \$cpio_dir\/include\/stamp\.h/);
    const r = await buildArchive({ tree, pack, output: join(root, 'a.tar.xz'), variant }, nullLogger);
    assert.equal(r.claim.fidelity, 'unknown');
    await rejectsWith(buildArchive({ tree, pack, output: join(root, 'b.tar.xz'), variant, strictVariant: true }, nullLogger), 'UNKNOWN_SCRIPT', /touch/, /--variant/);
  });

  void it('--variant states the rules: a v5.4-style tree built with them equals the real v5.4 script', async () => {
    const root = join(tmp.dir, `v${n++}`);
    mkdirSync(root);
    const f = form('v5.4');
    const [src, obj] = writeFormTree(root, { ...f, script: '#!/bin/sh\n# a vendor script we cannot read\nexit 1\n' }, true);
    // The oracle: the real v5.4 text, run in a second copy of the same trees.
    const root2 = join(tmp.dir, `v${n++}`);
    mkdirSync(root2);
    const [src2, obj2] = writeFormTree(root2, f, true);
    const theirs = runForm(f, src2, obj2, '2024-01-01 00:00:00 UTC');
    const tree = { source: src, objtree: obj, arch: 'x86', makeArch: 'x86', rules: 'copy=cpio,objwins=no,silly=no,sort=list,mode=no' };
    const variant = await resolveTree(tree, nullLogger);
    assert.deepEqual([variant.known, variant.rules.sort, variant.rules.mode], [true, 'list', false]);
    const r = await buildArchive({ tree, pack, output: join(root, 'ours.tar.xz'), variant }, nullLogger);
    assert.equal(r.claim.fidelity, 'byte-identical');
    assert.equal(execFileSync('xz', ['-dc', r.archive]).equals(execFileSync('xz', ['-dc', theirs])), true, 'same tar bytes');
    assert.equal(sha(r.archive), sha(theirs));
  });

  void it('a bad --variant spec is a usage error listing the keys', async () => {
    const root = join(tmp.dir, `b${n++}`);
    mkdirSync(root);
    const [src] = writeFormTree(root, form('v6.18'), false);
    await rejectsWith(resolveTree({ source: src, rules: 'sort=random' }, nullLogger), 'USAGE', /sort must be one of name, list, none/, /objwins=yes\|no/);
  });
});
