import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildArchive, phase, resolveVariant } from '../core/build.js';
import { KheadersError } from '../core/errors.js';
import { archiveRelease, extractArchive, usageHints } from '../core/extract.js';
import { cacheKey, computeKey } from '../core/key.js';
import type { Logger } from '../core/log.js';
import type { TreeSettings } from '../core/settings.js';
import { readRunningArchive } from '../core/source-running.js';
import { download, expandUrlTemplate, redact } from '../core/source-url.js';
import { copyAtomically, restoreArchive, saveArchive, stagePath } from './cache.js';
import { Inputs, type Origin } from './constants.js';
import { digestFile } from './digest.js';
import type { ActionSettings } from './inputs.js';
import { verifyStep, type VerifyOutcome } from './verify.js';

/** What the step did; becomes the outputs and the job summary. */
export interface RunResult {
  origin: Origin;
  archive: string;
  md5: string;
  sha256: string;
  size: number;
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

/** Checks a downloaded or read archive against the sha256 input; removes it on mismatch. */
async function checkSha256(a: ActionSettings, path: string, actual: string): Promise<void> {
  if (a.sha256 === undefined || a.sha256 === actual) return;
  await rm(path, { force: true });
  throw new KheadersError(`input "${Inputs.Sha256}": the archive's sha256 is ${actual}, expected ${a.sha256}; the file was deleted`,
    'check the URL and the digest; a changed upstream archive needs a new sha256');
}

async function fromUrl(a: ActionSettings, vars: { key?: string; arch?: string; release?: string }, log: Logger): Promise<void> {
  const url = expandUrlTemplate(a.url as string, vars);
  log.info(`downloading ${redact(url)}`);
  await mkdir(dirname(a.settings.archive as string), { recursive: true });
  await download(url, a.settings.archive as string, { log });
}

async function fromRunning(a: ActionSettings, log: Logger): Promise<string> {
  const found = await readRunningArchive({ log });
  log.info(`read ${found.path} of the running kernel ${found.release}`);
  await mkdir(dirname(a.settings.archive as string), { recursive: true });
  const tmp = `${a.settings.archive as string}.kheaders-${process.pid}.tmp`;
  await writeFile(tmp, found.archive);
  await copyAtomically(tmp, a.settings.archive as string).finally(() => rm(tmp, { force: true }));
  return found.release;
}

/** The md5 of everything that changes the archive's bytes (see docs/action.md). */
async function keyFor(a: ActionSettings, tree: TreeSettings, variant: string, log: Logger): Promise<string> {
  const k = await computeKey({ source: tree.source, objtree: tree.objtree, srcarch: tree.arch, makeArch: tree.makeArch,
    config: tree.config, variant, mtime: a.settings.pack.mtime.epoch, compression: a.settings.pack.compression });
  for (const f of k.facts) log.debug(`key input: ${f}`);
  log.info(`key md5 ${k.md5} over ${k.files} files`);
  return k.md5;
}

/** The action's logic: get the archive (cache, url, build, running kernel or file) and describe it. */
export async function execute(a: ActionSettings, log: Logger): Promise<RunResult> {
  const timings: Record<string, number> = {};
  const archive = a.settings.archive as string;
  const tree = a.settings.tree;
  const res: RunResult = { origin: 'file', archive, md5: '', sha256: '', size: 0, cacheHit: false, cacheSaved: false, timings, notes: [] };
  const variant = tree ? await phase(log, timings, 'resolve tree', () => resolveVariant(tree, log)) : undefined;

  if (a.mode === 'running') {
    res.kernelRelease = await phase(log, timings, 'read running kernel', () => fromRunning(a, log));
    res.origin = 'running';
  } else if (a.mode === 'download') {
    const key = tree && variant && a.url?.includes('{key}') ? await phase(log, timings, 'key', () => keyFor(a, tree, variant.variant, log)) : undefined;
    res.keyMd5 = key;
    await phase(log, timings, 'download', () => fromUrl(a, { key, arch: tree?.arch }, log));
    res.origin = 'url';
  } else if (a.mode === 'auto' || a.mode === 'build') {
    if (!tree || !variant) throw new KheadersError(`input "${Inputs.Source}": mode ${a.mode} needs a kernel tree`, 'pass source:');
    const key = await phase(log, timings, 'key', () => keyFor(a, tree, variant.variant, log));
    res.keyMd5 = key;
    res.primaryKey = cacheKey(a.keyPrefix, process.platform, tree.arch, key);
    const stage = stagePath(process.env.RUNNER_TEMP || tmpdir());
    if (a.cache) {
      res.matchedKey = await phase(log, timings, 'cache restore', () => restoreArchive(res.primaryKey as string, stage, log));
      res.cacheHit = res.matchedKey === res.primaryKey;
      if (res.cacheHit) {
        await copyAtomically(stage, archive);
        await rm(dirname(stage), { recursive: true, force: true });
        res.origin = 'cache';
      }
    }
    if (!res.cacheHit && a.mode === 'auto' && a.url !== undefined) {
      try {
        await phase(log, timings, 'download', () => fromUrl(a, { key, arch: tree.arch }, log));
        res.origin = 'url';
      } catch (e) {
        log.warning(`download failed, building instead: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (!res.cacheHit && res.origin !== 'url') {
      const built = await buildArchive({ tree, pack: a.settings.pack, output: archive }, log);
      Object.assign(timings, built.timings);
      res.origin = 'build';
    }
  }
  const digest = await digestFile(archive).catch((e: NodeJS.ErrnoException) => {
    throw new KheadersError(`input "${Inputs.Archive}": cannot read ${archive}: ${e.code ?? e.message}`, 'pass the path of an existing .tar.xz');
  });
  Object.assign(res, digest);
  if (res.origin === 'url' || res.origin === 'running') await checkSha256(a, archive, digest.sha256);
  if (a.cache && res.primaryKey && !res.cacheHit) {
    res.cacheSaved = await phase(log, timings, 'cache save', () => saveArchive(res.primaryKey as string, archive, stagePath(process.env.RUNNER_TEMP || tmpdir()), log));
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
    const release = res.kernelRelease ?? 'unknown';
    const target = a.extractTo === 'auto' ? join(process.env.TMPDIR || '/tmp', `kheaders-${release}`) : a.extractTo;
    const done = await phase(log, timings, 'extract', () => extractArchive(archive, target, { replace: true, log }));
    res.headersDir = done.dir;
    for (const line of usageHints(done.dir, true)) log.info(line);
  }
  return res;
}
