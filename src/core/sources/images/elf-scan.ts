import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { ByteSource } from './byte-source.js';
import type { Logger } from '../../log.js';
import { readMembers } from '../../archive/read.js';
import { XZ_MAGIC } from '../../constants.js';

const MAGIC = XZ_MAGIC;
const CHUNK = 8 * 1024 * 1024;
/** Stop after this many plausible xz headers; a kernel image holds only a few streams. */
const MAX_CANDIDATES = 64;

/** True when `h` (12 bytes) is a valid xz stream header; returns its flags. */
function headerFlags(h: Buffer): number | undefined {
  if (h.length < 12 || !h.subarray(0, 6).equals(MAGIC)) return undefined;
  if (h[6] !== 0 || (h[7] & 0xf0) !== 0) return undefined;
  return crc32(h.subarray(6, 8)) === h.readUInt32LE(8) ? h.readUInt16BE(6) : undefined;
}

/** End offset (exclusive) of the xz stream starting at `start`, found by its footer, or undefined. */
async function streamEnd(src: ByteSource, start: number, flags: number, maxBytes: number): Promise<number | undefined> {
  const limit = Math.min(src.size, start + maxBytes);
  let base = start + 12;
  while (base < limit) {
    const len = Math.min(CHUNK, limit - base);
    const buf = await src.read(base, len);
    for (let i = buf.indexOf('YZ', 0, 'latin1'); i >= 0; i = buf.indexOf('YZ', i + 1, 'latin1')) {
      const end = base + i + 2;
      // Footer: CRC32, backward size, flags, "YZ"; the stream is a multiple of 4 bytes.
      if (end - start < 32 || (end - start) % 4 !== 0) continue;
      const foot = await src.read(end - 12, 12);
      if (foot.readUInt16BE(8) !== flags) continue;
      if (crc32(foot.subarray(4, 10)) !== foot.readUInt32LE(0)) continue;
      return end;
    }
    if (len === limit - base) break;
    base += len - 1;
  }
  return undefined;
}

const HEADER_PATH = /^(include\/|arch\/[^/]+\/include\/)/;

/** True when the xz stream decodes to a tar whose files all live under include/ or arch/X/include/. */
async function isHeadersArchive(xz: Buffer): Promise<boolean> {
  let headers = 0;
  try {
    for await (const m of readMembers(Readable.from([xz]), { compressed: true })) {
      if (m.kind === 'dir' && /^(\.|arch|arch\/[^/]+)$/.test(m.name)) continue;
      if (!HEADER_PATH.test(m.kind === 'dir' ? `${m.name}/` : m.name)) return false;
      if (m.name.startsWith('include/')) headers++;
    }
  } catch {
    return false;
  }
  return headers > 0;
}

/** Scans a (stripped) image for an xz stream that decodes to a tar of kernel headers. */
export async function scanForArchive(src: ByteSource, opts: { maxBytes: number; log: Logger }): Promise<{ archive: Buffer; offset: number } | undefined> {
  let tried = 0;
  for (let base = 0; base < src.size; base += CHUNK) {
    const buf = await src.read(base, Math.min(CHUNK + 11, src.size - base));
    for (let i = buf.indexOf(MAGIC); i >= 0 && i < CHUNK; i = buf.indexOf(MAGIC, i + 1)) {
      const at = base + i;
      if (at + 12 > src.size) continue;
      const flags = headerFlags(await src.read(at, 12));
      if (flags === undefined) continue;
      if (++tried > MAX_CANDIDATES) return undefined;
      const end = await streamEnd(src, at, flags, opts.maxBytes);
      if (end === undefined) continue;
      const xz = await src.read(at, end - at);
      opts.log.debug(`candidate xz stream of ${xz.length} bytes at offset ${at}`);
      if (await isHeadersArchive(xz)) return { archive: xz, offset: at };
    }
  }
  return undefined;
}
