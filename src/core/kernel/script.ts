import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KheadersError } from '../errors.js';
import type { Variant } from '../types.js';
import { readScript, type Construct, type ScriptFacts } from './script-constructs.js';

/** The rules of a tree's script that decide the archive's bytes (docs/fidelity.md). Optional ones default to the newest forms'. */
export interface FileRules {
  /** The final tar drops names with a part starting ".__afs" or ".nfs". */
  excludeSillyRename: boolean;
  /** include/generated/utsversion.h is left out. */
  dropUtsversion: boolean;
  /** Out-of-tree: an objtree header replaces the srctree one of the same name (cpio -u, tar -x). */
  objOverrides: boolean;
  /** Other --exclude patterns of the final tar. */
  excludes?: string[];
  /** Which names are taken: `*.h` (default), every name but `*.cmd` and dot-names (v5.2), or every name (`-print` first). */
  names?: 'headers' | 'all' | 'every';
  /** find -L: directories behind symlinks are walked (with `dereference`, copied as directories). */
  followLinks?: boolean;
  /** The script itself is archived as kernel/gen_kheaders.sh (v5.2). */
  withScript?: boolean;
  /** Symlinks are archived as the files they point to (cpio -L, tar -h). */
  dereference?: boolean;
  /** Member order: --sort=name (default), a byte-sorted path list, or directory read order. */
  sort?: 'name' | 'list' | 'none';
  /** --mode=u=rw,go=r,a+X (default); false: modes as staged. */
  mode?: boolean;
  /** --owner=0 --group=0 --numeric-owner (default), root by name, or the builder's. */
  owner?: 'numeric' | 'root' | 'builder';
  /** Where the mtime comes from: KBUILD_BUILD_TIMESTAMP (default), SOURCE_DATE_EPOCH, a fixed date, or the files. */
  mtime?: 'kbuild' | 'sde' | 'fixed' | 'files';
  /** The date of a fixed --mtime. */
  fixedMtime?: string;
  /** What the script falls back to when its mtime variable is unset (`--mtime=@${SOURCE_DATE_EPOCH:-0}`: "@0"). */
  mtimeDefault?: string;
}

export interface VariantInfo {
  variant: Variant;
  /** false: some construct is not one we model; `variant` and `rules` are the closest. */
  known: boolean;
  /** What we found, for the log (and, when !known, why). */
  reason: string;
  /** The rules found in this tree's script; pass them on to collectHeaders. */
  rules: FileRules;
  /** Each construct read, with its line in kernel/gen_kheaders.sh. */
  constructs: Construct[];
  /** Constructs we could not place; each makes the archive's bytes unknown. */
  unknown: Construct[];
  /** What the user should know that does not change the rules (e.g. CRLF line endings), for a warning. */
  notes?: string[];
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

async function readOrEmpty(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Make text without comment lines, with continued lines joined. */
function makeCode(text: string): string {
  return text.replace(/\\\r?\n/g, ' ').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
}

const SILLY = ['.__afs*', '.nfs*'];

/** The list forms: kernel/Makefile's kheaders-srclist and kheaders-objlist recipes. */
function readLists(mk: string, facts: ScriptFacts, missing: string[]): void {
  const need = (ok: boolean, what: string): void => { if (!ok) missing.push(what); };
  need(/kheaders-srclist/.test(mk) && /kheaders-objlist/.test(mk), 'kernel/Makefile making kheaders-srclist and kheaders-objlist');
  need(/for\s+d\s+in\s+include\s+"?arch\/\$\(SRCARCH\)\/include"?/.test(mk), 'lists over include and arch/$(SRCARCH)/include');
  need(/-path\s+"?\$\(srctree\)\/\$\$\{?d\}?\/generated"?\s+-prune\s+-o\s+-name\s+"?\*\.h"?/.test(mk), 'srclist: every *.h but <dir>/generated');
  need(/find\s+"?\$\$\{?d\}?\/generated"?[^;]*-name\s+"?\*\.h"?/.test(mk), 'objlist: the *.h of <dir>/generated');
  facts.names = 'headers';
  if (/!\s+-path\s+"?include\/generated\/utsversion\.h"?/.test(mk)) facts.removes.push('include/generated/utsversion.h');
  if (facts.mtime?.from === 'arg4') {
    const passes = /cmd_kheaders_data\s*=.*"\$\(KBUILD_BUILD_TIMESTAMP\)"/.test(mk);
    need(passes, 'kernel/Makefile passing KBUILD_BUILD_TIMESTAMP as the 4th argument');
    facts.mtime = { from: passes ? 'kbuild' : 'files' };
  }
}

/** Read kernel/gen_kheaders.sh (and kernel/Makefile for the list forms) into the rules that decide the bytes. */
export async function detectVariant(srctree: string): Promise<VariantInfo> {
  const script = join(srctree, 'kernel', 'gen_kheaders.sh');
  const shText = await readOrEmpty(script);
  if (shText === undefined) {
    throw new KheadersError('NOT_A_KERNEL_TREE',
      `${script} is missing: this tree cannot build kheaders_data.tar.xz (CONFIG_IKHEADERS came in Linux 5.2)`,
      'use a Linux 5.2 or later source tree, or pass the right --source directory',
    );
  }
  const f = readScript(shText);
  const missing: string[] = [];
  if (f.copy === 'lists') readLists(makeCode((await readOrEmpty(join(srctree, 'kernel', 'Makefile'))) ?? ''), f, missing);
  if (f.copy === undefined) missing.push('a copy into the staging dir (cpio -p, or tar -c | tar -x)');
  if (f.names === undefined) missing.push('a find selecting the names');
  if (!f.strip) missing.push("the kernel's perl comment strip");
  if (f.compressor === undefined) missing.push('the final tar -c');
  const variant: Variant = f.copy === 'lists' ? 'makefile' : f.copy ?? 'cpio';
  const silly = SILLY.every((p) => f.excludes.includes(p));
  const others = f.excludes.filter((p) => !SILLY.includes(p) || !silly);
  if (f.followLinks && !f.dereference) missing.push('a dereferencing copy (cpio -L, tar -h) after find -L');
  const removes = f.removes.filter((r) => r !== 'include/generated/utsversion.h');
  const rules: FileRules = {
    excludeSillyRename: silly,
    dropUtsversion: f.removes.includes('include/generated/utsversion.h'),
    objOverrides: f.laterWins ?? true,
    ...(others.length > 0 ? { excludes: others } : {}),
    names: f.names ?? 'headers',
    withScript: f.withScript,
    dereference: f.dereference,
    ...(f.followLinks ? { followLinks: true } : {}),
    sort: f.sort ?? 'name',
    mode: f.mode ?? true,
    owner: f.owner ?? 'numeric',
    mtime: f.mtime?.from === 'arg4' ? 'kbuild' : f.mtime?.from ?? 'kbuild',
    ...(f.mtime?.value !== undefined ? { fixedMtime: f.mtime.value } : {}),
    ...(f.mtime?.dflt !== undefined ? { mtimeDefault: f.mtime.dflt } : {}),
  };
  const unknown = [...f.unknown, ...missing.map((what) => ({ line: 0, what: 'missing', rule: what })),
    ...removes.map((r) => ({ line: 0, what: 'remove', rule: `rm of ${r} (only include/generated/utsversion.h is modelled)` }))];
  const desc = describe(variant, rules);
  const notes = /\r\n/.test(shText) ? { notes: [`${script} has CRLF line endings: read as LF, but sh cannot run it as it is (convert it with dos2unix)`] } : {};
  if (unknown.length > 0) {
    const why = unknown.map((u) => (u.line > 0 ? `line ${u.line}: ${u.what}: ${u.rule}` : `${u.what}: ${u.rule}`)).join('; ');
    return { variant, known: false, rules, constructs: f.constructs, unknown, ...notes, reason: `${script} has constructs we do not model; closest rules: ${desc}; not understood: ${why}` };
  }
  return { variant, known: true, rules, constructs: f.constructs, unknown, ...notes, reason: desc };
}

/** The rules in one line, for logs and reports. */
export function describe(v: Variant, r: FileRules): string {
  const copy =
    v === 'makefile'
      ? 'file lists from kernel/Makefile: srctree without generated/, objtree generated/ only'
      : `${v} copy of srctree then objtree${r.objOverrides ? ' (objtree wins)' : ' (srctree wins: cpio without -u)'}`;
  const parts = [
    copy,
    r.excludeSillyRename ? 'excludes .__afs*/.nfs*' : 'no name excludes',
    r.dropUtsversion ? 'drops include/generated/utsversion.h' : 'keeps include/generated/utsversion.h',
  ];
  if ((r.excludes ?? []).length > 0) parts.push(`also excludes ${(r.excludes ?? []).join(' ')}`);
  if (r.names === 'all') parts.push('every name but *.cmd and dot-names');
  if (r.names === 'every') parts.push('every name (find -print before its tests)');
  if (r.followLinks) parts.push('find -L (walks directories behind symlinks)');
  if (r.withScript) parts.push('the script itself');
  if (r.dereference) parts.push('symlinks dereferenced');
  if ((r.sort ?? 'name') !== 'name') parts.push(r.sort === 'list' ? 'order: sorted path list' : 'order: directory read order');
  if (r.mode === false) parts.push('no --mode');
  if ((r.owner ?? 'numeric') !== 'numeric') parts.push(r.owner === 'root' ? 'owner root by name' : "the builder's owner");
  if ((r.mtime ?? 'kbuild') !== 'kbuild') parts.push(`mtime: ${r.mtime === 'fixed' ? `fixed ${r.fixedMtime ?? ''}` : r.mtime === 'sde' ? sdeWords(r.mtimeDefault) : "the files' (build time)"}`);
  else if (r.mtimeDefault !== undefined) parts.push(`mtime: KBUILD_BUILD_TIMESTAMP (--mtime), else the script's default ${r.mtimeDefault}`);
  return parts.join('; ');
}

/** How a SOURCE_DATE_EPOCH script stamps, and that --mtime (KBUILD_BUILD_TIMESTAMP's stand-in) does not reach it. */
function sdeWords(dflt: string | undefined): string {
  const unset = dflt !== undefined ? `else the script's default ${dflt}` : "unset: the files' own (build time)";
  return `SOURCE_DATE_EPOCH, ${unset}; --mtime and KBUILD_BUILD_TIMESTAMP are not read`;
}
