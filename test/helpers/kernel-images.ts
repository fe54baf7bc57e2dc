// Kernel image wrappers written from their documented layouts (facts only):
// the x86 boot protocol's setup header, EFI zboot's "zimg" header, the arm64
// Image header and AOSP's bootimg.h (header versions 0-4).
import { gzipSync } from 'node:zlib';

/** A bzImage: one setup sector after the boot sector, then the payload (with the decoded size appended unless gzip). */
export function bzImage(payload: Buffer, decodedSize: number, opts: { version?: number; lieLength?: number } = {}): Buffer {
  const setup = Buffer.alloc(1024);
  setup[0x1f1] = 1;
  setup.write('HdrS', 0x202, 'latin1');
  setup.writeUInt16LE(opts.version ?? 0x020f, 0x206);
  setup.writeUInt16LE(0x300 - 0x200, 0x20e);
  setup.write('6.1.0-kh-test (kh@test) #1', 0x300, 'latin1');
  const gz = payload[0] === 0x1f && payload[1] === 0x8b;
  const size = Buffer.alloc(4);
  size.writeUInt32LE(decodedSize >>> 0);
  const body = gz ? payload : Buffer.concat([payload, size]);
  const pre = Buffer.alloc(0x40, 0x90);
  setup.writeUInt32LE(pre.length, 0x248);
  setup.writeUInt32LE(opts.lieLength ?? body.length, 0x24c);
  return Buffer.concat([setup, pre, body, Buffer.alloc(100, 0xcc)]);
}

/** An arm64 raw Image: the 64-byte header (magic at 0x38), then `body`. */
export function arm64Image(body: Buffer): Buffer {
  const h = Buffer.alloc(64);
  h.writeUInt32LE(0x14000000, 0); // b . (code0)
  h.writeBigUInt64LE(BigInt(64 + body.length), 16);
  h.write('ARM\x64', 0x38, 'latin1');
  return Buffer.concat([h, body]);
}

/** An EFI zboot image: MZ, "zimg", payload offset/size, the compression's name; the decoded size appended unless gzip. */
export function zboot(payload: Buffer, type: string, decodedSize: number, opts: { lieSize?: number } = {}): Buffer {
  const h = Buffer.alloc(0x200);
  h.write('MZ', 0, 'latin1');
  h.write('zimg', 4, 'latin1');
  h.writeUInt32LE(h.length, 8);
  h.writeUInt32LE(opts.lieSize ?? payload.length, 12);
  h.write(`${type}\0`, 24, 'latin1');
  const size = Buffer.alloc(4);
  size.writeUInt32LE(decodedSize >>> 0);
  return Buffer.concat([h, payload, type === 'gzip' ? Buffer.alloc(0) : size, Buffer.alloc(64)]);
}

const up = (n: number, p: number): number => Math.ceil(n / p) * p;
const pad = (b: Buffer, p: number): Buffer => Buffer.concat([b, Buffer.alloc(up(b.length, p) - b.length)]);

/** An Android boot image of header version 0-4 around `kernel` (AOSP bootimg.h layout). */
export function bootImage(kernel: Buffer, version: number, opts: { pageSize?: number; ramdisk?: Buffer; kernelSize?: number; dtboOffset?: number } = {}): Buffer {
  const page = version >= 3 ? 4096 : opts.pageSize ?? 2048;
  const ramdisk = opts.ramdisk ?? gzipSync(Buffer.from('070701 ramdisk'));
  const h = Buffer.alloc(page);
  h.write('ANDROID!', 0, 'latin1');
  h.writeUInt32LE(opts.kernelSize ?? kernel.length, 8);
  if (version >= 3) {
    h.writeUInt32LE(ramdisk.length, 12);
    h.writeUInt32LE((12 << 25) | (2024 << 4) | 1, 16); // os_version
    h.writeUInt32LE(version === 3 ? 1580 : 1584, 20);
    h.writeUInt32LE(version, 40);
    h.write('console=ttyAMA0', 44, 'latin1');
  } else {
    h.writeUInt32LE(0x10008000, 12);
    h.writeUInt32LE(ramdisk.length, 16);
    h.writeUInt32LE(0x11000000, 20);
    h.writeUInt32LE(page, 36);
    h.writeUInt32LE(version, 40);
    h.write('console=ttyAMA0', 64, 'latin1');
    if (version >= 1) {
      h.writeUInt32LE(opts.dtboOffset === undefined ? 0 : 512, 1632);
      h.writeBigUInt64LE(BigInt(opts.dtboOffset ?? 0), 1636);
      h.writeUInt32LE(version === 1 ? 1648 : 1660, 1644);
    }
  }
  return Buffer.concat([h, pad(kernel, page), pad(ramdisk, page)]);
}

/** The IKCONFIG blob as configs.c lays it out: markers around the gzip of .config. */
export function ikconfigBlob(config: string): Buffer {
  return Buffer.concat([Buffer.from('IKCFG_ST'), gzipSync(Buffer.from(config)), Buffer.from('IKCFG_ED')]);
}
