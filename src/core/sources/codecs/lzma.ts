// Legacy .lzma ("LZMA-alone", the kernel's `lzma -9`): the system xz where it
// is on PATH (C liblzma: a 20 MB arm64 Image in 0.25 s less than the WASM
// build, which must also load), else liblzma's auto decoder from
// node-liblzma's WebAssembly build (the native addon has no .lzma decoder).
// Both under one memory limit; bytes after the end of the stream are left
// alone (the kernel appends the decoded size).
import type { Transform } from 'node:stream';
import { Lazy } from '../../archive/xz.js';
import { LZMA_MEMLIMIT, overMemlimit, wasmUnlzma } from '../../archive/xz-wasm.js';
import { toolDecoder } from './system-tool.js';

/** xz as a .lzma decoder: one stream, what follows it ignored, errors on stderr (-q keeps those). */
const XZ_ARGS = ['-d', '-c', '-q', '--format=lzma', '--single-stream', `--memlimit=${LZMA_MEMLIMIT >> 20}MiB`];

/** A dictionary size `lzma` writes: 2^n or 2^n + 2^(n-1), 4 KiB to 1.5 GiB. */
function plausibleDict(d: number): boolean {
  for (let n = 12; n <= 30; n++) if (d === 2 ** n || d === 2 ** n + 2 ** (n - 1)) return true;
  return false;
}

export const lzma = {
  name: 'lzma',
  /** A weak magic: properties byte, dictionary size, and a decoded size that is unknown (all ones) or under 256 GiB. */
  sniff: (head: Buffer): boolean => head.length >= 13 && head[0] < 225 && plausibleDict(head.readUInt32LE(1))
    && (head.subarray(5, 13).every((b) => b === 0xff) || head.readUInt32LE(9) < 0x40),
  decoder: (): Transform => toolDecoder('xz', XZ_ARGS) ?? unlzmaWasm(),
  /** The system xz's word for the memory limit, as the WASM build words it. */
  explain: (err: unknown): string | undefined => (/Memory usage limit reached/.test(String(err)) ? overMemlimit(LZMA_MEMLIMIT) : undefined),
};

/** The WebAssembly decoder (KHEADERS_SYSTEM_CODECS=0, or no xz on PATH). */
export function unlzmaWasm(): Transform {
  return new Lazy(() => wasmUnlzma());
}
