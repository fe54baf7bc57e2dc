// build and the action's auto/build modes: key, cache restore, an optional
// fallback (the action's url), build, cache save. One flow for both fronts.
import { buildArchive, type BuildResult } from '../build/build.js';
import { KheadersError } from '../errors.js';
import { digestFile, ensureOutputDir, type Written } from '../io/atomic.js';
import { resolveTree } from '../kernel/resolve.js';
import type { VariantInfo } from '../kernel/script.js';
import { phase, type Logger } from '../log.js';
import type { BuildSettings, PackSettings, TreeSettings } from '../settings.js';
import { cacheKey, computeKey, keyInputs, type KeyResult } from './key.js';
import type { CachePort } from './port.js';

export interface CachedBuildOptions {
  /** undefined: no cache. */
  cache?: CachePort;
  /** First part of the cache key (default "kheaders"). */
  keyPrefix?: string;
  /** Compute the key even without a cache (the action outputs it). */
  alwaysKey?: boolean;
  /** Save on a miss (default true; false: restore only). */
  save?: boolean;
  /** A miss is an error (actions/cache's fail-on-cache-miss). */
  failOnMiss?: boolean;
  /** Tried after a miss, before building; undefined means "build". */
  fallback?: (keyMd5: string) => Promise<Written | undefined>;
  variant?: VariantInfo;
  signal?: AbortSignal;
  /** Phase timings are added here (ms). */
  timings?: Record<string, number>;
}

export interface CachedBuildResult {
  origin: 'cache' | 'fallback' | 'build';
  /** The output archive's digests and size. */
  written: Written;
  variant: VariantInfo;
  /** The md5 the cache key ends in. */
  keyMd5?: string;
  primaryKey?: string;
  matchedKey?: string;
  /** A cache was given and available, so it was looked up. */
  cacheUsed: boolean;
  cacheHit: boolean;
  cacheSaved: boolean;
  build?: BuildResult;
}

/** The cache key's md5 and every input it is taken over, each logged at debug level. */
export async function keyDetails(tree: TreeSettings, pack: PackSettings, variant: VariantInfo, log: Logger): Promise<KeyResult> {
  const k = await computeKey(keyInputs(tree, pack, variant));
  for (const f of k.facts) log.debug(`key input: ${f}`);
  for (const r of k.records) log.debug(`key input: ${r}`);
  log.info(`key md5 ${k.md5} over ${k.files} files`);
  return k;
}

/** The md5 the cache key ends in, with every key input logged at debug level. */
export async function treeKey(tree: TreeSettings, pack: PackSettings, variant: VariantInfo, log: Logger): Promise<string> {
  return (await keyDetails(tree, pack, variant, log)).md5;
}

/** The output archive for these settings: from the cache, the fallback, or a build. */
export async function cachedBuild(s: BuildSettings, opts: CachedBuildOptions, log: Logger): Promise<CachedBuildResult> {
  const timings = opts.timings ?? {};
  await ensureOutputDir(s.output);
  const variant = opts.variant ?? (await phase(log, timings, 'resolve tree', () => resolveTree(s.tree, log)));
  const cache = opts.cache?.available() ? opts.cache : undefined;
  const res: CachedBuildResult = { origin: 'build', written: { md5: '', sha256: '', size: 0 }, variant, cacheUsed: cache !== undefined, cacheHit: false, cacheSaved: false };
  if (cache !== undefined || opts.alwaysKey) {
    res.keyMd5 = await phase(log, timings, 'key', () => treeKey(s.tree, s.pack, variant, log));
    res.primaryKey = cacheKey(opts.keyPrefix ?? 'kheaders', process.platform, s.tree.arch, res.keyMd5);
  }
  const key = res.primaryKey;
  if (cache !== undefined && key !== undefined) {
    res.matchedKey = await phase(log, timings, 'cache restore', () => cache.restore(key, s.output));
    res.cacheHit = res.matchedKey === key;
    if (res.cacheHit) {
      log.info(`cache hit: ${key} from ${cache.name} (make and the build were skipped)`);
      return { ...res, origin: 'cache', written: await digestFile(s.output) };
    }
    log.info(`cache miss: ${key}`);
    if (opts.failOnMiss) {
      throw new KheadersError('NOT_FOUND', `cache miss for ${key}, and a miss was asked to fail`, 'drop fail-on-cache-miss to build on a miss, or fill the cache first');
    }
  }
  const got = opts.fallback && res.keyMd5 !== undefined ? await opts.fallback(res.keyMd5) : undefined;
  if (got !== undefined) {
    res.origin = 'fallback';
    res.written = got;
  } else {
    const built = await buildArchive({ tree: s.tree, pack: s.pack, output: s.output, variant, signal: opts.signal, strictVariant: s.strictVariant }, log);
    Object.assign(timings, built.timings);
    res.build = built;
    res.written = built;
  }
  if (cache !== undefined && key !== undefined && opts.save !== false) {
    res.cacheSaved = await phase(log, timings, 'cache save', () => cache.save(key, s.output));
  }
  return res;
}
