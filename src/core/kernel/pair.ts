// A --source and an --objtree must be one kernel: the objtree's `source` link
// and generated Makefile point at the srctree, and its release is that tree's.
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { KheadersError } from '../errors.js';
import { parseUtsRelease, UTSRELEASE_H } from '../archive/identity.js';

async function real(p: string): Promise<string | undefined> {
  return realpath(p).catch(() => undefined);
}

/** VERSION.PATCHLEVEL.SUBLEVEL plus EXTRAVERSION from the top Makefile, as kbuild's KERNELVERSION. */
export function kernelVersion(makefile: string): string | undefined {
  const v = (n: string): string | undefined => new RegExp(`^${n}\\s*=[ \\t]*(\\S*)`, 'm').exec(makefile)?.[1];
  const [ver, patch, sub, extra] = [v('VERSION'), v('PATCHLEVEL'), v('SUBLEVEL'), v('EXTRAVERSION')];
  if (!ver || !/^\d+$/.test(ver)) return undefined;
  return `${ver}${patch ? `.${patch}${sub ? `.${sub}` : ''}` : ''}${extra ?? ''}`;
}

const FIX = 'pass the objtree that was built from this source tree (make -C SRC O=OBJ), or the source tree that built this objtree';

/** Throws TREES_MISMATCH when the objtree says it belongs to another source tree or kernel version. */
export async function checkTreesBelong(source: string, objtree: string, configured: boolean): Promise<void> {
  const src = await real(source);
  const link = await real(join(objtree, 'source'));
  if (link !== undefined && src !== undefined && link !== src) {
    throw new KheadersError('TREES_MISMATCH', `the objtree ${objtree} was built from ${link} (its "source" link), not from ${source}`, FIX);
  }
  const mk = await readFile(join(objtree, 'Makefile'), 'utf8').catch(() => '');
  const inc = /^include\s+(\S+)\/Makefile\s*$/m.exec(mk)?.[1];
  const incReal = inc === undefined ? undefined : await real(inc);
  if (incReal !== undefined && src !== undefined && incReal !== src) {
    throw new KheadersError('TREES_MISMATCH', `the objtree ${objtree} belongs to ${inc} (its generated Makefile), not to ${source}`, FIX);
  }
  if (configured) return; // make prepare rewrites the release from this source tree
  const rel = parseUtsRelease(await readFile(join(objtree, UTSRELEASE_H), 'utf8').catch(() => ''));
  const ver = kernelVersion(await readFile(join(source, 'Makefile'), 'utf8').catch(() => ''));
  if (rel !== undefined && ver !== undefined && !rel.startsWith(ver)) {
    throw new KheadersError('TREES_MISMATCH', `the objtree ${objtree} holds release ${rel}, but ${source} is Linux ${ver}`, FIX);
  }
}
