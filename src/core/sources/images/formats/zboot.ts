// EFI zboot (vmlinuz.efi, CONFIG_EFI_ZBOOT): a PE file whose DOS header holds
// "zimg", the payload's offset and size, and the compression's name. Facts from
// the kernel's drivers/firmware/efi/libstub/zboot-header.S.
import { KheadersError } from '../../../errors.js';
import type { Payload } from './bzimage.js';

/** The names zboot-header.S writes, and our codecs for them. */
const CODECS: Record<string, string> = { gzip: 'gzip', lz4: 'lz4', lzma: 'lzma', lzo: 'lzo', xzkern: 'xz', zstd22: 'zstd', bzip2: 'bzip2' };

export function isZboot(head: Buffer): boolean {
  return head.length >= 8 && head.toString('latin1', 0, 2) === 'MZ' && head.toString('latin1', 4, 8) === 'zimg';
}

export function zbootPayload(img: Buffer, what: string): Payload {
  if (img.length < 0x40 || !isZboot(img)) throw new KheadersError('BAD_INPUT', `${what} is not an EFI zboot image`, 'pass the vmlinuz.efi itself');
  const off = img.readUInt32LE(8);
  const size = img.readUInt32LE(12);
  const end = img.indexOf(0, 24);
  const type = img.toString('latin1', 24, end < 0 || end > 0x3c ? 0x3c : end);
  const codec = CODECS[type];
  if (codec === undefined) {
    throw new KheadersError('BAD_INPUT', `${what} is an EFI zboot image compressed with "${type.replace(/[^\x20-\x7e]/g, '?')}", which kheaders does not know`,
      `supported: ${Object.keys(CODECS).join(', ')}`);
  }
  if (off < 0x40 || off + size > img.length || size < 8) {
    throw new KheadersError('CORRUPT_ARCHIVE', `${what}: the zboot header puts a ${size}-byte payload at ${off}, outside the ${img.length}-byte file`, 'pass the intact vmlinuz.efi');
  }
  // zboot keeps the appended decoded size (except for gzip) just past `size`.
  const declaredSize = codec !== 'gzip' && off + size + 4 <= img.length ? img.readUInt32LE(off + size) : undefined;
  return { data: img.subarray(off, off + size), declaredSize, codec, detail: `EFI zboot image (${type})` };
}
