// The verify report: the TypeScript form of the JSON schema in docs/verify.md.
// Stable: add fields only; a breaking change bumps REPORT_SCHEMA_VERSION.
import type { VerifySettings } from '../settings.js';
import type { Variant } from '../types.js';
import type { Claim } from '../kernel/claim.js';
import type { FileRules } from '../kernel/script.js';
import type { KernelIdentity } from '../archive/identity.js';


export const REPORT_SCHEMA_VERSION = 1;

/** verifyArchive's options: the verify command's settings, less what only the fronts use, plus the diff size. */
export type VerifyOptions = Omit<VerifySettings, 'command' | 'strict' | 'json' | 'markdown'> & {
  /** Also compare metadata and rebuild to check reproducibility. */
  strict?: boolean;
  /** Lines of unified diff kept per differing file (default 40). */
  diffLines?: number;
};

export type Category = 'differs' | 'missing' | 'extra' | 'generated' | 'config' | 'metadata';

/** The categories that make an archive disagree with its tree ('generated' is unverified, not a mismatch). */
export const MISMATCH_CATEGORIES: ReadonlySet<Category> = new Set(['differs', 'missing', 'extra', 'config', 'metadata']);

/** The findings that count as mismatches: the one verdict rule for reports, exit codes and the action. */
export function mismatches(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => MISMATCH_CATEGORIES.has(f.category));
}

export interface Finding {
  category: Category;
  /** Tree-relative path ("include/linux/a.h"), a CONFIG_ option name, or "(archive)" for whole-archive facts. */
  name: string;
  /** Entry kind in the archive (or the tree, for 'missing'). */
  kind?: 'file' | 'dir' | 'symlink';
  /** One line saying what differs. */
  detail: string;
  /** For 'differs' on files: a unified-diff excerpt, tree (expected) -> archive. */
  diff?: string;
  /** For 'differs' on files: the tree file's own line (1-based, before comment stripping) of the first difference, for annotations. */
  line?: number;
  /** Expected value (tree / .config / rebuild), for config, metadata and symlinks. */
  expected?: string;
  /** Value found in the archive. */
  actual?: string;
}

export interface Counts {
  /** Entries (files, symlinks, header-named dirs) equal to the tree. */
  match: number;
  differs: number;
  missing: number;
  extra: number;
  /** Generated headers not checked (no objtree): unverified, never counted as matching. */
  generated: number;
  /** CONFIG options whose autoconf.h form disagrees with the .config. */
  config: number;
  /** --strict metadata differences. */
  metadata: number;
}

export interface StrictResult {
  /** Tar header format of the archive ('gnu' is what the kernel's tar writes). */
  format: string;
  /** sha256 of the archive file. */
  archiveSha256: string;
  /** sha256 of our rebuild (compat xz) with the archive's own mtimes. */
  rebuiltSha256: string;
  /** The uncompressed tars are identical (xz settings may still differ). */
  tarIdentical: boolean;
  reproducible: boolean;
  /** The xz mode the rebuild used, read from the archive's container (compat: xz -6; fast: ours, preset 1). */
  compression: 'compat' | 'fast';
  /** What an archive of this tree's script can match: byte-identical, content-identical, or unknown. */
  fidelity: 'byte-identical' | 'content-identical' | 'unknown';
  /** Fields the script stamps from the build machine, not compared (mtime, uid, gid, uname, gname, order). */
  unreproducible: string[];
}

export interface VerifyReport {
  schemaVersion: number;
  /** Overall verdict: 'match' only if nothing differs, is missing or extra, no config disagreement and (strict) reproducible. */
  result: 'match' | 'mismatch';
  archive: string;
  /** When --archive was a kernel image, module or package: where in it the archive was found. */
  archiveFrom?: string;
  source: string;
  objtree?: string;
  srcarch: string;
  variant: { name: Variant; known: boolean; reason: string; rules: FileRules; claim: Claim };
  identity: KernelIdentity;
  /** Member mtime (epoch seconds) when all members share one; undefined when mixed. */
  mtime?: number;
  /** The .config cross-checked, and how many options it set or unset. */
  config?: { file: string; options: number };
  /** The image's embedded .config (CONFIG_IKCONFIG), checked against autoconf.h and the tree's .config. */
  imageConfig?: { options: number };
  counts: Counts;
  /** Every finding, in archive order (then missing ones in tree order, then config, then metadata). */
  findings: Finding[];
  /** --strict only. */
  strict?: StrictResult;
  /** Archive totals. */
  archiveStats: { entries: number; tarBytes: number };
  /** Milliseconds per phase. */
  timings: Record<string, number>;
}
