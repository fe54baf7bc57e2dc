import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorCode } from '../../src/core/errors.js';
import { nullLogger } from '../../src/core/log.js';
import { verifyArchive } from '../../src/core/verify/verify.js';
import type { Finding, VerifyOptions, VerifyReport } from '../../src/core/verify/report.js';
import { tempDir, writeTree } from '../helpers/kernel-tree.js';
import { generatedNodes, oracleArchive, TS, writeKernel } from '../helpers/verify-tree.js';
import { rejectsWith } from '../helpers/errors.js';
import { rawTar, realXz } from '../helpers/hostile.js';

const tmp = tempDir('kh-verify-');
let seq = 0;
after(() => tmp.cleanup());

/** A fresh O= build pair (src, obj) and the archive the oracle made from it. */
function fresh(): { src: string; obj: string; archive: string } {
  const base = join(tmp.dir, `t${seq++}`);
  const src = join(base, 'src');
  const obj = join(base, 'obj');
  writeKernel(src, obj);
  const made = oracleArchive(src, obj);
  const archive = join(base, 'archive.tar.xz');
  cpSync(made, archive);
  return { src, obj, archive };
}

function verify(o: VerifyOptions): Promise<VerifyReport> {
  return verifyArchive(o, nullLogger);
}

/** Names in the archive, as GNU tar lists them (normalized). */
function tarNames(archive: string): string[] {
  return execFileSync('tar', ['-tJf', archive], { encoding: 'utf8' }).split('\n').filter((l) => l !== '')
    .map((l) => l.replace(/^\.\//, '').replace(/\/$/, '') || '.');
}

const only = (r: VerifyReport, cat?: Finding['category']): Finding[] =>
  r.findings.filter((f) => f.category !== 'generated' && (cat === undefined || f.category === cat));

describe('verifyArchive on trees archived by find/cpio/perl/GNU tar/xz', () => {
  it('a clean O= build matches every entry, with identity, mtime and config', async () => {
    const { src, obj, archive } = fresh();
    const r = await verify({ archive, source: src, objtree: obj });
    assert.equal(r.result, 'match', JSON.stringify(r.findings, null, 1));
    assert.deepEqual(r.findings, []);
    assert.equal(r.counts.match, tarNames(archive).length);
    assert.equal(r.archiveStats.entries, tarNames(archive).length);
    assert.equal(r.srcarch, 'x86');
    assert.equal(r.variant.name, 'cpio');
    assert.deepEqual(r.identity, { release: '6.1.99-test', versionCode: 393571, version: '6.1.99' });
    assert.equal(r.mtime, TS);
    assert.equal(r.config?.file, join(obj, '.config'));
    assert.equal(r.config?.options, 6);
  });

  it('an in-tree build: its generated headers are checked in the source tree, without --objtree', async () => {
    const base = join(tmp.dir, `t${seq++}`);
    const src = join(base, 'src');
    writeKernel(src);
    writeTree(src, generatedNodes());
    const archive = oracleArchive(src, undefined);
    const r = await verify({ archive, source: src });
    assert.equal(r.objtree, src);
    assert.deepEqual([r.result, r.counts.generated, r.counts.match], ['match', 0, tarNames(archive).length]);
  });

  it('an O= archive verified without --objtree: generated headers are unverified, never matching', async () => {
    const base = join(tmp.dir, `t${seq++}`);
    const src = join(base, 'src');
    const obj = join(base, 'obj');
    writeKernel(src, obj);
    const archive = oracleArchive(src, obj);
    const r = await verify({ archive, source: src });
    const names = tarNames(archive);
    const gen = names.filter((n) => /^(arch\/[^/]+\/)?include\/generated(\/|$)/.test(n));
    assert.ok(gen.length >= 6);
    assert.deepEqual(r.findings.map((f) => f.name).sort(), gen.sort());
    assert.ok(r.findings.every((f) => f.category === 'generated'));
    assert.equal(r.counts.generated, gen.length);
    assert.equal(r.counts.match, names.length - gen.length);
    assert.equal(r.result, 'match');
  });

  it('differs: an edited header, with a diff excerpt equal to diff -u', async () => {
    const { src, obj, archive } = fresh();
    const file = join(src, 'include/linux/list.h');
    const old = readFileSync(file, 'utf8');
    writeFileSync(file, old.replace('#define L20 20\n', '#define L20 2000\n'));
    const r = await verify({ archive, source: src, objtree: obj });
    assert.equal(r.result, 'mismatch');
    assert.deepEqual(only(r).map((f) => [f.category, f.name]), [['differs', 'include/linux/list.h']]);
    assert.equal(r.counts.differs, 1);
    const diff = only(r)[0]?.diff ?? '';
    // Oracle: GNU diff -u, tree -> archive (archive side = the old text).
    const oldFile = join(tmp.dir, `old${seq++}.h`);
    writeFileSync(oldFile, old);
    const gnu = spawnSync('diff', ['-u', file, oldFile], { encoding: 'utf8' }).stdout;
    const body = (s: string): string[] => s.split('\n').filter((l) => /^[-+ @]/.test(l) && !/^(---|\+\+\+) /.test(l));
    assert.deepEqual(body(diff), body(gnu));
    assert.ok(diff.includes('-#define L20 2000') && diff.includes('+#define L20 20'));
    const lineNo = old.split('\n').indexOf('#define L20 20') + 1;
    assert.equal(only(r)[0]?.line, lineNo);
  });

  it('missing, extra, and a retargeted symlink are each one finding', async () => {
    const { src, obj, archive } = fresh();
    writeFileSync(join(src, 'include/linux/new.h'), '#define NEW 1\n');
    unlinkSync(join(src, 'arch/x86/include/asm/x.h'));
    unlinkSync(join(src, 'include/linux/codes.h'));
    symlinkSync('../uapi/linux/types.h', join(src, 'include/linux/codes.h'));
    const r = await verify({ archive, source: src, objtree: obj });
    const got = only(r).map((f) => [f.category, f.name, f.expected, f.actual]);
    assert.deepEqual(got.sort(), [
      ['differs', 'include/linux/codes.h', '../uapi/linux/types.h', '../dt-bindings/input/codes.h'],
      ['extra', 'arch/x86/include/asm/x.h', undefined, undefined],
      ['missing', 'include/linux/new.h', undefined, undefined],
    ]);
    assert.deepEqual([r.counts.differs, r.counts.missing, r.counts.extra], [1, 1, 1]);
  });

  it('comments are compared after stripping, so a comment-only edit still matches', async () => {
    const { src, obj, archive } = fresh();
    const file = join(src, 'include/linux/kernel.h');
    writeFileSync(file, readFileSync(file, 'utf8').replace('/* drop me */', '/* a different comment */'));
    const r = await verify({ archive, source: src, objtree: obj });
    assert.equal(r.result, 'match');
  });

  it('takes the arch from the archive; a wrong --arch shows up as missing and extra', async () => {
    const { src, obj, archive } = fresh();
    const r = await verify({ archive, source: src, objtree: obj, arch: 'arm64' });
    assert.equal(r.srcarch, 'arm64');
    assert.ok(r.counts.missing > 0 && r.counts.extra > 0);
    assert.ok(only(r, 'missing').some((f) => f.name === 'arch/arm64/include/asm/y.h'));
    const r2 = await verify({ archive, source: src, objtree: obj, arch: 'x86_64' });
    assert.equal(r2.result, 'match');
  });

  it('--config: a flipped option in the archive is reported by name', async () => {
    const { src, obj, archive } = fresh();
    const cfg = join(tmp.dir, `config${seq++}`);
    writeFileSync(cfg, readFileSync(join(obj, '.config'), 'utf8').replace('CONFIG_HZ=250', 'CONFIG_HZ=1000').replace('CONFIG_E1000=m', 'CONFIG_E1000=y'));
    const r = await verify({ archive, source: src, objtree: obj, config: cfg });
    assert.equal(r.result, 'mismatch');
    assert.deepEqual(only(r).map((f) => [f.category, f.name]).sort(), [['config', 'CONFIG_E1000'], ['config', 'CONFIG_HZ']]);
    assert.equal(r.counts.config, 2);
  });

  it('--strict: a kernel-made archive is reproducible; other tar flags are metadata findings', async () => {
    const { src, obj, archive } = fresh();
    const r = await verify({ archive, source: src, objtree: obj, strict: true });
    assert.equal(r.strict?.format, 'gnu');
    assert.equal(r.strict?.tarIdentical, true);
    assert.equal(r.strict?.reproducible, true);
    assert.equal(r.strict?.archiveSha256, execFileSync('sha256sum', [archive], { encoding: 'utf8' }).split(' ')[0]);
    assert.equal(r.result, 'match');
    // Same contents, packed by GNU tar in POSIX format with real owners and another mode: not reproducible.
    const stage = join(tmp.dir, `stage${seq++}`);
    execFileSync('mkdir', ['-p', stage]);
    execFileSync('tar', ['-xJf', archive, '-C', stage]);
    const other = join(tmp.dir, `other${seq++}.tar.xz`);
    execFileSync('tar', ['--format=posix', `--mtime=@${TS}`, '--owner=1000', '--group=1000', '--sort=name', '--mode=a+w', '-I', 'xz', '-cf', other, '-C', stage, '.']);
    const r2 = await verify({ archive: other, source: src, objtree: obj, strict: true });
    assert.equal(r2.counts.differs + r2.counts.missing + r2.counts.extra, 0);
    assert.equal(r2.strict?.reproducible, false);
    assert.equal(r2.strict?.tarIdentical, false);
    assert.equal(r2.result, 'mismatch');
    const details = only(r2, 'metadata').map((f) => f.detail.split(' ')[0] ?? '');
    for (const field of ['tar', 'mode', 'uid', 'gid']) assert.ok(details.includes(field), `${field} in ${details.join(',')}`);
  });

  it('writes nothing: the trees and the archive are unchanged', async () => {
    const { src, obj, archive } = fresh();
    const snap = (root: string): string[] => readdirSync(root, { recursive: true, withFileTypes: false }).map(String)
      .map((n) => `${n}:${statSync(join(root, n)).mtimeMs}`).sort();
    const before = [snap(src), snap(obj), readFileSync(archive)];
    const dirOf = join(archive, '..');
    const listing = readdirSync(dirOf).sort();
    await verify({ archive, source: src, objtree: obj, strict: true });
    assert.deepEqual([snap(src), snap(obj), readFileSync(archive)], before);
    assert.deepEqual(readdirSync(dirOf).sort(), listing);
  });
});

describe('verifyArchive input errors are KheadersErrors', () => {
  let t: { src: string; obj: string; archive: string };
  before(() => { t = fresh(); });
  const rejects = (o: () => VerifyOptions, code: ErrorCode) => async (): Promise<void> => {
    const e = await rejectsWith(verify(o()), code);
    assert.ok(e.fix, 'the error carries a fix');
  };
  it('missing archive', rejects(() => ({ archive: join(t.obj, 'nope.tar.xz'), source: t.src }), 'NOT_FOUND'));
  it('not a kernel tree', rejects(() => ({ archive: t.archive, source: join(t.src, 'include') }), 'NOT_A_KERNEL_TREE'));
  it('missing config file', rejects(() => ({ archive: t.archive, source: t.src, config: join(t.src, 'nope.config') }), 'BAD_INPUT'));
  it('a config file that is not a .config', rejects(() => ({ archive: t.archive, source: t.src, config: join(t.src, 'Makefile') }), 'BAD_INPUT'));
  it('an unknown --arch', rejects(() => ({ archive: t.archive, source: t.src, arch: 'vax' }), 'UNKNOWN_ARCH'));
  it('a hostile archive', async () => {
    const bad = join(tmp.dir, `hostile${seq++}.tar.xz`);
    writeFileSync(bad, realXz(rawTar([{ name: './', type: '5' }, { name: './include/../../etc/passwd', data: 'x' }])));
    await rejects(() => ({ archive: bad, source: t.src }), 'HOSTILE_ENTRY')();
  });
});

// An archive made by the real 6.1 gen_kheaders.sh: test/e2e/tree.e2e.test.ts.
