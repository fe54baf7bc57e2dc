// Safe extraction: members come from the one hostile-input reader (read.ts);
// everything is staged in a temp dir next to the target and renamed into place.
import { parseUtsRelease, UTSRELEASE_H } from '../kernel/identity.js';
import { chmod, lstat, lutimes, mkdir, mkdtemp, readdir, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { KheadersError } from '../errors.js';
import { nullLogger, type Logger } from '../log.js';
import { fsError } from './fs-errors.js';
import { removeStale, stagePrefix } from './stale.js';
import { readMembers, type ReadLimits } from '../archive/read.js';

export interface ExtractOptions {
  /** Aborting stops between members and removes the staged tree. */
  signal?: AbortSignal;
  /** Replace an existing, non-empty target that we own (default false). */
  replace?: boolean;
  limits?: Partial<ReadLimits>;
  log?: Logger;
}

export interface ExtractResult {
  dir: string;
  files: number;
  dirs: number;
  symlinks: number;
  /** Bytes of file contents written. */
  bytes: number;
  /** UTS_RELEASE from include/generated/utsrelease.h, when the archive has it. */
  release?: string;
}

const UTS = UTSRELEASE_H;

/**
 * bcc's headers directory for a release, `${TMPDIR:-/tmp}/kheaders-<release>`.
 * The release comes from the archive, so one that is unsafe as a file name is refused.
 */
export function defaultHeadersDir(release: string | undefined, fix = 'pass --output DIR'): string {
  const ok = release !== undefined && /^[A-Za-z0-9._+~-]{1,128}$/.test(release) && release !== '.' && release !== '..';
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

/** Checks an existing target: absent, an empty dir, or (with replace) ours to replace. */
async function checkTarget(target: string, replace: boolean): Promise<'absent' | 'empty' | 'replace'> {
  const st = await lstat(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!st) return 'absent';
  const euid = process.geteuid?.();
  if (euid !== undefined && st.uid !== euid) {
    throw new KheadersError('BAD_INPUT', `${target} exists and belongs to uid ${st.uid}, not to you (uid ${euid}); someone else may have planted it`,
      'remove it (as its owner or root) or choose another --output');
  }
  if (st.isDirectory() && (await readdir(target)).length === 0) return 'empty';
  if (!replace) {
    throw new KheadersError('BAD_INPUT', `${target} already exists and is not an empty directory`, 'remove it, choose another --output, or pass --force to replace it');
  }
  return 'replace';
}

/**
 * Extracts a kheaders tar.xz (Buffer or path) into `target`, atomically: a
 * half-extracted tree never appears at `target`. Relative in-tree symlinks are
 * kept; whatever the reader refuses (absolute paths, '..', links out, devices) stays refused.
 */
export async function extractArchive(input: Buffer | string, target: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const log = opts.log ?? nullLogger;
  target = resolve(target);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true }).catch((e: unknown) => { throw fsError(e, parent, 'create the directory'); });
  const state = await checkTarget(target, opts.replace ?? false);
  await removeStale(parent, basename(target), log);
  const tmp = await mkdtemp(join(parent, `${stagePrefix(basename(target))}`)).catch((e: unknown) => { throw fsError(e, parent, 'write into'); });
  let at = tmp;
  const res: ExtractResult = { dir: target, files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const dirMeta: Array<{ path: string; mode: number; mtime: number }> = [];
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
        if (path !== tmp) await mkdir(path, { recursive: true, mode: 0o700 });
        dirMeta.push({ path, mode: m.mode & 0o777, mtime: m.mtime });
        res.dirs++;
        continue;
      }
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
      if (m.kind === 'symlink') {
        await symlink(m.target ?? '', path);
        await lutimes(path, m.mtime, m.mtime);
        res.symlinks++;
      } else {
        const data = m.data ?? Buffer.alloc(0);
        await writeFile(path, data, { flag: 'wx', mode: 0o600 });
        await chmod(path, m.mode & 0o777);
        await utimes(path, m.mtime, m.mtime);
        res.files++;
        res.bytes += data.length;
        if (m.name === UTS) res.release = parseUtsRelease(data.toString('utf8'));
      }
    }
    // Directory modes and times last (deepest first), so read-only dirs do not block writing.
    dirMeta.sort((a, b) => b.path.length - a.path.length);
    for (const d of dirMeta) {
      await chmod(d.path, d.mode);
      await utimes(d.path, d.mtime, d.mtime);
    }
    if (!dirMeta.some((d) => d.path === tmp)) await chmod(tmp, 0o755);
    at = target;
    await place(tmp, target, state);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw fsError(err, at === tmp || at === target ? target : `${target}/${at.slice(tmp.length + 1)}`, at === target ? 'put the headers at' : 'write');
  }
  log.info(`extracted ${res.files} files, ${res.symlinks} symlinks and ${res.dirs} directories into ${target}`);
  return res;
}

async function place(tmp: string, target: string, state: 'absent' | 'empty' | 'replace'): Promise<void> {
  if (state !== 'replace') {
    await rename(tmp, target);
    return;
  }
  const old = `${tmp}.old`;
  await rename(target, old);
  try {
    await rename(tmp, target);
  } catch (err) {
    await rename(old, target).catch(() => undefined);
    throw err;
  }
  await rm(old, { recursive: true, force: true });
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
