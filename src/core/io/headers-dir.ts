// Every target (bcc's shared `${TMPDIR:-/tmp}/kheaders-<release>`, --output, the
// action's extract-to) follows bcc's rules and more: what is not ours is refused
// (protected.ts); a complete one holding this archive is kept; a stale or
// incomplete one of ours is replaced in one rename. Nothing here follows a symlink
// at the target, and the record of what was extracted lives next to the tree
// (`DIR.kheaders.sha256`), never inside it, where bcc would see it as a header.
import { constants, type Stats } from 'node:fs';
import { lstat, mkdtemp, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseUtsRelease, UTSRELEASE_H } from '../archive/identity.js';
import { KheadersError } from '../errors.js';
import type { Logger } from '../log.js';
import { writeFileAtomically } from './atomic.js';
import { extractionOwner, refuseProtected, type RunPath } from './protected.js';
import { stagePrefix } from './stale.js';

/**
 * The one rule for any target (the default directory, --output, the action's
 * extract-to): what kheaders made there is kept when it holds this archive,
 * complete, and replaced otherwise; 'force' (--force) also extracts a complete
 * one again and replaces a regular file. Anything else is refused.
 */
export type ExistingPolicy = 'keep' | 'force';

/** What extracting left: the archive's sha256 and the tree's counts; written to DIR.kheaders.sha256. */
export interface DirRecord {
  sha256: string;
  files: number;
  symlinks: number;
  bytes: number;
}

export type TargetState =
  | { kind: 'absent' }
  /** An empty directory of ours: renamed over. */
  | { kind: 'empty' }
  /** Complete and holding this archive: kept as it is. */
  | { kind: 'current'; files: number; symlinks: number; dirs: number; bytes: number; release?: string }
  /** Ours, to be replaced; why, for the log. */
  | { kind: 'replace'; why: string };

/** The file next to DIR that records what was extracted into it. */
export function recordPath(dir: string): string {
  return `${dir}.kheaders.sha256`;
}

/** Largest tree we count before giving up on it as "not ours" (a kernel's has about 4,000 files). */
const MAX_WALK = 1_000_000;

function formatRecord(r: DirRecord): string {
  return `${r.sha256}  kheaders.tar.xz\n# files=${r.files} symlinks=${r.symlinks} bytes=${r.bytes}\n`;
}

function parseRecord(text: string): DirRecord | undefined {
  const m = /^([0-9a-f]{64}) {2}kheaders\.tar\.xz\n# files=(\d+) symlinks=(\d+) bytes=(\d+)\n$/.exec(text);
  return m ? { sha256: m[1], files: Number(m[2]), symlinks: Number(m[3]), bytes: Number(m[4]) } : undefined;
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  return lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    throw err;
  });
}

/** Reads a small regular file owned by uid without following a symlink; undefined when it is anything else. */
async function readOwnedSmall(path: string, uid: number | undefined): Promise<string | undefined> {
  const st = await lstatOrUndefined(path).catch(() => undefined);
  if (!st?.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0 || st.size > 4096) return undefined;
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!fh) return undefined;
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/** Counts regular files, their bytes, symlinks and directories under root with lstat only; stops past `max` entries. */
async function countTree(root: string, max: number): Promise<{ files: number; symlinks: number; dirs: number; bytes: number; other: number }> {
  const c = { files: 0, symlinks: 0, dirs: 0, bytes: 0, other: 0 };
  const todo = [root];
  while (todo.length > 0 && c.files + c.symlinks + c.dirs + c.other <= max) {
    const d = todo.pop() as string;
    const ents = await readdir(d, { withFileTypes: true });
    const sizes: Array<Promise<number>> = [];
    for (const e of ents) {
      const p = join(d, e.name);
      if (e.isDirectory()) { c.dirs++; todo.push(p); }
      else if (e.isSymbolicLink()) c.symlinks++;
      else if (e.isFile()) { c.files++; sizes.push(lstat(p).then((s) => s.size)); }
      else c.other++;
    }
    for (const s of await Promise.all(sizes)) c.bytes += s;
  }
  return c;
}

/** Why a directory of ours is not a complete extraction of the archive with this sha256; undefined when it is. */
async function staleReason(target: string, st: Stats, sha256: string, uid: number | undefined): Promise<string | { release?: string; files: number; symlinks: number; dirs: number; bytes: number }> {
  if ((st.mode & 0o022) !== 0) return `it is writable by others (mode ${(st.mode & 0o777).toString(8)})`;
  const rec = await ownRecord(target, uid);
  if (!rec) return `there is no record of what was extracted into it (${basename(recordPath(target))})`;
  if (rec.sha256 !== sha256) return `it holds another archive (sha256 ${rec.sha256.slice(0, 12)}…, this one is ${sha256.slice(0, 12)}…)`;
  const got = await countTree(target, MAX_WALK);
  if (got.files !== rec.files || got.symlinks !== rec.symlinks || got.bytes !== rec.bytes || got.other !== 0) {
    return `it is incomplete or changed (${got.files} files, ${got.symlinks} symlinks, ${got.bytes} bytes; the archive has ${rec.files}, ${rec.symlinks}, ${rec.bytes})`;
  }
  const uts = await readOwnedSmall(join(target, UTSRELEASE_H), uid);
  return { release: uts === undefined ? undefined : parseUtsRelease(uts), files: got.files, symlinks: got.symlinks, dirs: got.dirs, bytes: got.bytes };
}

/** Our record next to target, when there is a valid one. */
async function ownRecord(target: string, uid: number | undefined): Promise<DirRecord | undefined> {
  const text = await readOwnedSmall(recordPath(target), uid);
  return text === undefined ? undefined : parseRecord(text);
}

/**
 * Decides what to do with what is at `target` before extracting the archive
 * with this sha256 there. Throws for what must not be touched: the run's
 * inputs (or a directory holding one), `/`, `$HOME`, a symlink, anything owned
 * by another user, a directory kheaders did not make, and a file (without --force).
 */
export async function inspectTarget(target: string, sha256: string, policy: ExistingPolicy, inputs: readonly RunPath[] = []): Promise<TargetState> {
  const st = await lstatOrUndefined(target);
  if (!st) return { kind: 'absent' };
  await refuseProtected(target, st, inputs);
  const euid = process.geteuid?.();
  if (st.isSymbolicLink()) {
    const whose = euid !== undefined && st.uid !== euid ? `, owned by uid ${st.uid}; someone else may have planted it` : '';
    throw new KheadersError('BAD_INPUT', `${target} is a symbolic link${whose}; kheaders never writes through one, and bcc would follow it`,
      'remove the link (as its owner or root), or choose another --output');
  }
  if (euid !== undefined && st.uid !== euid) {
    throw new KheadersError('BAD_INPUT', `${target} exists and belongs to uid ${st.uid}, not to you (uid ${euid}); someone else may have planted it`,
      'remove it (as its owner or root) or choose another --output');
  }
  if (!st.isDirectory()) {
    if (!st.isFile()) throw new KheadersError('BAD_INPUT', `${target} exists and is neither a directory nor a regular file; kheaders never replaces it`, 'choose another --output');
    if (policy === 'force') return { kind: 'replace', why: 'it is a regular file (--force)' };
    throw new KheadersError('BAD_INPUT', `${target} already exists and is a file, not a directory`, 'remove it, choose another --output, or pass --force to replace the file');
  }
  if ((await readdir(target)).length === 0) return { kind: 'empty' };
  const owner = await extractionOwner(target, (await ownRecord(target, euid)) !== undefined);
  if (!owner.ours) {
    throw new KheadersError('BAD_INPUT', `${target} is not a directory kheaders extracted: ${owner.why}; kheaders never replaces it${policy === 'force' ? ', even with --force' : ''}`,
      'choose another --output (a new or empty directory, or one kheaders extracted before)');
  }
  if (policy === 'force') return { kind: 'replace', why: 'asked to extract again (--force)' };
  const why = await staleReason(target, st, sha256, euid);
  if (typeof why !== 'string') return { kind: 'current', ...why };
  return { kind: 'replace', why };
}

/**
 * Puts the staged tree at target. A directory there (ours, checked) is first
 * moved into a fresh private directory, so no name another user can see or
 * plant is involved; on failure it is put back.
 */
export async function placeTree(tmp: string, target: string, state: TargetState): Promise<void> {
  // The old record goes first: a new tree never sits next to the old tree's record.
  await rm(recordPath(target), { force: true }).catch(() => undefined);
  if (state.kind !== 'replace') {
    await rename(tmp, target);
    return;
  }
  const aside = await mkdtemp(join(dirname(target), stagePrefix(basename(target))));
  const old = join(aside, 'old');
  await rename(target, old);
  try {
    await rename(tmp, target);
  } catch (err) {
    await rename(old, target).catch(() => undefined);
    await rm(aside, { recursive: true, force: true });
    throw err;
  }
  await rm(aside, { recursive: true, force: true });
}

/** Records what was extracted into dir, next to it (atomic, owned like the dir). A failure only warns: the next run extracts again. */
export async function writeRecord(dir: string, rec: DirRecord, log: Logger): Promise<void> {
  await writeFileAtomically(recordPath(dir), formatRecord(rec)).catch((err: unknown) => {
    log.warning(`could not record the archive next to ${dir} (${(err as Error).message}); the next run will extract it again`);
  });
}
