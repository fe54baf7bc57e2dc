// The headers worth compiling: every .h of the archive that declares a type,
// in the order that puts the canonical headers first (they win a conflict).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Candidates {
  /** Relative paths, in compile order. */
  headers: string[];
  /** Headers with no struct, union, enum or typedef: nothing for vmlinux.h, not compiled. */
  noTypes: number;
}

/** A definition (`struct x {`, `enum {`, `typedef`), not a mere mention (`struct x *` in a prototype). */
const DECLARES_TYPE = /\b(?:struct|union|enum)\s+(?:\w+\s*)?\{|\btypedef\b/;

async function walk(root: string, rel: string, out: string[]): Promise<void> {
  const entries = await readdir(join(root, rel), { withFileTypes: true });
  for (const e of entries) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) await walk(root, p, out);
    else if (e.isFile() && e.name.endsWith('.h')) out.push(p);
  }
}

/** Lower ranks are included first: kernel-internal headers, then arch, net, the rest, generated, uapi, asm-generic. */
export function rank(path: string, srcarch: string): number {
  const arch = `arch/${srcarch}/include/`;
  if (path.startsWith('include/linux/')) return 0;
  if (path.startsWith(`${arch}asm/`)) return 1;
  if (path.startsWith('include/net/')) return 2;
  if (path.startsWith('include/uapi/') || path.startsWith(`${arch}uapi/`) || path.startsWith(`${arch}generated/uapi/`)) return 5;
  if (path.startsWith(`${arch}generated/`) || path.startsWith('include/generated/')) return 4;
  if (path.startsWith('include/asm-generic/')) return 6;
  return 3;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** All candidate headers under root, ordered by rank then byte order of the path (stable across machines). */
export async function listCandidates(root: string, srcarch: string): Promise<Candidates> {
  const all: string[] = [];
  await walk(root, '', all);
  const headers: string[] = [];
  let noTypes = 0;
  for (const h of all) {
    if (DECLARES_TYPE.test(await readFile(join(root, h), 'latin1'))) headers.push(h);
    else noTypes++;
  }
  headers.sort((a, b) => rank(a, srcarch) - rank(b, srcarch) || byName(a, b));
  return { headers, noTypes };
}
