// The codec table (src/core/sources/codecs/table.ts): every codec decodes what
// the real tool made, fed in any chunking; the output cap holds even within one
// input chunk; the magic check, the abort signal and upstream errors.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { KheadersError } from '../../src/core/errors.js';
import { CODECS, detectCompression } from '../../src/core/sources/codecs/table.js';
import { drain, pieces } from '../helpers/codec-stream.js';
import { rejectsWith } from '../helpers/errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const TOOLS: Record<string, string[]> = { xz: ['xz', '-c'], gzip: ['gzip', '-n', '-c'], zstd: ['zstd', '-q', '-c'] };
const plain = Buffer.concat([randomBytes(50_000), Buffer.alloc(200_000, 7), randomBytes(10_000)]);
const packed = (name: string): Buffer => {
  const [cmd, ...args] = TOOLS[name] as string[];
  return execFileSync(cmd as string, args, { input: plain, maxBuffer: 1 << 26 });
};

void describe('codec table', () => {
  void it('has a tool-made sample for every codec, and each is detected by its magic', () => {
    // The kernel's other compressors' tools are not on a fresh machine: their samples were
    // made by the tools once (test/fixtures/codecs/make.sh) and are tested in codecs-kernel.
    const FIXTURES: Record<string, string> = { bzip2: 'plain.bz2', lz4: 'plain.lz4', lzo: 'plain.lzo', lzma: 'plain.lzma' };
    assert.deepEqual(CODECS.map((c) => c.name).sort(), [...Object.keys(TOOLS), ...Object.keys(FIXTURES)].sort());
    for (const name of Object.keys(TOOLS)) assert.equal(detectCompression(packed(name)), name);
    for (const [name, file] of Object.entries(FIXTURES)) {
      assert.equal(detectCompression(readFileSync(join(import.meta.dirname, '../fixtures/codecs', file))), name);
    }
  });

  for (const name of Object.keys(TOOLS)) {
    void it(`${name}: byte for byte in one chunk, in 7-byte chunks and in 1-byte chunks at the start`, async () => {
      const p = packed(name);
      assert.ok((await drain([p], name)).equals(plain));
      assert.ok((await drain(pieces(p, 7), name)).equals(plain));
      assert.ok((await drain([...pieces(p.subarray(0, 20), 1), p.subarray(20)], name)).equals(plain));
    });

    void it(`${name}: over the cap is LIMIT_EXCEEDED; claimed but another format is CORRUPT_ARCHIVE`, async () => {
      await rejectsWith(drain([packed(name)], name, { maxBytes: 1000 }), 'LIMIT_EXCEEDED', /input: decompresses to more than 1000 bytes/);
      const other = Object.keys(TOOLS).find((n) => n !== name) as string;
      await rejectsWith(drain([packed(other)], name), 'CORRUPT_ARCHIVE', new RegExp(`input should be ${name}-compressed but starts like ${other} data`));
      await rejectsWith(drain([Buffer.from([1, 2])], name), 'CORRUPT_ARCHIVE', /input is truncated \(2 bytes/);
    });
  }

  void it('zstd: 16,384 RLE blocks in one 64 KiB chunk (2 GiB out) stop at an 8 MiB cap, promptly and without buffering the rest', async () => {
    // Frame header: no checksum, window 128 KiB; then RLE blocks of 128 KiB each, the last one marked.
    const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]);
    const blocks = Buffer.alloc(16_384 * 4);
    for (let i = 0; i < 16_384; i++) blocks.writeUIntLE(((128 * 1024) << 3) | (1 << 1) | (i === 16_383 ? 1 : 0), i * 4, 3);
    const before = process.memoryUsage().rss;
    const t0 = Date.now();
    await rejectsWith(drain([Buffer.concat([header, blocks])], 'zstd', { maxBytes: 8 << 20 }), 'LIMIT_EXCEEDED', /decompresses to more than 8388608 bytes/);
    assert.ok(Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
    assert.ok(process.memoryUsage().rss - before < 256 << 20, `rss grew ${(process.memoryUsage().rss - before) >> 20} MiB`);
  });

  void it('zstd: a chunk whose last piece is a block cut short (no output of its own) does not stall the stream', async () => {
    // Raw blocks of 7,600 bytes (window 8 KiB): a 64 KiB chunk holds 9 block starts, the 9th block cut short,
    // so the decoder's second piece of the first chunk yields nothing while the reader waits (6.1 data.tar.zst).
    const payloads = Array.from({ length: 40 }, () => randomBytes(7600));
    const frame = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x18]), ...payloads.flatMap((p, i) => {
      const h = Buffer.alloc(3);
      h.writeUIntLE((7600 << 3) | (i === payloads.length - 1 ? 1 : 0), 0, 3);
      return [h, p];
    })]);
    async function* slow(): AsyncGenerator<Buffer> {
      for (const c of pieces(frame, 65_536)) {
        await new Promise((r) => setImmediate(r));
        yield c;
      }
    }
    const out = await Promise.race([drain(slow(), 'zstd'), new Promise<Buffer>((_r, fail) => setTimeout(() => fail(new Error('stalled')), 5000).unref())]);
    assert.ok(out.equals(Buffer.concat(payloads)));
  });

  void it('an aborted signal stops the decoding with its reason', async () => {
    const ac = new AbortController();
    ac.abort(new KheadersError('INTERRUPTED', 'stopped'));
    await rejectsWith(drain([packed('xz')], 'xz', { signal: ac.signal }), 'INTERRUPTED', /stopped/);
  });

  void it('an error of the input itself passes through as it is (not as corrupt data)', async () => {
    const p = packed('gzip');
    const mine = new KheadersError('CORRUPT_ARCHIVE', 'package is truncated (ends inside data.tar.gz)');
    async function* cut(): AsyncGenerator<Buffer> {
      yield p.subarray(0, 100);
      throw mine;
    }
    await assert.rejects(drain(cut(), 'gzip'), (e: unknown) => e === mine);
  });

  void it("'none' passes the bytes through, under the same cap", async () => {
    assert.ok((await drain(pieces(plain, 1000), 'none')).equals(plain));
    await rejectsWith(drain([plain], 'none', { maxBytes: 10 }), 'LIMIT_EXCEEDED');
  });
});
