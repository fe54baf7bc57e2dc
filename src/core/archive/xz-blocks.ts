// The blocks of a single-stream xz file, read from its index (sizes) and from
// each block header (whether the encoder stored the sizes there, as liblzma's
// multithreaded encoder does and its single-threaded one does not).

export interface XzBlock {
  /** Bytes the block takes in the file: header, compressed data, padding and check (xz -lvv's TotalSize). */
  compressed: number;
  /** Bytes it decodes to. */
  uncompressed: number;
  /** The block header records the compressed and/or uncompressed size. */
  sizesInHeader: boolean;
}

/** Bytes of the integrity check for a check id (xz format 2.1.1.2). */
/** Size of a check field for a check id (format 2.1.1.2). */
export function checkSize(id: number): number {
  return id === 0 ? 0 : 4 * 2 ** Math.floor((id - 1) / 3);
}

/**
 * A multibyte integer; [value, next offset], or undefined when it runs past `end`,
 * is over 9 bytes, or is not the shortest encoding (which xz -t refuses too).
 */
export function varint(buf: Buffer, at: number, end = buf.length): [number, number] | undefined {
  let v = 0;
  for (let i = 0; i < 9 && at + i < end; i++) {
    const b = buf[at + i]!;
    if (i > 0 && b === 0) return undefined;
    v += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return [v, at + i + 1];
  }
  return undefined;
}

/**
 * The blocks of one xz stream without stream padding, in file order; undefined
 * for anything else (several streams, a damaged index). `checkId` is the
 * stream's check (parseFileIndex's `check`), which sizes each block's check field.
 */
export function xzBlocks(buf: Buffer, checkId: number): XzBlock[] | undefined {
  if (buf.length < 32 || buf.toString('latin1', buf.length - 2) !== 'YZ') return undefined;
  const indexSize = (buf.readUInt32LE(buf.length - 8) + 1) * 4;
  const start = buf.length - 12 - indexSize;
  const end = buf.length - 12 - 4; // the index's CRC32 is not part of its records
  if (start < 12 || buf[start] !== 0) return undefined;
  const count = varint(buf, start + 1, end);
  if (count === undefined || count[0] > indexSize / 2) return undefined;
  const blocks: XzBlock[] = [];
  let at = count[1];
  let offset = 12;
  for (let i = 0; i < count[0]; i++) {
    const unpadded = varint(buf, at, end);
    const size = unpadded && varint(buf, unpadded[1], end);
    if (!unpadded || !size) return undefined;
    at = size[1];
    const compressed = Math.ceil(unpadded[0] / 4) * 4;
    if (offset + 2 > start || unpadded[0] < checkSize(checkId) + 8) return undefined;
    blocks.push({ compressed, uncompressed: size[0], sizesInHeader: (buf[offset + 1]! & 0xc0) !== 0 });
    offset += compressed;
  }
  return offset === start ? blocks : undefined;
}
