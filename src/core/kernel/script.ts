import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KheadersError } from '../errors.js';
import type { Variant } from '../types.js';

/** The file-set rules that differ between kernel script versions (docs/fidelity.md). */
export interface FileRules {
  /** The final tar drops names with a part starting ".__afs" or ".nfs". */
  excludeSillyRename: boolean;
  /** include/generated/utsversion.h is left out. */
  dropUtsversion: boolean;
  /** Out-of-tree: an objtree header replaces the srctree one of the same name (cpio -u, tar -x). */
  objOverrides: boolean;
}

export interface VariantInfo {
  variant: Variant;
  /** false: the script did not match a variant we know; `variant` is the closest one. */
  known: boolean;
  /** What we found, for the log (and, when !known, why). */
  reason: string;
  /** The rules found in this tree's script; pass them on to collectHeaders. */
  rules: FileRules;
}

/** The rules each variant has in the kernel versions that define it. */
export function defaultRules(variant: Variant): FileRules {
  switch (variant) {
    case 'cpio':
      return { excludeSillyRename: true, dropUtsversion: false, objOverrides: true };
    case 'tar':
    case 'makefile':
      return { excludeSillyRename: false, dropUtsversion: true, objOverrides: true };
  }
}

/** Shell/make text without comment lines, with continued lines joined. */
function code(text: string): string {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');
}

async function readOrEmpty(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

const EXCLUDE_RE = /--exclude[= ]["']?([^"'\s]+)["']?/g;
const KNOWN_EXCLUDES = new Set(['.__afs*', '.nfs*']);

/** Features of the script text; each is a fact we act on or check. */
function features(sh: string, mk: string): Record<string, boolean> {
  return {
    cpio: /\|\s*cpio\b/.test(sh),
    cpioUpdate: /\|\s*cpio\b[^|\n]*-p\w*u/.test(sh),
    tarCopy: /tar\s+-c\s+-f\s+-[^|\n]*-T\s+\S+[^|\n]*\|\s*tar\s+-xf\s+-/.test(sh),
    dirList: /include\/\s+arch\/\$\{?SRCARCH\}?\/include\//.test(sh) && /find\s+"?\$\{?\w+\}?"?\s+-name\s+["']?\*\.h/.test(sh),
    outOfTree: /building_out_of_srctree/.test(sh) && /cd\s+"?\$\{?srctree/.test(sh),
    rmUts: /rm\s+-f\s+\S*include\/generated\/utsversion\.h/.test(sh),
    afs: /--exclude[= ]["']?\.__afs\*/.test(sh),
    nfs: /--exclude[= ]["']?\.nfs\*/.test(sh),
    lists: /srclist/.test(sh) && /objlist/.test(sh) && /kheaders-srclist/.test(mk) && /kheaders-objlist/.test(mk),
    mkDirs: /for\s+d\s+in\s+include\s+"?arch\/\$\(SRCARCH\)\/include"?/.test(mk),
    srcPrune: /-path\s+"?\$\(srctree\)\/\$\$\{?d\}?\/generated"?\s+-prune/.test(mk),
    objGenerated: /find\s+"?\$\$\{?d\}?\/generated"?/.test(mk),
    objNoUts: /!\s+-path\s+"?include\/generated\/utsversion\.h"?/.test(mk),
  };
}

/** Read kernel/gen_kheaders.sh and kernel/Makefile and say which rules they follow. */
export async function detectVariant(srctree: string): Promise<VariantInfo> {
  const script = join(srctree, 'kernel', 'gen_kheaders.sh');
  const shText = await readOrEmpty(script);
  if (shText === undefined) {
    throw new KheadersError('NOT_A_KERNEL_TREE',
      `${script} is missing: this tree cannot build kheaders_data.tar.xz (CONFIG_IKHEADERS came in Linux 5.2)`,
      'use a Linux 5.2 or later source tree, or pass the right --source directory',
    );
  }
  const sh = code(shText);
  const mk = code((await readOrEmpty(join(srctree, 'kernel', 'Makefile'))) ?? '');
  const f = features(sh, mk);
  const odd = [...sh.matchAll(EXCLUDE_RE)].map((m) => m[1]!).filter((p) => !KNOWN_EXCLUDES.has(p));

  const scores: Record<Variant, number> = {
    makefile: (f.lists ? 3 : 0) + (f.srcPrune ? 1 : 0) + (f.objGenerated ? 1 : 0),
    cpio: (f.cpio ? 3 : 0) + (f.dirList ? 1 : 0),
    tar: (f.tarCopy ? 3 : 0) + (f.dirList ? 1 : 0),
  };
  // Ties go to the newest variant.
  const order: Variant[] = ['makefile', 'tar', 'cpio'];
  const variant = order.reduce((best, v) => (scores[v] > scores[best] ? v : best), order[0]!);

  const rules: FileRules = {
    excludeSillyRename: f.afs! && f.nfs!,
    dropUtsversion: variant === 'makefile' ? f.objNoUts! : f.rmUts!,
    objOverrides: variant !== 'cpio' || f.cpioUpdate!,
  };
  const missing: string[] = [];
  const need = (ok: boolean | undefined, what: string): void => {
    if (!ok) missing.push(what);
  };
  if (variant === 'makefile') {
    need(f.lists, 'kernel/Makefile making kheaders-srclist and kheaders-objlist');
    need(f.mkDirs, 'lists over include and arch/$(SRCARCH)/include');
    need(f.srcPrune, 'srclist pruning <dir>/generated');
    need(f.objGenerated, 'objlist taken from <dir>/generated');
  } else {
    need(variant === 'cpio' ? f.cpio : f.tarCopy, variant === 'cpio' ? 'a cpio copy' : 'a tar -T copy');
    need(f.dirList, 'find "$f" -name "*.h" over include/ and arch/$SRCARCH/include/');
    need(f.outOfTree, 'a srctree copy for out-of-tree builds');
    need(!/kheaders-srclist/.test(mk), 'no kheaders-srclist in kernel/Makefile (this script ignores it)');
  }
  if (f.afs !== f.nfs) missing.push('both or neither of --exclude=.__afs* and --exclude=.nfs*');
  for (const p of odd) missing.push(`no other excludes (found --exclude=${p}, not applied)`);

  const desc = describe(variant, rules);
  if (missing.length > 0) {
    return { variant, known: false, rules, reason: `${script} is not a version we know; closest is "${variant}" (${desc}); expected ${missing.join('; ')}` };
  }
  return { variant, known: true, rules, reason: desc };
}

function describe(v: Variant, r: FileRules): string {
  const copy =
    v === 'makefile'
      ? 'file lists from kernel/Makefile: srctree without generated/, objtree generated/ only'
      : `${v} copy of srctree then objtree${r.objOverrides ? ' (objtree wins)' : ' (srctree wins: cpio without -u)'}`;
  return [
    copy,
    r.excludeSillyRename ? 'excludes .__afs*/.nfs*' : 'no name excludes',
    r.dropUtsversion ? 'drops include/generated/utsversion.h' : 'keeps include/generated/utsversion.h',
  ].join('; ');
}
