// Streaming decompression of a package's layers (data.tar.*, an RPM payload,
// a .pkg.tar.*): zlib for gzip, liblzma for xz, fzstd for zstd, with a cap on
// the output. The first bytes must carry the magic of the claimed format.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { createUnxz } from '../archive/xz.js';
import { xzError } from '../archive/xz-decode.js';
import { KheadersError } from '../errors.js';
import { detectCompression, type ModuleCompression } from './module.js';
import { zstdStream } from './zstd-stream.js';

const FIX = 'download or copy the package again; check its size and checksum';

/** Passes the input on after checking that it starts like `kind`. */
async function* checkMagic(input: AsyncIterable<Buffer>, kind: ModuleCompression, what: string): AsyncGenerator<Buffer> {
  const head: Buffer[] = [];
  let have = 0;
  let checked = kind === 'none';
  for await (const c of input) {
    if (checked) {
      yield c;
      continue;
    }
    head.push(c);
    have += c.length;
    if (have < 6) continue;
    const got = detectCompression(Buffer.concat(head));
    if (got !== kind) {
      throw new KheadersError('CORRUPT_ARCHIVE', `${what} should be ${kind}-compressed but starts like ${got === 'none' ? 'something else' : `${got} data`}`, FIX);
    }
    checked = true;
    yield* head.splice(0);
  }
  if (!checked) throw new KheadersError('CORRUPT_ARCHIVE', `${what} is truncated (${have} bytes of ${kind} data)`, FIX);
}

/** A zlib or liblzma transform stream. */
type Decoder = NodeJS.ReadWriteStream & AsyncIterable<unknown> & { destroy(error?: Error): unknown };

/** Runs the input through a zlib/liblzma transform stream. */
async function* through(input: AsyncIterable<Buffer>, t: Decoder, kind: 'xz' | 'gzip', what: string): AsyncGenerator<Buffer> {
  const src = Readable.from(input);
  src.on('error', (e) => t.destroy(e));
  src.pipe(t);
  try {
    for await (const c of t) yield c as Buffer;
  } catch (err) {
    if (err instanceof KheadersError) throw err;
    if (kind === 'xz') throw xzError(what, err);
    throw new KheadersError('CORRUPT_ARCHIVE', `${what}: corrupt gzip data (${err instanceof Error ? err.message : String(err)})`, FIX);
  } finally {
    src.unpipe(t);
    src.destroy();
    t.destroy();
  }
}

/** Decompresses `input` as `kind` ('none' passes it through), yielding at most maxOut bytes. */
export async function* decompressStream(input: AsyncIterable<Buffer>, kind: ModuleCompression, what: string, maxOut: number): AsyncGenerator<Buffer> {
  const src = checkMagic(input, kind, what);
  const inner = kind === 'none' ? src
    : kind === 'zstd' ? zstdStream(src, what, maxOut)
      : through(src, kind === 'xz' ? createUnxz({ chunkSize: 64 * 1024 }) : createGunzip(), kind, what);
  let total = 0;
  for await (const c of inner) {
    total += c.length;
    if (total > maxOut) {
      throw new KheadersError('LIMIT_EXCEEDED', `${what}: decompresses to more than ${maxOut} bytes`,
        'pass a real distro package (a decompression bomb is refused), or raise the package payload limit');
    }
    yield c;
  }
}

/** Collects a stream into one buffer (the caller has capped it). */
export async function collect(input: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of input) parts.push(c);
  return Buffer.concat(parts);
}
