// Every real form of kernel/gen_kheaders.sh in ../shared/kernel-scripts, run as
// kbuild runs it on a generated tree, against `kheaders build` on the same tree.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildArchive } from '../../src/core/build/build.js';
import { resolveMtime } from '../../src/core/kernel/mtime.js';
import { resolveTree } from '../../src/core/kernel/resolve.js';
import { nullLogger } from '../../src/core/log.js';
import { corpusForms, keep, runForm, writeFormTree } from '../helpers/forms.js';
import { tempDir } from '../helpers/kernel-tree.js';
import { claimGaps, differingFields, tarMembers } from '../helpers/tar-fields.js';

const TS = '2024-01-01 00:00:00 UTC';
const tmp = tempDir('kh-forms-');
after(tmp.cleanup);
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
const forms = corpusForms();
let n = 0;

void it('the corpus has the 18 forms', () => {
  assert.equal(forms.length, 18);
});

for (const form of forms) {
  for (const outOfTree of [false, true]) {
    for (const stamp of [TS, undefined]) {
      const label = `${form.name}, ${outOfTree ? 'O=' : 'in-tree'}, ${stamp ? 'KBUILD_BUILD_TIMESTAMP set' : 'no timestamp'}`;
      void describe(label, () => {
        void it('our claim holds: byte-identical means the same bytes, else the same members with exactly the named fields differing', async () => {
          const root = join(tmp.dir, `t${n++}`);
          mkdirSync(root);
          const [src, obj] = writeFormTree(root, form, outOfTree);
          const theirs = keep(runForm(form, src, obj, stamp), join(root, 'theirs.tar.xz'));
          const tree = { source: src, objtree: obj, arch: 'x86', makeArch: 'x86' };
          const variant = await resolveTree(tree, nullLogger);
          assert.equal(variant.known, true, variant.reason);
          const ours = await buildArchive({ tree, pack: { mtime: resolveMtime(stamp, {}), compression: 'compat', threads: 1 }, output: join(root, 'ours.tar.xz'), variant }, nullLogger);
          const diff = differingFields(await tarMembers(theirs), await tarMembers(ours.archive));
          assert.ok(!diff.fields.has('members'), diff.detail.join('\n'));
          if (ours.claim.fidelity === 'byte-identical') {
            assert.deepEqual([...diff.fields], [], diff.detail.join('\n'));
            assert.equal(sha(ours.archive), sha(theirs), 'same tar, so the xz bytes must match too');
          } else {
            assert.equal(ours.claim.fidelity, 'content-identical');
            assert.deepEqual(claimGaps(ours.claim.fields, diff.fields), [], `claim names ${ours.claim.fields.join(', ')}: ${diff.detail.join('; ')}`);
            assert.ok(ours.claim.fields.length > 0);
          }
        });
      });
    }
  }
}
