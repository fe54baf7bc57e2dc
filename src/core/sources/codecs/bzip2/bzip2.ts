// bzip2: the system `bzip2 -dc` where it is on PATH, one process per core on a
// kernel-sized input (parallel.ts), else seek-bzip in JavaScript (seek.ts,
// about 4x slower than one bzip2 process). Both decode concatenated streams
// and ignore bytes after the last stream that do not start another (the size
// the kernel appends), as bzip2 does.
import type { Transform } from 'node:stream';
import { bzip2Processes } from './parallel.js';
import { bunzip2Js } from './seek.js';

export const bzip2 = {
  name: 'bzip2',
  /** "BZh" and a block size digit, then the block magic (pi) or the end-of-stream magic (sqrt pi). */
  sniff: (head: Buffer): boolean => head.length >= 10 && head.toString('latin1', 0, 3) === 'BZh' && head[3] >= 0x31 && head[3] <= 0x39
    && (head.readUIntBE(4, 6) === 0x314159265359 || head.readUIntBE(4, 6) === 0x177245385090),
  decoder: (): Transform => bzip2Processes() ?? bunzip2Js(),
};
