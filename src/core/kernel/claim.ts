// What a build may promise: the archive this tree's own script would make,
// byte for byte, or only its contents and order, or nothing (unknown constructs).
import type { Compression, Mtime } from '../settings.js';
import { scriptMtime } from './mtime.js';
import type { FileRules, VariantInfo } from './script.js';

export type Fidelity = 'byte-identical' | 'content-identical' | 'unknown';

export interface Claim {
  fidelity: Fidelity;
  /** Tar fields that cannot match the kernel's archive (mtime, uid, gid, uname, gname, order, xz). */
  fields: string[];
  /** Why, one line each. */
  why: string[];
  /** The system xz (with its version) when it, not the bundled liblzma, wrote the xz bytes. */
  encoder?: string;
}

/** The mtime origins (after scriptMtime) that give the date a script honouring each source stamps; `archive`: an archive's own. */
const HONOURED: Record<NonNullable<FileRules['mtime']>, readonly string[]> = {
  kbuild: ['--mtime', 'KBUILD_BUILD_TIMESTAMP', 'script', 'archive'],
  sde: ['SOURCE_DATE_EPOCH', 'script', 'archive'],
  fixed: ['script', 'archive'],
  files: [],
};

/** Why the mtime cannot match, when it cannot. */
function mtimeWhy(r: FileRules, from: NonNullable<FileRules['mtime']>, m: Mtime): string {
  if (from === 'files') return "the script stamps each file's own mtime (the build machine's clock)";
  if (from === 'sde') return `SOURCE_DATE_EPOCH is unset, so the script stamps each file's own mtime (the build machine's clock); ours came from ${m.origin}`;
  if (from === 'fixed') return `the script stamps its fixed date ${r.fixedMtime ?? ''}, and ours came from ${m.origin}`;
  return `the script takes its mtime from KBUILD_BUILD_TIMESTAMP (unset here, so each file's own), and ours came from ${m.origin}`;
}

/**
 * The claim for building with these rules, this mtime and this compression:
 * every tar field that cannot match the script's archive is named, then the container.
 */
export function claimFor(info: Pick<VariantInfo, 'known' | 'rules' | 'unknown'>, given: Mtime, compression: Compression = 'compat'): Claim {
  const r = info.rules;
  const fields: string[] = [];
  const why: string[] = [];
  const from = r.mtime ?? 'kbuild';
  const mtime = scriptMtime(r, given);
  if (!HONOURED[from].includes(mtime.origin)) {
    fields.push('mtime');
    why.push(mtimeWhy(r, from, mtime));
  }
  if ((r.owner ?? 'numeric') === 'builder') {
    fields.push('uid', 'gid', 'uname', 'gname');
    why.push("the script stores the builder's owner and group");
  }
  if (r.sort === 'none') {
    fields.push('order');
    why.push('the script packs in directory read order, which depends on the file system');
  }
  if (compression !== 'compat') {
    fields.push('xz');
    why.push(compression === 'fast' ? '--compression fast writes other xz bytes around the same tar' : '--compression none writes the plain tar');
  }
  if (!info.known) {
    return { fidelity: 'unknown', fields, why: [...info.unknown.map((u) => (u.line > 0 ? `line ${u.line}: ${u.rule}` : u.rule)), ...why] };
  }
  return { fidelity: fields.length === 0 ? 'byte-identical' : 'content-identical', fields, why };
}

/** The claim in one line, for logs. */
export function describeClaim(c: Claim): string {
  const by = c.encoder === undefined ? '' : `; the xz bytes were written by the system ${c.encoder}`;
  if (c.fidelity === 'byte-identical') return `byte-identical to the archive this tree's kernel/gen_kheaders.sh makes${by}`;
  if (c.fidelity === 'content-identical') return `content-identical (same members, contents and order; ${c.fields.join(', ')} cannot match: ${c.why.join('; ')})${by}`;
  return `unknown: the script has constructs we do not model (${c.why.join('; ')}); the closest rules were followed${by}`;
}
