import { readFile } from 'node:fs';
import { promisify } from 'node:util';

const OPEN = Buffer.from('/*');
const CLOSE = Buffer.from('*/');
const SPDX = Buffer.from('SPDX');

/**
 * Removes C comments the way the kernel's perl one-liner does (a lazy
 * non-SPDX match from an opener to a closer, over the whole file as bytes),
 * in one linear pass.
 *
 * At each opener, the comment ends at the first closer that starts at least two
 * bytes later; it is removed only if no "SPDX" starts before that closer.
 * Otherwise the scan moves on to the next opener, which may lie inside the
 * kept comment. See docs/fidelity.md.
 */
export function stripComments(src: Buffer): Buffer {
  let open = src.indexOf(OPEN);
  if (open < 0) return src;
  const kept: Buffer[] = [];
  let copied = 0;
  let close = -2;
  let spdx = -2;
  while (open >= 0) {
    const from = open + 2;
    if (close < from && close !== -1) close = src.indexOf(CLOSE, from);
    if (close === -1) break;
    if (spdx < from && spdx !== -1) spdx = src.indexOf(SPDX, from);
    if (spdx === -1 || spdx >= close) {
      kept.push(src.subarray(copied, open));
      copied = close + 2;
      open = src.indexOf(OPEN, copied);
    } else {
      open = src.indexOf(OPEN, open + 1);
    }
  }
  if (copied === 0) return src;
  kept.push(src.subarray(copied));
  return Buffer.concat(kept);
}

const readBytes = promisify(readFile);

/** A header's bytes as the archive holds them: read and comment-stripped. */
export async function readStripped(path: string): Promise<Buffer> {
  return stripComments(await readBytes(path));
}
