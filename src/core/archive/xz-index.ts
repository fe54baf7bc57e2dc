// The xz container read in plain TypeScript (xz file format 1.2): stream
// header and footer, the index, and the block headers it points at. Checks
// what `xz -t` checks outside the compressed data, so bytes inserted between
// the blocks and the index, or a damaged index, are refused whichever decoder
// (addon or WASM) decoded the blocks.

import { XZ_MAGIC as MAGIC } from '../constants.js';
import { checkSize, varint as vli } from './xz-blocks.js';

export interface XzIndexBlock {
  /** Offset of the block header in the file. */
  offset: number;
  /** Unpadded size (header + compressed data + check), as the index records it. */
  unpadded: number;
  uncompressed: number;
}

export interface XzStream {
  /** Offset of the stream header. */
  offset: number;
  /** Check id (0 none, 1 crc32, 4 crc64, 10 sha256). */
  check: number;
  blocks: XzIndexBlock[];
  uncompressedSize: number;
}

export interface XzFileIndex {
  /** Streams in file order. */
  streams: XzStream[];
  check: number;
  blockCount: number;
  streamCount: number;
  uncompressedSize: number;
}

let table: Uint32Array | undefined;
/** CRC32 (IEEE), as xz uses for headers, footer and index. */
export function crc32(b: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const x of b) c = table[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A multibyte integer ([value, next offset]); throws where xz-blocks' varint finds none. */
function varint(buf: Buffer, at: number, end: number): [number, number] {
  const v = vli(buf, at, end);
  if (!v) throw new Error('bad integer in the index');
  return v;
}


const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Reads the stream that ends at `end` (just after its footer); throws on any inconsistency. */
function streamEndingAt(buf: Buffer, end: number): XzStream {
  if (end < 32) throw new Error('too short for an xz stream');
  const footer = end - 12;
  if (buf.toString('latin1', end - 2, end) !== 'YZ') throw new Error('no stream footer');
  if (crc32(buf.subarray(footer + 4, footer + 10)) !== buf.readUInt32LE(footer)) throw new Error('stream footer CRC32 mismatch');
  const flags = buf.subarray(footer + 8, footer + 10);
  if (flags[0] !== 0 || (flags[1]! & 0xf0) !== 0) throw new Error('unsupported stream flags');
  const check = flags[1]! & 0x0f;
  const indexSize = (buf.readUInt32LE(footer + 4) + 1) * 4;
  const indexStart = footer - indexSize;
  if (indexStart < 12 || buf[indexStart] !== 0) throw new Error('no index where the footer points');
  if (crc32(buf.subarray(indexStart, footer - 4)) !== buf.readUInt32LE(footer - 4)) throw new Error('index CRC32 mismatch');
  const [count, first] = varint(buf, indexStart + 1, footer - 4);
  if (count > indexSize / 2) throw new Error('index record count is too large');
  const records: Array<[number, number]> = [];
  let at = first;
  for (let i = 0; i < count; i++) {
    const u = varint(buf, at, footer - 4);
    const s = varint(buf, u[1], footer - 4);
    if (u[0] < 5) throw new Error('index record with an impossible size');
    records.push([u[0], s[0]]);
    at = s[1];
  }
  if (pad4(at - indexStart) + 4 !== indexSize || buf.subarray(at, footer - 4).some((b) => b !== 0)) {
    throw new Error('index size or padding does not match the footer');
  }
  const blocksBytes = records.reduce((n, [u]) => n + pad4(u), 0);
  const offset = indexStart - blocksBytes - 12;
  if (offset < 0 || !buf.subarray(offset, offset + 6).equals(MAGIC)) {
    throw new Error('the blocks the index records do not end where the index starts (bytes inserted or removed between the blocks and the index)');
  }
  if (crc32(buf.subarray(offset + 6, offset + 8)) !== buf.readUInt32LE(offset + 8)) throw new Error('stream header CRC32 mismatch');
  if (!buf.subarray(offset + 6, offset + 8).equals(flags)) throw new Error('stream header and footer flags differ');
  const blocks: XzIndexBlock[] = [];
  let pos = offset + 12;
  for (const [unpadded, uncompressed] of records) {
    checkBlockHeader(buf, pos, unpadded, uncompressed, check);
    blocks.push({ offset: pos, unpadded, uncompressed });
    pos += pad4(unpadded);
  }
  return { offset, check, blocks, uncompressedSize: records.reduce((n, [, s]) => n + s, 0) };
}

/** A block header at `at`: its size, CRC32, and any sizes it records agree with the index. */
function checkBlockHeader(buf: Buffer, at: number, unpadded: number, uncompressed: number, check: number): void {
  const size = (buf[at]! + 1) * 4;
  if (buf[at] === 0 || at + size > buf.length) throw new Error(`no block header at offset ${at}`);
  if (crc32(buf.subarray(at, at + size - 4)) !== buf.readUInt32LE(at + size - 4)) throw new Error(`block header CRC32 mismatch at offset ${at}`);
  const flags = buf[at + 1]!;
  let p = at + 2;
  if (flags & 0x40) {
    const [c, next] = varint(buf, p, at + size - 4);
    if (size + c + checkSize(check) !== unpadded) throw new Error(`block at offset ${at}: its compressed size differs from the index`);
    p = next;
  }
  if (flags & 0x80) {
    const [u] = varint(buf, p, at + size - 4);
    if (u !== uncompressed) throw new Error(`block at offset ${at}: its uncompressed size differs from the index`);
  }
}

/** The index of a whole xz file (streams and stream padding, read backwards from the end); throws what is wrong. */
export function parseXzIndex(buf: Buffer): XzFileIndex {
  if (!buf.subarray(0, 6).equals(MAGIC)) throw new Error('not an xz file');
  const streams: XzStream[] = [];
  let end = buf.length;
  while (end > 0) {
    if (end % 4 !== 0) throw new Error('the file size is not a multiple of four (bytes inserted or cut, or trailing garbage)');
    while (end >= 4 && buf.readUInt32LE(end - 4) === 0) end -= 4;
    const s = streamEndingAt(buf, end);
    streams.unshift(s);
    end = s.offset;
  }
  const last = streams[streams.length - 1]!;
  return {
    streams,
    check: last.check,
    blockCount: streams.reduce((n, s) => n + s.blocks.length, 0),
    streamCount: streams.length,
    uncompressedSize: streams.reduce((n, s) => n + s.uncompressedSize, 0),
  };
}
