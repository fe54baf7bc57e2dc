// xz decoding for the archive reader, with the end-of-stream checks that
// liblzma's stream wrapper does not make (it ends quietly on truncated input).
import { Transform, type TransformCallback } from 'node:stream';
import { createUnxz, LZMA_BUF_ERROR, LZMA_DATA_ERROR, LZMA_FORMAT_ERROR, LZMA_MEMLIMIT_ERROR, LZMA_OPTIONS_ERROR } from './xz.js';
import { parseXzIndex, type XzFileIndex } from './xz-index.js';
import { DECODE_PIECE, XZ_MAGIC } from '../constants.js';
import { corrupt, KheadersError } from '../errors.js';

export const CHUNK = 64 * 1024;

/** The decode stages plus the check to run once all output has been seen. */
export interface XzStages {
  /** Collects the compressed bytes (needed to read the xz index at the end). */
  tap: Transform;
  unxz: Transform;
  /** Throws unless the input was one complete xz stream that decoded to `decoded` bytes. */
  finish(decoded: number): void;
}

/** Builds the xz stages; `what` names the input in messages, `maxBytes` caps the compressed size. */
export function xzStages(what: string, maxBytes: number): XzStages {
  const chunks: Buffer[] = [];
  let size = 0;
  const tap = new Transform({
    highWaterMark: 16 * CHUNK,
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
      if (size === 0 && chunk.length >= 6 && !chunk.subarray(0, 6).equals(XZ_MAGIC)) {
        cb(notXz(what));
        return;
      }
      size += chunk.length;
      if (size > maxBytes) {
        cb(new KheadersError('LIMIT_EXCEEDED', `${what}: compressed size exceeds the limit of ${maxBytes} bytes`,
          'if this archive is genuine, pass --max-size with a larger size (e.g. 2G)'));
        return;
      }
      chunks.push(chunk);
      cb(null, chunk);
    },
  });
  const unxz = createUnxz({ chunkSize: DECODE_PIECE }, { highWaterMark: 4 * DECODE_PIECE });
  const finish = (decoded: number): void => {
    if (size === 0) throw new KheadersError('CORRUPT_ARCHIVE', `${what} is empty`, 'pass a kheaders_data.tar.xz file');
    const all = Buffer.concat(chunks, size);
    chunks.length = 0;
    if (!all.subarray(0, 6).equals(XZ_MAGIC)) throw notXz(what);
    checkXzIndex(all, decoded, what);
  };
  return { tap, unxz, finish };
}

/**
 * Checks a whole xz file's index against what was decoded: liblzma's decoder
 * ends quietly on truncated input, and concatenated streams are not supported.
 */
export function checkXzIndex(input: Buffer, decoded: number, what: string): void {
  let index: XzFileIndex;
  try {
    index = parseXzIndex(input);
  } catch (err) {
    throw corrupt(`${what}: xz stream is truncated, damaged or has trailing garbage (${(err as Error).message})`);
  }
  if (index.streamCount > 1) throw corrupt(`${what}: holds ${index.streamCount} concatenated xz streams (not supported)`);
  const expected = index.uncompressedSize;
  if (expected !== decoded) {
    throw corrupt(`${what}: decoded ${decoded} bytes but the xz index records ${expected}; the file is truncated or corrupt`);
  }
}

function notXz(what: string): KheadersError {
  return new KheadersError('CORRUPT_ARCHIVE', `${what} is not an xz file (bad magic bytes)`,
    'pass the .tar.xz archive; compress a plain tar with xz -6 first');
}

/** Turns a liblzma error into a KheadersError that names the input. */
export function xzError(what: string, err: unknown): KheadersError {
  if (err instanceof KheadersError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const errno = (err as { errno?: unknown } | null)?.errno;
  if (errno === LZMA_FORMAT_ERROR) return notXz(what);
  if (errno === LZMA_DATA_ERROR) {
    return corrupt(`${what}: xz data is corrupt (integrity check failed)`);
  }
  if (errno === LZMA_BUF_ERROR) return corrupt(`${what}: xz stream is truncated`);
  if (errno === LZMA_MEMLIMIT_ERROR || errno === LZMA_OPTIONS_ERROR) {
    return new KheadersError('CORRUPT_ARCHIVE', `${what}: xz stream uses unsupported options (${msg})`,
      'recompress the archive with plain `xz`');
  }
  return corrupt(`${what}: cannot decode xz (${msg})`);
}
