// cachedBuild, the one key → restore → fallback → build → save flow of both
// fronts, with the CLI's directory-backed port on a real prepared O= tree.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cachedBuild, type CachedBuildOptions } from '../../src/core/cache/cached-build.js';
import { localCache } from '../../src/core/cache/local.js';
import { digestFile, type Written } from '../../src/core/io/atomic.js';
import type { Logger } from '../../src/core/log.js';
import type { BuildSettings } from '../../src/core/settings.js';
import { rejectsWith } from '../helpers/errors.js';
import { tempDir } from '../helpers/kernel-tree.js';
import { TS, writeKernel } from '../helpers/verify-tree.js';

const tmp = tempDir('kheaders-cached-build-');
after(tmp.cleanup);
const src = join(tmp.dir, 'src');
const obj = join(tmp.dir, 'obj');
writeKernel(src, obj);
let n = 0;

interface Lines { debug: string[]; info: string[]; warning: string[]; error: string[] }
function collector(): { log: Logger; lines: Lines } {
  const lines: Lines = { debug: [], info: [], warning: [], error: [] };
  const log: Logger = {
    debug: (m) => { lines.debug.push(m); },
    info: (m) => { lines.info.push(m); },
    warning: (m) => { lines.warning.push(m); },
    error: (m) => { lines.error.push(m); },
    group: (_name, fn) => fn(),
    progress: () => undefined,
  };
  return { log, lines };
}

/** Build settings for the prepared tree, writing a fresh output path. */
function settings(epoch = TS): BuildSettings {
  return {
    command: 'build',
    tree: { source: src, objtree: obj, arch: 'x86', makeArch: 'x86_64' },
    pack: { mtime: { epoch, origin: 'test' }, compression: 'compat', threads: 1 },
    output: join(tmp.dir, `out${n++}`, 'kheaders_data.tar.xz'),
  };
}

const keyRe = new RegExp(`^kheaders-${process.platform}-x86-[0-9a-f]{32}$`);

void describe('cachedBuild with a local directory cache', () => {
  const dir = join(tmp.dir, 'cache');
  let built: { key: string; bytes: Buffer; written: Written };

  void it('a miss builds, then stores the output under the key', async () => {
    const { log, lines } = collector();
    const s = settings();
    const r = await cachedBuild(s, { cache: localCache(dir, log) }, log);
    assert.equal(r.origin, 'build');
    assert.deepEqual([r.cacheHit, r.cacheSaved, r.matchedKey], [false, true, undefined]);
    assert.match(r.primaryKey ?? '', keyRe);
    assert.equal(r.primaryKey, `kheaders-${process.platform}-x86-${r.keyMd5}`);
    assert.ok(r.build !== undefined, 'it built');
    assert.equal(r.build.archive, s.output);
    const bytes = readFileSync(s.output);
    const entry = join(dir, `${r.primaryKey}.tar.xz`);
    assert.deepEqual(readFileSync(entry), bytes);
    const digests = (w: Written): Written => ({ md5: w.md5, sha256: w.sha256, size: w.size });
    assert.deepEqual(digests(r.written), await digestFile(s.output));
    assert.ok(lines.info.some((l) => l === `cached as ${entry}`), lines.info.join('\n'));
    // that it holds the tar the kernel's own tools make (find/cpio): test/tools/cached-build-oracle.test.ts
    built = { key: r.primaryKey ?? '', bytes, written: digests(r.written) };
  });

  void it('a hit restores byte for byte without building', async () => {
    const { log, lines } = collector();
    const s = settings();
    const r = await cachedBuild(s, { cache: localCache(dir, log) }, log);
    assert.equal(r.origin, 'cache');
    assert.equal(r.build, undefined);
    assert.deepEqual([r.cacheHit, r.cacheSaved, r.matchedKey, r.primaryKey], [true, false, built.key, built.key]);
    assert.deepEqual(readFileSync(s.output), built.bytes);
    assert.deepEqual(r.written, built.written);
    assert.ok(lines.info.some((l) => l.startsWith('cache hit: ')));
  });

  void it('a damaged or planted entry is no hit: it is removed with a warning, and the archive is built', async () => {
    const { log, lines } = collector();
    const other = join(tmp.dir, 'cache-planted');
    const s = settings();
    const first = await cachedBuild(settings(), { cache: localCache(other, log) }, log);
    const entry = join(other, `${first.primaryKey}.tar.xz`);
    const good = readFileSync(entry);
    writeFileSync(entry, good.subarray(0, good.length - 100)); // truncated
    const r = await cachedBuild(s, { cache: localCache(other, log) }, log);
    assert.equal(r.origin, 'build');
    assert.ok(lines.warning.some((w) => /is damaged/.test(w)), lines.warning.join('\n'));
    assert.deepEqual(readFileSync(s.output), good);
    assert.deepEqual(readFileSync(entry), good, 'the rebuilt archive is stored again');
  });

  void it('another mtime is another key: a miss', async () => {
    const { log } = collector();
    const r = await cachedBuild(settings(TS + 1), { cache: localCache(dir, log) }, log);
    assert.equal(r.origin, 'build');
    assert.notEqual(r.primaryKey, built.key);
    assert.equal(r.cacheSaved, true);
  });
});

void describe('cachedBuild fallback', () => {
  void it('after a miss, a fallback that returns a Written is used: no build, and it is stored', async () => {
    const { log } = collector();
    const dir = join(tmp.dir, 'cache-fb');
    const s = settings();
    const asked: string[] = [];
    const fallback: CachedBuildOptions['fallback'] = async (keyMd5) => {
      asked.push(keyMd5);
      writeFileSync(s.output, 'from the fallback');
      return digestFile(s.output);
    };
    const r = await cachedBuild(s, { cache: localCache(dir, log), fallback }, log);
    assert.equal(r.origin, 'fallback');
    assert.equal(r.build, undefined);
    assert.deepEqual(asked, [r.keyMd5]);
    assert.equal(r.written.size, 'from the fallback'.length);
    assert.equal(r.cacheSaved, true);
    assert.equal(readFileSync(join(dir, `${r.primaryKey}.tar.xz`), 'utf8'), 'from the fallback');
  });

  void it('a fallback that returns undefined means build', async () => {
    const { log } = collector();
    const s = settings();
    let calls = 0;
    const r = await cachedBuild(s, { cache: localCache(join(tmp.dir, 'cache-fb2'), log), fallback: () => { calls++; return Promise.resolve(undefined); } }, log);
    assert.equal(calls, 1);
    assert.equal(r.origin, 'build');
    assert.ok(r.build !== undefined);
    assert.equal(r.cacheSaved, true);
  });

  void it('a hit never asks the fallback', async () => {
    const { log } = collector();
    const dir = join(tmp.dir, 'cache-fb3');
    await cachedBuild(settings(), { cache: localCache(dir, log) }, log);
    let calls = 0;
    const r = await cachedBuild(settings(), { cache: localCache(dir, log), fallback: () => { calls++; return Promise.resolve(undefined); } }, log);
    assert.deepEqual([r.origin, calls], ['cache', 0]);
  });

  void it('without a cache: no key unless alwaysKey, and the fallback needs the key', async () => {
    const { log } = collector();
    let calls = 0;
    const fallback = (): Promise<undefined> => { calls++; return Promise.resolve(undefined); };
    const plain = await cachedBuild(settings(), { fallback }, log);
    assert.deepEqual([plain.origin, plain.keyMd5, plain.primaryKey, calls], ['build', undefined, undefined, 0]);
    const keyed = await cachedBuild(settings(), { alwaysKey: true, keyPrefix: 'kh-x', fallback }, log);
    assert.equal(calls, 1);
    assert.equal(keyed.primaryKey, `kh-x-${process.platform}-x86-${keyed.keyMd5}`);
    assert.deepEqual([keyed.cacheHit, keyed.cacheSaved], [false, false]);
  });
});

void describe('cachedBuild cache failures', () => {
  void it('a cache dir that cannot be written warns and still builds', async () => {
    const { log, lines } = collector();
    const file = join(tmp.dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const s = settings();
    const r = await cachedBuild(s, { cache: localCache(join(file, 'cache'), log) }, log);
    assert.deepEqual([r.origin, r.cacheHit, r.cacheSaved], ['build', false, false]);
    assert.ok(existsSync(s.output));
    assert.ok(lines.warning.some((w) => w.startsWith('not cached: ')), lines.warning.join('\n'));
  });

  void it('a key prefix that is not a plain file name is BAD_INPUT', async () => {
    const { log } = collector();
    await rejectsWith(cachedBuild(settings(), { cache: localCache(join(tmp.dir, 'c4'), log), keyPrefix: '../up' }, log), 'BAD_INPUT');
  });

  void it('an unprepared tree without a config fails before anything is cached', async () => {
    const { log } = collector();
    const bare = join(tmp.dir, 'bare');
    mkdirSync(bare);
    writeKernel(bare);
    const dir = join(tmp.dir, 'c5');
    const s: BuildSettings = { ...settings(), tree: { source: bare, arch: 'x86', makeArch: 'x86_64' } };
    await rejectsWith(cachedBuild(s, { cache: localCache(dir, log) }, log), 'TREE_NOT_PREPARED');
    assert.equal(existsSync(dir) ? execFileSync('ls', [dir]).toString() : '', '');
  });
});
