import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { KheadersError } from './errors.js';

/** The CLI's local archive cache: one `<key>.tar.xz` per key in a directory. */

/** `$XDG_CACHE_HOME/kheaders`, else `~/.cache/kheaders` (XDG base directory rules). */
export function defaultCacheDir(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  const xdg = env.XDG_CACHE_HOME;
  // The spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  return xdg && isAbsolute(xdg) ? join(xdg, 'kheaders') : join(home, '.cache', 'kheaders');
}

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The entry's path; the key must be a plain file name (no '/', no '..'). */
export function entryPath(dir: string, key: string): string {
  if (!SAFE_KEY.test(key) || key.length > 255 - '.tar.xz'.length) {
    throw new KheadersError(`cache key "${key}" is not a plain file name`,
      'use a key prefix made of letters, digits, ".", "_" and "-"');
  }
  return join(dir, `${key}.tar.xz`);
}

/** Copies src to dest through a temp file in dest's directory and a rename: never a partial dest. */
async function copyAtomically(src: string, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${randomBytes(6).toString('hex')}.kheaders-tmp`);
  try {
    await copyFile(src, tmp);
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** The cached archive's path for key, or undefined on a miss. */
export async function cacheLookup(dir: string, key: string): Promise<string | undefined> {
  const path = entryPath(dir, key);
  const st = await stat(path).catch(() => undefined);
  return st?.isFile() ? path : undefined;
}

/** Copies a cached archive to dest; false on a miss. */
export async function cacheRestore(dir: string, key: string, dest: string): Promise<boolean> {
  const found = await cacheLookup(dir, key);
  if (found === undefined) return false;
  await copyAtomically(found, dest);
  return true;
}

/** Stores archive under key (atomically; concurrent writers of one key are safe). Returns the entry path. */
export async function cacheStore(dir: string, key: string, archive: string): Promise<string> {
  const path = entryPath(dir, key);
  try {
    await copyAtomically(archive, path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new KheadersError(`cannot write the cache entry ${path}: ${err.code ?? err.message}`,
      'pass --cache-dir with a writable directory, or --no-cache');
  }
  return path;
}
