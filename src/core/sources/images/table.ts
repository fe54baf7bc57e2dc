// Kernel images and objects that carry the kheaders archive, one table. An
// image's one interface: random-access bytes in (a ByteSource), the archive
// out, with `detail` saying how it was found, for logs. A compressed image is
// decoded by the codec table first (extract/from-file.ts). Adding an image
// format: one file beside this one, one line in IMAGES.
import type { Logger } from '../../log.js';
import type { ByteSource } from './byte-source.js';
import { archiveFromElf, isElf } from './elf.js';

export interface ImageOptions {
  /** Largest archive taken out, bytes. */
  maxBytes?: number;
  log?: Logger;
}

export interface ImageFound { archive: Buffer; detail: string }

export interface ImageFormat {
  /** As messages name it: "ELF". */
  name: string;
  /** True when the first bytes (up to 4 KiB) start this format. */
  sniff(head: Buffer): boolean;
  open(src: ByteSource, what: string, opts: ImageOptions): Promise<ImageFound>;
}

const elf: ImageFormat = {
  name: 'ELF',
  sniff: isElf,
  async open(src, what, opts) {
    const e = await archiveFromElf(src, what, opts);
    return { archive: e.archive, detail: `ELF${e.bits} ${e.endian}-endian ${e.elfType} (${e.method === 'symbols' ? 'symbols' : 'stripped, found by scan'})` };
  },
};

export const IMAGES: readonly ImageFormat[] = [elf];

/** The image format `head` starts, or undefined. */
export function imageFor(head: Buffer): ImageFormat | undefined {
  return IMAGES.find((f) => f.sniff(head));
}
