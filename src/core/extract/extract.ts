// The `extract` pipeline: find the archive (running kernel, file, image,
// package, URL: locate.ts), check its digest before anything is written, then
// save it and/or unpack it.
import { access } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { join, resolve } from 'node:path';
import { parseUtsRelease, UTSRELEASE_H } from '../archive/identity.js';
import { readMembers } from '../archive/read.js';
import { MAX_INPUT_BYTES, MD5_HEX, SHA256_HEX } from '../constants.js';
import { KheadersError } from '../errors.js';
import { digestBuffer, writeFileAtomically } from '../io/atomic.js';
import { archiveRelease, defaultHeadersDir, unpackArchive, usageHints } from '../io/unpack.js';
import type { Logger } from '../log.js';
import type { ReadLimits } from '../types.js';
import type { FoundArchive } from './found.js';
import { locate, type LocateOptions } from './locate.js';

export interface ExtractOptions extends LocateOptions {
  /** Aborting stops the extraction and removes what it staged. */
  signal?: AbortSignal;
  /** Save the raw .tar.xz here, byte for byte (atomic). */
  archive?: string;
  /** Extract here; default `${TMPDIR:-/tmp}/kheaders-<release>`. */
  output?: string;
  /** Extract at all? Default: when output is given, or when archive is not. */
  extract?: boolean;
  sha256?: string;
  md5?: string;
  /** --force: extract again into a complete output, replace a regular file (headers-dir.ts). */
  replace?: boolean;
  /** The caller verifies the archive against a source tree afterwards: no "unverified" warning. */
  willVerify?: boolean;
  limits?: Partial<ReadLimits>;
  /** Largest module/image/archive we handle, bytes (default 1 GiB). */
  maxBytes?: number;
}

export interface ExtractResult {
  archivePath?: string;
  headersDir?: string;
  release?: string;
  origin: FoundArchive['origin'];
  /** Where and how the archive was found, for logs. */
  detail: string;
  md5: string;
  sha256: string;
  /** The archive's size in bytes. */
  size: number;
  /** True when a given digest matched. */
  verified: boolean;
  /** Lines telling how to use headersDir with bcc and bpftrace. */
  hints: string[];
}

function checkDigestArg(name: 'sha256' | 'md5', v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const len = name === 'sha256' ? 64 : 32;
  const hex = v.trim().toLowerCase();
  if (!(name === 'sha256' ? SHA256_HEX : MD5_HEX).test(hex)) {
    throw new KheadersError('USAGE', `--${name} must be ${len} hex digits, got "${v}"`, `pass the archive's ${name} as printed by ${name}sum`);
  }
  return hex;
}

/** Reads every member once (the hostile-input checks) and returns the release. */
async function validate(archive: Buffer, limits: Partial<ReadLimits> | undefined): Promise<string | undefined> {
  let text: string | undefined;
  for await (const m of readMembers(Readable.from([archive]), { limits, label: 'archive' })) {
    if (m.name === UTSRELEASE_H && m.data) text = m.data.toString('utf8');
  }
  return text === undefined ? undefined : parseUtsRelease(text);
}

/** Running mode: headers of another kernel than `uname -r` (a module file of another build, a mismatched sysfs) are worth a warning. */
function warnOtherRelease(found: FoundArchive, inArchive: string | undefined, log: Logger): void {
  if (inArchive === undefined || found.release === undefined || inArchive === found.release) return;
  log.warning(`the archive from ${found.detail} is for kernel ${inArchive}, but the running kernel is ${found.release} (uname -r); bcc and bpftrace may misbehave with these headers`);
}

/** Finds the archive, checks its digest, then saves and/or extracts it. */
export async function extractArchive(opts: ExtractOptions, log: Logger): Promise<ExtractResult> {
  const wantSha = checkDigestArg('sha256', opts.sha256);
  const wantMd5 = checkDigestArg('md5', opts.md5);
  const maxBytes = opts.maxBytes ?? MAX_INPUT_BYTES;
  const found = await locate(opts, log, maxBytes);
  log.info(`found a ${found.archive.length}-byte archive: ${found.detail}`);
  const { sha256, md5, size } = digestBuffer(found.archive);
  for (const [name, want, got] of [['sha256', wantSha, sha256], ['md5', wantMd5, md5]] as const) {
    // For a package, the digest may also be the package file's own (as the distro's index lists it).
    const pkg = found.packageDigest?.[name];
    if (want !== undefined && want !== got && want !== pkg) {
      throw new KheadersError('DIGEST_MISMATCH', `${name} mismatch: expected ${want}, the archive from ${found.detail} has ${got}${pkg === undefined ? '' : ` and the package file ${pkg}`}; nothing was written`,
        'check the digest and the source; a changed archive must not be trusted');
    }
  }
  const verified = wantSha !== undefined || wantMd5 !== undefined;
  if (verified) log.info(`${wantSha ? 'sha256' : 'md5'} matches`);
  else if (found.origin === 'url' && !opts.willVerify) {
    log.warning(`the archive from ${found.detail} is unverified: no sha256 or md5 was given to check it, and no source tree to verify it against`);
  }
  const doExtract = opts.extract ?? (opts.output !== undefined || opts.archive === undefined);
  const result: ExtractResult = { origin: found.origin, detail: found.detail, md5, sha256, size, verified, hints: [] };
  if (doExtract) {
    // The default output is named after the release: read it first (uname -r for the running kernel).
    const release = found.release ?? (opts.output === undefined ? await archiveRelease(found.archive, opts.limits) : undefined);
    const out = opts.output ?? defaultHeadersDir(release);
    // One rule for the default directory and --output (headers-dir.ts); the run's own files are never replaced.
    const inputs = [...(found.origin === 'url' || opts.from === 'running' ? [] : [{ path: resolve(opts.from), what: 'the input of this run (--from)' }]),
      ...(opts.archive === undefined ? [] : [{ path: resolve(opts.archive), what: 'the --archive file of this run' }])];
    const res = await unpackArchive(found.archive, out, { replace: opts.replace, inputs, limits: opts.limits, log, signal: opts.signal });
    result.headersDir = res.dir;
    result.release = release ?? res.release;
    if (found.origin === 'running') warnOtherRelease(found, res.release, log);
    const kconfig = await access(join(res.dir, 'include/linux/kconfig.h')).then(() => true, () => false);
    result.hints = usageHints(res.dir, kconfig);
  } else {
    const fromArchive = await validate(found.archive, opts.limits);
    result.release = found.release ?? fromArchive;
    if (found.origin === 'running') warnOtherRelease(found, fromArchive, log);
  }
  if (opts.archive !== undefined) {
    result.archivePath = resolve(opts.archive);
    await writeFileAtomically(result.archivePath, found.archive, 'choose an --archive path in a writable directory, on a filesystem with free space');
    log.info(`saved the archive to ${result.archivePath}`);
  }
  for (const line of result.hints) log.info(line);
  return result;
}
