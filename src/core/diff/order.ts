// Member order: where the common members' order diverges, and how each side
// is sorted. GNU tar --sort=name sorts each directory's entries and recurses,
// so include/asm/vdso/ and its contents come before include/asm/vdso.h; a
// sorted path list (find | LC_ALL=C sort | tar -T -) puts vdso.h first.
import type { OrderDiff, SortStyle } from './report.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Bytewise order of whole paths, as LC_ALL=C sort. */
export function comparePaths(x: string, y: string): number {
  return Buffer.compare(bytes(x), bytes(y));
}

/** Component by component, a directory before what it holds: GNU tar --sort=name. */
export function compareNames(x: string, y: string): number {
  const px = x === '.' ? [] : x.split('/');
  const py = y === '.' ? [] : y.split('/');
  for (let i = 0; i < Math.min(px.length, py.length); i++) {
    const c = Buffer.compare(bytes(px[i]!), bytes(py[i]!));
    if (c !== 0) return c;
  }
  return px.length - py.length;
}

function sortedBy(names: readonly string[], cmp: (x: string, y: string) => number): boolean {
  for (let i = 1; i < names.length; i++) if (cmp(names[i - 1]!, names[i]!) > 0) return false;
  return true;
}

/** How a list of member names is ordered; 'name' when both orders fit (nothing tells them apart). */
export function sortStyle(names: readonly string[]): SortStyle {
  if (sortedBy(names, compareNames)) return 'name';
  if (sortedBy(names, comparePaths)) return 'path';
  return 'other';
}

/** The first position where two orders of the same names diverge; undefined when they agree. */
export function orderDiff(a: readonly string[], b: readonly string[]): OrderDiff | undefined {
  const index = a.findIndex((n, i) => n !== b[i]);
  if (index < 0) return undefined;
  return { index, a: a[index]!, b: b[index] ?? '', aSort: sortStyle(a), bSort: sortStyle(b) };
}
