// xz: liblzma (archive/xz.ts holds the one import of node-liblzma).
import type { Transform } from 'node:stream';
import { checkXzIndex } from '../../archive/xz-decode.js';
import { createUnxz, LZMA_BUF_ERROR, LZMA_DATA_ERROR, LZMA_MEMLIMIT_ERROR, LZMA_OPTIONS_ERROR } from '../../archive/xz.js';
import { DECODE_PIECE, XZ_MAGIC } from '../../constants.js';

export const xz = {
  name: 'xz',
  sniff: (head: Buffer): boolean => head.length >= 6 && head.subarray(0, 6).equals(XZ_MAGIC),
  // Unxz is a Transform; its own typed `on` overloads hide that from TypeScript.
  decoder: (): Transform => createUnxz({ chunkSize: DECODE_PIECE }) as unknown as Transform,
  /** liblzma's stream wrapper ends quietly on truncated input: a whole input is checked against its xz index. */
  check: (input: Buffer, decoded: number, what: string): void => checkXzIndex(input, decoded, what),
  /** liblzma's error numbers, in words. */
  explain(err: unknown): string | undefined {
    const errno = (err as { errno?: unknown } | null)?.errno;
    if (errno === LZMA_DATA_ERROR) return 'integrity check failed';
    if (errno === LZMA_BUF_ERROR) return 'the stream is truncated';
    if (errno === LZMA_MEMLIMIT_ERROR || errno === LZMA_OPTIONS_ERROR) return `unsupported options: ${err instanceof Error ? err.message : String(err)}`;
    return undefined;
  },
};
