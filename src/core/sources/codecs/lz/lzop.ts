// lzop files, as the kernel's `lzop -9` writes them: a header (magic, version,
// method, flags, mode, mtime, name, checksum), then blocks of a big-endian
// decoded size, a coded size, optional checksums and LZO1X data (stored as is
// when it would not shrink); a decoded size of 0 ends the file. The header
// checksum and the decoded data's adler32/crc32 are checked.
import { Transform, type TransformCallback } from 'node:stream';
import { BlockDecoder } from './chunk-queue.js';
import { crc32 } from 'node:zlib';
import { lzo1xDecodeBlock } from './lzo1x.js';

const MAGIC = Buffer.from([0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]);
const F_ADLER32_D = 0x1;
const F_ADLER32_C = 0x2;
const F_EXTRA_FIELD = 0x40;
const F_CRC32_D = 0x100;
const F_CRC32_C = 0x200;
const F_FILTER = 0x800;
const F_H_CRC32 = 0x1000;
/** lzop's own largest block. */
const MAX_BLOCK = 64 << 20;

function adler32(b: Uint8Array): number {
  let a = 1;
  let s = 0;
  for (let i = 0; i < b.length;) {
    const end = Math.min(b.length, i + 5552);
    for (; i < end; i++) {
      a += b[i];
      s += a;
    }
    a %= 65521;
    s %= 65521;
  }
  return ((s << 16) | a) >>> 0;
}

/** Parses the file header at the start of `b`; returns its length and flags, or undefined when more bytes are needed. */
function header(b: Buffer): { len: number; flags: number } | undefined {
  if (b.length < 16) return undefined;
  if (!b.subarray(0, 9).equals(MAGIC)) throw new Error('not an lzop file');
  const version = b.readUInt16BE(9);
  let p = 13;
  if (version >= 0x940) p += 2;
  if (b.length < p + 23) return undefined;
  const method = b[p++];
  if (method < 1 || method > 3) throw new Error(`unsupported lzop method ${method}`);
  if (version >= 0x940) p++;
  const flags = b.readUInt32BE(p);
  p += 4;
  if (flags & F_FILTER) throw new Error('lzop filters are not supported');
  p += 8 + (version >= 0x940 ? 4 : 0);
  const nameLen = b[p++];
  if (b.length < p + nameLen + 4) return undefined;
  p += nameLen;
  const want = b.readUInt32BE(p);
  const got = flags & F_H_CRC32 ? crc32(b.subarray(9, p)) : adler32(b.subarray(9, p));
  if (want !== got) throw new Error('lzop header checksum mismatch');
  p += 4;
  if (flags & F_EXTRA_FIELD) throw new Error('lzop extra fields are not supported');
  return { len: p, flags };
}

class Unlzop extends BlockDecoder {
  private flags: number | undefined;
  private ended = false;

  protected blocks(): void {
    if (this.flags === undefined) {
      if (this.q.length === 0) return;
      const h = header(this.q.peek(Math.min(this.q.length, 64 + 255 + 4)));
      if (h === undefined) return;
      this.flags = h.flags;
      this.q.consume(h.len);
    }
    const f = this.flags;
    while (!this.ended && this.q.length >= 4) {
      const b = this.q.peek(Math.min(this.q.length, 20));
      const dlen = b.readUInt32BE(0);
      if (dlen === 0) {
        this.ended = true;
        this.q.consume(4);
        return;
      }
      if (dlen > MAX_BLOCK) throw new Error(`lzop block of ${dlen} bytes is over lzop's 64 MiB limit`);
      if (b.length < 8) return;
      const clen = b.readUInt32BE(4);
      if (clen > dlen) throw new Error(`lzop block codes ${dlen} bytes in ${clen}`);
      const sums = [F_ADLER32_D, F_CRC32_D].filter((x) => f & x).length + (clen < dlen ? [F_ADLER32_C, F_CRC32_C].filter((x) => f & x).length : 0);
      const at = 8 + 4 * sums;
      if (this.q.length < at + clen) return;
      const buf = this.q.peek(at + clen);
      const data = buf.subarray(at, at + clen);
      let out: Buffer;
      if (clen === dlen) out = Buffer.from(data);
      else {
        out = Buffer.allocUnsafe(dlen);
        if (lzo1xDecodeBlock(data, out) !== dlen) throw new Error('lzop block decodes to fewer bytes than declared');
      }
      let q = 8;
      if (f & F_ADLER32_D) {
        if (buf.readUInt32BE(q) !== adler32(out)) throw new Error('lzop block adler32 mismatch');
        q += 4;
      }
      if (f & F_CRC32_D && buf.readUInt32BE(q) !== crc32(out)) throw new Error('lzop block crc32 mismatch');
      this.push(out);
      this.q.consume(at + clen);
    }
  }

  override _flush(done: TransformCallback): void {
    // Bytes after the end marker are not ours (the kernel appends the decoded size).
    if (!this.ended) done(new Error(this.flags === undefined ? 'truncated lzop header' : 'truncated: no end-of-file marker'));
    else done();
  }
}

export const lzo = {
  name: 'lzo',
  sniff: (head: Buffer): boolean => head.length >= 9 && head.subarray(0, 9).equals(MAGIC),
  decoder: (): Transform => new Unlzop(),
};
