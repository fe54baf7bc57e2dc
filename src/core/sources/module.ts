import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { createUnxz } from '../archive/xz.js';
import { MAX_INPUT_BYTES, XZ_MAGIC } from '../constants.js';
import { checkXzIndex } from '../archive/xz-decode.js';
import { zstdStream } from './zstd-stream.js';
import { KheadersError } from '../errors.js';

/** How a file (module, image or archive) is compressed, by its magic bytes. */
/** How a module file is compressed (kheaders.ko.xz, .gz, .zst). */
export type ModuleCompression = 'xz' | 'gzip' | 'zstd' | 'none';

/** Detects xz, gzip and zstd by magic bytes. */
export function detectCompression(head: Buffer): ModuleCompression {
  if (head.length >= 6 && head.subarray(0, 6).equals(XZ_MAGIC)) return 'xz';
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

function tooBig(what: string, max: number): KheadersError {
  return new KheadersError('LIMIT_EXCEEDED', `${what}: decompresses to more than ${max} bytes`,
    'pass a kernel module or image, not an unrelated compressed file (or raise the size limit)');
}

function corrupt(what: string, kind: ModuleCompression, err: unknown): KheadersError {
  const why = err instanceof Error ? err.message : String(err);
  return new KheadersError('CORRUPT_ARCHIVE', `${what}: corrupt ${kind} data (${why})`, 'pass an intact file; re-download or re-copy it');
}

async function collect(chunks: AsyncIterable<Uint8Array>, what: string, max: number, stopAfter?: number): Promise<Buffer> {
  const out: Buffer[] = [];
  let total = 0;
  for await (const c of chunks) {
    total += c.length;
    if (total > max) throw tooBig(what, max);
    out.push(Buffer.from(c.buffer, c.byteOffset, c.length));
    if (stopAfter !== undefined && total >= stopAfter) break;
  }
  return Buffer.concat(out);
}

/**
 * Decompresses a whole buffer (a .ko.xz, .ko.gz or .ko.zst), with a cap on
 * the output size. With `stopAfter`, returns early once that many bytes are out.
 */
export async function decompress(input: Buffer, kind: ModuleCompression, what: string, opts: { maxBytes?: number; stopAfter?: number } = {}): Promise<Buffer> {
  const max = opts.maxBytes ?? MAX_INPUT_BYTES;
  if (kind === 'none') return input;
  try {
    // fzstd behind the frame scan (window, block and work limits): zstd-stream.ts.
    if (kind === 'zstd') return await collect(zstdStream([input], what, max), what, max, opts.stopAfter);
    const t = kind === 'xz' ? createUnxz() : createGunzip();
    const src = Readable.from([input]);
    src.pipe(t);
    try {
      const out = await collect(t, what, max, opts.stopAfter);
      // liblzma's stream wrapper ends quietly on truncated input: check against the xz index.
      if (kind === 'xz' && opts.stopAfter === undefined) checkXzIndex(input, out.length, what, 'pass an intact file; re-download or re-copy it');
      return out;
    } finally {
      src.unpipe(t);
      t.destroy();
    }
  } catch (err) {
    if (err instanceof KheadersError) throw err;
    throw corrupt(what, kind, err);
  }
}
