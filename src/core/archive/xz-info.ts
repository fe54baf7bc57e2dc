// The xz container of an archive: check type, blocks, and the LZMA2 dictionary
// size, from which the preset and our compression mode can be told.
import { XZ_MAGIC } from '../constants.js';
import { parseXzIndex } from './xz-index.js';
import { varint, xzBlocks, type XzBlock } from './xz-blocks.js';

export interface XzLayout {
  /** Integrity check: none, crc32, crc64, sha256 (or "id N"). */
  check: string;
  blocks: number;
  /** Dictionary size of the first block's LZMA2 filter, bytes; undefined when not found. */
  dictBytes?: number;
  /** The `xz -N` preset that dictionary size belongs to (0-9; 6 and 1 are ours). */
  preset?: number;
  /** compat (xz -6, one block) or fast (our multithreaded preset 1), when it looks like one of ours. */
  mode?: 'compat' | 'fast';
  /** Each block's sizes, from the index (single-stream files). */
  blockSizes?: XzBlock[];
  /** More than one block, or block headers that record sizes: what a multithreaded encoder writes. */
  multithreaded?: boolean;
}

const CHECKS: Record<number, string> = { 0: 'none', 1: 'crc32', 4: 'crc64', 10: 'sha256' };
/** Dictionary sizes of the presets 0..9 (xz's documented table). */
const PRESET_DICT = [256, 1024, 2048, 4096, 4096, 8192, 8192, 16384, 32768, 65536].map((k) => k * 1024);

/** The first block's LZMA2 dictionary size. */
function firstDict(buf: Buffer): number | undefined {
  const start = 12;
  const size = (buf[start] ?? 0) * 4 + 4;
  if (size <= 4 || start + size > buf.length) return undefined;
  const flags = buf[start + 1]!;
  let at = start + 2;
  for (const present of [flags & 0x40, flags & 0x80]) {
    if (!present) continue;
    const v = varint(buf, at);
    if (v === undefined) return undefined;
    at = v[1];
  }
  for (let f = 0; f <= (flags & 3); f++) {
    const id = varint(buf, at);
    const propSize = id && varint(buf, id[1]);
    if (!id || !propSize) return undefined;
    if (id[0] === 0x21 && propSize[0] === 1) {
      const d = buf[propSize[1]]! & 0x3f;
      return d === 40 ? 0xffffffff : (2 | (d & 1)) * 2 ** (Math.floor(d / 2) + 11);
    }
    at = propSize[1] + propSize[0];
  }
  return undefined;
}

/** The layout of a whole xz file in memory; undefined for what is not one xz stream. */
export function xzLayout(buf: Buffer): XzLayout | undefined {
  if (buf.length < 32 || !buf.subarray(0, 6).equals(XZ_MAGIC)) return undefined;
  let index;
  try {
    index = parseXzIndex(buf);
  } catch {
    return undefined;
  }
  const dictBytes = firstDict(buf);
  const preset = dictBytes === undefined ? undefined : PRESET_DICT.lastIndexOf(dictBytes);
  const out: XzLayout = { check: CHECKS[index.check] ?? `id ${index.check}`, blocks: index.blockCount, ...(dictBytes !== undefined ? { dictBytes } : {}) };
  if (preset !== undefined && preset >= 0) out.preset = preset;
  if (out.preset === 6 && out.blocks === 1) out.mode = 'compat';
  if (out.preset === 1) out.mode = 'fast';
  const blocks = index.streamCount === 1 ? xzBlocks(buf, index.check) : undefined;
  if (blocks !== undefined) {
    out.blockSizes = blocks;
    out.multithreaded = blocks.length > 1 || blocks.some((b) => b.sizesInHeader);
  }
  return out;
}
