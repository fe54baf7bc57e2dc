// What an extraction may never replace, whatever the flags: the run's own
// inputs (also when the same file through a symlink or `..`), a directory that
// holds one, `/`, `$HOME`, and a directory holding anything kheaders did not
// put there (a kernel tree, a project). Only reads; the caller refuses.
import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, sep } from 'node:path';
import { KheadersError } from '../errors.js';

/** The top-level names of an extracted kheaders archive. */
const ARCHIVE_TOP = new Set(['include', 'arch']);
const FIX = 'choose another --output (or extract-to) for the headers';

/** The physical path of p: realpath when it exists, else its parent's realpath plus its name. */
async function physical(p: string): Promise<string> {
  const real = await realpath(p).catch(() => undefined);
  if (real !== undefined) return real;
  const parent = dirname(p);
  return parent === p ? p : join(await physical(parent), basename(p));
}

/** A path this run reads or writes besides the target, and what it is ("the input of this run"). */
export interface RunPath {
  path: string;
  what: string;
}

const within = (inner: string, outer: string): boolean => inner === outer || inner.startsWith(outer === sep ? sep : outer + sep);

/**
 * Throws when target is, or holds, one of `inputs` (the run's input file, the
 * path it saves the archive to, a source tree), or is `/` or `$HOME`. `st` is
 * the target's lstat (it exists).
 */
export async function refuseProtected(target: string, st: Stats, inputs: readonly RunPath[]): Promise<void> {
  const real = await physical(target);
  if (real === sep) throw new KheadersError('BAD_INPUT', `${target} is the root directory /; kheaders never replaces it`, FIX);
  const home = await physical(homedir()).catch(() => undefined);
  if (home !== undefined && real === home) {
    throw new KheadersError('BAD_INPUT', `${target} is your home directory ($HOME); kheaders never replaces it`, FIX);
  }
  for (const { path, what } of inputs) {
    const inReal = await physical(path);
    const inSt = await stat(path).catch(() => undefined);
    if (inReal === real || (inSt !== undefined && inSt.dev === st.dev && inSt.ino === st.ino)) {
      const via = path === target ? '' : ` (the same file as ${path})`;
      throw new KheadersError('BAD_INPUT', `${target} is ${what}${via}; kheaders never replaces it`,
        'pass a directory for the headers that is none of the run\'s inputs: --output names where the headers go');
    }
    if (within(inReal, real)) throw new KheadersError('BAD_INPUT', `${target} holds ${what} (${path}); kheaders never replaces it`, FIX);
  }
}

/** The result of looking into an existing, non-empty directory: ours to replace, or why not. */
export type DirOwner = { ours: true } | { ours: false; why: string };

/**
 * Is this non-empty directory a previous extraction? It is when the record
 * extract writes next to it is ours (`hasRecord`), or when it holds only
 * `include/` and `arch/` (as the kernel's archive does; bcc's own extraction too).
 */
export async function extractionOwner(dir: string, hasRecord: boolean): Promise<DirOwner> {
  if (hasRecord) return { ours: true };
  const ents: Dirent[] = await readdir(dir, { withFileTypes: true });
  const other = ents.filter((e) => !(ARCHIVE_TOP.has(e.name) && e.isDirectory()));
  if (other.length === 0) return { ours: true };
  const names = new Set(ents.map((e) => e.name));
  if (names.has('Makefile') && (names.has('Kconfig') || names.has('Kbuild'))) {
    return { ours: false, why: 'it is a kernel source tree (Makefile and Kconfig)' };
  }
  const shown = other.slice(0, 3).map((e) => `${e.name}${e.isDirectory() ? '/' : ''}`).join(', ');
  return { ours: false, why: `it holds ${shown}${other.length > 3 ? ` and ${other.length - 3} more` : ''}, which no extraction made (an extraction holds only include/ and arch/, with its record next to it)` };
}
