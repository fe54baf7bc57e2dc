import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { archiveRelease, unpackArchive, usageHints } from '../../src/core/io/unpack.js';
import { parseUtsRelease } from '../../src/core/archive/identity.js';
import { makeHeadersArchive, type HeadersFixture } from '../helpers/headers-archive.js';
import { hostileCorpus } from '../helpers/hostile.js';
import { rejectsWith } from '../helpers/errors.js';

let dir: string;
let fx: HeadersFixture;
const isRoot = process.geteuid?.() === 0;

/** Every entry under root: kind, mode, mtime, and contents or link target. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = relative(root, p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(p)}`;
      else if (st.isDirectory()) { out[rel] = `dir ${mode} ${Math.floor(st.mtimeMs / 1000)}`; walk(p); }
      else out[rel] = `file ${mode} ${Math.floor(st.mtimeMs / 1000)} ${readFileSync(p, 'base64')}`;
    }
  };
  walk(root);
  return out;
}

/** Paths directly in dir (to see leftovers such as temp dirs). */
const entries = (d: string): string[] => readdirSync(d).sort();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kh-extract-'));
  fx = makeHeadersArchive(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('unpackArchive', () => {
  it('gives the same tree as GNU tar -x (contents, modes, mtimes, relative symlink kept)', async () => {
    const oracle = join(dir, 'oracle');
    mkdirSync(oracle);
    execFileSync('tar', ['-xf', fx.archive, '-C', oracle]);
    const target = join(dir, 'out1');
    const res = await unpackArchive(readFileSync(fx.archive), target);
    assert.deepEqual(snapshot(target), snapshot(oracle));
    assert.equal(readlinkSync(join(target, 'include/linux/types-link.h')), 'types.h');
    assert.equal(res.release, fx.release);
    assert.equal(res.symlinks, 1);
    assert.equal(res.files, Object.values(snapshot(oracle)).filter((v) => v.startsWith('file')).length);
    assert.equal((lstatSync(target).mode & 0o777).toString(8), (lstatSync(oracle).mode & 0o777).toString(8));
  });

  it('as root, the result is root-owned even when the archive names another owner', { skip: !isRoot && 'needs root' }, async () => {
    const tree = fx.tree;
    const odd = join(dir, 'odd-owner.tar.xz');
    execFileSync('tar', ['--owner=1234', '--group=1234', '--numeric-owner', '-I', 'xz', '-cf', odd, '-C', tree, '.']);
    const target = join(dir, 'owned');
    await unpackArchive(odd, target);
    const walk = (p: string): void => {
      const st = lstatSync(p);
      assert.equal(st.uid, 0, p);
      assert.equal(st.gid, 0, p);
      if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    };
    walk(target);
  });

  it('hostile archives: refused, nothing written, no temp dir left', async () => {
    for (const c of hostileCorpus()) {
      const parent = join(dir, 'hostile', c.name.replace(/\W+/g, '-'));
      mkdirSync(parent, { recursive: true });
      const target = join(parent, 'headers');
      await rejectsWith(unpackArchive(c.bytes, target, { limits: c.limits }), c.code)
        .catch((e: Error) => assert.fail(`${c.name}: ${e.message}`));
      assert.deepEqual(entries(parent), [], c.name);
    }
  });

  it('truncated archive (fails after some members were read): target never appears', async () => {
    const xz = readFileSync(fx.archive);
    const parent = join(dir, 'trunc');
    mkdirSync(parent);
    await rejectsWith(unpackArchive(xz.subarray(0, xz.length - 20), join(parent, 'h')), 'CORRUPT_ARCHIVE');
    assert.deepEqual(entries(parent), []);
  });

  it('existing non-empty target: a previous extraction (only include/) is replaced atomically; other content is refused, also with replace', async () => {
    const target = join(dir, 'existing');
    mkdirSync(join(target, 'include'), { recursive: true });
    writeFileSync(join(target, 'include', 'stale.h'), 'old');
    await unpackArchive(fx.archive, target);
    assert.equal(existsSync(join(target, 'include', 'stale.h')), false);
    assert.ok(existsSync(join(target, 'include/linux/kconfig.h')));
    assert.deepEqual(entries(dir).filter((n) => n.startsWith('.existing')), []);
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'mine');
    for (const replace of [false, true]) await rejectsWith(unpackArchive(fx.archive, mine, { replace }), 'BAD_INPUT', /not a directory kheaders extracted: it holds notes\.txt/);
    assert.equal(readFileSync(join(mine, 'notes.txt'), 'utf8'), 'mine');
  });

  it('existing empty target dir is filled', async () => {
    const target = join(dir, 'empty');
    mkdirSync(target);
    await unpackArchive(fx.archive, target);
    assert.ok(existsSync(join(target, 'include/generated/utsrelease.h')));
  });

  it('a target owned by someone else is refused, even with replace', { skip: !isRoot && 'needs root to chown' }, async () => {
    const target = join(dir, 'planted');
    mkdirSync(target);
    chownSync(target, 4321, 4321);
    await rejectsWith(unpackArchive(fx.archive, target, { replace: true }), 'BAD_INPUT');
    assert.ok(existsSync(target), 'the planted directory is left alone');
  });
});

describe('release and hints', () => {
  it('archiveRelease reads UTS_RELEASE from the archive', async () => {
    assert.equal(await archiveRelease(fx.archive), fx.release);
    assert.equal(await archiveRelease(readFileSync(fx.archive)), fx.release);
  });
  it('parseUtsRelease', () => {
    assert.equal(parseUtsRelease('#define UTS_RELEASE "6.1.0-13-amd64"\n'), '6.1.0-13-amd64');
    assert.equal(parseUtsRelease('nothing'), undefined);
  });
  it('usageHints names both variables and warns when kconfig.h is missing', () => {
    const ok = usageHints('/tmp/kheaders-x', true).join('\n');
    assert.match(ok, /BCC_KERNEL_SOURCE=\/tmp\/kheaders-x/);
    assert.match(ok, /BPFTRACE_KERNEL_SOURCE=\/tmp\/kheaders-x/);
    assert.doesNotMatch(ok, /kconfig\.h/);
    assert.match(usageHints('/d', false).join('\n'), /kconfig\.h is missing/);
  });
});
