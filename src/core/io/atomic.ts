import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KheadersError } from '../errors.js';
import { nullLogger } from '../log.js';
import { fsError } from './fs-errors.js';
import { removeStale } from './stale.js';

/** Digests and size of a written file. */
export interface Written {
  md5: string;
  sha256: string;
  size: number;
}

/** The fix printed for an unwritable output unless the caller names its own option. */
const DEFAULT_FIX = 'choose an --output path in a writable directory, on a filesystem with free space';

/** md5 + sha256 + size over a stream of chunks. */
class Digests {
  private readonly md5: Hash = createHash('md5');
  private readonly sha256: Hash = createHash('sha256');
  private size = 0;
  update(chunk: Buffer): void {
    this.md5.update(chunk);
    this.sha256.update(chunk);
    this.size += chunk.length;
  }
  result(): Written {
    return { md5: this.md5.digest('hex'), sha256: this.sha256.digest('hex'), size: this.size };
  }
}

/** A temp name next to the target, so the final rename stays on one filesystem. */
export function tempPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Checks that the output's directory exists (creating it) and that the target is not a directory. */
export async function ensureOutputDir(target: string, fix: string = DEFAULT_FIX): Promise<void> {
  const dir = dirname(target);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new KheadersError('WRITE_FAILED', `cannot create the directory ${dir}: ${(err as Error).message}`, fix);
  }
  const st = await stat(target).catch(() => undefined);
  if (st?.isDirectory()) {
    throw new KheadersError('BAD_INPUT', `${target} is a directory`, 'pass a file path such as kheaders_data.tar.xz');
  }
}

/**
 * Streams the source through the stages into a temp file, hashing on the way,
 * then renames it into place. Any failure or abort removes the temp file.
 * `fix` is the advice given when the target cannot be written.
 */
export async function writeAtomically(target: string, source: Readable, stages: Transform[], signal?: AbortSignal, fix: string = DEFAULT_FIX): Promise<Written> {
  await ensureOutputDir(target, fix);
  const digests = new Digests();
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done): void {
      digests.update(chunk);
      done(null, chunk);
    },
  });
  await removeStale(dirname(target), basename(target), nullLogger);
  const tmp = tempPath(target);
  try {
    await pipeline([source, ...stages, hasher, createWriteStream(tmp, { flags: 'wx' })], { signal });
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw wrapWriteError(err, target, fix);
  }
  return digests.result();
}

function wrapWriteError(err: unknown, target: string, fix: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC' || code === 'EDQUOT') {
    return new KheadersError('WRITE_FAILED', `cannot write ${target}: ${(err as Error).message}`, fix);
  }
  if ((err as Error | undefined)?.name === 'AbortError') return err;
  return fsError(err, target, 'write');
}

/** Writes text or bytes to path atomically (temp file + rename). */
export async function writeFileAtomically(path: string, data: string | Buffer, fix?: string): Promise<Written> {
  return writeAtomically(path, Readable.from([typeof data === 'string' ? Buffer.from(data) : data]), [], undefined, fix);
}

/** Copies src to dest atomically (temp file next to dest + rename): dest is never partial. */
export async function copyFileAtomically(src: string, dest: string, fix?: string): Promise<Written> {
  // Open first, so a missing source fails before any temp file exists.
  const input = (await open(src, 'r')).createReadStream();
  try {
    return await writeAtomically(dest, input, [], undefined, fix);
  } finally {
    input.destroy(); // closes the file when the write never started
  }
}

/** md5, sha256 and size of an existing file, streamed. */
export async function digestFile(path: string): Promise<Written> {
  const digests = new Digests();
  for await (const chunk of createReadStream(path)) digests.update(chunk as Buffer);
  return digests.result();
}

/** md5, sha256 and size of bytes in memory. */
export function digestBuffer(data: Buffer): Written {
  const digests = new Digests();
  digests.update(data);
  return digests.result();
}
