import { open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  archiveRelease, buildDir, cachedBuild, cacheLookup, claimFor, defaultCacheDir, defaultHeadersDir, digestFile, unpackArchive, extractArchive, KheadersError,
  parseUtsRelease, phase, resolveTree, treeKey, usageHints, UTSRELEASE_H, vmlinuxHeader, writeFileAtomically, XZ_MAGIC,
  type BuildSettings, type CachePort, type ExtractSettings, type Claim, type ExtractResult, type Logger, type TreeSettings, type UrlVars, type VariantInfo, type Written,
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
  /** The Actions cache was on and available. */
  cacheUsed?: boolean;
  cacheHit: boolean;
  cacheSaved: boolean;
  kernelRelease?: string;
  /** The SRCARCH the archive is for. */
  arch?: string;
  /** What a built (or cached) archive is to the tree's own script's. */
  claim?: Claim;
  /** Milliseconds per phase, in order. */
  timings: Record<string, number>;
  verify?: VerifyOutcome;
  /** Where the headers were extracted. */
  headersDir?: string;
  /** The vmlinux.h written (input vmlinux-h). */
  vmlinuxH?: string;
  /** lookup-only: the cache was only asked; there is no archive. */
  lookupOnly?: boolean;
  /** mode verify given a kernel image (or module, package): that file; `archive` is then the archive taken out of it. */
  image?: string;
  /** Where the image's embedded .config was saved. */
  config?: string;
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
  return { command: 'extract', from, archive: a.archive, sha256: a.sha256, replace: false, release: a.release };
}

/**
 * Gets the archive from a URL (template) or the running kernel through the
 * shared fetcher: the sha256 input is checked before anything is written, and
 * the archive is read through once (hostile-input checks) before it is saved.
 */
async function fetchInto(a: ActionSettings, from: string, urlVars: UrlVars, log: Logger): Promise<ExtractResult> {
  const s = extractSettings(a, from);
  try {
    return await extractArchive({ ...s, extract: false, urlVars, willVerify: a.verify && a.tree !== undefined, http: { timeoutMs: a.timeout * 1000 } }, log);
  } catch (e) {
    if (!(e instanceof KheadersError) || e.code !== 'DIGEST_MISMATCH') throw e;
    throw new KheadersError('DIGEST_MISMATCH', `input "${Inputs.Sha256}": ${e.message}`,
      'check the URL and the digest; a changed upstream archive needs a new sha256');
  }
}

/** {release} for the URL: the release input, else the tree's UTS_RELEASE when it is prepared (else the fetcher uses uname -r). */
async function treeRelease(a: ActionSettings): Promise<string | undefined> {
  if (a.release !== undefined) return a.release;
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
    save: a.save, failOnMiss: a.failOnCacheMiss,
  }, log);
  Object.assign(res, { keyMd5: r.keyMd5, primaryKey: r.primaryKey, matchedKey: r.matchedKey, cacheUsed: r.cacheUsed, cacheHit: r.cacheHit, cacheSaved: r.cacheSaved });
  res.origin = r.origin === 'fallback' ? 'url' : r.origin;
  if (r.origin !== 'fallback') res.claim = r.build?.claim ?? claimFor(variant, a.pack.mtime, a.pack.compression);
  return r.written;
}

/** lookup-only: the key and whether the cache has it; nothing is downloaded or built. */
async function lookupOnly(a: ActionSettings, tree: TreeSettings, variant: VariantInfo, res: RunResult, ports: RunPorts, log: Logger): Promise<undefined> {
  const r = await cacheLookup({ tree, pack: a.pack }, { cache: ports.cache, keyPrefix: a.keyPrefix, failOnMiss: a.failOnCacheMiss, variant, timings: res.timings }, log);
  Object.assign(res, r, { lookupOnly: true });
  return undefined;
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
    if (a.lookupOnly) return lookupOnly(a, tree, variant, res, ports, log);
    return cacheUrlOrBuild(a, tree, variant, res, ports, log);
  }
  if (!(await startsWithXz(a.archive))) {
    // Not a .tar.xz: a kernel image, module or package yields its archive; anything else is left to the checks below.
    const got = await fromImage(a, res, log).catch((e: unknown) => {
      if (e instanceof KheadersError && e.code === 'BAD_INPUT' && /is not a \.tar\.xz, an ELF file/.test(e.message)) return undefined;
      throw e;
    });
    if (got !== undefined) return got;
  }
  return undefined; // verify: the given archive
}

async function startsWithXz(path: string): Promise<boolean> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (fh === undefined) return true; // the digest step names the problem
  try {
    const b = Buffer.alloc(6);
    const { bytesRead } = await fh.read(b, 0, 6, 0);
    return b.subarray(0, bytesRead).equals(XZ_MAGIC);
  } finally {
    await fh.close();
  }
}

/** mode verify with a kernel image (module, package): the archive and config are taken out beside the runner's temp files. */
async function fromImage(a: ActionSettings, res: RunResult, log: Logger): Promise<Written> {
  const dir = join(process.env.RUNNER_TEMP || tmpdir(), 'kheaders');
  const staged = join(dir, 'kheaders_data.tar.xz');
  const got = await phase(log, res.timings, 'read image', () =>
    extractArchive({ from: a.archive, archive: staged, extract: false, replace: false, willVerify: true }, log));
  res.image = a.archive;
  res.archive = staged;
  res.kernelRelease = got.release;
  if (got.config !== undefined) {
    res.config = join(dir, 'config');
    await writeFileAtomically(res.config, Buffer.from(got.config), 'check that RUNNER_TEMP is writable');
  }
  return got;
}

/** The action's logic: get the archive (cache, url, build, running kernel or file) and describe it. */
export async function execute(a: ActionSettings, ports: RunPorts, log: Logger): Promise<RunResult> {
  const timings: Record<string, number> = {};
  const { tree } = a;
  const res: RunResult = { origin: 'file', archive: a.archive, arch: a.arch, md5: '', sha256: '', size: 0, cacheHit: false, cacheSaved: false, timings };
  const known = await obtain(a, res, ports, log);
  if (res.lookupOnly) return res;
  const archive = res.archive;
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
    // An image is verified as itself: the report names it and checks its embedded config.
    res.verify = await phase(log, timings, 'verify', () => verifyStep(res.image ?? archive, tree, { report: a.report, strict: a.strict }, a.failOnMismatch, log));
  }
  if (a.extractTo !== undefined) {
    const target = a.extractTo === 'auto'
      ? defaultHeadersDir(res.kernelRelease ?? 'unknown', `pass ${Inputs.ExtractTo}: with a directory`)
      : a.extractTo;
    // The CLI's rule without --force: a current one of ours kept, a stale one replaced, anything else refused.
    const inputs = [{ path: archive, what: `the archive of this step (input "${Inputs.Archive}")` }, { path: a.report, what: `the report (input "${Inputs.Report}")` },
      ...(tree ? [{ path: tree.source, what: `the kernel tree (input "${Inputs.Source}")` }] : []),
      ...(tree?.objtree ? [{ path: tree.objtree, what: `the object tree (input "${Inputs.Objtree}")` }] : [])];
    const done = await phase(log, timings, 'extract', () => unpackArchive(archive, target, { inputs, log }).catch((e: unknown) => {
      throw e instanceof KheadersError && e.code === 'BAD_INPUT' ? e.prefixed(`input "${Inputs.ExtractTo}": `) : e;
    }));
    res.headersDir = done.dir;
    for (const line of usageHints(done.dir, true)) log.info(line);
  }
  if (a.vmlinuxH !== undefined) {
    const out = a.vmlinuxH;
    const h = await phase(log, timings, 'vmlinux-h', () => vmlinuxHeader(archive, { output: out, btf: out.replace(/(\.h)?$/, '.btf'), cacheDir: defaultCacheDir(process.env), log }));
    log.info(`wrote ${out}: ${h.structs} structs from ${h.included} headers (${h.leftOut.length} left out, listed at its top)`);
    res.vmlinuxH = out;
  }
  return res;
}
