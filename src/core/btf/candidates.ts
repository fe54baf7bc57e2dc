// The headers worth compiling: every .h of the archive that declares a type,
// in the order that puts the canonical headers first (they win a conflict).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Candidates {
  /** Relative paths, in compile order. */
  headers: string[];
  /** Headers with no struct, union, enum or typedef: nothing for vmlinux.h, not compiled. */
  noTypes: number;
  /** The arch's headers for the other word size (asm/suspend_32.h on a 64-bit config), with why. */
  otherWidth: Map<string, string>;
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

/**
 * An arch header for the other word size: x86's asm/suspend_32.h beside
 * suspend_64.h, of which asm/suspend.h includes the one the config needs. Left
 * to the probe, the 32-bit one (first in byte order) would define the type.
 */
export function otherWidthReason(path: string, srcarch: string, is64: boolean): string | undefined {
  if (!path.startsWith(`arch/${srcarch}/include/`)) return undefined;
  const other = is64 ? '32' : '64';
  if (!new RegExp(`_${other}(?:_types)?\\.h$`).test(path)) return undefined;
  return `for ${other}-bit kernels; this config is ${is64 ? '64' : '32'}-bit (the header without the suffix includes the right one)`;
}

/** All candidate headers under root, ordered by rank then byte order of the path (stable across machines). */
export async function listCandidates(root: string, srcarch: string, is64 = true): Promise<Candidates> {
  const all: string[] = [];
  await walk(root, '', all);
  const headers: string[] = [];
  const otherWidth = new Map<string, string>();
  let noTypes = 0;
  for (const h of all) {
    if (!DECLARES_TYPE.test(await readFile(join(root, h), 'latin1'))) {
      noTypes++;
      continue;
    }
    const other = otherWidthReason(h, srcarch, is64);
    if (other !== undefined) otherWidth.set(h, other);
    else headers.push(h);
  }
  headers.sort((a, b) => rank(a, srcarch) - rank(b, srcarch) || byName(a, b));
  return { headers, noTypes, otherWidth };
}
