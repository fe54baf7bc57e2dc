// gzip: zlib's own decoder (several members in a row decode as one stream).
import { createGunzip, type Gunzip } from 'node:zlib';
import { DECODE_PIECE } from '../../constants.js';

export const gzip = {
  name: 'gzip',
  sniff: (head: Buffer): boolean => head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8,
  decoder: (): Gunzip => createGunzip({ chunkSize: DECODE_PIECE }),
};
