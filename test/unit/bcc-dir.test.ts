// The headers directory is bcc's shared ${TMPDIR:-/tmp}/kheaders-<release>:
// bcc's rules and more (headers-dir.ts, docs/extract.md#the-shared-headers-directory).
// Real trees on disk; a directory or link planted by `nobody` through runuser.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpackArchive } from '../../src/core/io/unpack.js';
import { recordPath } from '../../src/core/io/headers-dir.js';
import { extractArchive } from '../../src/core/extract/extract.js';
import { nullLogger } from '../../src/core/log.js';
import { collector } from '../helpers/action-inproc.js';
import { rejectsWith } from '../helpers/errors.js';
import { makeHeadersArchive, type HeadersFixture } from '../helpers/headers-archive.js';
import { snapshot, tarExtract } from '../helpers/packages.js';

const isRoot = process.geteuid?.() === 0;
const NEEDS_ROOT = !isRoot && 'needs root (to plant as nobody through runuser)';
let dir: string;
let a: HeadersFixture;
let b: HeadersFixture;
let n = 0;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kh-bccdir-'));
  chmodSync(dir, 0o1777); // like /tmp: nobody may plant here
  a = makeHeadersArchive(dir, { name: 'a', release: '6.1.0-kh-a' });
  b = makeHeadersArchive(dir, { name: 'b', release: '6.1.0-kh-b', filler: 1000 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const fresh = (): string => join(dir, `kheaders-${n++}`);
const ino = (p: string): number => lstatSync(p).ino;
const asNobody = (...cmd: string[]): void => { execFileSync('runuser', ['-u', 'nobody', '--', ...cmd]); };
const leftovers = (target: string): string[] => readdirSync(dir).filter((f) => f.startsWith(`.kheaders-${target.split('kheaders-')[1]}.`));

void describe('a directory of ours', () => {
  void it('is extracted as tar -x makes it, with the record next to it and nothing added inside', async () => {
    const t = fresh();
    const r = await unpackArchive(a.archive, t);
    assert.equal(r.reused, undefined);
    assert.deepEqual(snapshot(t), snapshot(tarExtract(a.archive, join(dir, `oracle-${n}`))));
    const rec = readFileSync(recordPath(t), 'utf8');
    assert.match(rec, /^[0-9a-f]{64} {2}kheaders\.tar\.xz\n# files=\d+ symlinks=1 bytes=\d+\n$/);
    assert.equal(rec.slice(0, 64), execFileSync('sha256sum', [a.archive], { encoding: 'utf8' }).slice(0, 64));
    assert.equal(statSync(recordPath(t)).uid, statSync(t).uid, 'owned like the directory');
  });

  void it('complete and holding this archive: kept as it is (same inode, nothing written), unless --force', async () => {
    const t = fresh();
    await unpackArchive(a.archive, t);
    const before = { dir: ino(t), rec: ino(recordPath(t)), kconfig: ino(join(t, 'include/linux/kconfig.h')) };
    for (let run = 0; run < 2; run++) {
      const c = collector();
      const r = await unpackArchive(a.archive, t, { log: c.log });
      assert.equal(r.reused, true);
      assert.equal(r.release, a.release);
      assert.match(c.lines.info.join('\n'), /kept .*already holds this archive/);
      assert.deepEqual({ dir: ino(t), rec: ino(recordPath(t)), kconfig: ino(join(t, 'include/linux/kconfig.h')) }, before);
    }
    const forced = await unpackArchive(a.archive, t, { replace: true });
    assert.equal(forced.reused, undefined);
    assert.notEqual(ino(t), before.dir, '--force extracts again');
  });

  const stale: Array<[string, (t: string) => void, RegExp]> = [
    ['kconfig.h deleted (bcc would ignore it)', (t) => rmSync(join(t, 'include/linux/kconfig.h')), /incomplete or changed/],
    ['half-deleted by a tmp cleaner', (t) => rmSync(join(t, 'arch'), { recursive: true }), /incomplete or changed/],
    ['a file changed size', (t) => writeFileSync(join(t, 'include/linux/types.h'), 'x'), /incomplete or changed/],
    ['a file added', (t) => writeFileSync(join(t, 'include/linux/new.h'), ''), /incomplete or changed/],
    ['no record (as bcc extracts it itself)', (t) => rmSync(recordPath(t)), /no record/],
    ['writable by others', (t) => chmodSync(t, 0o777), /writable by others/],
    ['the record is a symlink', (t) => { rmSync(recordPath(t)); writeFileSync(join(dir, 'rec-target'), readFileSync(join(dir, 'saved-rec'))); symlinkSync(join(dir, 'rec-target'), recordPath(t)); }, /no record/],
  ];
  for (const [label, spoil, why] of stale) {
    void it(`stale — ${label}: replaced atomically (one rule for the shared directory and --output)`, async () => {
      const t = fresh();
      await unpackArchive(a.archive, t);
      writeFileSync(join(dir, 'saved-rec'), readFileSync(recordPath(t)));
      spoil(t);
      const old = ino(t);
      const c = collector();
      const r = await unpackArchive(a.archive, t, { log: c.log });
      assert.equal(r.reused, undefined);
      assert.match(c.lines.info.join('\n'), why);
      assert.notEqual(ino(t), old);
      assert.deepEqual(snapshot(t), snapshot(tarExtract(a.archive, join(dir, `oracle-${n}`))));
      assert.ok(lstatSync(recordPath(t)).isFile(), 'a fresh record, not the link');
      assert.deepEqual(leftovers(t), [], 'no staging or aside directory left');
      if (existsSync(join(dir, 'rec-target'))) assert.ok(readFileSync(join(dir, 'rec-target')).equals(readFileSync(join(dir, 'saved-rec'))), 'nothing written through the link');
      assert.equal((await unpackArchive(a.archive, t)).reused, true, 'and kept on the next run');
    });
  }

  void it('another archive: replaced in the shared directory (the new tree, the new record)', async () => {
    const t = fresh();
    await unpackArchive(a.archive, t);
    const r = await unpackArchive(b.archive, t);
    assert.equal(r.release, b.release);
    assert.deepEqual(snapshot(t), snapshot(tarExtract(b.archive, join(dir, `oracle-${n}`))));
    assert.equal(readFileSync(recordPath(t), 'utf8').slice(0, 64), execFileSync('sha256sum', [b.archive], { encoding: 'utf8' }).slice(0, 64));
  });

  void it('extractArchive: the default ${TMPDIR}/kheaders-<release> and an explicit --output follow one rule', async () => {
    const tmp = mkdtempSync(join(dir, 'tmpdir-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const t = join(tmp, `kheaders-${a.release}`);
      mkdirSync(join(t, 'include'), { recursive: true });
      writeFileSync(join(t, 'include', 'left-over.h'), '');
      const r = await extractArchive({ from: a.archive }, nullLogger);
      assert.equal(r.headersDir, t);
      assert.equal(existsSync(join(t, 'include', 'left-over.h')), false, 'a half-deleted extraction (only include/) is replaced');
      for (const output of [undefined, t]) {
        const c = collector();
        assert.equal((await extractArchive({ from: a.archive, output }, c.log)).headersDir, t, 'the same archive again is fine');
        assert.match(c.lines.info.join('\n'), /kept .*already holds this archive/, `kept (${output ?? 'default'})`);
      }
      const c = collector();
      assert.equal((await extractArchive({ from: b.archive, output: t }, c.log)).release, b.release);
      assert.match(c.lines.info.join('\n'), /replacing .*another archive/);
      assert.deepEqual(snapshot(t), snapshot(tarExtract(b.archive, join(dir, `oracle-${n++}`))));
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});

void describe('what is not ours', () => {
  void it('a directory planted by nobody: refused with every policy, left alone', { skip: NEEDS_ROOT }, async () => {
    const t = fresh();
    asNobody('mkdir', t);
    asNobody('touch', join(t, 'planted.h'));
    for (const opts of [{}, { replace: true }]) {
      await rejectsWith(unpackArchive(a.archive, t, opts), 'BAD_INPUT', /belongs to uid 65534.*planted/, /remove it/);
    }
    assert.deepEqual(readdirSync(t), ['planted.h']);
    assert.equal(existsSync(recordPath(t)), false);
  });

  void it('an empty directory planted by nobody: refused too (bcc checks the owner, so do we)', { skip: NEEDS_ROOT }, async () => {
    const t = fresh();
    asNobody('mkdir', t);
    await rejectsWith(unpackArchive(a.archive, t), 'BAD_INPUT', /belongs to uid 65534/);
  });

  void it('a symlink planted by nobody at the target: refused, its target never written', { skip: NEEDS_ROOT }, async () => {
    const t = fresh();
    const victim = mkdtempSync(join(dir, 'victim-'));
    asNobody('ln', '-s', victim, t);
    for (const opts of [{}, { replace: true }]) {
      await rejectsWith(unpackArchive(a.archive, t, opts), 'BAD_INPUT', /symbolic link, owned by uid 65534.*never writes through/);
    }
    assert.deepEqual(readdirSync(victim), []);
    assert.ok(lstatSync(t).isSymbolicLink());
  });

  void it('a symlink of our own at the target: refused all the same', async () => {
    const t = fresh();
    const victim = mkdtempSync(join(dir, 'victim-'));
    symlinkSync(victim, t);
    await rejectsWith(unpackArchive(a.archive, t), 'BAD_INPUT', /symbolic link; kheaders never writes through/);
    assert.deepEqual(readdirSync(victim), []);
  });

  void it('a record planted by nobody next to our directory: not trusted (the tree is replaced), and replaced by ours', { skip: NEEDS_ROOT }, async () => {
    const t = fresh();
    await unpackArchive(a.archive, t);
    const rec = readFileSync(recordPath(t));
    rmSync(recordPath(t));
    asNobody('sh', '-c', `printf '%s' "$1" > "$2"`, 'sh', rec.toString(), recordPath(t));
    const c = collector();
    await unpackArchive(a.archive, t, { log: c.log });
    assert.match(c.lines.info.join('\n'), /no record/);
    assert.equal(statSync(recordPath(t)).uid, 0);
  });
});
