// zstd's decoders on this Node: the system `zstd -dc` (spawned, killed when
// the stream stops) and fzstd (the fallback, KHEADERS_SYSTEM_CODECS=0), each
// against the real zstd as the oracle, behind the same frame guard.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { systemTool } from '../../src/core/sources/codecs/system-tool.js';
import { decodeStream } from '../../src/core/sources/codecs/table.js';
import { zstdBackend } from '../../src/core/sources/codecs/zstd/zstd.js';
import { checkToolStops, drain as drainAs, pieces, restoreSystemCodecsAfter, toolOutput } from '../helpers/codec-stream.js';
import { rejectsWith } from '../helpers/errors.js';

const plain = Buffer.concat(Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? randomBytes(40_000) : Buffer.alloc(110_000, `line ${i} of the kernel\n`))));
const zstd = (args: string[], input: Buffer): Buffer => execFileSync('zstd', ['-q', '-c', ...args], { input, maxBuffer: 1 << 28 });
const oracle = (input: Buffer): Buffer | undefined => toolOutput('zstd', ['-d', '-c', '-q'], input);
const drain = (input: Iterable<Buffer> | AsyncIterable<Buffer>, opts: Parameters<typeof decodeStream>[3] = {}): Promise<Buffer> => drainAs(input, 'zstd', opts);

const backends: Array<['zstd' | 'fzstd', string]> = [['zstd', '1'], ['fzstd', '0']];

void describe('zstd: the system tool and the JS fallback', () => {
  restoreSystemCodecsAfter();

  void it('picks the system zstd when it is on PATH, fzstd with KHEADERS_SYSTEM_CODECS=0 or without zstd on PATH (Node 20 has no node:zlib zstd)', () => {
    assert.ok(process.version.startsWith('v20'), 'the unit tests run on Node 20');
    assert.ok(systemTool('zstd', { PATH: process.env.PATH })?.endsWith('/zstd'));
    assert.equal(systemTool('zstd', { PATH: process.env.PATH, KHEADERS_SYSTEM_CODECS: '0' }), undefined);
    assert.equal(systemTool('zstd', { PATH: '/nonexistent' }), undefined);
    process.env.KHEADERS_SYSTEM_CODECS = '1';
    assert.equal(zstdBackend(), 'zstd');
    process.env.KHEADERS_SYSTEM_CODECS = '0';
    assert.equal(zstdBackend(), 'fzstd');
  });

  for (const [backend, env] of backends) {
    void it(`${backend}: the kernel's zstd22 (--ultra -22, a 128 MiB window) and multi-frame streams decode as zstd -d does`, async () => {
      process.env.KHEADERS_SYSTEM_CODECS = env;
      assert.equal(zstdBackend(), backend);
      const packed = zstd(['--ultra', '-22'], plain);
      assert.equal(packed[5] >> 3, 17, 'a 128 MiB window');
      assert.ok((await drain([packed])).equals(oracle(packed) as Buffer));
      assert.ok((await drain(pieces(packed, 7 * 1024))).equals(plain));
      const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 5, 0, 0, 0]), Buffer.from('hello')]);
      const frames = Buffer.concat([zstd(['-3'], plain.subarray(0, 100_000)), skippable, zstd(['-19', '--no-check'], plain.subarray(100_000))]);
      assert.ok((await drain(pieces(frames, 4096))).equals(oracle(frames) as Buffer));
    });

    void it(`${backend}: a window over 128 MiB is LIMIT_EXCEEDED, bytes after the last frame and a cut frame CORRUPT_ARCHIVE`, async () => {
      process.env.KHEADERS_SYSTEM_CODECS = env;
      const long = zstd(['--long=28', '-1'], plain);
      assert.equal(oracle(long), undefined);
      await rejectsWith(drain([long]), 'LIMIT_EXCEEDED', /input: a zstd frame needs a 268435456-byte window, over the 134217728-byte limit/);
      const packed = zstd(['-19'], plain);
      await rejectsWith(drain([packed, Buffer.from('garbage')]), 'CORRUPT_ARCHIVE', /^input: corrupt zstd data \(not a zstd frame \(magic 0x62726167\)\)$/);
      await rejectsWith(drain([packed.subarray(0, packed.length - 10)]), 'CORRUPT_ARCHIVE', /^input: corrupt zstd data \(a zstd frame never ends/);
    });
  }

  void it('zstd: corrupt data is "corrupt zstd data" with the tool\'s reason (fzstd, which checks no checksum, cannot tell)', async () => {
    process.env.KHEADERS_SYSTEM_CODECS = '1';
    const packed = zstd(['-19'], plain);
    const flipped = Buffer.from(packed);
    for (let i = 150_000; i < 150_004; i++) flipped[i] ^= 0x5a;
    assert.equal(oracle(flipped), undefined);
    await rejectsWith(drain([flipped]), 'CORRUPT_ARCHIVE', /^input: corrupt zstd data \(zstd exited with status 1: .*checksum.*\)$/);
  });

  void it('zstd: over the cap, an abort, and a reader that stops each kill the child, which exits', async () => {
    process.env.KHEADERS_SYSTEM_CODECS = '1';
    await checkToolStops('zstd', 'zstd', zstd(['-1'], Buffer.alloc(64 << 20, 'x')));
  });
});
