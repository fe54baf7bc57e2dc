import { readFile } from 'node:fs';
import { promisify } from 'node:util';
import type { TarItem } from './order.js';

const OPEN = Buffer.from('/*');
const CLOSE = Buffer.from('*/');
const SPDX = Buffer.from('SPDX');

/**
 * The byte ranges [start, end) of src that survive the kernel's perl
 * one-liner (a lazy non-SPDX match from an opener to a closer, over the whole
 * file as bytes), found in one linear pass.
 *
 * At each opener, the comment ends at the first closer that starts at least two
 * bytes later; it is removed only if no "SPDX" starts before that closer.
 * Otherwise the scan moves on to the next opener, which may lie inside the
 * kept comment. See docs/fidelity.md.
 */
export function keptRanges(src: Buffer): Array<[number, number]> {
  const kept: Array<[number, number]> = [];
  let open = src.indexOf(OPEN);
  let copied = 0;
  let close = -2;
  let spdx = -2;
  while (open >= 0) {
    const from = open + 2;
    if (close < from && close !== -1) close = src.indexOf(CLOSE, from);
    if (close === -1) break;
    if (spdx < from && spdx !== -1) spdx = src.indexOf(SPDX, from);
    if (spdx === -1 || spdx >= close) {
      if (open > copied) kept.push([copied, open]);
      copied = close + 2;
      open = src.indexOf(OPEN, copied);
    } else {
      open = src.indexOf(OPEN, open + 1);
    }
  }
  if (copied < src.length || kept.length === 0) kept.push([copied, src.length]);
  return kept;
}

/** Removes C comments as the kernel's build does (see keptRanges). */
export function stripComments(src: Buffer): Buffer {
  if (src.indexOf(OPEN) < 0) return src;
  const kept = keptRanges(src);
  if (kept.length === 1 && kept[0]![0] === 0 && kept[0]![1] === src.length) return src;
  return Buffer.concat(kept.map(([a, b]) => src.subarray(a, b)));
}

/** The 1-based line of src where line `strippedLine` of stripComments(src) begins. */
export function originalLine(src: Buffer, strippedLine: number): number {
  let left = strippedLine - 1;
  let at = 0;
  for (const [a, b] of keptRanges(src)) {
    at = a;
    while (left > 0) {
      const nl = src.indexOf(0x0a, at);
      if (nl < 0 || nl >= b) break;
      at = nl + 1;
      left--;
    }
    if (left === 0 && at < b) break;
    at = b;
  }
  let line = 1;
  for (let i = src.indexOf(0x0a); i >= 0 && i < at; i = src.indexOf(0x0a, i + 1)) line++;
  return line;
}

const readBytes = promisify(readFile);

/** A header's bytes as the archive holds them: read and comment-stripped. */
export async function readStripped(path: string): Promise<Buffer> {
  return stripComments(await readBytes(path));
}

/** A file member's bytes for the tar writer, comment-stripped as the kernel does. */
export function loadItem(item: TarItem): Promise<Buffer> {
  if (item.entry === undefined) throw new TypeError(`tar item ${item.name} has no tree entry`);
  return readStripped(item.entry.path);
}
