// Member-by-member comparison of two archives: presence, contents (with a
// unified diff), type, link target, mode, mtime and owner.
import { unifiedDiff } from '../unified-diff.js';
import type { Member } from '../archive/read.js';
import type { DiffCounts, DiffField, DiffFinding } from './report.js';

export interface CompareLimits {
  diffLines: number;
  maxDiffs: number;
}

export const octalMode = (m: number): string => m.toString(8).padStart(4, '0');
export const isoTime = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

/** "uid/gid" plus " uname/gname" when the archive stores names. */
export function ownerOf(m: Member): string {
  const names = m.uname !== '' || m.gname !== '' ? ` ${m.uname}/${m.gname}` : '';
  return `${m.uid}/${m.gid}${names}`;
}

function contentFinding(a: Member, b: Member, limits: CompareLimits, diffsLeft: number): DiffFinding | undefined {
  const da = a.data ?? Buffer.alloc(0);
  const db = b.data ?? Buffer.alloc(0);
  if (da.equals(db)) return undefined;
  const sizes = `A ${da.length} bytes, B ${db.length} bytes`;
  const f: DiffFinding = { field: 'content', name: a.name, kind: 'file', detail: `contents differ (${sizes})` };
  if (da.includes(0) || db.includes(0)) {
    f.binary = true;
    f.detail = `binary contents differ (${sizes})`;
  } else if (diffsLeft > 0) {
    const diff = unifiedDiff(`a/${a.name}`, `b/${a.name}`, da, db, limits.diffLines);
    if (diff !== undefined) f.diff = diff;
  }
  return f;
}

/** The metadata findings of one common member, in the report's field order. */
function metaFindings(a: Member, b: Member): DiffFinding[] {
  const out: DiffFinding[] = [];
  const add = (field: DiffField, va: string, vb: string, detail: string, extra: Partial<DiffFinding> = {}): void => {
    if (va !== vb) out.push({ field, name: a.name, kind: a.kind, detail, a: va, b: vb, ...extra });
  };
  add('type', a.kind, b.kind, `a ${a.kind} in A, a ${b.kind} in B`);
  if (a.kind === 'symlink' && b.kind === 'symlink') {
    add('target', a.target ?? '', b.target ?? '', `symlink points to ${JSON.stringify(a.target)} in A, ${JSON.stringify(b.target)} in B`);
  }
  add('mode', octalMode(a.mode), octalMode(b.mode), `mode ${octalMode(a.mode)} in A, ${octalMode(b.mode)} in B`);
  const delta = b.mtime - a.mtime;
  add('mtime', isoTime(a.mtime), isoTime(b.mtime), `mtime ${isoTime(a.mtime)} in A, ${isoTime(b.mtime)} in B (${delta > 0 ? '+' : ''}${delta} s)`, { delta });
  add('owner', ownerOf(a), ownerOf(b), `owner ${ownerOf(a)} in A, ${ownerOf(b)} in B`);
  return out;
}

export interface Comparison {
  findings: DiffFinding[];
  counts: Omit<DiffCounts, 'order'>;
  /** Names present in both, in A's order and in B's order. */
  commonA: string[];
  commonB: string[];
}

/** Compares two member lists (each in archive order). */
export function compareMembers(as: readonly Member[], bs: readonly Member[], limits: CompareLimits): Comparison {
  const inA = new Map(as.map((m) => [m.name, m]));
  const inB = new Map(bs.map((m) => [m.name, m]));
  const only = (field: 'only-a' | 'only-b', list: readonly Member[], other: Map<string, Member>): DiffFinding[] =>
    list.filter((m) => !other.has(m.name)).map((m) => ({ field, name: m.name, kind: m.kind, detail: `only in ${field === 'only-a' ? 'A' : 'B'}` }));
  const findings = [...only('only-a', as, inB), ...only('only-b', bs, inA)];
  const counts = { common: 0, onlyA: 0, onlyB: 0, content: 0, type: 0, target: 0, mode: 0, mtime: 0, owner: 0 };
  counts.onlyA = findings.filter((f) => f.field === 'only-a').length;
  counts.onlyB = findings.length - counts.onlyA;
  let diffsLeft = limits.maxDiffs;
  for (const a of as) {
    const b = inB.get(a.name);
    if (b === undefined) continue;
    counts.common++;
    const meta = metaFindings(a, b);
    const content = a.kind === 'file' && b.kind === 'file' ? contentFinding(a, b, limits, diffsLeft) : undefined;
    if (content?.diff !== undefined) diffsLeft--;
    for (const f of content ? [content, ...meta] : meta) {
      findings.push(f);
      counts[f.field as keyof typeof counts]++;
    }
  }
  return {
    findings, counts,
    commonA: as.filter((m) => inB.has(m.name)).map((m) => m.name),
    commonB: bs.filter((m) => inA.has(m.name)).map((m) => m.name),
  };
}
