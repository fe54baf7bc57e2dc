// gzip: zlib's own decoder (several members in a row decode as one stream).
// Output in 1 MiB pieces: zlib's default 16 KiB means a thread-pool round trip
// per piece, which took 45-75 ms of a 13 MB kernel's 50-85 (9 ms this way).
import { createGunzip, type Gunzip } from 'node:zlib';

export const gzip = {
  name: 'gzip',
  sniff: (head: Buffer): boolean => head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8,
  decoder: (): Gunzip => createGunzip({ chunkSize: 1 << 20 }),
};
