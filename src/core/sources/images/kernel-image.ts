// Kernels as they ship: unwraps boot images, bzImage and zboot payloads and
// whole-file compression, layer by layer, by their bytes, down to an ELF
// vmlinux or a raw Image. The codec table is passed in (detect + capped decode).
import { KheadersError } from '../../errors.js';
import { isElf } from './formats/elf.js';
import { bootImageKernel, isBootImage } from './formats/boot-image.js';
import { bzImagePayload, isBzImage, type Payload } from './formats/bzimage.js';
import { isZboot, zbootPayload } from './formats/zboot.js';
import { rawImageArch } from './formats/raw-image.js';

export interface Codecs {
  /** The codec name `head` starts like, or 'none'. */
  detect(head: Buffer): string;
  /** Decodes a whole input with the named codec, under the caller's size cap. */
  decode(input: Buffer, codec: string, what: string): Promise<Buffer>;
}

export interface Unwrapped {
  bytes: Buffer;
  /** 'elf': a vmlinux; 'raw': a raw Image of `arch`; 'unknown': none of those. */
  kind: 'elf' | 'raw' | 'unknown';
  arch?: string;
  /** Each layer, outermost first: "Android boot image v2 (page 4096)", "lz4", "arm64 Image". */
  layers: string[];
}

/** True when the bytes start like a kernel image kheaders unwraps (not ELF, not a plain codec). */
export function isKernelImage(head: Buffer): boolean {
  return isBootImage(head) || isZboot(head) || isBzImage(head) || rawImageArch(head) !== undefined;
}

const MAX_LAYERS = 4;

async function decodePayload(p: Payload, codecs: Codecs, what: string): Promise<{ out: Buffer; codec: string }> {
  const codec = p.codec ?? codecs.detect(p.data.subarray(0, 16));
  if (codec === 'none') {
    throw new KheadersError('BAD_INPUT', `${what}: the ${p.detail} payload is compressed with a format kheaders does not know (first bytes ${p.data.subarray(0, 4).toString('hex')})`,
      'supported: gzip, bzip2, lzma, xz, lzo, lz4, zstd');
  }
  const out = await codecs.decode(p.data, codec, `${what} (${p.detail} payload)`);
  if (p.declaredSize !== undefined && out.length % 2 ** 32 !== p.declaredSize) {
    throw new KheadersError('CORRUPT_ARCHIVE', `${what}: the ${p.detail} declares a ${p.declaredSize}-byte kernel but its payload decodes to ${out.length} bytes`,
      'pass the intact kernel image, as the distro or build ships it');
  }
  return { out, codec };
}

/** Peels every known layer off `img`. */
export async function unwrapKernel(img: Buffer, what: string, codecs: Codecs): Promise<Unwrapped> {
  const layers: string[] = [];
  let bytes = img;
  for (let depth = 0; depth <= MAX_LAYERS; depth++) {
    const head = bytes.subarray(0, 4096);
    if (isElf(head)) return { bytes, kind: 'elf', layers: [...layers, 'ELF vmlinux'] };
    if (isBootImage(head)) {
      const b = bootImageKernel(bytes, what);
      layers.push(`Android boot image v${b.version} (page ${b.pageSize})`);
      bytes = b.kernel;
    } else if (isZboot(head) || isBzImage(head)) {
      const p = isZboot(head) ? zbootPayload(bytes, what) : bzImagePayload(bytes, what);
      const d = await decodePayload(p, codecs, what);
      layers.push(`${p.detail}, ${d.codec}`);
      bytes = d.out;
    } else if (rawImageArch(head) !== undefined) {
      const arch = rawImageArch(head) as string;
      return { bytes, kind: 'raw', arch, layers: [...layers, `${arch} Image`] };
    } else {
      const codec = codecs.detect(bytes.subarray(0, 16));
      if (codec === 'none') return { bytes, kind: 'unknown', layers };
      layers.push(codec);
      bytes = await codecs.decode(bytes, codec, `${what} (${layers.join(' > ')})`);
    }
  }
  throw new KheadersError('BAD_INPUT', `${what} nests more than ${MAX_LAYERS} layers (${layers.join(' > ')})`, 'pass the kernel image itself');
}
