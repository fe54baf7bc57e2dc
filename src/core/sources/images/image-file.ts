// A kernel image file, known by its bytes: a bzImage, raw Image, EFI zboot
// image or Android boot image, or an Image compressed whole (Image.gz, .bz2,
// .lz4, .lzma, .lzo, .zst, .xz) whose first decoded bytes are an Image header.
import { open, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KheadersError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { imageCodecs } from './codecs.js';
import { archiveFromImage } from './image-archive.js';
import { configValue } from './ikconfig.js';
import { isKernelImage } from './kernel-image.js';
import { isElf } from '../elf.js';
import { decompress } from '../module.js';

/** Codecs the kernel uses for images only (never for modules or the archive). */
const IMAGE_ONLY = new Set(['bzip2', 'lz4', 'lzo', 'lzma']);

/** True when the file is a kernel image kheaders unwraps (not a module, a vmlinux or a .tar.xz). */
export async function looksLikeImage(path: string, head: Buffer): Promise<boolean> {
  if (isKernelImage(head)) return true;
  const kind = imageCodecs(1 << 20).detect(head.subarray(0, 16));
  if (kind === 'none') return false;
  if (IMAGE_ONLY.has(kind)) return true;
  // gzip, xz, zstd: also modules and archives; an image when the first decoded bytes say so.
  const fh = await open(path, 'r');
  let prefix: Buffer;
  try {
    const buf = Buffer.alloc(256 << 10);
    prefix = buf.subarray(0, (await fh.read(buf, 0, buf.length, 0)).bytesRead);
  } finally {
    await fh.close();
  }
  const d = await decompress(prefix, kind as 'gzip' | 'xz' | 'zstd', path, { stopAfter: 4096 }).catch(() => undefined);
  return d !== undefined && !isElf(d) && isKernelImage(d);
}

/** Debian-style /boot/config-<release> beside /boot/vmlinuz-<release>, for the error when the image has no config. */
async function siblingConfig(path: string): Promise<{ path: string; text: string } | undefined> {
  const m = /^(?:vmlinuz|vmlinux|bzImage|Image)-(.+)$/.exec(basename(path));
  if (m === null) return undefined;
  const p = join(dirname(path), `config-${m[1]}`);
  return readFile(p, 'utf8').then((text) => ({ path: p, text }), () => undefined);
}

export async function imageFromFile(path: string, size: number, opts: { maxBytes: number; log: Logger }): Promise<{ archive: Buffer; origin: 'image'; detail: string; config?: string }> {
  if (size > opts.maxBytes) throw new KheadersError('LIMIT_EXCEEDED', `${path} is ${size} bytes, over the ${opts.maxBytes}-byte limit`, 'pass the right file, or raise the size limit');
  const img = await readFile(path);
  try {
    const got = await archiveFromImage(img, path, imageCodecs(opts.maxBytes), opts);
    return { archive: got.archive, origin: 'image', detail: `${path} (${got.detail})`, config: got.config };
  } catch (err) {
    if (!(err instanceof KheadersError) || err.code !== 'NOT_FOUND' || !/no embedded config/.test(err.message)) throw err;
    const cfg = await siblingConfig(path);
    if (cfg === undefined) throw err;
    const v = configValue(cfg.text, 'CONFIG_IKHEADERS');
    throw new KheadersError('NOT_FOUND', `${path} holds no kheaders archive: its config ${cfg.path} says ${v === undefined ? '"# CONFIG_IKHEADERS is not set"' : `"CONFIG_IKHEADERS=${v}"`}`,
      v === 'm' ? 'pass its kheaders.ko, or the distro\'s modules package, to --from' : 'use a kernel built with CONFIG_IKHEADERS=y or =m (then pass its kheaders.ko)');
  }
}
