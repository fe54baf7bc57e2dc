// Turns a local file of any supported kind into the raw archive bytes: a
// package goes through its container, an image (or a compressed one, through
// the codec table) is opened, a .tar.xz is the archive itself.
import { open, readFile, stat } from 'node:fs/promises';
import { KheadersError } from '../errors.js';
import type { Logger } from '../log.js';
import { decompress, detectCompression } from '../sources/codecs/table.js';
import { packageKind, type PackageLimits } from '../sources/containers/table.js';
import { bufferSource, fileSource } from '../sources/images/byte-source.js';
import { imageFor } from '../sources/images/table.js';
import { archiveFromPackage } from './from-package.js';
import type { FoundArchive } from './found.js';

/** What the sniffs see of a file. */
const HEAD_BYTES = 4096;

async function head(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Reads a .tar.xz, a kheaders.ko / kheaders.o / vmlinux, a .ko.xz/.ko.gz/.ko.zst, or a .deb/.rpm/.pkg.tar.* package. */
export async function archiveFromFile(path: string, opts: { maxBytes: number; log: Logger; release?: string; packageLimits?: Partial<PackageLimits> }): Promise<FoundArchive> {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new KheadersError('BAD_INPUT', `cannot read ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
      'pass `running`, a path to a .tar.xz, kheaders.ko(.xz|.gz|.zst), kernel/kheaders.o or vmlinux, or an http(s) URL');
  });
  if (!st.isFile()) throw new KheadersError('BAD_INPUT', `${path} is not a regular file`, 'pass the archive, module or vmlinux file itself');
  const h = await head(path, HEAD_BYTES);
  const pkg = await packageKind(path, h);
  if (pkg !== undefined) return archiveFromPackage(path, pkg, { release: opts.release, limits: opts.packageLimits, maxBytes: opts.maxBytes, log: opts.log });
  const image = imageFor(h);
  if (image !== undefined) {
    const src = await fileSource(path);
    try {
      const e = await image.open(src, path, opts);
      return { archive: e.archive, origin: 'elf', detail: e.detail };
    } finally {
      await src.close();
    }
  }
  const kind = detectCompression(h);
  if (kind !== 'none') {
    if (st.size > opts.maxBytes) throw new KheadersError('LIMIT_EXCEEDED', `${path} is ${st.size} bytes, over the ${opts.maxBytes}-byte limit`, 'pass the right file, or raise the size limit');
    const raw = await readFile(path);
    const inner = imageFor(await decompress(raw, kind, path, { stopAfter: HEAD_BYTES }));
    if (inner !== undefined) {
      const plain = await decompress(raw, kind, path, { maxBytes: opts.maxBytes });
      const e = await inner.open(bufferSource(plain), path, opts);
      return { archive: e.archive, origin: 'elf', detail: `${kind}-compressed ${e.detail}` };
    }
    if (kind === 'xz') return { archive: raw, origin: 'file', detail: 'plain .tar.xz' };
    throw new KheadersError('BAD_INPUT', `${path} is ${kind}-compressed but holds no ELF module; kheaders archives are .tar.xz`,
      'recompress the tar with xz, or pass the .ko.xz/.ko.gz/.ko.zst module');
  }
  if (h.length >= 0x206 && h.toString('latin1', 0x202, 0x206) === 'HdrS') {
    throw new KheadersError('BAD_INPUT', `${path} is a compressed kernel image (bzImage/vmlinuz), whose contents are not readable directly`,
      'extract the ELF first with the kernel tree\'s scripts/extract-vmlinux, or pass the kheaders.ko module');
  }
  if (h.length >= 262 && h.toString('latin1', 257, 262) === 'ustar') {
    throw new KheadersError('BAD_INPUT', `${path} is an uncompressed tar`, 'compress it with `xz -6` (kheaders archives are .tar.xz)');
  }
  throw new KheadersError('BAD_INPUT', `${path} is not a .tar.xz, an ELF file or a compressed module`,
    'pass a kheaders_data.tar.xz, kheaders.ko(.xz|.gz|.zst), kernel/kheaders.o or vmlinux');
}
