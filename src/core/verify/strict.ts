// --strict: compare tar metadata with what the tree's own script writes, and
// rebuild the archive in memory (one archive-wide mtime, the archive's xz mode)
// to check reproducibility.
// Unlike `build`, nothing is prepared with make and nothing is written.
import { createHash } from 'node:crypto';
import { createCompressor } from '../build/compress.js';
import { tarItems, type TarItem } from '../build/order.js';
import { readFile } from 'node:fs/promises';
import { xzLayout } from '../archive/xz-info.js';
import type { Claim } from '../kernel/claim.js';
import type { FileRules } from '../kernel/script.js';
import type { Compression } from '../settings.js';
import { packTar } from '../build/tar.js';
import { readMembers, type Member } from '../archive/read.js';
import { loadItem } from '../build/strip.js';
import type { HeaderEntry } from '../types.js';
import { digestBuffer } from '../io/atomic.js';
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
  /** The tree's script rules, and what they let an archive match. */
  rules: FileRules;
  claim: Claim;
  /** Progress of the rebuild, for a TTY. */
  progress?: (message: string) => void;
}

/** Rebuilds the tar with the archive's mtimes; returns its hashes and its own member metadata. */
async function rebuild(items: TarItem[], mtime: number, compression: Compression, owner?: string, progress?: (m: string) => void): Promise<{ tarSha: string; xzSha: string; meta: MemberMeta[]; format: string }> {
  let done = 0;
  const began = performance.now();
  const onItem = (): void => {
    done++;
    progress?.(`rebuild ${Math.floor((100 * done) / items.length)}% ${done}/${items.length} members, ${((performance.now() - began) / 1000).toFixed(1)} s`);
  };
  const tar = packTar(items, mtime, loadItem, { owner, onItem });
  const tarHash = createHash('sha256');
  const xzHash = createHash('sha256');
  const xz = createCompressor(compression, 2);
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
export function compareMeta(archive: readonly MemberMeta[], rebuilt: readonly MemberMeta[], format: string, rebuiltFormat: string, skip: readonly string[] = []): Finding[] {
  const findings: Finding[] = [];
  if (format !== rebuiltFormat) {
    findings.push({ category: 'metadata', name: '(archive)', detail: `tar format is ${format}, the builder writes ${rebuiltFormat}`, expected: rebuiltFormat, actual: format });
  }
  const want = new Map(rebuilt.map((m) => [m.name, m]));
  for (const f of FIELDS.filter((x) => !skip.includes(x))) {
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
  const i = skip.includes('order') ? -1 : a.findIndex((n, k) => n !== b[k]);
  if (i >= 0) {
    findings.push({ category: 'metadata', name: a[i] as string, detail: `entry order differs at position ${i}: the builder puts ${JSON.stringify(b[i])} there`, expected: b[i] ?? '', actual: a[i] ?? '' });
  }
  return findings;
}

/**
 * Runs the strict checks against the script's rules: one mtime for the whole
 * archive (its most common one; a member with another is a finding), and the
 * archive's own xz mode. Fields the script stamps from the build machine are
 * not compared, and the archive is then only content-reproducible.
 */
export async function strictCheck(input: StrictInput): Promise<{ result: StrictResult; findings: Finding[] }> {
  const counts = new Map<number, number>();
  for (const m of input.members) counts.set(m.mtime, (counts.get(m.mtime) ?? 0) + 1);
  const common = [...counts].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0]?.[0] ?? 0;
  const bytes = await readFile(input.archive);
  const layout = xzLayout(bytes);
  const compression: Compression = layout?.mode === 'fast' ? 'fast' : 'compat';
  const items = tarItems(input.entries, input.rules);
  const rb = await rebuild(items, common, compression, input.rules.owner === 'root' ? 'root' : undefined, input.progress);
  const archiveSha256 = digestBuffer(bytes).sha256;
  const skip = input.claim.fields;
  const findings = compareMeta(input.members, rb.meta, input.format, rb.format, skip);
  const reproducible = archiveSha256 === rb.xzSha;
  return {
    result: {
      format: input.format, archiveSha256, rebuiltSha256: rb.xzSha, tarIdentical: input.tarSha256 === rb.tarSha, reproducible,
      compression, fidelity: input.claim.fidelity, unreproducible: [...skip],
    },
    findings,
  };
}
