import { createTwoFilesPatch } from 'diff';

/** A unified diff from `aName` to `bName` (3 lines of context), at most maxLines lines; undefined when the diff library gives up. */
export function unifiedDiff(aName: string, bName: string, a: Buffer, b: Buffer, maxLines: number): string | undefined {
  const patch = createTwoFilesPatch(aName, bName, a.toString('utf8'), b.toString('utf8'), undefined, undefined, { context: 3, timeout: 1000 });
  if (patch === undefined) return undefined;
  const lines = patch.split('\n').filter((l) => !l.startsWith('====')).filter((l, i, all) => l !== '' || i < all.length - 1);
  if (lines.length <= maxLines) return lines.join('\n');
  return [...lines.slice(0, maxLines), `... (${lines.length - maxLines} more diff lines)`].join('\n');
}
