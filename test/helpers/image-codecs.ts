// The codecs an image reader gets: the kernel's seven, with a size cap.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import { KheadersError } from '../../src/core/errors.js';
import { decompress, detectCompression } from '../../src/core/sources/module.js';
import { bzip2 } from '../../src/core/sources/codecs/bzip2.js';
import { lz4 } from '../../src/core/sources/codecs/lz4-legacy.js';
import { lzo } from '../../src/core/sources/codecs/lzop.js';
import { lzma } from '../../src/core/sources/codecs/lzma.js';
import type { Codecs } from '../../src/core/sources/images/kernel-image.js';

const MINE: Array<{ name: string; sniff(h: Buffer): boolean; decoder(): Transform }> = [bzip2, lz4, lzo, lzma];

export function imageCodecs(maxBytes = 1 << 30): Codecs {
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
          if (n > maxBytes) throw new KheadersError('LIMIT_EXCEEDED', `${what}: decompresses to more than ${maxBytes} bytes`, 'raise the limit');
          out.push(b);
        }
      }).catch((err: unknown) => {
        // As the codec table words a decoder's error.
        if (err instanceof KheadersError) throw err;
        throw new KheadersError('CORRUPT_ARCHIVE', `${what}: corrupt ${codec} data (${err instanceof Error ? err.message : String(err)})`);
      });
      return Buffer.concat(out);
    },
  };
}
