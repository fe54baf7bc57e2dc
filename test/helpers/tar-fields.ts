// Two tar archives compared member by member with tar-stream (not our reader
// or writer): which fields differ, and whether the member sets or order do.
import { execFileSync } from 'node:child_process';
import { extract } from 'tar-stream';
import { Readable } from 'node:stream';

export interface TarMember {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  linkname: string;
  data: Buffer;
}

/** The members of an xz-compressed tar file (decompressed by xz(1)) or of tar bytes, parsed by tar-stream. */
export async function tarMembers(input: string | Buffer): Promise<TarMember[]> {
  const raw = typeof input === 'string' ? execFileSync('xz', ['-dc', input], { maxBuffer: 1 << 30 }) : input;
  const out: TarMember[] = [];
  const ex = extract();
  Readable.from([raw]).pipe(ex);
  for await (const entry of ex) {
    const h = entry.header;
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.push({ name: h.name, type: h.type ?? 'file', mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0,
      uname: h.uname ?? '', gname: h.gname ?? '', mtime: Math.floor((h.mtime?.getTime() ?? 0) / 1000), linkname: h.linkname ?? '', data: Buffer.concat(chunks) });
  }
  return out;
}

const FIELDS = ['mode', 'uid', 'gid', 'uname', 'gname', 'mtime'] as const;

/** The fields that differ between two archives; 'members' when the name sets, types, targets or contents differ. */
export function differingFields(a: readonly TarMember[], b: readonly TarMember[]): { fields: Set<string>; detail: string[] } {
  const fields = new Set<string>();
  const detail: string[] = [];
  const byName = new Map(b.map((m) => [m.name, m]));
  const names = (x: readonly TarMember[]): string => x.map((m) => m.name).sort().join('\n');
  if (names(a) !== names(b)) {
    fields.add('members');
    const only = (x: readonly TarMember[], y: readonly TarMember[]): string[] => x.map((m) => m.name).filter((n) => !y.some((o) => o.name === n));
    detail.push(`only in the kernel's: ${only(a, b).join(' ')}`, `only in ours: ${only(b, a).join(' ')}`);
  }
  if (a.map((m) => m.name).join('\n') !== b.map((m) => m.name).join('\n') && !fields.has('members')) {
    fields.add('order');
    const i = a.findIndex((m, k) => m.name !== b[k]?.name);
    detail.push(`order differs at ${i}: ${a[i]?.name} vs ${b[i]?.name}`);
  }
  for (const m of a) {
    const o = byName.get(m.name);
    if (o === undefined) continue;
    if (m.type !== o.type || m.linkname !== o.linkname || !m.data.equals(o.data)) {
      fields.add('members');
      detail.push(`${m.name}: ${m.type}/${o.type} ${m.linkname}/${o.linkname} ${m.data.length}/${o.data.length} bytes`);
    }
    for (const f of FIELDS) {
      if (m[f] !== o[f] && !fields.has(f)) {
        fields.add(f);
        detail.push(`${f} of ${m.name}: ${f === 'mode' ? m[f].toString(8) : m[f]} vs ${f === 'mode' ? (o[f] as number).toString(8) : o[f]}`);
      }
    }
  }
  return { fields, detail };
}

/** Fields a claim may name that this machine makes agree anyway: run as root, the builder's uid and gid are 0, as ours. */
const COINCIDE: Record<string, () => boolean> = {
  uid: () => process.getuid?.() === 0,
  gid: () => process.getgid?.() === 0,
};

/**
 * Where a claim's tar fields (all but the container's `xz`) and the fields that
 * differ disagree: each differing field must be named, and each named field must
 * differ unless COINCIDE says why it agrees here. Empty when the claim is exact.
 */
export function claimGaps(claimFields: readonly string[], differing: ReadonlySet<string>): string[] {
  const named = new Set(claimFields.filter((f) => f !== 'xz'));
  const gaps: string[] = [];
  for (const f of differing) if (!named.has(f)) gaps.push(`${f} differs but the claim does not name it`);
  for (const f of named) if (!differing.has(f) && !(COINCIDE[f]?.() ?? false)) gaps.push(`the claim names ${f}, which does not differ`);
  return gaps;
}
