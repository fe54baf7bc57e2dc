// verify's --archive: a .tar.xz as it is, or anything `extract --from` reads
// from a file (a kernel image, a kheaders.ko, a vmlinux, a package), whose
// archive is staged in a temp file for the reader and removed afterwards.
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XZ_MAGIC, MAX_INPUT_BYTES } from '../constants.js';
import type { Logger } from '../log.js';
import { archiveFromFile } from '../extract/from-file.js';

export interface ArchiveInput {
  /** A .tar.xz on disk to read. */
  path: string;
  /** Where the archive came from, when not a plain .tar.xz: "vmlinuz (x86 bzImage ..., zstd > ELF vmlinux)". */
  from?: string;
  /** The image's embedded .config, when it carries one. */
  config?: string;
  cleanup(): Promise<void>;
}

async function head(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(6);
    return b.subarray(0, (await fh.read(b, 0, 6, 0)).bytesRead);
  } finally {
    await fh.close();
  }
}

export async function archiveInput(path: string, log: Logger): Promise<ArchiveInput> {
  const h = await head(path).catch(() => Buffer.alloc(0));
  if (h.length === 0 || h.equals(XZ_MAGIC)) return { path, cleanup: () => Promise.resolve() };
  const got = await archiveFromFile(path, { maxBytes: MAX_INPUT_BYTES, log });
  const dir = await mkdtemp(join(tmpdir(), 'kheaders-verify-'));
  const staged = join(dir, 'kheaders_data.tar.xz');
  await writeFile(staged, got.archive);
  log.info(`verifying the archive from ${path} (${got.detail})`);
  return { path: staged, from: `${path} (${got.detail})`, config: got.config, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
