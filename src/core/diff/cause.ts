// The verdict: one line that names the cause when the differences have the
// shape of a known one (docs/diff.md lists them), else a count summary.
import type { DiffCause, DiffCounts, DiffFinding, DiffReport, DiffSide, OrderDiff, SortStyle, XzInfo } from './report.js';

export interface Verdict {
  cause: DiffCause;
  verdict: string;
}

type Facts = Pick<DiffReport, 'a' | 'b' | 'tarIdentical' | 'counts' | 'findings' | 'order'>;

/** 3 MiB, 64 KiB or 1000 bytes. */
export function sizeText(n: number): string {
  if (n > 0 && n % 2 ** 20 === 0) return `${n / 2 ** 20} MiB`;
  if (n > 0 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** "preset 6, 1 block" / "preset 1, 3 blocks of 3 MiB" / "preset 1, 1 block, multi-threaded", with the check when asked. */
export function xzSettings(x: XzInfo, withCheck: boolean): string {
  const parts = [x.preset !== undefined ? `preset ${x.preset}` : x.dictBytes !== undefined ? `dict ${sizeText(x.dictBytes)}` : 'unknown filter'];
  const n = x.blocks.length;
  const first = x.blocks[0];
  parts.push(n > 1 && first !== undefined ? `${n} blocks of ${sizeText(first.uncompressed)}` : `${n} block${n === 1 ? '' : 's'}`);
  if (n <= 1 && x.multithreaded) parts.push('multi-threaded');
  if (withCheck) parts.push(x.check);
  return parts.join(', ');
}

function xzVerdict(a: DiffSide, b: DiffSide): Verdict {
  const withCheck = a.xz.check !== b.xz.check;
  const sa = xzSettings(a.xz, withCheck);
  const sb = xzSettings(b.xz, withCheck);
  if (sa === sb) return { cause: 'xz-encoding', verdict: `same tar, different xz bytes with the same settings (${sa}): another xz version?` };
  return { cause: 'xz-settings', verdict: `same tar, different xz settings (A: ${sa}; B: ${sb})` };
}

const SORT_WORDS: Record<SortStyle, string> = { name: '--sort=name', path: 'a sorted path list', other: 'unsorted' };

function orderVerdict(o: OrderDiff): Verdict {
  const at = `from #${o.index}: A ${o.a}, B ${o.b}`;
  const styles = [o.aSort, o.bSort].sort().join(' ');
  if (styles === 'name path') {
    return { cause: 'order', verdict: `order differs: --sort=name against a sorted path list (A: ${SORT_WORDS[o.aSort]}, B: ${SORT_WORDS[o.bSort]})` };
  }
  const unsorted = o.aSort === 'other' && o.bSort !== 'other' ? 'A' : o.bSort === 'other' && o.aSort !== 'other' ? 'B' : undefined;
  if (unsorted !== undefined) {
    return { cause: 'order', verdict: `order differs: ${unsorted} is unsorted (directory read order: a tar without --sort=name; ${at})` };
  }
  return { cause: 'order', verdict: `order differs ${at}` };
}

const uniform = (ts: readonly number[]): boolean => ts.every((t) => t === ts[0]);

function mtimeVerdict(fs: readonly DiffFinding[], counts: DiffCounts, mtimes: { a: number[]; b: number[] }): Verdict {
  const first = fs[0]!;
  const delta = (d: number | undefined): string => `${(d ?? 0) > 0 ? '+' : ''}${d ?? 0} s`;
  if (fs.length === 1) return { cause: 'one-mtime', verdict: `one member's mtime differs: ${first.name} (${delta(first.delta)})` };
  if (fs.length === counts.common && fs.every((f) => f.delta === first.delta)) {
    return { cause: 'mtime-shift', verdict: `all mtimes differ by the same amount (${delta(first.delta)}): a different KBUILD_BUILD_TIMESTAMP` };
  }
  const ua = uniform(mtimes.a);
  const ub = uniform(mtimes.b);
  if (ua !== ub) {
    return { cause: 'mtimes', verdict: `${fs.length} mtimes differ: ${ua ? 'B' : 'A'} keeps the files' own mtimes (a script without a fixed --mtime)` };
  }
  return { cause: 'mtimes', verdict: `${fs.length} members' mtimes differ (first: ${first.name}, ${delta(first.delta)})` };
}

/** "A 0777, B 0755" from a finding's values. */
const values = (f: DiffFinding): string => `A ${f.a ?? '-'}, B ${f.b ?? '-'}`;

const WORDS: Record<string, string> = {
  content: 'content', type: 'type', target: 'link target', mode: 'mode', mtime: 'mtime', owner: 'owner',
};

/** "3 members differ in content, 1 in mode, 1 only in A, order differs". */
export function countSummary(c: DiffCounts, findings: readonly DiffFinding[]): string {
  if (findings.length === 1 && c.order === 0) {
    const f = findings[0]!;
    const what = f.field === 'only-a' ? 'only in A' : f.field === 'only-b' ? 'only in B' : `differs in ${WORDS[f.field]}`;
    return `one member ${what}: ${f.name}`;
  }
  const parts: string[] = [];
  for (const k of ['content', 'type', 'target', 'mode', 'mtime', 'owner'] as const) {
    const n = c[k];
    if (n === 0) continue;
    parts.push(parts.length === 0 ? `${n} member${n === 1 ? ' differs' : 's differ'} in ${WORDS[k]}` : `${n} in ${WORDS[k]}`);
  }
  for (const [n, side] of [[c.onlyA, 'A'], [c.onlyB, 'B']] as const) {
    if (n > 0) parts.push(parts.length === 0 ? `${n} member${n === 1 ? '' : 's'} only in ${side}` : `${n} only in ${side}`);
  }
  if (c.order > 0) parts.push('order differs');
  return parts.join(', ');
}

/** The cause and verdict line for two compared archives; mtimes are each side's common members' mtimes. */
export function verdictOf(r: Facts, mtimes: { a: number[]; b: number[] }): Verdict {
  if (r.a.sha256 === r.b.sha256) return { cause: 'identical', verdict: 'identical' };
  if (r.tarIdentical) return xzVerdict(r.a, r.b);
  const c = r.counts;
  const fields = new Set<string>(r.findings.map((f) => f.field));
  if (c.order > 0) fields.add('order');
  if (fields.size === 0) {
    const formats = r.a.format === r.b.format ? `format ${r.a.format}` : `A: ${r.a.format} format, B: ${r.b.format} format`;
    return { cause: 'tar-encoding', verdict: `same members and metadata, different tar bytes (${formats}): pax records, padding or another tar` };
  }
  if (fields.size === 1) {
    const first = r.findings[0];
    if (fields.has('order') && r.order !== undefined) return orderVerdict(r.order);
    if (fields.has('mtime')) return mtimeVerdict(r.findings, c, mtimes);
    if (fields.has('mode') && first !== undefined) {
      if (r.findings.every((f) => f.kind === 'symlink')) {
        return { cause: 'symlink-modes', verdict: `symlink modes differ: a script without --mode (${values(first)})` };
      }
      const n = r.findings.length;
      return { cause: 'modes', verdict: `modes differ: a script without --mode (${n} member${n === 1 ? '' : 's'}, e.g. ${first.name}: ${values(first)})` };
    }
    if (fields.has('owner') && first !== undefined) {
      return { cause: 'owners', verdict: `owners differ: a script without --owner=0 --group=0 --numeric-owner (${values(first)})` };
    }
  }
  return { cause: 'summary', verdict: countSummary(c, r.findings) };
}
