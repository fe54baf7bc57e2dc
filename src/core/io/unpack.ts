// Unpacking an archive into a directory, safely: members come from the one
// hostile-input reader (read.ts); everything is staged next to the target and renamed into place.
import { parseUtsRelease, UTSRELEASE_H } from '../archive/identity.js';
import { chmodSync, lutimesSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { KheadersError } from '../errors.js';
import { nullLogger, type Logger } from '../log.js';
import { fsError } from './fs-errors.js';
import { removeStale, stagePrefix } from './stale.js';
import { digestBuffer, digestFile } from './atomic.js';
import { inspectTarget, placeTree, writeRecord } from './headers-dir.js';
import type { RunPath } from './protected.js';
import { KERNEL_RELEASE } from '../constants.js';
import { readMembers } from '../archive/read.js';
import type { ReadLimits } from '../types.js';

export interface UnpackOptions {
  /** Aborting stops between members and removes the staged tree. */
  signal?: AbortSignal;
  /**
   * --force: also extract again into a complete target holding this archive, and
   * replace a regular file. Without it, such a target is kept and a stale one of
   * ours replaced; what kheaders did not make is refused either way (headers-dir.ts).
   */
  replace?: boolean;
  /** The run's other paths (its input, the saved archive, a tree): never replaced, nor a directory holding one. */
  inputs?: readonly RunPath[];
  limits?: Partial<ReadLimits>;
  log?: Logger;
}

export interface UnpackResult {
  dir: string;
  files: number;
  dirs: number;
  symlinks: number;
  /** Bytes of file contents written. */
  bytes: number;
  /** UTS_RELEASE from include/generated/utsrelease.h, when the archive has it. */
  release?: string;
  /** The target already held this archive, complete, and was kept (nothing written). */
  reused?: boolean;
}

const UTS = UTSRELEASE_H;

/**
 * bcc's headers directory for a release, `${TMPDIR:-/tmp}/kheaders-<release>`.
 * The release comes from the archive, so one that is unsafe as a file name is refused.
 */
export function defaultHeadersDir(release: string | undefined, fix = 'pass --output DIR'): string {
  const ok = release !== undefined && KERNEL_RELEASE.test(release) && release !== '.' && release !== '..';
  if (!ok) throw new KheadersError('BAD_INPUT', `cannot name the default headers directory: the archive has no usable UTS_RELEASE (${release ?? 'none'})`, fix);
  return join(process.env.TMPDIR || '/tmp', `kheaders-${release}`);
}

function source(input: Buffer | string): NodeJS.ReadableStream | string {
  return typeof input === 'string' ? input : Readable.from([input]);
}

/** The release recorded in an archive (one streaming pass; stops at utsrelease.h). */
export async function archiveRelease(input: Buffer | string, limits?: Partial<ReadLimits>): Promise<string | undefined> {
  for await (const m of readMembers(source(input), { limits, label: typeof input === 'string' ? input : 'archive' })) {
    if (m.name === UTS && m.kind === 'file' && m.data) return parseUtsRelease(m.data.toString('utf8'));
  }
  return undefined;
}

/**
 * Extracts a kheaders tar.xz (Buffer or path) into `target`, atomically: a
 * half-extracted tree never appears at `target`. Relative in-tree symlinks are
 * kept; whatever the reader refuses (absolute paths, '..', links out, devices) stays refused.
 */
export async function unpackArchive(input: Buffer | string, target: string, opts: UnpackOptions = {}): Promise<UnpackResult> {
  const log = opts.log ?? nullLogger;
  target = resolve(target);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true }).catch((e: unknown) => { throw fsError(e, parent, 'create the directory'); });
  const sha256 = await (typeof input === 'string' ? digestFile(input) : Promise.resolve(digestBuffer(input))).then((d) => d.sha256, () => undefined);
  const state = await inspectTarget(target, sha256 ?? '', opts.replace ? 'force' : 'keep', opts.inputs);
  if (state.kind === 'current') {
    log.info(`kept ${target}: it already holds this archive, complete (${state.files} files, sha256 ${sha256 ?? ''})`);
    return { dir: target, files: state.files, dirs: state.dirs, symlinks: state.symlinks, bytes: state.bytes, release: state.release, reused: true };
  }
  if (state.kind === 'replace') log.info(`replacing ${target}: ${state.why}`);
  await removeStale(parent, basename(target), log);
  const tmp = await mkdtemp(join(parent, `${stagePrefix(basename(target))}`)).catch((e: unknown) => { throw fsError(e, parent, 'write into'); });
  let at = tmp;
  const res: UnpackResult = { dir: target, files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const dirMeta: Array<{ path: string; mode: number; mtime: number }> = [];
  // The writes are synchronous: an archive is thousands of small files, and a
  // thread-pool round trip per call cost 3 s for a 6.1 archive where tar takes 0.3.
  const made = new Set<string>([tmp]);
  const mkdirs = (dir: string, mode: number): void => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true, mode });
    made.add(dir);
  };
  try {
    const label = typeof input === 'string' ? input : 'archive';
    for await (const m of readMembers(source(input), { limits: opts.limits, label })) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      const path = m.name === '.' ? tmp : resolve(tmp, m.name);
      at = path;
      if (path !== tmp && !path.startsWith(tmp + sep)) {
        throw new KheadersError('HOSTILE_ENTRY', `${label}: member ${m.rawName} would land outside the target`, 'use an archive made by the kernel build');
      }
      if (m.kind === 'dir') {
        mkdirs(path, 0o700);
        dirMeta.push({ path, mode: m.mode & 0o777, mtime: m.mtime });
        res.dirs++;
        continue;
      }
      mkdirs(dirname(path), 0o755);
      if (m.kind === 'symlink') {
        symlinkSync(m.target ?? '', path);
        lutimesSync(path, m.mtime, m.mtime);
        res.symlinks++;
      } else {
        const data = m.data ?? Buffer.alloc(0);
        writeFileSync(path, data, { flag: 'wx', mode: 0o600 });
        chmodSync(path, m.mode & 0o777);
        utimesSync(path, m.mtime, m.mtime);
        res.files++;
        res.bytes += data.length;
        if (m.name === UTS) res.release = parseUtsRelease(data.toString('utf8'));
      }
    }
    // Directory modes and times last (deepest first), so read-only dirs do not block writing.
    dirMeta.sort((a, b) => b.path.length - a.path.length);
    for (const d of dirMeta) {
      chmodSync(d.path, d.mode);
      utimesSync(d.path, d.mtime, d.mtime);
    }
    if (!dirMeta.some((d) => d.path === tmp)) chmodSync(tmp, 0o755);
    at = target;
    await placeTree(tmp, target, state);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw fsError(err, at === tmp || at === target ? target : `${target}/${at.slice(tmp.length + 1)}`, at === target ? 'put the headers at' : 'write');
  }
  log.info(`extracted ${res.files} files, ${res.symlinks} symlinks and ${res.dirs} directories into ${target}`);
  if (sha256 !== undefined) await writeRecord(target, { sha256, files: res.files, symlinks: res.symlinks, bytes: res.bytes }, log);
  return res;
}

/** What to tell the user after extracting into `dir`. */
export function usageHints(dir: string, hasKconfig: boolean): string[] {
  const lines = [
    `kernel headers are in ${dir}`,
    `  bcc:      export BCC_KERNEL_SOURCE=${dir}`,
    `  bpftrace: export BPFTRACE_KERNEL_SOURCE=${dir}`,
  ];
  if (!hasKconfig) lines.push(`  note: ${dir}/include/linux/kconfig.h is missing, so bcc will ignore BCC_KERNEL_SOURCE`);
  return lines;
}
