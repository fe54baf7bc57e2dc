// Struct and union layouts as BTF records them, read with the field's tools:
// pahole turns an object's DWARF into BTF, bpftool dumps BTF as JSON. Used to
// compare our vmlinux.h's BTF with the DWARF the kernel's own gcc build wrote.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Layout {
  kind: 'STRUCT' | 'UNION';
  size: number;
  /** name@bit_offset:bitfield_size, in order. */
  members: string[];
}

interface JsonType {
  kind: string;
  name: string;
  size?: number;
  members?: { name: string; bits_offset: number; bitfield_size?: number }[];
}

/** Named struct/union definitions of a BTF file: name -> every distinct layout seen. */
export async function btfLayouts(btfFile: string): Promise<Map<string, Layout[]>> {
  const { stdout } = await exec('bpftool', ['-j', 'btf', 'dump', 'file', btfFile], { maxBuffer: 1 << 30 });
  const out = new Map<string, Layout[]>();
  for (const t of (JSON.parse(stdout) as { types: JsonType[] }).types) {
    if ((t.kind !== 'STRUCT' && t.kind !== 'UNION') || t.name === '(anon)' || t.size === undefined) continue;
    const l: Layout = { kind: t.kind, size: t.size, members: (t.members ?? []).map((m) => `${m.name}@${m.bits_offset}:${m.bitfield_size ?? 0}`) };
    const seen = out.get(t.name) ?? [];
    if (!seen.some((s) => sameLayout(s, l))) seen.push(l);
    out.set(t.name, seen);
  }
  return out;
}

export function sameLayout(a: Layout, b: Layout): boolean {
  return a.kind === b.kind && a.size === b.size && a.members.join() === b.members.join();
}

/** The DWARF of a kernel object as BTF (pahole reads the DWARF gcc wrote), in dir. */
export async function objectBtf(object: string, dir: string, n: number): Promise<string> {
  const out = join(dir, `oracle-${n}.btf`);
  await exec('pahole', [`--btf_encode_detached=${out}`, object], { maxBuffer: 1 << 28 });
  return out;
}

export interface Comparison {
  /** Named struct/union types in the oracle objects. */
  oracle: number;
  /** Of those, the ones our BTF has. */
  common: number;
  /** name: what differs. */
  mismatches: string[];
  /** Members compared in the common types. */
  members: number;
}

/**
 * For each name in `ref` that `ours` has too: every layout `required` picks
 * must equal one of the layouts `candidates` picks; `say` words one that does not.
 */
function compareNames(ours: Map<string, Layout[]>, ref: Map<string, Layout[]>, pick: (mine: Layout[], theirs: Layout[]) => [required: Layout[], candidates: Layout[]],
  say: (name: string, missing: Layout, mine: Layout[], theirs: Layout[]) => string): Comparison {
  const mismatches: string[] = [];
  let common = 0;
  let members = 0;
  for (const [name, theirs] of ref) {
    const mine = ours.get(name);
    if (!mine) continue;
    common++;
    const [required, candidates] = pick(mine, theirs);
    for (const r of required) {
      members += r.members.length;
      if (!candidates.some((c) => sameLayout(c, r))) mismatches.push(say(name, r, mine, theirs));
    }
  }
  return { oracle: ref.size, common, mismatches, members };
}

/** Every type in both must have the same kind, size, member names, bit offsets and bitfield sizes. */
export function compareLayouts(ours: Map<string, Layout[]>, oracle: Map<string, Layout[]>): Comparison {
  return compareNames(ours, oracle, (mine, theirs) => [theirs, mine], (name, o, mine) => {
    const m = mine[0];
    const diff = o.members.find((x, i) => m.members[i] !== x);
    return `${name}: oracle ${o.kind} size ${o.size}, ours ${m.kind} size ${m.size}; first differing member: oracle ${diff ?? '(none)'} vs ours ${m.members[o.members.indexOf(diff ?? '')] ?? '(none)'}`;
  });
}

/**
 * The other way round, for a whole kernel's BTF, which holds several types of
 * one name (from .c files): each of our layouts must equal one of its variants.
 */
export function unmatchedLayouts(ours: Map<string, Layout[]>, kernel: Map<string, Layout[]>): Comparison {
  return compareNames(ours, kernel, (mine, theirs) => [mine, theirs],
    (name, m, _mine, variants) => `${name}: ours ${m.kind} size ${m.size}; the kernel's: ${variants.map((k) => `${k.kind} size ${k.size}`).join(', ')}`);
}
