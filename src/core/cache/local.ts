import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { KheadersError } from '../errors.js';
import { copyFileAtomically } from '../io/atomic.js';
import type { Logger } from '../log.js';
import type { CachePort } from './port.js';
import { KEY_NAME } from '../constants.js';

/** The CLI's local archive cache: one `<key>.tar.xz` per key in a directory. */

/** `$XDG_CACHE_HOME/kheaders`, else `~/.cache/kheaders` (XDG base directory rules). */
export function defaultCacheDir(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  const xdg = env.XDG_CACHE_HOME;
  // The spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  return xdg && isAbsolute(xdg) ? join(xdg, 'kheaders') : join(home, '.cache', 'kheaders');
}


/** The entry's path; the key must be a plain file name (no '/', no '..'). */
export function entryPath(dir: string, key: string): string {
  if (!KEY_NAME.test(key) || key.length > 255 - '.tar.xz'.length) {
    throw new KheadersError('BAD_INPUT', `cache key "${key}" is not a plain file name`,
      'use a key prefix made of letters, digits, ".", "_" and "-"');
  }
  return join(dir, `${key}.tar.xz`);
}

const STORE_FIX = 'pass --cache-dir with a writable directory, or --no-cache';

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
  await copyFileAtomically(found, dest);
  return true;
}

/** Stores archive under key (atomically; concurrent writers of one key are safe). Returns the entry path. */
export async function cacheStore(dir: string, key: string, archive: string): Promise<string> {
  const path = entryPath(dir, key);
  try {
    await copyFileAtomically(archive, path, STORE_FIX);
  } catch (e) {
    if (e instanceof KheadersError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new KheadersError('WRITE_FAILED', `cannot write the cache entry ${path}: ${err.code ?? err.message}`, STORE_FIX);
  }
  return path;
}

/** The local directory as a CachePort: a failed store warns and counts as "not saved". */
export function localCache(dir: string, log: Logger): CachePort {
  return {
    name: dir,
    available: () => true,
    restore: async (key, dest) => ((await cacheRestore(dir, key, dest)) ? key : undefined),
    lookup: async (key) => (await cacheLookup(dir, key)) !== undefined,
    save: (key, archive) => cacheStore(dir, key, archive).then(
      (p) => { log.info(`cached as ${p}`); return true; },
      (e: Error) => { log.warning(`not cached: ${e.message}`); return false; }),
  };
}
