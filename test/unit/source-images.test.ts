// Kernel images built around a real ELF vmlinux (gcc + ld, stripped) and a real
// kheaders archive (GNU tar + xz), wrapped as the kernel and AOSP lay them out:
// the archive and the embedded config come out byte for byte; hostile headers
// get clear errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { archiveFromImage } from '../../src/core/sources/images/image-archive.js';
import { unwrapKernel } from '../../src/core/sources/images/kernel-image.js';
import { buildRealElf } from '../helpers/elf.js';
import { rejectsWith, throwsWith } from '../helpers/errors.js';
import { makeHeadersArchive } from '../helpers/headers-archive.js';
import { imageCodecs } from '../helpers/image-codecs.js';
import { arm64Image, bootImage, bzImage, ikconfigBlob, zboot } from '../helpers/kernel-images.js';
import { bootImageKernel } from '../../src/core/sources/images/formats/boot-image.js';

const CONFIG = '#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.1.0 Kernel Configuration\n#\nCONFIG_SYSFS=y\nCONFIG_IKCONFIG=y\nCONFIG_IKHEADERS=y\n';
let dir: string;
let archive: Buffer;
let vmlinux: Buffer;
const codecs = imageCodecs();
const opts = { maxBytes: 1 << 30 };
const xz = (b: Buffer): Buffer => execFileSync('xz', ['--check=crc32', '-c'], { input: b, maxBuffer: 1 << 28 });
const zstd = (b: Buffer): Buffer => execFileSync('zstd', ['-q', '-c'], { input: b, maxBuffer: 1 << 28 });

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kh-img-'));
  const fx = makeHeadersArchive(dir);
  archive = readFileSync(fx.archive);
  // A stripped vmlinux (no symbols: found by scanning) with the config blob after it.
  vmlinux = Buffer.concat([readFileSync(buildRealElf(dir, fx.archive, 'exec', { strip: true })), ikconfigBlob(CONFIG)]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('kernel images: the archive and config come out byte for byte', () => {
  const cases: Array<[string, () => Buffer, RegExp]> = [
    ['bzImage, gzip payload', () => bzImage(gzipSync(vmlinux), vmlinux.length), /x86 bzImage \(boot protocol 2\.15, 6\.1\.0-kh-test\), gzip > ELF vmlinux/],
    ['bzImage, xz payload (decoded size appended)', () => bzImage(xz(vmlinux), vmlinux.length), /bzImage .*, xz > ELF/],
    ['bzImage, zstd payload', () => bzImage(zstd(vmlinux), vmlinux.length), /, zstd > ELF/],
    ['raw arm64 Image', () => arm64Image(Buffer.concat([vmlinux.subarray(64)])), /^arm64 Image$/],
    ['Image.gz', () => gzipSync(arm64Image(vmlinux)), /^gzip > arm64 Image$/],
    ['EFI zboot, gzip', () => zboot(gzipSync(arm64Image(vmlinux)), 'gzip', 0), /EFI zboot image \(gzip\), gzip > arm64 Image/],
    ['EFI zboot, zstd22', () => zboot(zstd(arm64Image(vmlinux)), 'zstd22', 64 + vmlinux.length), /zboot image \(zstd22\), zstd > arm64/],
    ...[0, 1, 2, 3, 4].map((v): [string, () => Buffer, RegExp] => [`Android boot image v${v} around Image.gz`, () => bootImage(gzipSync(arm64Image(vmlinux)), v), new RegExp(`Android boot image v${v} \\(page ${v >= 3 ? 4096 : 2048}\\) > gzip > arm64 Image`)]),
    ['Android boot image v2, 4 KiB pages, raw Image', () => bootImage(arm64Image(vmlinux), 2, { pageSize: 4096 }), /v2 \(page 4096\) > arm64 Image/],
  ];
  for (const [name, make, layers] of cases) {
    it(name, async () => {
      const got = await archiveFromImage(make(), 'img', codecs, opts);
      assert.ok(got.archive.equals(archive), 'archive byte for byte');
      assert.equal(got.config, CONFIG);
      assert.match(got.detail, layers);
    });
  }
});

describe('kernel images: hostile and unsupported', () => {
  it('a payload_length past the end of the file is refused, naming the fields', async () => {
    const img = bzImage(gzipSync(vmlinux), vmlinux.length, { lieLength: 1 << 30 });
    await rejectsWith(archiveFromImage(img, 'img', codecs, opts), 'CORRUPT_ARCHIVE', /payload_offset\/payload_length do not fit/);
  });
  it('a short payload_length truncates the stream: a corrupt-data error, not a partial kernel', async () => {
    const p = xz(vmlinux);
    await assert.rejects(archiveFromImage(bzImage(p, vmlinux.length, { lieLength: p.length - 200 }), 'img', codecs, opts));
  });
  it('a declared decoded size that disagrees with the payload is refused', async () => {
    await rejectsWith(archiveFromImage(bzImage(xz(vmlinux), vmlinux.length + 1), 'img', codecs, opts), 'CORRUPT_ARCHIVE', /declares a \d+-byte kernel but its payload decodes to/);
  });
  it('a boot protocol before 2.08 is named and refused', async () => {
    await rejectsWith(archiveFromImage(bzImage(gzipSync(vmlinux), 0, { version: 0x0204 }), 'img', codecs, opts), 'BAD_INPUT', /boot protocol 2\.04, which predates payload_offset/);
  });
  it('a payload that decodes past the cap stops at the cap', async () => {
    await rejectsWith(archiveFromImage(bzImage(gzipSync(Buffer.alloc(8 << 20)), 8 << 20), 'img', imageCodecs(1 << 20), opts), 'LIMIT_EXCEEDED');
  });
  it('a zboot size past the end, and an unknown zboot compression, are refused', async () => {
    await rejectsWith(archiveFromImage(zboot(gzipSync(vmlinux), 'gzip', 0, { lieSize: 1 << 28 }), 'img', codecs, opts), 'CORRUPT_ARCHIVE', /zboot header puts/);
    await rejectsWith(archiveFromImage(zboot(gzipSync(vmlinux), 'brotli', 0), 'img', codecs, opts), 'BAD_INPUT', /compressed with "brotli"/);
  });
  it('boot images: kernel_size past the end, a truncated ramdisk, an overlapping DTBO, a bad page size, version 5', () => {
    const k = gzipSync(arm64Image(vmlinux));
    throwsWith(() => bootImageKernel(bootImage(k, 2, { kernelSize: 1 << 30 }), 'boot.img'), 'CORRUPT_ARCHIVE', /past the end .*kernel_size lies/);
    const whole = bootImage(k, 0);
    throwsWith(() => bootImageKernel(whole.subarray(0, whole.length - 2048), 'boot.img'), 'CORRUPT_ARCHIVE', /truncated: its \d+-byte ramdisk/);
    throwsWith(() => bootImageKernel(bootImage(k, 1, { dtboOffset: 2048 + 16 }), 'boot.img'), 'CORRUPT_ARCHIVE', /overlapping sections/);
    const odd = bootImage(k, 0);
    odd.writeUInt32LE(3000, 36);
    throwsWith(() => bootImageKernel(odd, 'boot.img'), 'CORRUPT_ARCHIVE', /page size 3000/);
    const v5 = bootImage(k, 4);
    v5.writeUInt32LE(5, 40);
    throwsWith(() => bootImageKernel(v5, 'boot.img'), 'BAD_INPUT', /header version 5/);
  });
  it('an xz stream that decodes to something other than kheaders is passed over: NOT_FOUND citing the config', async () => {
    const decoy = execFileSync('tar', ['-cJf', '-', '-C', dir, 'fixture.tar.xz'], { maxBuffer: 1 << 28 });
    const noHeaders = CONFIG.replace('CONFIG_IKHEADERS=y', '# CONFIG_IKHEADERS is not set');
    const img = arm64Image(Buffer.concat([Buffer.alloc(100), decoy, ikconfigBlob(noHeaders)]));
    await rejectsWith(archiveFromImage(img, 'Image', codecs, opts), 'NOT_FOUND', /its embedded config says "# CONFIG_IKHEADERS is not set"/);
  });
  it('CONFIG_IKHEADERS=m points at kheaders.ko; no config at all says so', async () => {
    const img = arm64Image(Buffer.concat([Buffer.alloc(4096), ikconfigBlob(CONFIG.replace('IKHEADERS=y', 'IKHEADERS=m'))]));
    await rejectsWith(archiveFromImage(img, 'Image', codecs, opts), 'NOT_FOUND', /"CONFIG_IKHEADERS=m", so this 6\.1\.0 kernel keeps it in kheaders\.ko/, /kheaders\.ko/);
    await rejectsWith(archiveFromImage(arm64Image(Buffer.alloc(4096)), 'Image', codecs, opts), 'NOT_FOUND', /no embedded config \(CONFIG_IKCONFIG\)/, /\/boot\/config-/);
  });
  it('nesting is bounded', async () => {
    let b = gzipSync(arm64Image(vmlinux));
    for (let i = 0; i < 5; i++) b = gzipSync(b);
    await rejectsWith(unwrapKernel(b, 'img', codecs), 'BAD_INPUT', /nests more than 4 layers/);
  });
});
