import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cacheLookup, cacheRestore, cacheStore, defaultCacheDir, entryPath } from '../../src/core/cache/local.js';
import { tempDir } from '../helpers/action-tree.js';
import { asNobody, isRoot, sharedDir } from '../helpers/as-nobody.js';
import { rejectsWith, throwsWith } from '../helpers/errors.js';

const tmp = tempDir('kheaders-cachedir-');
after(tmp.cleanup);

void describe('local cache directory', () => {
  void it('defaults to $XDG_CACHE_HOME/kheaders, else ~/.cache/kheaders (relative XDG ignored)', () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' }, '/home/u'), '/x/cache/kheaders');
    assert.equal(defaultCacheDir({}, '/home/u'), '/home/u/.cache/kheaders');
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: 'rel/cache' }, '/home/u'), '/home/u/.cache/kheaders');
  });

  void it('misses, stores, hits and restores byte for byte', async () => {
    const dir = join(tmp.dir, 'c1');
    const key = 'kheaders-linux-x86-0123456789abcdef0123456789abcdef';
    const src = join(tmp.dir, 'a.tar.xz');
    writeFileSync(src, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 1, 2, 3]));
    assert.equal(await cacheLookup(dir, key), undefined);
    assert.equal(await cacheRestore(dir, key, join(tmp.dir, 'never.tar.xz')), false);
    assert.equal(existsSync(join(tmp.dir, 'never.tar.xz')), false);
    const stored = await cacheStore(dir, key, src);
    assert.equal(stored, join(dir, `${key}.tar.xz`));
    assert.equal(await cacheLookup(dir, key), stored);
    const dest = join(tmp.dir, 'out/deep/kheaders_data.tar.xz');
    assert.equal(await cacheRestore(dir, key, dest), true);
    assert.deepEqual(readFileSync(dest), readFileSync(src));
    assert.deepEqual(readdirSync(dir).sort(), [`${key}.tar.xz`, `${key}.tar.xz.sha256`], 'the entry and its digest, no temp files');
    assert.equal(readFileSync(`${stored}.sha256`, 'utf8'), `${execFileSync('sha256sum', [src], { encoding: 'utf8' }).split(' ')[0]}\n`);
  });

  void it('refuses keys that are not plain file names', () => {
    for (const bad of ['../x', 'a/b', '', '.hidden', 'a b']) {
      throwsWith(() => entryPath('/c', bad), 'BAD_INPUT');
    }
  });

  void it('an unwritable cache dir is a KheadersError whose fix names --cache-dir, and leaves nothing', async (t) => {
    // Root can write anywhere: as root, the store runs as nobody in a root-owned 0755 directory.
    const base = sharedDir('kheaders-cachedir-ro-');
    t.after(() => rmSync(base, { recursive: true, force: true }));
    const dir = join(base, 'ro');
    mkdirSync(dir, { mode: 0o755 });
    const src = join(base, 'b.tar.xz');
    writeFileSync(src, 'x', { mode: 0o644 });
    let store: Promise<unknown>;
    if (isRoot) {
      store = asNobody(base, `const { cacheStore } = await import(\`\${SRC}/core/cache/local.js\`);
await cacheStore(${JSON.stringify(dir)}, 'k', ${JSON.stringify(src)});`);
    } else {
      chmodSync(dir, 0o500);
      store = cacheStore(dir, 'k', src);
    }
    await rejectsWith(store, 'WRITE_FAILED', undefined, /--cache-dir/);
    assert.deepEqual(readdirSync(dir), []);
  });

  void it('a failed copy leaves neither the entry nor a temp file', async () => {
    const dir = join(tmp.dir, 'c2');
    await rejectsWith(cacheStore(dir, 'k', join(tmp.dir, 'does-not-exist.tar.xz')), 'WRITE_FAILED');
    assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], []);
  });
});
