// The codecs an image reader gets: the kernel's seven, with a size cap.
// (Until the codec table holds all seven, the three module codecs and ours side by side.)
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import { KheadersError } from '../../errors.js';
import { decompress, detectCompression } from '../module.js';
import { bzip2 } from '../codecs/bzip2.js';
import { lz4 } from '../codecs/lz4-legacy.js';
import { lzo } from '../codecs/lzop.js';
import { lzma } from '../codecs/lzma.js';
import type { Codecs } from './kernel-image.js';

const MINE: Array<{ name: string; sniff(h: Buffer): boolean; decoder(): Transform }> = [bzip2, lz4, lzo, lzma];

/** Detects and decodes any of the kernel's seven compressions, capped at maxBytes of output. */
export function imageCodecs(maxBytes: number): Codecs {
  return {
    detect(head) {
      const k = detectCompression(head);
      return k !== 'none' ? k : MINE.find((c) => c.sniff(head))?.name ?? 'none';
    },
    async decode(input, codec, what) {
      const c = MINE.find((x) => x.name === codec);
      if (c === undefined) return decompress(input, codec as 'xz' | 'gzip' | 'zstd', what, { maxBytes });
      const out: Buffer[] = [];
      let n = 0;
      await pipeline(Readable.from([input]), c.decoder(), async (src: AsyncIterable<Buffer>) => {
        for await (const b of src) {
          n += b.length;
          if (n > maxBytes) throw new KheadersError('LIMIT_EXCEEDED', `${what}: decompresses to more than ${maxBytes} bytes`, 'pass the real file (a decompression bomb is refused), or raise the size limit');
          out.push(b);
        }
      }).catch((err: unknown) => {
        // As the codec table words a decoder's error.
        if (err instanceof KheadersError) throw err;
        throw new KheadersError('CORRUPT_ARCHIVE', `${what}: corrupt ${codec} data (${err instanceof Error ? err.message : String(err)})`, 'pass the intact kernel image, as the distro or build ships it');
      });
      return Buffer.concat(out);
    },
  };
}
