// bzip2's two decoders: the system `bzip2 -dc` (spawned, one process per
// core on a stream cut at block boundaries, killed when the stream stops) and
// seek-bzip (the fallback: no bzip2 on PATH, or KHEADERS_SYSTEM_CODECS=0),
// each against the real bzip2 as the oracle, on what the kernel and pbzip2
// make: one stream, several streams, the kernel's appended size, trailing
// bytes, damage. Needs bzip2 (not on a fresh machine).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import { bzip2Processes } from '../../src/core/sources/codecs/bzip2/parallel.js';
import { splitBzip2 } from '../../src/core/sources/codecs/bzip2/split.js';
import { systemTool } from '../../src/core/sources/codecs/system-tool.js';
import { decodeStream } from '../../src/core/sources/codecs/table.js';
import { childrenOf, spawnedDuring, strayChildren } from '../helpers/children.js';
import { checkToolStops, drain as drainAs, pieces, restoreSystemCodecsAfter, toolOutput } from '../helpers/codec-stream.js';
import { rejectsWith } from '../helpers/errors.js';

const plain = Buffer.concat(Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? randomBytes(60_000) : Buffer.alloc(150_000, `line ${i} of the kernel\n`))));
const bzip2 = (input: Buffer, level = 9): Buffer => execFileSync('bzip2', [`-${level}`, '-c'], { input, maxBuffer: 1 << 28 });
const oracle = (input: Buffer): Buffer | undefined => toolOutput('bzip2', ['-d', '-c'], input);
const drain = (input: Iterable<Buffer> | AsyncIterable<Buffer>, opts: Parameters<typeof decodeStream>[3] = {}): Promise<Buffer> => drainAs(input, 'bzip2', opts);

void describe('bzip2: the system tool and the JS fallback', () => {
  restoreSystemCodecsAfter();

  void it('uses the system bzip2 when it is on PATH; not with KHEADERS_SYSTEM_CODECS=0 or without it on PATH', async () => {
    assert.ok(systemTool('bzip2', { PATH: process.env.PATH })?.endsWith('/bzip2'));
    assert.equal(systemTool('bzip2', { PATH: process.env.PATH, KHEADERS_SYSTEM_CODECS: '0' }), undefined);
    assert.equal(systemTool('bzip2', { PATH: '/nonexistent' }), undefined);
    const big = bzip2(Buffer.alloc(40 << 20, 'x'));
    process.env.KHEADERS_SYSTEM_CODECS = '1';
    assert.equal(await spawnedDuring('bzip2', () => drain([big])), true);
    process.env.KHEADERS_SYSTEM_CODECS = '0';
    assert.equal(await spawnedDuring('bzip2', () => drain([big])), false);
  });

  for (const [name, env] of [['system bzip2', '1'], ['seek-bzip', '0']] as const) {
    void it(`${name}: one stream, concatenated streams (pbzip2), the kernel's appended size and trailing bytes decode as bzip2 -d does`, async () => {
      process.env.KHEADERS_SYSTEM_CODECS = env;
      const one = bzip2(plain);
      const size = Buffer.alloc(4);
      size.writeUInt32LE(plain.length);
      const cases = [
        one,
        Buffer.concat([bzip2(plain.subarray(0, 200_000), 1), bzip2(Buffer.alloc(0)), bzip2(plain.subarray(200_000))]),
        Buffer.concat([one, size]),
        Buffer.concat([one, Buffer.from('trailing garbage')]),
      ];
      for (const [i, c] of cases.entries()) {
        const want = oracle(c) as Buffer;
        assert.ok(want.equals(plain), `case ${i}: the oracle`);
        assert.ok((await drain([c])).equals(want), `case ${i}`);
        assert.ok((await drain(pieces(c, 7 * 1024))).equals(want), `case ${i} in 7 KiB chunks`);
      }
    });

    void it(`${name}: a bad block CRC, a cut stream and a bad stream after the first are "corrupt bzip2 data", as bzip2 -d fails them`, async () => {
      process.env.KHEADERS_SYSTEM_CODECS = env;
      const one = bzip2(plain);
      const flipped = Buffer.from(one);
      flipped[one.length >> 1] ^= 0x40;
      for (const bad of [flipped, one.subarray(0, one.length >> 1), Buffer.concat([one, Buffer.from('BZh9 not a block')])]) {
        assert.equal(oracle(bad), undefined);
        await rejectsWith(drain([bad]), 'CORRUPT_ARCHIVE', /^input: corrupt bzip2 data \(.+\)$/);
      }
      if (env === '1') {
        await rejectsWith(drain([flipped]), 'CORRUPT_ARCHIVE', /\(bzip2 exited with status 2: Data integrity error when decompressing\.\)$/);
        await rejectsWith(drain([one.subarray(0, one.length >> 1)]), 'CORRUPT_ARCHIVE', /\(bzip2 exited with status 2: Compressed file ends unexpectedly\)$/);
      }
    });
  }

  void it('system bzip2: over the cap, an abort, and a reader that stops each kill the child, which exits', async () => {
    process.env.KHEADERS_SYSTEM_CODECS = '1';
    await checkToolStops('bzip2', 'bzip2', bzip2(Buffer.alloc(64 << 20, 'x')));
  });

  void it('a stream cut at block boundaries decodes, part by part, to what the whole does; what cannot be cut is not', () => {
    const one = bzip2(plain, 1); // 100 kB blocks: about 20 of them
    for (const n of [2, 3, 4]) {
      const parts = splitBzip2(one, n) as Buffer[];
      assert.equal(parts.length, n);
      assert.ok(Buffer.concat(parts.map((p) => oracle(p) as Buffer)).equals(plain), `${n} parts`);
    }
    assert.equal(splitBzip2(Buffer.concat([one, bzip2(plain)]), 2), undefined, 'two streams');
    assert.equal(splitBzip2(Buffer.concat([one, Buffer.from([1, 2, 3, 4])]), 2), undefined, 'bytes after the stream');
    assert.equal(splitBzip2(bzip2(plain.subarray(0, 50_000)), 2), undefined, 'one block');
    const badCrc = Buffer.from(one);
    badCrc[10] ^= 1; // the first block's CRC: the blocks no longer combine to the stream's CRC
    assert.equal(splitBzip2(badCrc, 2), undefined);
  });

  void it('system bzip2: several processes at once give the oracle\'s bytes; a long input streams through one', async () => {
    const one = bzip2(Buffer.concat([plain, plain, plain, plain]), 1);
    const want = oracle(one) as Buffer;
    for (const hold of [64 << 20, 100_000]) {
      let most = 0;
      const out: Buffer[] = [];
      const dec = bzip2Processes(hold, 2) as Transform;
      await pipeline(Readable.from(pieces(one, 64 * 1024)), dec, async (src: AsyncIterable<Buffer>) => {
        for await (const c of src) {
          out.push(c);
          most = Math.max(most, childrenOf().filter(([, n]) => n === 'bzip2').length);
        }
      });
      assert.ok(Buffer.concat(out).equals(want), `hold ${hold}`);
      assert.equal(most, hold === 100_000 ? 1 : 2, `hold ${hold}: processes at once`);
      assert.deepEqual(await strayChildren('bzip2'), []);
    }
  });
});
