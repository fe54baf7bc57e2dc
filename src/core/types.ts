/** The kernel script variant whose rules we follow (see docs/fidelity.md). */
export type Variant =
  /** 6.1/6.12-stable: cpio copy of src then obj tree, --exclude .__afs* .nfs*. */
  | 'cpio'
  /** mainline before v6.17: copies with tar, deletes include/generated/utsversion.h. */
  | 'tar'
  /** v6.17+: file lists from kernel/Makefile (srclist without generated/, objlist only generated). */
  | 'makefile';

/** One header (or a directory named *.h) the build takes, in tree-relative form. */
export interface HeaderEntry {
  /** Path relative to the tree root, '/'-separated, no leading './', e.g. "include/linux/a.h". */
  name: string;
  /** Absolute path of the file on disk (in srctree or objtree). */
  path: string;
  kind: 'file' | 'symlink' | 'dir';
  /** Symlink target, unchanged, for kind 'symlink'. */
  target?: string;
  /** Which tree it was taken from. */
  from: 'src' | 'obj';
  /** Permission bits on disk, read only when the script keeps them (no --mode). */
  mode?: number;
}

/** Limits of the archive reader (--max-entry-size, --max-size, --max-entries). */
export interface ReadLimits {
  /** Largest single member, bytes. */
  maxEntryBytes: number;
  /** Largest uncompressed tar stream (and compressed input), bytes. */
  maxTotalBytes: number;
  /** Most entries. */
  maxEntries: number;
}
