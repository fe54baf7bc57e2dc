import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KheadersError } from './errors.js';

/** Digests and size of a written file. */
export interface Written {
  md5: string;
  sha256: string;
  size: number;
}

/** A temp name next to the target, so the final rename stays on one filesystem. */
export function tempPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Checks that the output's directory exists (creating it) and is writable. */
export async function ensureOutputDir(target: string): Promise<void> {
  const dir = dirname(target);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new KheadersError(`cannot create the output directory ${dir}: ${(err as Error).message}`,
      'choose an --output path in a writable directory');
  }
  const st = await stat(target).catch(() => undefined);
  if (st?.isDirectory()) {
    throw new KheadersError(`output ${target} is a directory`, 'pass a file path such as kheaders_data.tar.xz');
  }
}

/**
 * Streams the source through the stages into a temp file, hashing on the way,
 * then renames it into place. Any failure or abort removes the temp file.
 */
export async function writeAtomically(target: string, source: Readable, stages: Transform[], signal?: AbortSignal): Promise<Written> {
  await ensureOutputDir(target);
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  let size = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done): void {
      md5.update(chunk);
      sha256.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const tmp = tempPath(target);
  try {
    await pipeline([source, ...stages, hasher, createWriteStream(tmp, { flags: 'wx' })], { signal });
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw wrapWriteError(err, target);
  }
  return { md5: md5.digest('hex'), sha256: sha256.digest('hex'), size };
}

function wrapWriteError(err: unknown, target: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC') {
    return new KheadersError(`cannot write ${target}: ${(err as Error).message}`,
      'choose an --output path on a writable filesystem with free space');
  }
  return err;
}

/** Writes text or bytes to path atomically (temp file + rename). */
export async function writeFileAtomically(path: string, data: string | Buffer): Promise<Written> {
  return writeAtomically(path, Readable.from([typeof data === 'string' ? Buffer.from(data) : data]), []);
}

/** md5, sha256 and size of an existing file, streamed. */
export async function digestFile(path: string): Promise<Written> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    md5.update(chunk as Buffer);
    sha256.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { md5: md5.digest('hex'), sha256: sha256.digest('hex'), size };
}
