// zstd: the fastest decoder this process has, each behind the frame guard
// (guard.ts), so all refuse the same input: node:zlib's libzstd (Node >= 22.15,
// GitHub's Node 24 runtime), else the system `zstd -dc` on PATH, else fzstd
// (pure JS, Node 20 without zstd, or KHEADERS_SYSTEM_CODECS=0).
import type { Transform } from 'node:stream';
import { systemTool, toolDecoder } from '../system-tool.js';
import { fzstdDecoder } from './fzstd.js';
import { FRAME_MAGIC, FrameScanner, MAX_ZSTD_WINDOW } from './guard.js';
import { hasNativeZstd, nativeZstdDecoder } from './native.js';

export type ZstdBackend = 'node:zlib' | 'zstd' | 'fzstd';

/** The system zstd, with the guard's window limit as its own (--memory); undefined when it is not to be used. */
export const zstdToolDecoder = (): Transform | undefined =>
  toolDecoder('zstd', ['-d', '-c', '-q', `--memory=${MAX_ZSTD_WINDOW >> 20}MiB`], new FrameScanner(MAX_ZSTD_WINDOW));

/** Which decoder zstd input gets here and now. */
export function zstdBackend(): ZstdBackend {
  if (hasNativeZstd()) return 'node:zlib';
  return systemTool('zstd') === undefined ? 'fzstd' : 'zstd';
}

export const zstd = {
  name: 'zstd',
  sniff: (head: Buffer): boolean => head.length >= 4 && head.readUInt32LE(0) === FRAME_MAGIC,
  decoder: (): Transform => (hasNativeZstd() ? nativeZstdDecoder() : undefined) ?? zstdToolDecoder() ?? fzstdDecoder(),
};
