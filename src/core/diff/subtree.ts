// Subtrees only in one archive (arch/x86 against arch/arm64): each becomes one
// line in the human reports, with its member count; --json keeps every member.
import type { DiffFinding, DiffSubtree } from './report.js';

/** "a/b/c" -> ["a", "a/b"]: the directories a name lies under. */
function parents(name: string): string[] {
  const out: string[] = [];
  for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) out.push(name.slice(0, i));
  return out;
}

/**
 * The largest directories whose every member in one archive is only there, and
 * of which the other archive has nothing (not the directory, nothing under it).
 * Each holds at least two members; `names` lists one side's members.
 */
export function onlySubtrees(findings: readonly DiffFinding[], names: { a: readonly string[]; b: readonly string[] }): DiffSubtree[] {
  const out: DiffSubtree[] = [];
  for (const side of ['a', 'b'] as const) {
    const field = side === 'a' ? 'only-a' : 'only-b';
    const only = new Set(findings.filter((f) => f.field === field).map((f) => f.name));
    const other = new Set((side === 'a' ? names.b : names.a).flatMap((n) => [n, ...parents(n)]));
    const total = new Map<string, number>();
    const alone = new Map<string, number>();
    for (const n of side === 'a' ? names.a : names.b) {
      for (const d of [n, ...parents(n)]) {
        total.set(d, (total.get(d) ?? 0) + 1);
        if (only.has(n)) alone.set(d, (alone.get(d) ?? 0) + 1);
      }
    }
    const fits = (d: string): boolean => d !== '.' && !other.has(d) && (alone.get(d) ?? 0) >= 2 && alone.get(d) === total.get(d);
    for (const [d, n] of alone) {
      if (fits(d) && !parents(d).some(fits)) out.push({ side, name: d, members: n });
    }
  }
  return out.sort((x, y) => (x.side === y.side ? (x.name < y.name ? -1 : 1) : x.side === 'a' ? -1 : 1));
}

/** The subtree a finding falls in, if any. */
export function subtreeOf(f: DiffFinding, subtrees: readonly DiffSubtree[]): DiffSubtree | undefined {
  if (f.field !== 'only-a' && f.field !== 'only-b') return undefined;
  const side = f.field === 'only-a' ? 'a' : 'b';
  return subtrees.find((s) => s.side === side && (f.name === s.name || f.name.startsWith(`${s.name}/`)));
}

/** Findings for the human reports: each subtree once (at its first member), as one finding with its count. */
export function collapseFindings(findings: readonly DiffFinding[], subtrees: readonly DiffSubtree[]): DiffFinding[] {
  const shown = new Set<DiffSubtree>();
  const out: DiffFinding[] = [];
  for (const f of findings) {
    const s = subtreeOf(f, subtrees);
    if (s === undefined) { out.push(f); continue; }
    if (shown.has(s)) continue;
    shown.add(s);
    out.push({ field: f.field, name: s.name, kind: 'dir', detail: `only in ${s.side === 'a' ? 'A' : 'B'}: the whole subtree, ${s.members} members` });
  }
  return out;
}
