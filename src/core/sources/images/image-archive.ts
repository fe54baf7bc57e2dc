// The headers archive and the embedded .config of a kernel image, whatever its
// wrapping. When there is no archive, the error says why, in the kernel's own
// words where it carries its config.
import { KheadersError } from '../../errors.js';
import { nullLogger, type Logger } from '../../log.js';
import { bufferSource } from './byte-source.js';
import { archiveFromElf } from './formats/elf.js';
import { scanForArchive } from './formats/elf-scan.js';
import { configValue, readIkconfig } from './ikconfig.js';
import { unwrapKernel, type Codecs } from './kernel-image.js';

export interface ImageArchive {
  /** The archive, or undefined when only the config was asked for and there is none. */
  archive: Buffer;
  /** The layers, for logs and reports: "x86 bzImage (boot protocol 2.15, 6.1.0), xz > ELF vmlinux". */
  detail: string;
  /** The image's own .config (CONFIG_IKCONFIG), when it carries one. */
  config?: string;
}

/** Why an image has no archive, from its config (or the lack of one). */
function whyNot(what: string, detail: string, config: string | undefined): KheadersError {
  const fix = 'use a kernel built with CONFIG_IKHEADERS=y, or pass its kheaders.ko (CONFIG_IKHEADERS=m, in the modules package)';
  if (config === undefined) {
    return new KheadersError('NOT_FOUND', `${what} (${detail}) holds no kheaders archive, and no embedded config (CONFIG_IKCONFIG) to say why`,
      `${fix}; its config is usually installed as /boot/config-<release>`);
  }
  const v = configValue(config, 'CONFIG_IKHEADERS');
  const said = v === undefined ? '"# CONFIG_IKHEADERS is not set"' : `"CONFIG_IKHEADERS=${v}"`;
  const rel = /^# Linux\/\S+ (\S+) Kernel Configuration/m.exec(config)?.[1];
  const kernel = rel === undefined ? 'this kernel' : `this ${rel} kernel`;
  if (v === 'm') {
    return new KheadersError('NOT_FOUND', `${what} (${detail}) holds no kheaders archive: its embedded config says ${said}, so ${kernel} keeps it in kheaders.ko`,
      'pass the kheaders.ko, or the distro\'s modules package, to --from');
  }
  return new KheadersError('NOT_FOUND', `${what} (${detail}) holds no kheaders archive: its embedded config says ${said}${v === 'y' ? ', but no archive was found (damaged image?)' : ''}`, fix);
}

/** The archive (and config) inside a kernel image of any supported kind. */
export async function archiveFromImage(img: Buffer, what: string, codecs: Codecs, opts: { maxBytes: number; log?: Logger }): Promise<ImageArchive> {
  const log = opts.log ?? nullLogger;
  const u = await unwrapKernel(img, what, codecs);
  const detail = u.layers.join(' > ');
  if (u.kind === 'unknown') {
    throw new KheadersError('BAD_INPUT', `${what}${detail === '' ? '' : ` (${detail})`} is not a kernel image kheaders can read`,
      'pass a bzImage/vmlinuz, a raw or compressed Image, a vmlinuz.efi, a boot.img, a vmlinux or a kheaders.ko');
  }
  log.debug(`${what}: ${detail}`);
  const src = bufferSource(u.bytes);
  const config = await readIkconfig(src);
  let archive: Buffer | undefined;
  if (u.kind === 'elf') {
    archive = await archiveFromElf(src, what, { maxBytes: opts.maxBytes, log }).then((e) => e.archive, (err: unknown) => {
      if (err instanceof KheadersError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    });
  } else {
    archive = (await scanForArchive(src, { maxBytes: opts.maxBytes, log }))?.archive;
  }
  if (archive === undefined) throw whyNot(what, detail, config);
  return { archive, detail, config };
}
