// Turns a local file of any supported kind into the raw archive bytes.
import { open, readFile, stat } from 'node:fs/promises';
import { KheadersError } from '../errors.js';
import type { Logger } from '../log.js';
import { bufferSource, fileSource } from './bytes.js';
import { archiveFromElf, isElf } from './elf.js';
import { decompress, detectCompression } from './module.js';
import { archiveFromPackage, packageKind, type PackageLimits } from './package.js';
import { imageFromFile, looksLikeImage } from './images/image-file.js';

export interface FoundArchive {
  archive: Buffer;
  origin: 'file' | 'elf' | 'package' | 'image';
  /** How it was found, for logs: "plain .tar.xz", "ELF64 little-endian ET_REL (symbols)". */
  detail: string;
  /** A package's kernel release, from its module's path (cross-checked with the archive). */
  release?: string;
  /** A kernel image's own .config (CONFIG_IKCONFIG), when it carries one. */
  config?: string;
  /** The digests of the package file itself (a --sha256 may name the package, as the distro's index lists it). */
  packageDigest?: { sha256: string; md5: string };
}

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

function describe(e: { bits: number; endian: string; elfType: string; method: string }, packed: string): string {
  return `${packed}ELF${e.bits} ${e.endian}-endian ${e.elfType} (${e.method === 'symbols' ? 'symbols' : 'stripped, found by scan'})`;
}

/** Reads a .tar.xz, a kheaders.ko / kheaders.o / vmlinux, a .ko.xz/.ko.gz/.ko.zst, or a .deb/.rpm/.pkg.tar.* package. */
export async function archiveFromFile(path: string, opts: { maxBytes: number; log: Logger; release?: string; packageLimits?: Partial<PackageLimits> }): Promise<FoundArchive> {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new KheadersError('BAD_INPUT', `cannot read ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
      'pass `running`, a path to a .tar.xz, kheaders.ko(.xz|.gz|.zst), kernel/kheaders.o or vmlinux, or an http(s) URL');
  });
  if (!st.isFile()) throw new KheadersError('BAD_INPUT', `${path} is not a regular file`, 'pass the archive, module or vmlinux file itself');
  const h = await head(path, 4096);
  const pkg = await packageKind(path, h);
  if (pkg !== undefined) return archiveFromPackage(path, pkg, { release: opts.release, limits: opts.packageLimits, maxBytes: opts.maxBytes, log: opts.log });
  if (await looksLikeImage(path, h)) return imageFromFile(path, st.size, opts);
  const kind = detectCompression(h);
  if (isElf(h)) {
    const src = await fileSource(path);
    try {
      const e = await archiveFromElf(src, path, opts);
      return { archive: e.archive, origin: 'elf', detail: describe(e, '') };
    } finally {
      await src.close();
    }
  }
  if (kind !== 'none') {
    if (st.size > opts.maxBytes) throw new KheadersError('LIMIT_EXCEEDED', `${path} is ${st.size} bytes, over the ${opts.maxBytes}-byte limit`, 'pass the right file, or raise the size limit');
    const raw = await readFile(path);
    const start = await decompress(raw, kind, path, { stopAfter: 4 });
    if (isElf(start)) {
      const plain = await decompress(raw, kind, path, { maxBytes: opts.maxBytes });
      const e = await archiveFromElf(bufferSource(plain), path, opts);
      return { archive: e.archive, origin: 'elf', detail: describe(e, `${kind}-compressed `) };
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
