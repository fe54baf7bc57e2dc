import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  archiveRelease, buildDir, cachedBuild, defaultHeadersDir, digestFile, extractArchive, fetchArchive, KheadersError,
  parseUtsRelease, phase, resolveTree, treeKey, usageHints, UTSRELEASE_H,
  type BuildSettings, type CachePort, type ExtractSettings, type FetchResult, type Logger, type TreeSettings, type UrlVars, type VariantInfo, type Written,
} from '../core/index.js';
import { Inputs, type Origin } from './constants.js';
import type { ActionSettings } from './inputs.js';
import { verifyStep, type VerifyOutcome } from './verify.js';

/** What the step did; becomes the outputs and the job summary. */
export interface RunResult extends Written {
  origin: Origin;
  archive: string;
  /** The md5 the cache key ends in (auto and build modes). */
  keyMd5?: string;
  primaryKey?: string;
  matchedKey?: string;
  cacheHit: boolean;
  cacheSaved: boolean;
  kernelRelease?: string;
  /** Milliseconds per phase, in order. */
  timings: Record<string, number>;
  verify?: VerifyOutcome;
  /** Where the headers were extracted. */
  headersDir?: string;
}

/** What the run step is given besides the inputs: the cache (the real @actions/cache in production). */
export interface RunPorts {
  cache?: CachePort;
}

/** mode auto/build as the core's build settings. */
function buildSettings(a: ActionSettings, tree: TreeSettings): BuildSettings {
  return { command: 'build', tree, pack: a.pack, output: a.archive };
}

/** mode download/running (and auto's url) as the core's extract settings: save the archive, do not unpack. */
function extractSettings(a: ActionSettings, from: string): ExtractSettings {
  return { command: 'extract', from, archive: a.archive, sha256: a.sha256, replace: false };
}

/**
 * Gets the archive from a URL (template) or the running kernel through the
 * shared fetcher: the sha256 input is checked before anything is written, and
 * the archive is read through once (hostile-input checks) before it is saved.
 */
async function fetchInto(a: ActionSettings, from: string, urlVars: UrlVars, log: Logger): Promise<FetchResult> {
  const s = extractSettings(a, from);
  try {
    return await fetchArchive({ ...s, extract: false, urlVars, willVerify: a.verify && a.tree !== undefined }, log);
  } catch (e) {
    if (!(e instanceof KheadersError) || e.code !== 'DIGEST_MISMATCH') throw e;
    throw new KheadersError('DIGEST_MISMATCH', `input "${Inputs.Sha256}": ${e.message}`,
      'check the URL and the digest; a changed upstream archive needs a new sha256');
  }
}

/** {release} for the URL: the tree's UTS_RELEASE when it is prepared (else the fetcher uses uname -r). */
async function treeRelease(a: ActionSettings): Promise<string | undefined> {
  if (a.tree === undefined || !a.url?.includes('{release}')) return undefined;
  const text = await readFile(join(buildDir(a.tree), UTSRELEASE_H), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseUtsRelease(text);
}

/** auto and build: cache, then url (auto), then build. Fills res; returns the archive's digests. */
async function cacheUrlOrBuild(a: ActionSettings, tree: TreeSettings, variant: VariantInfo, res: RunResult, ports: RunPorts, log: Logger): Promise<Written> {
  const url = a.mode === 'auto' ? a.url : undefined;
  const fallback = url === undefined ? undefined : async (key: string): Promise<Written | undefined> => {
    try {
      const got = await phase(log, res.timings, 'download', async () => fetchInto(a, url, { key, arch: a.arch, release: await treeRelease(a) }, log));
      res.kernelRelease = got.release;
      return got;
    } catch (e) {
      if (e instanceof KheadersError && e.code === 'DIGEST_MISMATCH') throw e; // a changed upstream archive is an error, not a reason to build
      log.warning(`download failed, building instead: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  };
  const r = await cachedBuild(buildSettings(a, tree), {
    cache: a.cache ? ports.cache : undefined, keyPrefix: a.keyPrefix, alwaysKey: true, fallback, variant, timings: res.timings,
  }, log);
  Object.assign(res, { keyMd5: r.keyMd5, primaryKey: r.primaryKey, matchedKey: r.matchedKey, cacheHit: r.cacheHit, cacheSaved: r.cacheSaved });
  res.origin = r.origin === 'fallback' ? 'url' : r.origin;
  return r.written;
}

/** Gets the archive as the mode says. Fills res; returns the archive's digests when already known. */
async function obtain(a: ActionSettings, res: RunResult, ports: RunPorts, log: Logger): Promise<Written | undefined> {
  const tree = a.tree;
  const variant = tree ? await phase(log, res.timings, 'resolve tree', () => resolveTree(tree, log)) : undefined;
  if (a.mode === 'running') {
    const got = await phase(log, res.timings, 'read running kernel', () => fetchInto(a, 'running', {}, log));
    res.origin = 'running';
    res.kernelRelease = got.release;
    return got;
  }
  if (a.mode === 'download') {
    const url = a.url as string;
    const key = tree && variant && url.includes('{key}') ? await phase(log, res.timings, 'key', () => treeKey(tree, a.pack, variant, log)) : undefined;
    res.keyMd5 = key;
    const got = await phase(log, res.timings, 'download', async () => fetchInto(a, url, { key, arch: a.arch, release: await treeRelease(a) }, log));
    res.origin = 'url';
    res.kernelRelease = got.release;
    return got;
  }
  if (a.mode === 'auto' || a.mode === 'build') {
    if (!tree || !variant) throw new KheadersError('USAGE', `input "${Inputs.Source}": mode ${a.mode} needs a kernel tree`, 'pass source:');
    return cacheUrlOrBuild(a, tree, variant, res, ports, log);
  }
  return undefined; // verify: the given archive
}

/** The action's logic: get the archive (cache, url, build, running kernel or file) and describe it. */
export async function execute(a: ActionSettings, ports: RunPorts, log: Logger): Promise<RunResult> {
  const timings: Record<string, number> = {};
  const { archive, tree } = a;
  const res: RunResult = { origin: 'file', archive, md5: '', sha256: '', size: 0, cacheHit: false, cacheSaved: false, timings };
  const known = await obtain(a, res, ports, log);
  const digest = known ?? await digestFile(archive).catch((e: NodeJS.ErrnoException) => {
    throw new KheadersError('BAD_INPUT', `input "${Inputs.Archive}": cannot read ${archive}: ${e.code ?? e.message}`, 'pass the path of an existing .tar.xz');
  });
  res.md5 = digest.md5;
  res.sha256 = digest.sha256;
  res.size = digest.size;
  res.kernelRelease ??= await archiveRelease(archive).catch((e: Error) => {
    log.warning(`could not read the kernel release from the archive: ${e.message}`);
    return undefined;
  });
  if (a.verify && tree) {
    const reportDir = join(process.env.RUNNER_TEMP || tmpdir(), 'kheaders');
    res.verify = await phase(log, timings, 'verify', () => verifyStep(archive, tree, reportDir, a.failOnMismatch, log));
  }
  if (a.extractTo !== undefined) {
    const target = a.extractTo === 'auto'
      ? defaultHeadersDir(res.kernelRelease ?? 'unknown', `pass ${Inputs.ExtractTo}: with a directory`)
      : a.extractTo;
    const done = await phase(log, timings, 'extract', () => extractArchive(archive, target, { replace: true, log }));
    res.headersDir = done.dir;
    for (const line of usageHints(done.dir, true)) log.info(line);
  }
  return res;
}
