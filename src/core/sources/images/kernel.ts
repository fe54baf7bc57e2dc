// The image table's entry for kernels as they ship (bzImage, raw Image, EFI
// zboot, Android boot image): the whole image is read (under the size cap) and
// unwrapped layer by layer. Without an archive or an embedded config, a
// Debian-style config-<release> beside a vmlinuz-<release> is cited instead.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KheadersError } from '../../errors.js';
import type { ByteSource } from './byte-source.js';
import { configValue } from './ikconfig.js';
import { archiveFromImage } from './image-archive.js';
import { isKernelImage, type Codecs } from './kernel-image.js';

async function siblingConfig(path: string): Promise<{ path: string; text: string } | undefined> {
  const m = /^(?:vmlinuz|vmlinux|bzImage|Image)-(.+)$/.exec(basename(path));
  if (m === null) return undefined;
  const p = join(dirname(path), `config-${m[1]}`);
  return readFile(p, 'utf8').then((text) => ({ path: p, text }), () => undefined);
}

/** Cites the config file beside the image when the image carries none. */
async function withSiblingConfig(err: unknown, what: string): Promise<unknown> {
  if (!(err instanceof KheadersError) || err.code !== 'NOT_FOUND' || !/no embedded config/.test(err.message)) return err;
  const cfg = await siblingConfig(what);
  if (cfg === undefined) return err;
  const v = configValue(cfg.text, 'CONFIG_IKHEADERS');
  const said = v === undefined ? '"# CONFIG_IKHEADERS is not set"' : `"CONFIG_IKHEADERS=${v}"`;
  return new KheadersError('NOT_FOUND', `${err.message.replace(/, and no embedded config.*$/, '')}: its config ${cfg.path} says ${said}`,
    v === 'm' ? 'pass its kheaders.ko, or the distro\'s modules package, to --from' : 'use a kernel built with CONFIG_IKHEADERS=y, or =m and pass its kheaders.ko');
}

export const kernelImage = {
  name: 'kernel image',
  sniff: isKernelImage,
  async open(src: ByteSource, what: string, opts: { maxBytes?: number; codecs?: Codecs }): Promise<{ archive: Buffer; detail: string; config?: string }> {
    const max = opts.maxBytes ?? 1 << 30;
    if (src.size > max) throw new KheadersError('LIMIT_EXCEEDED', `${what} is ${src.size} bytes, over the ${max}-byte limit`, 'pass the right file, or raise the size limit');
    if (opts.codecs === undefined) throw new Error('kernel images need the codec table');
    const img = await src.read(0, src.size);
    try {
      return await archiveFromImage(img, what, opts.codecs, { maxBytes: max });
    } catch (err) {
      throw await withSiblingConfig(err, what);
    }
  },
};
