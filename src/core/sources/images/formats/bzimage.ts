// x86 bzImage: the setup header ("HdrS" at 0x202, boot protocol 2.08+) gives
// payload_offset/payload_length, relative to the protected-mode code after
// the setup sectors. The payload is the compressed vmlinux; the kernel's build
// appends the decoded size (4 bytes, little-endian) to it, which for gzip is
// the gzip trailer itself. Facts from the kernel's Documentation/x86/boot.rst.
import { KheadersError } from '../../../errors.js';

export interface Payload {
  /** The compressed bytes, without the appended decoded size. */
  data: Buffer;
  /** The decoded size the image declares (mod 2^32), or undefined. */
  declaredSize?: number;
  /** For logs: "bzImage (boot protocol 2.15, 6.1.0 ...)". */
  detail: string;
  /** The codec the header names, where it names one (zboot); else sniff the data. */
  codec?: string;
}

const FIX = 'pass the intact kernel image, as the distro or build ships it';

export function isBzImage(head: Buffer): boolean {
  return head.length >= 0x206 && head.toString('latin1', 0x202, 0x206) === 'HdrS';
}

function versionString(img: Buffer, setupEnd: number): string | undefined {
  const ptr = img.readUInt16LE(0x20e);
  const at = ptr + 0x200;
  if (ptr === 0 || at >= setupEnd) return undefined;
  const end = img.indexOf(0, at);
  const s = img.toString('latin1', at, end < 0 || end - at > 200 ? at + 200 : end);
  return /^[\x20-\x7e]+$/.test(s) ? s : undefined;
}

/** The compressed vmlinux inside a bzImage. */
export function bzImagePayload(img: Buffer, what: string): Payload {
  if (img.length < 0x250 || !isBzImage(img)) throw new KheadersError('BAD_INPUT', `${what} has no x86 setup header`, FIX);
  const version = img.readUInt16LE(0x206);
  const proto = `${version >> 8}.${(version & 0xff).toString().padStart(2, '0')}`;
  if (version < 0x208) {
    throw new KheadersError('BAD_INPUT', `${what} is an x86 kernel image with boot protocol ${proto}, which predates payload_offset (2.08, Linux 2.6.26)`,
      'pass a newer kernel; older images are not supported');
  }
  const sects = img[0x1f1] === 0 ? 4 : img[0x1f1];
  const pm = (sects + 1) * 512;
  const off = img.readUInt32LE(0x248);
  const len = img.readUInt32LE(0x24c);
  if (pm + off + len > img.length || len < 8) {
    throw new KheadersError('CORRUPT_ARCHIVE', `${what}: the bzImage header puts a ${len}-byte payload at ${pm + off}, past the ${img.length}-byte file (payload_offset/payload_length do not fit)`, FIX);
  }
  const all = img.subarray(pm + off, pm + off + len);
  const gzip = all[0] === 0x1f && all[1] === 0x8b;
  const kver = versionString(img, pm);
  return {
    data: gzip ? all : all.subarray(0, len - 4),
    declaredSize: all.readUInt32LE(len - 4),
    detail: `x86 bzImage (boot protocol ${proto}${kver === undefined ? '' : `, ${kver.split(' ')[0]}`})`,
  };
}
