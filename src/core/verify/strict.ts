// --strict: compare tar metadata with the builder's, and rebuild the archive
// in memory (archive's own mtimes, compat xz) to check reproducibility.
// Unlike `build`, nothing is prepared with make and nothing is written.
import { createHash } from 'node:crypto';
import { createCompressor } from '../build/compress.js';
import { archiveOrder, type TarItem } from '../build/order.js';
import { packTar } from '../build/tar.js';
import { readMembers, type Member } from '../archive/read.js';
import { loadItem } from '../build/strip.js';
import type { HeaderEntry } from '../types.js';
import { digestFile } from '../io/atomic.js';
import { memberName } from './compare.js';
import type { Finding, StrictResult } from './report.js';

/** The metadata strict mode compares, per member. */
export type MemberMeta = Pick<Member, 'name' | 'kind' | 'mode' | 'uid' | 'gid' | 'uname' | 'gname' | 'mtime'>;

export interface StrictInput {
  archive: string;
  entries: readonly HeaderEntry[];
  /** The archive's members in archive order. */
  members: readonly MemberMeta[];
  format: string;
  /** sha256 of the archive's uncompressed tar. */
  tarSha256?: string;
}

/** Rebuilds the tar with the archive's mtimes; returns its hashes and its own member metadata. */
async function rebuild(items: TarItem[], fallbackMtime: number): Promise<{ tarSha: string; xzSha: string; meta: MemberMeta[]; format: string }> {
  const tar = packTar(items, fallbackMtime, loadItem);
  const tarHash = createHash('sha256');
  const xzHash = createHash('sha256');
  const xz = createCompressor('compat', 1);
  tar.on('data', (c: Buffer) => tarHash.update(c));
  tar.pipe(xz);
  const xzDone = new Promise<void>((res, rej) => {
    xz.on('data', (c: Buffer) => xzHash.update(c));
    xz.on('end', res);
    xz.on('error', rej);
    tar.on('error', rej);
  });
  const view = readMembers(tar, { compressed: false, label: 'rebuilt tar' });
  const meta: MemberMeta[] = [];
  for await (const m of view) {
    meta.push({ name: m.name, kind: m.kind, mode: m.mode, uid: m.uid, gid: m.gid, uname: m.uname, gname: m.gname, mtime: m.mtime });
  }
  await xzDone;
  return { tarSha: tarHash.digest('hex'), xzSha: xzHash.digest('hex'), meta, format: view.info.format ?? 'unknown' };
}

const FIELDS = ['mode', 'uid', 'gid', 'uname', 'gname', 'mtime'] as const;
const fmt = (f: (typeof FIELDS)[number], v: string | number): string => (f === 'mode' ? `0${Number(v).toString(8)}` : String(v));

/** Metadata findings: one per differing field (first entry named), order, and format. */
export function compareMeta(archive: readonly MemberMeta[], rebuilt: readonly MemberMeta[], format: string, rebuiltFormat: string): Finding[] {
  const findings: Finding[] = [];
  if (format !== rebuiltFormat) {
    findings.push({ category: 'metadata', name: '(archive)', detail: `tar format is ${format}, the builder writes ${rebuiltFormat}`, expected: rebuiltFormat, actual: format });
  }
  const want = new Map(rebuilt.map((m) => [m.name, m]));
  for (const f of FIELDS) {
    const bad = archive.filter((m) => want.has(m.name) && want.get(m.name)?.[f] !== m[f]);
    const first = bad[0];
    if (first === undefined) continue;
    const exp = (want.get(first.name) as MemberMeta)[f];
    const more = bad.length > 1 ? ` (and ${bad.length - 1} more entries)` : '';
    findings.push({ category: 'metadata', name: first.name, kind: first.kind, detail: `${f} is ${fmt(f, first[f])}, the builder writes ${fmt(f, exp)}${more}`, expected: fmt(f, exp), actual: fmt(f, first[f]) });
  }
  const have = new Set(archive.map((m) => m.name));
  const a = archive.filter((m) => want.has(m.name)).map((m) => m.name);
  const b = rebuilt.filter((m) => have.has(m.name)).map((m) => m.name);
  const i = a.findIndex((n, k) => n !== b[k]);
  if (i >= 0) {
    findings.push({ category: 'metadata', name: a[i] as string, detail: `entry order differs at position ${i}: the builder puts ${JSON.stringify(b[i])} there`, expected: b[i] ?? '', actual: a[i] ?? '' });
  }
  return findings;
}

/** Runs the strict checks. */
export async function strictCheck(input: StrictInput): Promise<{ result: StrictResult; findings: Finding[] }> {
  const mtimes = new Map(input.members.map((m) => [m.name, m.mtime]));
  const counts = new Map<number, number>();
  for (const t of mtimes.values()) counts.set(t, (counts.get(t) ?? 0) + 1);
  const common = [...counts].sort((x, y) => y[1] - x[1])[0]?.[0] ?? 0;
  const items = archiveOrder(input.entries).map((it) => {
    const t = mtimes.get(memberName(it.name));
    return t === undefined || t === common ? it : { ...it, mtime: t };
  });
  const [archiveSha256, rb] = await Promise.all([digestFile(input.archive).then((d) => d.sha256), rebuild(items, common)]);
  const findings = compareMeta(input.members, rb.meta, input.format, rb.format);
  return {
    result: { format: input.format, archiveSha256, rebuiltSha256: rb.xzSha, tarIdentical: input.tarSha256 === rb.tarSha, reproducible: archiveSha256 === rb.xzSha },
    findings,
  };
}
