// The one archive reader of the project: streams an xz-compressed (or plain)
// tar and yields validated members. Archives are untrusted: everything odd
// becomes a KheadersError, and nothing is ever written to disk.
//
// Stable API (used by verify, extract and others):
//   readMembers(input, opts) -> MemberStream (AsyncIterable<Member> + .info)
// Contract for callers that act on members (extract):
//   - members arrive in archive order; names are normalized (see Member.name);
//   - an error can arrive AFTER some members were yielded (truncation and the
//     final symlink check are only known at the end), so stage any output and
//     commit it only when the iteration completes without throwing;
//   - breaking out of the loop early closes the input.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { extract as tarExtract, type Header } from 'tar-stream';
import { corrupt, KheadersError } from '../errors.js';
import type { ReadLimits } from '../types.js';
import { memberKind, normalizeName, TreeGuard } from './guard.js';
import { HeaderCheck } from './tar-headers.js';
import { CHUNK, xzError, xzStages } from './xz-decode.js';
import { MAX_INPUT_BYTES } from '../constants.js';


/** A 6.1 x86 archive has ~6,400 entries, ~33 MB of tar, largest header ~0.5 MB. */
export const DEFAULT_LIMITS: Readonly<ReadLimits> = {
  maxEntryBytes: 32 * 1024 * 1024,
  maxTotalBytes: MAX_INPUT_BYTES,
  maxEntries: 200_000,
};

export interface Member {
  /** Normalized: no leading './', no trailing '/', '.' for the root directory. */
  name: string;
  /** The name exactly as stored (after GNU long-name / pax path records). */
  rawName: string;
  kind: 'file' | 'dir' | 'symlink';
  /** Permission bits (& 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Seconds since the epoch. */
  mtime: number;
  size: number;
  /** Symlink target, as stored. */
  target?: string;
  /** File contents (files only). */
  data?: Buffer;
  /** Pax extended header records for this entry, if any. */
  pax?: Record<string, string>;
  /** 0-based position among the yielded members. */
  index: number;
}

/** Magic of the first tar header: GNU tar's default 'gnu', POSIX 'ustar' (also pax). */
export type TarFormat = 'gnu' | 'ustar' | 'unknown';

/** Facts about the whole archive, filled in while reading; complete once iteration ends. */
export interface ArchiveInfo {
  format?: TarFormat;
  /** Uncompressed tar bytes seen. */
  tarBytes: number;
  entries: number;
  /** True once the whole archive was read and checked. */
  done: boolean;
  /** sha256 (hex) of the uncompressed tar, when ReadOptions.hashTar was set; set at the end. */
  tarSha256?: string;
}

export interface ReadOptions {
  limits?: Partial<ReadLimits>;
  /** xz-compressed input (default true); false reads a plain tar. */
  compressed?: boolean;
  /** How to name the input in messages (default: the path, or "archive"). */
  label?: string;
  /** Also compute ArchiveInfo.tarSha256. */
  hashTar?: boolean;
}

export interface MemberStream extends AsyncIterable<Member> {
  readonly info: ArchiveInfo;
}

/** Streams the members of a tar(.xz), validating each; throws KheadersError on hostile input. */
export function readMembers(input: NodeJS.ReadableStream | string, opts: ReadOptions = {}): MemberStream {
  const info: ArchiveInfo = { tarBytes: 0, entries: 0, done: false };
  let used = false;
  return {
    info,
    [Symbol.asyncIterator](): AsyncIterator<Member> {
      if (used) throw new Error('readMembers: a MemberStream can be iterated once');
      used = true;
      return iterate(input, opts, info);
    },
  };
}

type RawHeader = Omit<Header, 'type' | 'pax'> & {
  type: Header['type'] | null;
  pax?: Record<string, string> | null;
};

async function* iterate(input: NodeJS.ReadableStream | string, opts: ReadOptions, info: ArchiveInfo): AsyncGenerator<Member> {
  const what = opts.label ?? (typeof input === 'string' ? input : 'archive');
  const limits = checkLimits({ ...DEFAULT_LIMITS, ...opts.limits });
  const src: NodeJS.ReadableStream = typeof input === 'string' ? createReadStream(input, { highWaterMark: 16 * CHUNK }) : input;
  const xz = opts.compressed === false ? undefined : xzStages(what, limits.maxTotalBytes);
  const tarTap = tapTar(what, limits, info, (n) => xz?.finish(n), opts.hashTar === true);
  const extract = tarExtract();
  const fail = (err: KheadersError): void => {
    if (!extract.destroyed) extract.destroy(err);
  };
  src.on('error', (e: NodeJS.ErrnoException) => fail(fileError(what, e)));
  tarTap.on('error', (e) => fail(tarError(what, e)));
  if (xz) {
    xz.tap.on('error', (e) => fail(xzError(what, e)));
    xz.unxz.on('error', (e) => fail(xzError(what, e)));
    src.pipe(xz.tap).pipe(xz.unxz).pipe(tarTap).pipe(extract);
  } else {
    src.pipe(tarTap).pipe(extract);
  }
  const guard = new TreeGuard(what);
  let index = 0;
  try {
    for await (const entry of extract) {
      const h = entry.header as RawHeader;
      if (++info.entries > limits.maxEntries) {
        throw new KheadersError('LIMIT_EXCEEDED', `${what}: more than ${limits.maxEntries} entries`,
          'if this archive is genuine, pass --max-entries with a higher count');
      }
      const rawName = h.name;
      const name = normalizeName(what, rawName);
      const kind = memberKind(what, rawName, h.type);
      const size = h.size ?? 0;
      if (kind !== 'file' && size !== 0) {
        throw new KheadersError('HOSTILE_ENTRY', `${what}: refusing entry ${JSON.stringify(rawName)}: ${kind} with ${size} data bytes`,
          'use an archive made by kheaders or kernel/gen_kheaders.sh; do not trust this file');
      }
      if (size > limits.maxEntryBytes) {
        throw new KheadersError('LIMIT_EXCEEDED', `${what}: entry ${JSON.stringify(rawName)} is ${size} bytes, over the limit of ${limits.maxEntryBytes}`,
          'if this archive is genuine, pass --max-entry-size with a larger size (e.g. 64M)');
      }
      const target = kind === 'symlink' ? (h.linkname ?? '') : undefined;
      guard.add(name, kind, target);
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const member: Member = {
        name, rawName, kind,
        mode: (h.mode ?? 0) & 0o7777,
        uid: h.uid ?? 0, gid: h.gid ?? 0,
        uname: h.uname ?? '', gname: h.gname ?? '',
        mtime: Math.floor((h.mtime?.getTime() ?? 0) / 1000),
        size, index: index++,
      };
      if (kind === 'file') member.data = chunks.length === 1 && chunks[0]?.length === size ? chunks[0] : Buffer.concat(chunks, size);
      if (target !== undefined) member.target = target;
      if (h.pax) member.pax = h.pax;
      yield member;
    }
    guard.finish();
    info.done = true;
  } catch (err) {
    throw tarError(what, err);
  } finally {
    extract.destroy();
    for (const s of [src, xz?.tap, xz?.unxz, tarTap]) {
      const d = s as { destroy?: () => void } | undefined;
      d?.destroy?.();
    }
  }
}

function checkLimits(l: ReadLimits): ReadLimits {
  for (const [k, v] of Object.entries(l)) {
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new KheadersError('USAGE', `read limit ${k} must be a positive integer, got ${String(v)}`, 'pass a positive number');
    }
  }
  return l;
}

/** Counts tar bytes against the limit, notes the format, and checks the end-of-archive marker. */
function tapTar(what: string, limits: ReadLimits, info: ArchiveInfo, finish: (n: number) => void, hash: boolean): Transform {
  const sha = hash ? createHash('sha256') : undefined;
  const headers = new HeaderCheck(what);
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  return new Transform({
    highWaterMark: 4 * CHUNK,
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
      info.tarBytes += chunk.length;
      if (info.tarBytes > limits.maxTotalBytes) {
        cb(new KheadersError('LIMIT_EXCEEDED', `${what}: uncompressed tar exceeds the limit of ${limits.maxTotalBytes} bytes`,
          'if this archive is genuine, pass --max-size with a larger size (e.g. 2G)'));
        return;
      }
      try {
        headers.feed(chunk);
      } catch (err) {
        cb(err as Error);
        return;
      }
      if (head.length < 512) {
        head = Buffer.concat([head, chunk]).subarray(0, 512);
        if (head.length === 512) info.format = formatOf(head);
      }
      tail = Buffer.from(Buffer.concat([tail, chunk.subarray(-1024)]).subarray(-1024));
      sha?.update(chunk);
      cb(null, chunk);
    },
    flush(cb: TransformCallback): void {
      try {
        finish(info.tarBytes);
        if (info.tarBytes === 0) throw new KheadersError('CORRUPT_ARCHIVE', `${what} is empty`, 'pass a kheaders_data.tar.xz file');
        if (info.tarBytes % 512 !== 0 || tail.length < 1024 || tail.some((b) => b !== 0)) {
          throw corrupt(`${what}: tar data is truncated (no end-of-archive marker)`);
        }
        if (sha) info.tarSha256 = sha.digest('hex');
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
}

function formatOf(h: Buffer): TarFormat {
  const magic = h.subarray(257, 265).toString('latin1');
  if (magic === 'ustar  \0') return 'gnu';
  if (magic.startsWith('ustar\0')) return 'ustar';
  return 'unknown';
}

function fileError(what: string, e: NodeJS.ErrnoException): KheadersError {
  if (e.code === 'ENOENT') return new KheadersError('NOT_FOUND', `archive not found: ${what}`, 'check the archive path');
  if (e.code === 'EISDIR') return new KheadersError('BAD_INPUT', `${what} is a directory, not an archive`, 'pass the .tar.xz file');
  if (e.code === 'EACCES') return new KheadersError('BAD_INPUT', `cannot read ${what}: permission denied`, 'check the file permissions');
  return new KheadersError('BAD_INPUT', `cannot read ${what}: ${e.message}`, 'check the archive path');
}

/** Maps tar-stream's terse errors to messages a user can act on (the archive reader's and the packages' tars). */
export function tarError(what: string, err: unknown): KheadersError {
  if (err instanceof KheadersError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/unexpected end/i.test(msg)) return corrupt(`${what}: tar data is truncated`);
  if (/invalid tar header/i.test(msg)) return corrupt(`${what}: not a valid tar (bad header checksum or unknown format)`);
  if (/exceeds max size/i.test(msg)) return corrupt(`${what}: a long-name or pax header is over 4 MiB`);
  if (/invalid header/i.test(msg)) return corrupt(`${what}: a tar header has an invalid size field`);
  return corrupt(`${what}: cannot read tar (${msg})`);
}
