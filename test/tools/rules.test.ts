// One rule, one place: the cache key follows the archive's own file set, and
// verify's annotation line is the tree file's own line.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { computeKey } from '../../src/core/cache/key.js';
import { defaultRules } from '../../src/core/kernel/script.js';
import { nullLogger, type Location, type Logger } from '../../src/core/log.js';
import type { Variant } from '../../src/core/types.js';
import { verifyArchive } from '../../src/core/verify/verify.js';
import { verifyStep } from '../../src/action/verify.js';
import { oracleFileSet } from '../helpers/fileset-oracle.js';
import { kernelSkeleton, tempDir, writeTree } from '../helpers/kernel-tree.js';
import { generatedNodes, oracleArchive, writeKernel } from '../helpers/verify-tree.js';

const tmp = tempDir('kh-rules-');
after(tmp.cleanup);
let n = 0;

/** A tree with a directory named odd.h holding non-header files, plus plain headers and a note. */
function oddTree(): string {
  const root = join(tmp.dir, `odd${n++}`);
  writeTree(root, kernelSkeleton({
    'include/linux/a.h': '#define A 1\n',
    'include/linux/odd.h/inner.txt': 'inside a directory named odd.h\n',
    'include/linux/odd.h/deep/more.c': 'int x;\n',
    'include/linux/notes.txt': 'never archived\n',
    'include/linux/b.h': { link: 'a.h' },
  }));
  return root;
}

const key = async (root: string, variant: Variant): Promise<string> =>
  (await computeKey({ source: root, srcarch: 'x86', variant, rules: defaultRules(variant), mtime: 0, compression: 'compat' })).md5;

for (const variant of ['cpio', 'tar', 'makefile'] as const) {
  void describe(`the key covers exactly what the ${variant} form archives`, () => {
    void it('editing a file changes the key if and only if find/cpio/tar would archive it', async () => {
      const root = oddTree();
      const oracle = oracleFileSet({ src: root, arch: 'x86', variant, rules: defaultRules(variant) });
      const archived = new Set(oracle.entries.filter((e) => e.kind === 'file').map((e) => e.name));
      oracle.cleanup();
      const candidates = ['include/linux/a.h', 'include/linux/odd.h/inner.txt', 'include/linux/odd.h/deep/more.c', 'include/linux/notes.txt'];
      // The oracle must see the odd.h directory's files only where the form copies directories whole.
      assert.equal(archived.has('include/linux/odd.h/inner.txt'), variant !== 'cpio');
      for (const rel of candidates) {
        const before = await key(root, variant);
        appendFileSync(join(root, rel), '/* edited */\n');
        const changed = (await key(root, variant)) !== before;
        assert.equal(changed, archived.has(rel), `${rel}: key ${changed ? 'changed' : 'kept'}, archived: ${archived.has(rel)}`);
      }
    });
  });
}

/** A logger that keeps errors with their locations. */
function collecting(): Logger & { errors: Array<{ message: string; where?: Location }> } {
  const errors: Array<{ message: string; where?: Location }> = [];
  return { ...nullLogger, errors, error: (message, where) => { errors.push({ message, where }); } };
}

void describe('the annotation line is the line in the tree\'s own file', () => {
  void it('through multi-line comments that the archive does not hold', async () => {
    const src = join(tmp.dir, `ann${n++}`);
    const obj = join(tmp.dir, `ann${n++}-obj`);
    writeKernel(src, obj);
    const rel = 'include/uapi/linux/types.h';
    const lines = ['/*', ' * a comment', ' * over several', ' * lines', ' */', '#ifndef TYPES_H', '#define TYPES_H',
      '/* one more', '   comment */', 'typedef int s32;', 'typedef unsigned int u32;', 'typedef long s64;', '#endif', ''];
    writeFileSync(join(src, rel), lines.join('\n'));
    const archive = oracleArchive(src, obj);
    // Tamper with the tree on the line of "typedef long s64;" (1-based 12 by construction).
    const changed = lines.indexOf('typedef long s64;') + 1;
    assert.equal(changed, 12);
    writeFileSync(join(src, rel), lines.map((l, i) => (i + 1 === changed ? 'typedef long long s64;' : l)).join('\n'));
    assert.equal(readFileSync(join(src, rel), 'utf8').split('\n')[changed - 1], 'typedef long long s64;');

    const report = await verifyArchive({ archive, source: src, objtree: obj }, nullLogger);
    const f = report.findings.find((x) => x.name === rel);
    assert.equal(f?.category, 'differs');
    assert.equal(f?.line, changed);

    const log = collecting();
    process.env.GITHUB_WORKSPACE = src;
    try {
      const out = await verifyStep(archive, { source: src, objtree: obj, arch: 'x86', makeArch: 'x86' }, { report: join(tmp.dir, `rep${n++}`, 'r.json'), strict: false }, true, log);
      assert.equal(out.mismatches, 1);
      assert.deepEqual(log.errors.map((e) => e.where), [{ file: rel, startLine: changed }]);
    } finally {
      delete process.env.GITHUB_WORKSPACE;
    }
  });

  void it('a change on the first line of a file without comments is line 1', async () => {
    const src = join(tmp.dir, `ann${n++}`);
    const obj = join(tmp.dir, `ann${n++}-obj`);
    writeKernel(src, obj);
    writeTree(obj, generatedNodes());
    const archive = oracleArchive(src, obj);
    writeFileSync(join(src, 'include/linux/list.h'), readFileSync(join(src, 'include/linux/list.h'), 'utf8').replace('#ifndef LIST_H', '#ifndef LIST_H_CHANGED'));
    const report = await verifyArchive({ archive, source: src, objtree: obj }, nullLogger);
    assert.equal(report.findings.find((x) => x.name === 'include/linux/list.h')?.line, 1);
  });
});
