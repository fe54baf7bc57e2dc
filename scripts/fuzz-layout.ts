// Where the header fields of each format are, for scripts/fuzz.ts: mutations
// aimed at headers reach the readers' checks rather than dying in a payload.
// These walk well-formed seeds only; they are not readers.

/** Offsets of the 60-byte member headers of an ar archive. */
export function arHeaders(b: Buffer): number[] {
  const out: number[] = [];
  for (let o = 8; o + 60 <= b.length;) {
    out.push(o);
    const size = Number(b.toString('latin1', o + 48, o + 58).trim());
    if (!Number.isSafeInteger(size)) break;
    o += 60 + size + (size % 2);
  }
  return out;
}

/** Offsets of the tar headers in a plain tar, and the end of the tar entries. */
export function tarHeaders(b: Buffer, start: number, end: number): number[] {
  const out: number[] = [];
  for (let o = start; o + 512 <= end && b[o] !== 0;) {
    out.push(o);
    const size = parseInt(b.toString('latin1', o + 124, o + 136).replace(/\0.*$/s, '').trim() || '0', 8);
    if (!Number.isSafeInteger(size)) break;
    o += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** The RPM's two header structures: offset, index count, store size. */
export function rpmHeaders(b: Buffer): Array<{ at: number; il: number; dl: number }> {
  const sig = { at: 96, il: b.readUInt32BE(104), dl: b.readUInt32BE(108) };
  const mainAt = 96 + 16 + sig.il * 16 + sig.dl + ((8 - (sig.dl % 8)) % 8);
  return [sig, { at: mainAt, il: b.readUInt32BE(mainAt + 8), dl: b.readUInt32BE(mainAt + 12) }];
}
export const payloadAt = (b: Buffer): number => ((m) => m.at + 16 + m.il * 16 + m.dl)(rpmHeaders(b)[1] as { at: number; il: number; dl: number });

/** Offsets of the newc entry headers of a cpio archive. */
export function cpioHeaders(b: Buffer): number[] {
  const out: number[] = [];
  for (let o = 0; o + 110 <= b.length && b.toString('latin1', o, o + 5) === '07070';) {
    out.push(o);
    const ns = parseInt(b.toString('latin1', o + 94, o + 102), 16);
    const fs = parseInt(b.toString('latin1', o + 54, o + 62), 16);
    o += Math.ceil((110 + ns) / 4) * 4 + Math.ceil(fs / 4) * 4;
  }
  return out;
}

/** Offsets of the block headers of the first zstd frame (after its header). */
export function zstdBlocks(b: Buffer): number[] {
  const d = b[4] as number;
  const single = (d >> 5) & 1;
  let o = 5 + (single ? 0 : 1) + [0, 1, 2, 4][d & 3]! + [single, 2, 4, 8][d >> 6]!;
  const out: number[] = [];
  while (o + 3 <= b.length) {
    out.push(o);
    const h = b.readUIntLE(o, 3);
    if (h & 1) break;
    o += 3 + (((h >> 1) & 3) === 1 ? 1 : h >>> 3);
  }
  return out;
}
