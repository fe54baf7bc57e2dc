// File-system errors as our errors: the path, what went wrong, and a fix.
import { KheadersError } from '../errors.js';

const WHY: Record<string, [string, string]> = {
  ENOSPC: ['the file system is full', 'free some space, or choose an --output on another file system'],
  EDQUOT: ['the disk quota is used up', 'free some space, or choose an --output on another file system'],
  EROFS: ['the file system is read-only', 'choose an --output on a writable file system'],
  EACCES: ['permission denied', 'choose an --output you can write to'],
  EPERM: ['the operation is not permitted', 'choose an --output you can write to'],
  ENOTDIR: ['a part of the path is a file, not a directory', 'choose an --output whose parents are directories'],
  EEXIST: ['it already exists', 'remove it, or choose another --output'],
  ENOTEMPTY: ['another process put a directory there first', 'run again (or pass --force to replace it)'],
  ENAMETOOLONG: ['the name is too long for the file system', 'choose a shorter --output path'],
  EMFILE: ['too many files are open', 'raise the open-file limit (ulimit -n) and run again'],
  EIO: ['an I/O error', 'check the disk and run again'],
};

/** A KheadersError for an error from the file system while `doing` (e.g. "write") `path`; other errors as they are. */
export function fsError(err: unknown, path: string, doing: string): unknown {
  if (err instanceof KheadersError || (err as Error | undefined)?.name === 'AbortError') return err;
  const raw = (err as NodeJS.ErrnoException | undefined)?.code;
  if (raw === undefined) return err;
  // mkdir -p fails with EEXIST where a part of the path is a file.
  const code = raw === 'EEXIST' && doing === 'create the directory' ? 'ENOTDIR' : raw;
  const [why, fix] = WHY[code] ?? [(err as Error).message, 'check the path and the file system, then run again'];
  return new KheadersError('WRITE_FAILED', `cannot ${doing} ${path}: ${why} (${code})`, fix);
}
