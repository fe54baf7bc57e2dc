// The codecs, one table: magic bytes → decoder. A codec is a name, a sniff of
// the first bytes, and a decoder: a Transform, bytes in, bytes out, nothing
// else (not a Duplex.from generator: its reads never end when it is destroyed
// before its first write). The table applies what every codec shares, once:
// the check that the input starts like the claimed codec, the output cap, the
// abort signal, and the wording of errors ("<what>: corrupt <codec> data
// (...)", "<what>: decompresses to more than N bytes"). A decoder throws a
// plain Error for bad data, or a KheadersError without the input's name (the
// table puts it in front). Adding a codec: one file beside this one, one line
// in CODECS (those with a weak magic, such as legacy lzma, go last).
import { Readable, type Transform } from 'node:stream';
import { MAX_INPUT_BYTES } from '../../constants.js';
import { corrupt, KheadersError } from '../../errors.js';
import { bzip2 } from './bzip2/bzip2.js';
import { gzip } from './gzip.js';
import { lz4 } from './lz/lz4-legacy.js';
import { lzma } from './lzma.js';
import { lzo } from './lz/lzop.js';
import { xz } from './xz.js';
import { zstd } from './zstd/zstd.js';

export interface Codec {
  /** As messages and flags name it: "xz", "gzip", "zstd". */
  name: string;
  /** True when the first bytes (up to SNIFF_BYTES, fewer only at the end of the input) start this format. */
  sniff(head: Buffer): boolean;
  /** A fresh decoder. */
  decoder(): Transform;
  /** Checks a whole input against what it decoded to; throws a KheadersError naming `what`. */
  check?(input: Buffer, decoded: number, what: string): void;
  /** Words a decoder error for "corrupt <codec> data (...)"; default: its message. */
  explain?(err: unknown): string | undefined;
}

/** The kernel's seven; bzip2, lz4, lzo and lzma appear only in kernel images. */
export const CODECS: readonly Codec[] = [xz, gzip, zstd, bzip2, lz4, lzo, lzma];

/** How many first bytes the sniffs see. */
export const SNIFF_BYTES = 16;

/** A codec's name, or 'none' for bytes as they are. */
export type CodecName = string;

export interface DecodeOptions {
  /** Largest output, bytes (default 1 GiB). */
  maxBytes?: number;
  signal?: AbortSignal;
}

/** The codec whose magic `head` starts with. */
export function codecFor(head: Buffer): Codec | undefined {
  return CODECS.find((c) => c.sniff(head));
}

/** The name of the codec `head` starts like, or 'none'. */
export function detectCompression(head: Buffer): CodecName {
  return codecFor(head)?.name ?? 'none';
}

function codecNamed(name: CodecName): Codec {
  const c = CODECS.find((k) => k.name === name);
  if (c === undefined) throw new Error(`no codec named ${name}`);
  return c;
}

/** Passes the input on after checking that it starts like `codec`. */
async function* sniffed(input: AsyncIterable<Buffer> | Iterable<Buffer>, codec: Codec, what: string): AsyncGenerator<Buffer> {
  const head: Buffer[] = [];
  let have = 0;
  let checked = false;
  const check = (): void => {
    const h = Buffer.concat(head);
    if (codec.sniff(h)) return;
    if (have < 6) throw corrupt(`${what} is truncated (${have} bytes of ${codec.name} data)`);
    const got = codecFor(h)?.name;
    throw corrupt(`${what} should be ${codec.name}-compressed but starts like ${got === undefined ? 'something else' : `${got} data`}`);
  };
  for await (const c of input) {
    if (checked) {
      yield c;
      continue;
    }
    head.push(c);
    have += c.length;
    if (have < SNIFF_BYTES) continue;
    check();
    checked = true;
    yield* head.splice(0);
  }
  if (!checked) {
    check();
    yield* head;
  }
}

/** Runs the (checked) input through the codec's decoder; names the input in the decoder's errors. */
async function* decoded(input: AsyncIterable<Buffer>, codec: Codec, what: string): AsyncGenerator<Buffer> {
  let upstream: unknown;
  const watched = async function* watched(): AsyncGenerator<Buffer> {
    try {
      yield* input;
    } catch (err) {
      upstream = err;
      throw err;
    }
  };
  const dec = codec.decoder();
  const src = Readable.from(watched());
  src.on('error', (e) => dec.destroy(e));
  src.pipe(dec);
  try {
    for await (const c of dec) yield c as Buffer;
  } catch (err) {
    if (err === upstream) throw err;
    if (err instanceof KheadersError) throw err.prefixed(`${what}: `);
    throw corrupt(`${what}: corrupt ${codec.name} data (${codec.explain?.(err) ?? (err instanceof Error ? err.message : String(err))})`);
  } finally {
    src.unpipe(dec);
    src.destroy();
    dec.destroy();
  }
}

/** Decodes `input` as `kind` ('none' passes it through), yielding at most opts.maxBytes bytes. */
export async function* decodeStream(input: AsyncIterable<Buffer> | Iterable<Buffer>, kind: CodecName, what: string, opts: DecodeOptions = {}): AsyncGenerator<Buffer> {
  const max = opts.maxBytes ?? MAX_INPUT_BYTES;
  const codec = kind === 'none' ? undefined : codecNamed(kind);
  const out = codec === undefined ? input : decoded(sniffed(input, codec, what), codec, what);
  let total = 0;
  for await (const c of out) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    total += c.length;
    if (total > max) {
      throw new KheadersError('LIMIT_EXCEEDED', `${what}: decompresses to more than ${max} bytes`,
        'pass the real file (a decompression bomb is refused), or raise the size limit');
    }
    yield c;
  }
}

/**
 * Decompresses a whole buffer (a .ko.xz, .ko.gz, .ko.zst), checked as a whole
 * where the codec can. With `stopAfter`, returns early once that many bytes are out.
 */
export async function decompress(input: Buffer, kind: CodecName, what: string, opts: DecodeOptions & { stopAfter?: number } = {}): Promise<Buffer> {
  if (kind === 'none') return input;
  const out: Buffer[] = [];
  let total = 0;
  for await (const c of decodeStream([input], kind, what, opts)) {
    out.push(c);
    total += c.length;
    if (opts.stopAfter !== undefined && total >= opts.stopAfter) return Buffer.concat(out);
  }
  codecNamed(kind).check?.(input, total, what);
  return Buffer.concat(out);
}
