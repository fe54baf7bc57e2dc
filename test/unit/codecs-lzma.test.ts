// .lzma's two decoders: the system `xz --format=lzma` (spawned, killed when the
// stream stops) and the WebAssembly liblzma (KHEADERS_SYSTEM_CODECS=0), each
// against `unlzma` as the oracle, on what the kernel's `lzma -9` makes, with
// the size it appends. xz is on every machine kheaders runs its tests on.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { systemTool } from '../../src/core/sources/codecs/system-tool.js';
import { decodeStream } from '../../src/core/sources/codecs/table.js';
import { spawnedDuring } from '../helpers/children.js';
import { checkToolStops, drain as drainAs, pieces, restoreSystemCodecsAfter, toolOutput } from '../helpers/codec-stream.js';

const plain = Buffer.concat(Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? randomBytes(60_000) : Buffer.alloc(150_000, `line ${i} of the kernel\n`))));
const lzma = (input: Buffer): Buffer => execFileSync('xz', ['--format=lzma', '-9', '-c'], { input, maxBuffer: 1 << 28 });
const drain = (input: Iterable<Buffer> | AsyncIterable<Buffer>, opts: Parameters<typeof decodeStream>[3] = {}): Promise<Buffer> => drainAs(input, 'lzma', opts);

/** The table's error message for `input`, or 'ok'. */
const outcome = (input: Buffer): Promise<string> => drain([input]).then(() => 'ok', (e: Error) => e.message);

void describe('.lzma: the system xz and the WebAssembly liblzma', () => {
  restoreSystemCodecsAfter();

  void it('uses the system xz when it is on PATH, not with KHEADERS_SYSTEM_CODECS=0', async () => {
    assert.ok(systemTool('xz', { PATH: process.env.PATH })?.endsWith('/xz'), 'xz is on PATH');
    const big = lzma(Buffer.alloc(40 << 20, 'x'));
    process.env.KHEADERS_SYSTEM_CODECS = '1';
    assert.equal(await spawnedDuring('xz', () => drain([big])), true);
    process.env.KHEADERS_SYSTEM_CODECS = '0';
    assert.equal(await spawnedDuring('xz', () => drain([big])), false);
  });

  void it('both decode what unlzma does, with the kernel\'s appended size, in pieces of any size', async () => {
    const packed = lzma(plain);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(plain.length);
    const withSize = Buffer.concat([packed, size]);
    const want = toolOutput('xz', ['-d', '-c', '--format=lzma', '--single-stream'], withSize);
    assert.ok(want?.equals(plain), 'the oracle decodes it');
    for (const env of ['1', '0']) {
      process.env.KHEADERS_SYSTEM_CODECS = env;
      for (const n of [1 << 20, 4096, 7]) assert.ok((await drain(pieces(withSize, n))).equals(plain), `KHEADERS_SYSTEM_CODECS=${env}, pieces of ${n}`);
    }
  });

  void it('both refuse damage, a cut stream and a dictionary over 320 MiB in the same words', async () => {
    const packed = lzma(plain);
    const bad = Buffer.from(packed);
    for (let i = 100; i < 400; i++) bad[i] ^= 0x5a;
    const huge = Buffer.from(packed);
    huge.writeUInt32LE(0x60000000, 1); // a 1.5 GiB dictionary
    const cut = packed.subarray(0, packed.length >> 1);
    for (const input of [bad, cut]) assert.equal(toolOutput('xz', ['-d', '-c', '--format=lzma'], input), undefined, 'the oracle refuses it');
    // The dictionary is a limit, not a size: unlzma without one decodes it; ours has 320 MiB.
    assert.ok(toolOutput('xz', ['-d', '-c', '--format=lzma'], huge)?.equals(plain));
    const said: Record<string, string[]> = {};
    for (const env of ['1', '0']) {
      process.env.KHEADERS_SYSTEM_CODECS = env;
      said[env] = [await outcome(bad), await outcome(huge), await outcome(cut)];
      for (const m of said[env] ?? []) assert.match(m, /^input: corrupt lzma data \(/);
    }
    assert.match(said['1']?.[1] ?? '', /needs more than 320 MiB of memory/);
    assert.equal(said['1']?.[1], said['0']?.[1]);
  });

  void it('system xz: over the cap, an abort, and a reader that stops each kill the child, which exits', async () => {
    process.env.KHEADERS_SYSTEM_CODECS = '1';
    await checkToolStops('lzma', 'xz', lzma(Buffer.alloc(64 << 20, 'x')));
  });
});
