// Android boot images ("ANDROID!", header versions 0-4): the kernel follows
// the header's page. Versions 0-2 give the page size at 36, versions 3-4 use
// 4096; the header version is at 40 in all. Facts from AOSP's documented
// bootimg.h layout. Sections are page-aligned in order; a v1/v2 recovery DTBO
// offset that falls inside the kernel is refused as overlapping.
import { KheadersError } from '../../../errors.js';

const MAGIC = 'ANDROID!';
const FIX = 'pass the intact boot.img (unpack vendor-signed or encrypted images with the vendor\'s tools first)';

export function isBootImage(head: Buffer): boolean {
  return head.length >= 8 && head.toString('latin1', 0, 8) === MAGIC;
}

export interface BootKernel {
  kernel: Buffer;
  version: number;
  pageSize: number;
}

function bad(what: string, problem: string): KheadersError {
  return new KheadersError('CORRUPT_ARCHIVE', `${what}: Android boot image ${problem}`, FIX);
}

const up = (n: number, page: number): number => Math.ceil(n / page) * page;

/** The kernel inside an Android boot image. */
export function bootImageKernel(img: Buffer, what: string): BootKernel {
  if (img.length < 1660 || !isBootImage(img)) throw bad(what, 'header is truncated');
  const version = img.readUInt32LE(40);
  if (version > 4) {
    throw new KheadersError('BAD_INPUT', `${what} is an Android boot image with header version ${version}; kheaders reads versions 0 to 4`, 'unpack the kernel with AOSP\'s unpack_bootimg and pass it');
  }
  const pageSize = version >= 3 ? 4096 : img.readUInt32LE(36);
  if (pageSize < 2048 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw bad(what, `page size ${pageSize} is not a power of two from 2048 to 65536`);
  const kernelSize = img.readUInt32LE(8);
  if (kernelSize === 0) throw bad(what, 'holds no kernel (kernel_size is 0)');
  const kernelEnd = pageSize + kernelSize;
  if (kernelEnd > img.length) throw bad(what, `declares a ${kernelSize}-byte kernel, past the end of the ${img.length}-byte file (truncated, or kernel_size lies)`);
  const ramdiskSize = img.readUInt32LE(version >= 3 ? 12 : 16);
  if (up(kernelEnd, pageSize) + ramdiskSize > img.length) {
    throw bad(what, `is truncated: its ${ramdiskSize}-byte ramdisk ends past the end of the ${img.length}-byte file`);
  }
  if (version === 1 || version === 2) {
    const dtboSize = img.readUInt32LE(1632);
    const dtboOff = Number(img.readBigUInt64LE(1636));
    if (dtboSize > 0 && dtboOff < up(kernelEnd, pageSize) && dtboOff + dtboSize > pageSize) {
      throw bad(what, `puts its recovery DTBO (${dtboSize} bytes at ${dtboOff}) inside the kernel (overlapping sections)`);
    }
  }
  return { kernel: img.subarray(pageSize, kernelEnd), version, pageSize };
}
