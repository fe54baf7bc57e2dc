// --strict judges an archive by the tree's own script: one archive-wide mtime,
// the archive's own xz mode, and the rules of forms without --mode.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildArchive } from '../../src/core/build/build.js';
import { nullLogger } from '../../src/core/log.js';
import { verifyArchive } from '../../src/core/verify/verify.js';
import { corpusForms, keep, runForm, writeFormTree } from '../helpers/forms.js';
import { kernelTarFlags } from '../helpers/gnutar.js';
import { tempDir } from '../helpers/kernel-tree.js';
import { oracleArchive, TS, writeKernel } from '../helpers/verify-tree.js';

const tmp = tempDir('kh-strict-');
after(tmp.cleanup);
let n = 0;

void describe('--strict and mtimes', () => {
  void it('one member with another mtime: a metadata finding naming it, and not reproducible', async () => {
    const src = join(tmp.dir, `s${n++}`);
    const obj = `${src}-obj`;
    writeKernel(src, obj);
    const good = oracleArchive(src, obj);
    const stage = join(tmp.dir, `stage${n++}`);
    mkdirSync(stage);
    execFileSync('tar', ['-xJf', good, '-C', stage]);
    for (const line of execFileSync('find', [stage], { encoding: 'utf8' }).trim().split('\n')) utimesSync(line, TS, TS);
    utimesSync(join(stage, 'include/linux/list.h'), TS + 7, TS + 7);
    const odd = join(tmp.dir, `odd${n++}.tar.xz`);
    const tar = execFileSync('tar', [...kernelTarFlags(undefined), '-cf', '-', '-C', `${stage}/`, '.'], { env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 1 << 26 });
    writeFileSync(odd, execFileSync('xz', ['-6', '-c'], { input: tar, maxBuffer: 1 << 26 }));
    const r = await verifyArchive({ archive: odd, source: src, objtree: obj, strict: true }, nullLogger);
    assert.equal(r.result, 'mismatch');
    assert.equal(r.strict?.reproducible, false);
    const f = r.findings.find((x) => x.category === 'metadata');
    assert.equal(f?.name, 'include/linux/list.h');
    assert.match(f?.detail ?? '', /^mtime is 1700000007, the builder writes 1700000000/);
  });

  void it('our own --compression fast archive passes --strict (rebuilt in its own xz mode)', async () => {
    const src = join(tmp.dir, `s${n++}`);
    const obj = `${src}-obj`;
    writeKernel(src, obj);
    const out = join(tmp.dir, `fast${n++}.tar.xz`);
    await buildArchive({ tree: { source: src, objtree: obj, arch: 'x86', makeArch: 'x86' }, pack: { mtime: { epoch: TS, origin: '--mtime' }, compression: 'fast', threads: 2 }, output: out }, nullLogger);
    assert.match(execFileSync('xz', ['-lvv', out], { encoding: 'utf8' }), /--lzma2=dict=1MiB/, 'xz -lvv sees the preset-1 dictionary');
    const r = await verifyArchive({ archive: out, source: src, objtree: obj, strict: true }, nullLogger);
    assert.deepEqual([r.result, r.strict?.compression, r.strict?.reproducible], ['match', 'fast', true]);
  });
});

void describe('--strict on the archives the real script forms make', () => {
  for (const form of corpusForms()) {
    void it(`${form.name}: its own archive verifies, and is reproducible exactly when the form is byte-identical`, async () => {
      const root = join(tmp.dir, `f${n++}`);
      mkdirSync(root);
      const [src, obj] = writeFormTree(root, form, true);
      const theirs = keep(runForm(form, src, obj, '2024-01-01 00:00:00 UTC'), join(root, 'theirs.tar.xz'));
      const r = await verifyArchive({ archive: theirs, source: src, objtree: obj, strict: true }, nullLogger);
      assert.equal(r.result, 'match', JSON.stringify(r.findings.slice(0, 3)));
      assert.equal(r.strict?.reproducible, r.variant.claim.fidelity === 'byte-identical');
      assert.equal(r.strict?.fidelity, r.variant.claim.fidelity);
    });
  }
});
