import { UTSRELEASE_H } from '../core/kernel/identity.js';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildArchive, phase, resolveVariant } from '../core/build/build.js';
import { KheadersError } from '../core/errors.js';
import { archiveRelease, defaultHeadersDir, extractArchive, parseUtsRelease, usageHints } from '../core/io/extract.js';
import { DigestMismatchError, fetchArchive, type FetchResult } from '../core/sources/fetch.js';
import { cacheKey, computeKey, keyInputs } from '../core/cache/key.js';
import type { Logger } from '../core/log.js';
import { buildDir } from '../core/kernel/prepare.js';
import type { TreeSettings } from '../core/settings.js';
import type { UrlVars } from '../core/sources/url.js';
import type { VariantInfo } from '../core/kernel/script.js';
import { copyFileAtomically, digestFile, type Written } from '../core/io/atomic.js';
import { restoreArchive, saveArchive, stagePath } from './cache.js';
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
  /** Notes for the summary (e.g. features not run). */
  notes: string[];
  verify?: VerifyOutcome;
  /** Where the headers were extracted. */
  headersDir?: string;
}

/**
 * Gets the archive from a URL (template) or the running kernel through the
 * shared fetcher: the sha256 input is checked before anything is written, and
 * the archive is read through once (hostile-input checks) before it is saved.
 */
async function fetchInto(a: ActionSettings, from: string, urlVars: UrlVars, log: Logger): Promise<FetchResult> {
  try {
    return await fetchArchive({ from, archive: a.settings.archive, extract: false, sha256: a.sha256, urlVars,
      willVerify: a.verify && a.hasTree }, log);
  } catch (e) {
    if (!(e instanceof DigestMismatchError)) throw e;
    throw new DigestMismatchError(`input "${Inputs.Sha256}": ${e.message.split('\n')[0]}`,
      'check the URL and the digest; a changed upstream archive needs a new sha256');
  }
}

/** {release} for the URL: the tree's UTS_RELEASE when it is prepared (else the fetcher uses uname -r). */
async function treeRelease(a: ActionSettings): Promise<string | undefined> {
  const tree = a.settings.tree;
  if (tree === undefined || !a.url?.includes('{release}')) return undefined;
  const text = await readFile(join(buildDir(tree), UTSRELEASE_H), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseUtsRelease(text);
}

/** The md5 of everything that changes the archive's bytes (see docs/action.md). */
async function keyFor(a: ActionSettings, tree: TreeSettings, variant: string, log: Logger): Promise<string> {
  const k = await computeKey(keyInputs(tree, a.settings.pack, variant));
  for (const f of k.facts) log.debug(`key input: ${f}`);
  log.info(`key md5 ${k.md5} over ${k.files} files`);
  return k.md5;
}

const ARCHIVE_FIX = `choose another path for input "${Inputs.Archive}", in a writable directory`;

/** auto and build: cache, then url (auto), then build. Fills res; returns the archive's digests. */
async function cacheUrlOrBuild(a: ActionSettings, tree: TreeSettings, variant: VariantInfo, res: RunResult, log: Logger): Promise<Written | undefined> {
  const { timings, archive } = res;
  const key = await phase(log, timings, 'key', () => keyFor(a, tree, variant.variant, log));
  res.keyMd5 = key;
  res.primaryKey = cacheKey(a.keyPrefix, process.platform, tree.arch, key);
  const stage = stagePath();
  if (a.cache) {
    res.matchedKey = await phase(log, timings, 'cache restore', () => restoreArchive(res.primaryKey as string, stage, log));
    res.cacheHit = res.matchedKey === res.primaryKey;
    if (res.cacheHit) {
      res.origin = 'cache';
      const copied = await copyFileAtomically(stage, archive, ARCHIVE_FIX);
      await rm(dirname(stage), { recursive: true, force: true });
      return copied;
    }
  }
  if (a.mode === 'auto' && a.url !== undefined) {
    try {
      const got = await phase(log, timings, 'download', async () => fetchInto(a, a.url as string, { key, arch: a.arch, release: await treeRelease(a) }, log));
      res.origin = 'url';
      res.kernelRelease = got.release;
      return got;
    } catch (e) {
      if (e instanceof DigestMismatchError) throw e; // a changed upstream archive is an error, not a reason to build
      log.warning(`download failed, building instead: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const built = await buildArchive({ tree, pack: a.settings.pack, output: archive, variant }, log);
  Object.assign(timings, built.timings);
  res.origin = 'build';
  return built;
}

/** Gets the archive as the mode says. Fills res; returns the archive's digests when already known. */
async function obtain(a: ActionSettings, res: RunResult, log: Logger): Promise<Written | undefined> {
  const tree = a.settings.tree;
  const variant = tree ? await phase(log, res.timings, 'resolve tree', () => resolveVariant(tree, log)) : undefined;
  if (a.mode === 'running') {
    const got = await phase(log, res.timings, 'read running kernel', () => fetchInto(a, 'running', {}, log));
    res.origin = 'running';
    res.kernelRelease = got.release;
    return got;
  }
  if (a.mode === 'download') {
    const key = tree && variant && a.url?.includes('{key}') ? await phase(log, res.timings, 'key', () => keyFor(a, tree, variant.variant, log)) : undefined;
    res.keyMd5 = key;
    const got = await phase(log, res.timings, 'download', async () => fetchInto(a, a.url as string, { key, arch: a.arch, release: await treeRelease(a) }, log));
    res.origin = 'url';
    res.kernelRelease = got.release;
    return got;
  }
  if (a.mode === 'auto' || a.mode === 'build') {
    if (!tree || !variant) throw new KheadersError(`input "${Inputs.Source}": mode ${a.mode} needs a kernel tree`, 'pass source:');
    return cacheUrlOrBuild(a, tree, variant, res, log);
  }
  return undefined; // verify: the given archive
}

/** The action's logic: get the archive (cache, url, build, running kernel or file) and describe it. */
export async function execute(a: ActionSettings, log: Logger): Promise<RunResult> {
  const timings: Record<string, number> = {};
  const archive = a.settings.archive as string;
  const tree = a.settings.tree;
  const res: RunResult = { origin: 'file', archive, md5: '', sha256: '', size: 0, cacheHit: false, cacheSaved: false, timings, notes: [] };
  const known = await obtain(a, res, log);
  const digest = known ?? await digestFile(archive).catch((e: NodeJS.ErrnoException) => {
    throw new KheadersError(`input "${Inputs.Archive}": cannot read ${archive}: ${e.code ?? e.message}`, 'pass the path of an existing .tar.xz');
  });
  res.md5 = digest.md5;
  res.sha256 = digest.sha256;
  res.size = digest.size;
  if (a.cache && res.primaryKey && !res.cacheHit) {
    res.cacheSaved = await phase(log, timings, 'cache save', () => saveArchive(res.primaryKey as string, archive, stagePath(), log));
  }
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
