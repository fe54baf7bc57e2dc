// The four codecs the kernel uses besides gzip, xz and zstd, against fixtures
// made by the real tools (test/fixtures/codecs/make.sh): byte for byte, in
// chunks of any size, with the kernel's appended size, and hostile variants.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { bzip2 } from '../../src/core/sources/codecs/bzip2/bzip2.js';
import { bunzip2Js } from '../../src/core/sources/codecs/bzip2/seek.js';
import { lz4 } from '../../src/core/sources/codecs/lz/lz4-legacy.js';
import { lzo } from '../../src/core/sources/codecs/lz/lzop.js';
import { lzma, unlzmaWasm } from '../../src/core/sources/codecs/lzma.js';
import { codecPlain } from '../fixtures/codecs/plain.js';

const FX = join(import.meta.dirname, '../fixtures/codecs');
const plain = codecPlain();
const CODECS = [
  { c: bzip2, file: 'plain.bz2' },
  // The JS fallback itself (bzip2 above is the system bzip2 where it is on PATH).
  { c: { ...bzip2, name: 'bzip2 (seek-bzip)', decoder: bunzip2Js }, file: 'plain.bz2' },
  { c: lz4, file: 'plain.lz4' },
  { c: lzo, file: 'plain.lzo' },
  { c: lzma, file: 'plain.lzma' },
  // The WASM fallback itself (lzma above is the system xz where it is on PATH).
  { c: { ...lzma, name: 'lzma (WASM)', decoder: unlzmaWasm }, file: 'plain.lzma' },
];

/** Feeds `input` to a fresh decoder in chunks of `step` bytes and collects the output. */
async function decode(codec: { decoder(): Transform }, input: Buffer, step = 65536): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += step) chunks.push(input.subarray(i, i + step));
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), codec.decoder(), async (src: AsyncIterable<Buffer>) => { for await (const c of src) out.push(c); });
  return Buffer.concat(out);
}

function sizeAppended(b: Buffer): Buffer {
  const n = Buffer.alloc(4);
  n.writeUInt32LE(plain.length);
  return Buffer.concat([b, n]);
}

describe('kernel codecs: real tool output', () => {
  for (const { c, file } of CODECS) {
    const packed = readFileSync(join(FX, file));
    it(`${c.name}: decodes ${file} byte for byte, in 64 KiB and 7-byte chunks`, async () => {
      assert.ok((await decode(c, packed)).equals(plain));
      assert.ok((await decode(c, packed, 7)).equals(plain));
    });
    it(`${c.name}: sniffs its own fixture and none of the others`, () => {
      for (const o of CODECS) assert.equal(c.sniff(readFileSync(join(FX, o.file)).subarray(0, 16)), o.file === file, `${c.name} on ${o.file}`);
      assert.equal(c.sniff(plain.subarray(0, 16)), false);
    });
    it(`${c.name}: truncated input is an error, not short output`, async () => {
      for (const cut of [packed.length - 1, Math.floor(packed.length / 2), 20]) {
        await assert.rejects(decode(c, packed.subarray(0, cut)), Error, `${c.name} cut at ${cut}`);
      }
    });
  }
  for (const { c, file } of CODECS.filter((x) => x.c !== lz4)) {
    it(`${c.name}: ignores the decoded size the kernel appends (*_with_size)`, async () => {
      assert.ok((await decode(c, sizeAppended(readFileSync(join(FX, file))))).equals(plain));
    });
  }
});

describe('kernel codecs: hostile input', () => {
  it('bzip2: a flipped byte fails the block CRC (the system bzip2 where there is one, and seek-bzip)', async () => {
    const b = Buffer.from(readFileSync(join(FX, 'plain.bz2')));
    b[b.length >> 1] ^= 0x40;
    await assert.rejects(decode(bzip2, b));
    await assert.rejects(decode({ decoder: bunzip2Js }, b), /CRC/);
  });
  it('lzop: a flipped data byte fails the adler32 or the block decode; a bad header checksum is refused', async () => {
    const b = Buffer.from(readFileSync(join(FX, 'plain.lzo')));
    b[b.length >> 1] ^= 0x40;
    await assert.rejects(decode(lzo, b));
    const h = Buffer.from(readFileSync(join(FX, 'plain.lzo')));
    h[20] ^= 1;
    await assert.rejects(decode(lzo, h), /checksum|method|filter|extra/);
  });
  it('lzop: a block that claims more than 64 MiB is refused before any allocation', async () => {
    const b = Buffer.from(readFileSync(join(FX, 'plain.lzo')));
    const want = Buffer.alloc(4);
    want.writeUInt32BE(plain.length); // one block: the whole input
    const first = b.indexOf(want);
    assert.ok(first > 0);
    b.writeUInt32BE(0x7fffffff, first);
    await assert.rejects(decode(lzo, b), /64 MiB/);
  });
  it('lz4: a block size past the compress bound, and a match before the output start, are refused', async () => {
    const big = Buffer.from([0x02, 0x21, 0x4c, 0x18, 0xff, 0xff, 0xff, 0x7f]);
    await assert.rejects(decode(lz4, big), /out of range/);
    // token: 1 literal, then a match at distance 9 with 1 byte of output so far.
    const back = Buffer.from([0x02, 0x21, 0x4c, 0x18, 0x05, 0, 0, 0, 0x10, 0x41, 0x09, 0x00, 0x00]);
    await assert.rejects(decode(lz4, back), /before the output/);
  });
  it('lz4: 255-runs that would decode past 8 MiB stop at the limit', async () => {
    const body = Buffer.concat([Buffer.from([0x1f, 0x41, 0x01, 0x00]), Buffer.alloc(40000, 0xff), Buffer.from([0x00])]);
    const n = Buffer.alloc(4);
    n.writeUInt32LE(body.length);
    await assert.rejects(decode(lz4, Buffer.concat([Buffer.from([0x02, 0x21, 0x4c, 0x18]), n, body])), /size limit/);
  });
  it('lzma: a corrupt stream and a dictionary over the memory limit are errors (the system xz, and the WASM build)', async () => {
    const b = Buffer.from(readFileSync(join(FX, 'plain.lzma')));
    for (let i = 100; i < 400; i++) b[i] ^= 0x5a;
    const huge = Buffer.from(readFileSync(join(FX, 'plain.lzma')));
    huge.writeUInt32LE(0x60000000, 1); // 1.5 GiB dictionary
    for (const c of [lzma, { decoder: unlzmaWasm }]) {
      await assert.rejects(decode(c, b), /corrupt/i);
      await assert.rejects(decode(c, huge), /memory/i);
    }
  });
});
