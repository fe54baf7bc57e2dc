import { readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { KheadersError } from '../errors.js';
import { copyFileAtomically, digestFile, writeFileAtomically } from '../io/atomic.js';
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

/** The sha256 stored beside an entry, checked before the entry is used. */
const digestPath = (entry: string): string => `${entry}.sha256`;

/** True when the entry's bytes have the sha256 stored beside it (a truncated or altered entry has not). */
export async function entryIntact(entry: string): Promise<boolean> {
  const want = (await readFile(digestPath(entry), 'utf8').catch(() => '')).trim();
  return /^[0-9a-f]{64}$/.test(want) && (await digestFile(entry).catch(() => undefined))?.sha256 === want;
}

/** Stores archive under key (atomically; concurrent writers of one key are safe). Returns the entry path. */
export async function cacheStore(dir: string, key: string, archive: string): Promise<string> {
  const path = entryPath(dir, key);
  try {
    const written = await copyFileAtomically(archive, path, STORE_FIX);
    await writeFileAtomically(digestPath(path), `${written.sha256}\n`, STORE_FIX);
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
    restore: async (key, dest) => {
      const found = await cacheLookup(dir, key);
      if (found === undefined) return undefined;
      if (!(await entryIntact(found))) {
        log.warning(`cache entry ${found} is damaged (its sha256 does not match the one stored with it); removing it and building instead`);
        await Promise.all([rm(found, { force: true }), rm(digestPath(found), { force: true })]);
        return undefined;
      }
      return (await cacheRestore(dir, key, dest)) ? key : undefined;
    },
    lookup: async (key) => (await cacheLookup(dir, key)) !== undefined,
    save: (key, archive) => cacheStore(dir, key, archive).then(
      (p) => { log.info(`cached as ${p}`); return true; },
      (e: Error) => { log.warning(`not cached: ${e.message}`); return false; }),
  };
}
