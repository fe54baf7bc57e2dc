import assert from 'node:assert/strict';
import { chmod, lstat, lutimes, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { archiveOrder, type TarItem } from '../../src/core/build/order.js';
import { packTar, tarHeader } from '../../src/core/build/tar.js';
import type { HeaderEntry } from '../../src/core/types.js';
import { throwsWith } from '../helpers/errors.js';
import { gnuList, gnuTar, listTree } from '../helpers/gnutar.js';

const MTIME = 1700000000;
const temps: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'kh-pack-'));
  temps.push(d);
  return d;
}
after(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

function content(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff;
  return b;
}
async function put(root: string, rel: string, data: Buffer | string): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await writeFile(join(root, rel), data);
}
async function link(root: string, rel: string, target: string): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await symlink(target, join(root, rel));
}
/** A relative name whose archive name ('./' + rel + suffix) is exactly n UTF-8 bytes. */
function sized(prefix: string, n: number, suffix = ''): string {
  const fill = n - Buffer.byteLength(`./${prefix}${suffix}`);
  assert.ok(fill > 0);
  return prefix + 'n'.repeat(fill);
}

const readLoad = (it: TarItem): Promise<Buffer> => readFile((it.entry as HeaderEntry).path);

async function ours(root: string, dirs: 'all' | 'empty' = 'empty', shuffle = false): Promise<Buffer> {
  const entries = await listTree(root, dirs);
  if (shuffle) entries.reverse();
  return buffer(packTar(archiveOrder(entries), MTIME, readLoad, { readAhead: 8 }));
}

/** Asserts equal bytes; on mismatch names the member where they first differ. */
function assertSameTar(actual: Buffer, expected: Buffer): void {
  if (actual.equals(expected)) return;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const block = Math.floor(i / 512) * 512;
  const name = (b: Buffer): string => b.subarray(block, block + 100).toString('utf8').replace(/\0.*$/s, '');
  assert.fail(
    `tar bytes differ at offset ${i} (block at ${block}; ours ${JSON.stringify(name(actual))}, ` +
      `GNU ${JSON.stringify(name(expected))}); lengths ${actual.length} vs ${expected.length}`,
  );
}

describe('packTar against GNU tar 1.34', () => {
  let root = '';
  const sortNames = ['é', 'Z', 'a', '_', '-', '\u{1F600}', '\uFF01', 'a.b', 'A', '~'];

  before(async () => {
    root = await tempDir();
    const sizes = [0, 1, 511, 512, 513, 10239, 10240, 10241, 70000];
    for (const [i, s] of sizes.entries()) await put(root, `include/linux/size${s}.h`, content(s, i));
    await put(root, 'include/a/b/c/d.h', '#define D 1\n');
    await put(root, 'include/a.b', 'x');
    await put(root, 'include/a-', 'y');
    await put(root, 'include/a_', 'z');
    await put(root, 'include/exe.h', 'exec\n');
    await chmod(join(root, 'include/exe.h'), 0o755);
    await put(root, 'include/private.h', 'p\n');
    await chmod(join(root, 'include/private.h'), 0o600);
    await mkdir(join(root, 'include/empty'), { recursive: true });
    await put(root, 'arch/x.h/y.h', 'dir named x.h\n');
    for (const n of sortNames) await put(root, `u/${n}`, n);
    await mkdir(join(root, 'u/Zdir/sub'), { recursive: true });
    await put(root, 'u/Zdir/sub/k.h', 'k');
    // Symlinks: short, dangling, to a dir, targets across the 100-byte field.
    await link(root, 'links/short', '../include/a.b');
    await link(root, 'links/dangling', 'does/not/exist.h');
    await link(root, 'links/dir', '../include');
    for (const n of [99, 100, 101, 102, 600]) await link(root, `links/t${n}`, 't'.repeat(n));
    await link(root, 'links/utf8t', 'é'.repeat(50) + 'x'); // 101 bytes, 51 chars
    await link(root, sized('links/', 130), 'q'.repeat(140)); // long name and long target
    // Names across the 100-byte field (archive name = './' + rel).
    for (const n of [98, 99, 100, 101, 102]) {
      await put(root, sized('f/', n), `file ${n}`);
      await mkdir(join(root, sized('d/', n, '/')), { recursive: true });
    }
    await put(root, `${sized('d/', 100, '/')}/inner.h`, 'inner');
    const deep = ['p'.repeat(200), 'q'.repeat(200), 'r'.repeat(200)].join('/');
    await put(root, `deep/${deep}/leaf.h`, 'deep');
    // Multi-byte characters straddling and touching byte 100.
    await put(root, sized('m/', 99) + 'é', 'straddles'); // 101 bytes
    await put(root, sized('m/', 98) + 'é', 'ends at 100'); // 100 bytes
    await put(root, sized('m/', 98) + '\u{1F600}', 'astral'); // 102 bytes
    await put(root, sized('m/', 96) + '\u{1F600}', 'astral fits'); // 100 bytes
  });

  it('matches byte for byte (only empty dirs listed)', async () => {
    assertSameTar(await ours(root), await gnuTar(root, MTIME));
  });

  it('matches byte for byte with every dir listed, in reverse order', async () => {
    assertSameTar(await ours(root, 'all', true), await gnuTar(root, MTIME));
  });

  it('orders members by UTF-8 bytes like tar --sort=name', async () => {
    const tarFile = join(await tempDir(), 'gnu.tar');
    await writeFile(tarFile, await gnuTar(root, MTIME));
    const listed = (await gnuList(tarFile)).trimEnd().split('\n');
    const order = archiveOrder(await listTree(root));
    assert.equal(order.length, listed.length);
    order.forEach((item, i) => assert.ok(listed[i].includes(` ${item.name}`), `member ${i}: ${item.name} vs ${listed[i]}`));
    // The tree must actually tell byte order from JS string order.
    const byBytes = order.filter((i) => /^\.\/u\/[^/]+\/?$/.test(i.name)).map((i) => i.name.slice(4).replace(/\/$/, ''));
    assert.deepEqual(byBytes.slice().sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))), byBytes);
    assert.notDeepEqual([...byBytes].sort(), byBytes);
  });

  it('pads to whole 10240-byte records at every boundary', async () => {
    for (let n = 14; n <= 19; n++) {
      const d = await tempDir();
      for (let i = 0; i < n; i++) await put(d, `e${String(i).padStart(2, '0')}`, '');
      assertSameTar(await ours(d), await gnuTar(d, MTIME));
    }
  });

  it('matches tar without --mtime when every member carries its own mtime', async () => {
    const d = await tempDir();
    await put(d, 'x/a.h', 'a');
    await put(d, 'x/y/b.h', 'b');
    await link(d, 'x/l', 'a.h');
    const times: Array<[string, number]> = [['x/a.h', 1600000001], ['x/y/b.h', 1600000002], ['x/y', 1600000003], ['x', 1600000004], ['', 1600000005]];
    await lutimes(join(d, 'x/l'), 1600000006, 1600000006);
    for (const [rel, t] of times) await utimes(join(d, rel), t, t);
    const items = archiveOrder(await listTree(d));
    for (const item of items) item.mtime = Math.floor((await lstat(join(d, item.name))).mtimeMs / 1000);
    assertSameTar(await buffer(packTar(items, 0, readLoad)), await gnuTar(d, undefined));
  });
});

describe('tarHeader', () => {
  it('writes checksums that tar -tvf accepts, and tar rejects a corrupted one', async () => {
    const d = await tempDir();
    const members: Array<{ name: string; kind: 'dir' | 'file' | 'symlink'; size: number; target?: string }> = [
      { name: './', kind: 'dir', size: 0 },
      { name: './include/', kind: 'dir', size: 0 },
      { name: './include/a.h', kind: 'file', size: 3 },
      { name: `./include/${'é'.repeat(60)}.h`, kind: 'file', size: 0 },
      { name: './include/l', kind: 'symlink', size: 0, target: 'a'.repeat(300) },
    ];
    const parts: Buffer[] = [];
    for (const m of members) {
      parts.push(tarHeader(m, MTIME));
      if (m.size) parts.push(Buffer.concat([Buffer.from('abc'), Buffer.alloc(509)]));
    }
    parts.push(Buffer.alloc(1024));
    const good = Buffer.concat(parts);
    await writeFile(join(d, 'good.tar'), good);
    const when = new Date(MTIME * 1000).toISOString().replace('T', ' ').replace('.000Z', '');
    const lines = (await gnuList(join(d, 'good.tar'))).trimEnd().split('\n');
    assert.equal(lines.length, members.length);
    members.forEach((m, i) => {
      const perm = m.kind === 'dir' ? 'drwxr-xr-x' : m.kind === 'symlink' ? 'lrw-r--r--' : '-rw-r--r--';
      const tail = m.target ? `${m.name} -> ${m.target}` : m.name;
      assert.match(lines[i], new RegExp(`^${perm} 0/0 +${m.size} ${when} `));
      assert.ok(lines[i].endsWith(` ${tail}`), lines[i]);
    });
    const bad = Buffer.from(good);
    bad[512 + 3] ^= 1; // flips a name byte of ./include/ without fixing its checksum
    await writeFile(join(d, 'bad.tar'), bad);
    await assert.rejects(gnuList(join(d, 'bad.tar')));
  });

  it('rejects what GNU tar could not write the same way', () => {
    throwsWith(() => tarHeader({ name: './a', kind: 'dir', size: 0 }, MTIME), 'BAD_INPUT');
    throwsWith(() => tarHeader({ name: './l', kind: 'symlink', size: 0 }, MTIME), 'BAD_INPUT');
    throwsWith(() => tarHeader({ name: './f', kind: 'file', size: 0 }, -1), 'BAD_INPUT');
    throwsWith(() => tarHeader({ name: './f', kind: 'file', size: 8 ** 11 }, MTIME), 'BAD_INPUT');
  });
});

describe('archiveOrder', () => {
  const e = (name: string, kind: HeaderEntry['kind'] = 'file', target?: string): HeaderEntry => ({ name, path: `/x/${name}`, kind, target, from: 'src' });

  it('adds each directory once and keeps the last copy of a repeated file', () => {
    const first = e('include/a.h');
    const last = { ...e('include/a.h'), from: 'obj' as const };
    const order = archiveOrder([first, e('include', 'dir'), e('include/x.h', 'dir'), e('include/x.h', 'dir'), last]);
    assert.deepEqual(order.map((i) => `${i.kind}:${i.name}`), ['dir:./', 'dir:./include/', 'file:./include/a.h', 'dir:./include/x.h/']);
    assert.equal(order[2].entry, last);
  });

  it('rejects bad names and file/directory conflicts with a fix', () => {
    for (const bad of ['', '/abs.h', 'a//b.h', 'a/../b.h', './a.h', 'a/']) {
      assert.ok(throwsWith(() => archiveOrder([e(bad)]), 'BAD_INPUT').fix, `a fix for ${JSON.stringify(bad)}`);
    }
    throwsWith(() => archiveOrder([e('a'), e('a/b.h')]), 'BAD_INPUT');
    throwsWith(() => archiveOrder([e('a/b.h'), e('a')]), 'BAD_INPUT');
    throwsWith(() => archiveOrder([e('a/b.h', 'symlink')]), 'BAD_INPUT');
  });
});

describe('packTar streaming', () => {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('honours backpressure and read-ahead, and keeps archive order', async () => {
    const root = await tempDir();
    const files = 300;
    const size = 20 * 1024;
    for (let i = 0; i < files; i++) await put(root, `big/${String(i).padStart(3, '0')}.h`, content(size, i));
    const readAhead = 4;
    let started = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const load = async (it: TarItem): Promise<Buffer> => {
      started++;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      const data = await readLoad(it);
      await sleep(Math.floor(Math.random() * 3)); // completes out of order
      inFlight--;
      return data;
    };
    const stream: Readable = packTar(archiveOrder(await listTree(root)), MTIME, load, { readAhead });
    const chunks: Buffer[] = [];
    let consumed = 0;
    let worst = -Infinity;
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      consumed += (chunk as Buffer).length;
      // Files the producer may have finished: consumed + stream buffer + staging.
      const allowed = Math.floor((consumed + 256 * 1024) / (size + 512)) + readAhead + 2;
      worst = Math.max(worst, started - allowed);
      if (chunks.length % 4 === 0) await sleep(1); // a slow consumer
    }
    assert.ok(worst <= 0, `started ${-worst} loads beyond what backpressure allows`);
    assert.ok(maxInFlight <= readAhead && maxInFlight > 1, `max in flight ${maxInFlight}`);
    assert.equal(started, files);
    assertSameTar(Buffer.concat(chunks), await gnuTar(root, MTIME));
  });

  it('fails the stream with the load error and leaves no unhandled rejection', async () => {
    const items = archiveOrder(Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, path: `/none/f${i}`, kind: 'file' as const, from: 'src' as const })));
    const boom = new Error('cannot read f3');
    const load = async (it: TarItem): Promise<Buffer> => {
      if (it.name === './f3') throw boom;
      await sleep(5);
      return Buffer.from(it.name);
    };
    let unhandled: unknown;
    const onUnhandled = (r: unknown): void => { unhandled = r; };
    process.on('unhandledRejection', onUnhandled);
    try {
      await assert.rejects(buffer(packTar(items, MTIME, load, { readAhead: 8 })), (err) => err === boom);
      await sleep(20);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.equal(unhandled, undefined);
  });
});
