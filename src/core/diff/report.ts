// The diff report: the TypeScript form of the JSON schema in docs/diff.md.
// Stable: add fields only; a breaking change bumps DIFF_SCHEMA_VERSION.
import type { TarFormat } from '../archive/read.js';
import type { ReadLimits } from '../types.js';
import type { XzBlock } from '../archive/xz-blocks.js';

export const DIFF_SCHEMA_VERSION = 1;

export interface DiffOptions {
  /** The first archive (xz-compressed tar), "A" in the report. */
  a: string;
  /** The second archive, "B". */
  b: string;
  /** Reader limits, for both archives (defaults fit kernel headers with a wide margin). */
  limits?: Partial<ReadLimits>;
  /** Lines of unified diff kept per member (default 40). */
  diffLines?: number;
  /** Members that get a unified diff at all (default 50); later content findings have none. */
  maxDiffs?: number;
}

/** What differs for one member: its contents, one metadata field, or its presence. */
export type DiffField = 'only-a' | 'only-b' | 'content' | 'type' | 'target' | 'mode' | 'mtime' | 'owner';

/** One difference of one member. */
export interface DiffFinding {
  field: DiffField;
  /** Member name as normalized by the reader ("include/linux/a.h", "." for the root). */
  name: string;
  /** Kind in A (B for only-b). */
  kind: 'file' | 'dir' | 'symlink';
  /** One line saying what differs. */
  detail: string;
  /** A's value (mode as 4 octal digits, mtime as ISO 8601 UTC, owner as "uid/gid uname/gname", target, type). */
  a?: string;
  b?: string;
  /** mtime only: B's mtime minus A's, seconds. */
  delta?: number;
  /** content only: the data holds NUL bytes, so there is no text diff. */
  binary?: boolean;
  /** content only: unified diff a/NAME -> b/NAME, at most diffLines lines (absent for binary data and past maxDiffs). */
  diff?: string;
}

/** Where the common members' order first diverges. */
export interface OrderDiff {
  /** 0-based position among the members present in both. */
  index: number;
  /** The member at that position in A, and in B. */
  a: string;
  b: string;
  /** How each side is ordered: name (GNU tar --sort=name: per directory), path (a bytewise sorted path list), or other. */
  aSort: SortStyle;
  bSort: SortStyle;
}

export type SortStyle = 'name' | 'path' | 'other';

/** The xz container of one archive. */
export interface XzInfo {
  /** none, crc32, crc64, sha256 (or "id N"). */
  check: string;
  /** Each block's sizes, in file order. */
  blocks: XzBlock[];
  /** The first block's LZMA2 dictionary size, bytes. */
  dictBytes?: number;
  /** The xz -N preset that dictionary size belongs to. */
  preset?: number;
  /** More than one block, or sizes in the block headers. */
  multithreaded: boolean;
  /** kheaders' own mode it looks like: compat (xz -6, one block) or fast (preset 1). */
  mode?: 'compat' | 'fast';
}

/** Facts about one of the two archives. */
export interface DiffSide {
  /** The path as given, made absolute. */
  path: string;
  /** Size of the file, bytes. */
  bytes: number;
  sha256: string;
  /** sha256 of the uncompressed tar. */
  tarSha256: string;
  tarBytes: number;
  /** Tar header format of the first entry (gnu is GNU tar's default). */
  format: TarFormat;
  entries: number;
  xz: XzInfo;
}

/** The verdict's cause, stable for scripts; the verdict line says it in words. */
export type DiffCause =
  | 'identical' | 'xz-settings' | 'xz-encoding' | 'tar-encoding'
  | 'one-mtime' | 'mtime-shift' | 'mtimes' | 'symlink-modes' | 'modes' | 'owners' | 'order'
  | 'arch' | 'version' | 'config' | 'script-form' | 'summary';

/** A cause the archives' own members show, and the findings it explains. */
export interface DiffExplanation {
  /** arch: other arch/ trees (and CONFIG_<ARCH>); version: UTS_RELEASE or version.h; config: autoconf.h options; script-form: file set or tar metadata style. */
  cause: 'arch' | 'version' | 'config' | 'script-form';
  /** One line in words, e.g. "different arch (A: x86 (CONFIG_X86); B: arm64 (CONFIG_ARM64))". */
  detail: string;
  /** The names of the findings it explains (each finding goes to the first cause that fits). */
  members: string[];
}

/** A directory whose members are all only in one archive, with nothing of it in the other. */
export interface DiffSubtree {
  side: 'a' | 'b';
  name: string;
  /** Members at and under it, all only on that side. */
  members: number;
}

export interface DiffCounts {
  /** Members present in both archives. */
  common: number;
  onlyA: number;
  onlyB: number;
  content: number;
  type: number;
  target: number;
  mode: number;
  mtime: number;
  owner: number;
  /** 1 when the common members' order differs, else 0. */
  order: number;
}

export interface DiffReport {
  schemaVersion: number;
  /** identical: the two files have the same bytes. */
  result: 'identical' | 'different';
  /** One line naming the cause when it is a known one, else a count summary. */
  verdict: string;
  cause: DiffCause;
  a: DiffSide;
  b: DiffSide;
  /** The uncompressed tars are byte-identical (only the xz container differs, if anything). */
  tarIdentical: boolean;
  counts: DiffCounts;
  /** Only in A (A's order), only in B (B's order), then per member in A's order: content, type, target, mode, mtime, owner. */
  findings: DiffFinding[];
  order?: OrderDiff;
  /** The causes the archives show, most telling first (absent when the verdict is a single-field one). */
  explanations?: DiffExplanation[];
  /** Findings no explanation covers (with explanations). */
  unexplained?: number;
  /** Subtrees only in one archive: one line each in the human reports; findings still list every member. */
  subtrees?: DiffSubtree[];
}
