// Hostile packages: path escapes, headers that lie about sizes, an RPM index
// count of 2^31, zstd frames that never end, decompression bombs. Each starts
// from a package built by the distro's tool, changed where it says; each must
// be refused with its code, within a few seconds, and nothing written.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ErrorCode } from '../../src/core/errors.js';
import { nullLogger } from '../../src/core/log.js';
import { ByteReader } from '../../src/core/sources/containers/byte-reader.js';
import { extractArchive } from '../../src/core/extract/extract.js';
import type { PackageLimits } from '../../src/core/sources/containers/table.js';
import { readRpmHeaders } from '../../src/core/sources/containers/rpm.js';
import { tempDir } from '../helpers/action-tree.js';
import { rejectsWith } from '../helpers/errors.js';
import { rawTar } from '../helpers/hostile.js';
import { buildArchPkg, buildDeb, buildRpm, compressModule, kheadersModule, type KernelModules } from '../helpers/packages.js';

const REL = '6.8.0-31-generic';
const KO = `lib/modules/${REL}/kernel/kernel/kheaders.ko.zst`;
const tmp = tempDir('kheaders-package-hostile-');
after(tmp.cleanup);
let mod: ReturnType<typeof kheadersModule>;
let n = 0;
before(() => {
  mod = kheadersModule(tmp.dir, REL);
});
const dir = (): string => {
  const d = join(tmp.dir, `t${n++}`);
  mkdirSync(d);
  return d;
};
const kernel = (compress: KernelModules['compress'] = 'zst'): KernelModules => ({ release: REL, ko: mod.ko, compress, prefix: 'lib' });
const sh = (cmd: string, args: string[], input?: Buffer): Buffer => execFileSync(cmd, args, { input, maxBuffer: 1 << 30 });

/** Refused with `code` (message matching `re`) within `seconds`, and no archive written. */
async function refused(file: string, code: ErrorCode, re: RegExp, limits?: Partial<PackageLimits>, seconds = 5): Promise<void> {
  const out = join(tmp.dir, `out${n++}.tar.xz`);
  const t0 = Date.now();
  await rejectsWith(extractArchive({ from: file, archive: out, packageLimits: limits }, nullLogger), code, re);
  assert.ok(Date.now() - t0 < seconds * 1000, `took ${Date.now() - t0} ms`);
  assert.ok(!existsSync(out));
}

/** A .deb with dpkg-deb's debian-binary and control.tar, and `data` (a tar) as data.tar.xz, packed by GNU ar. */
function debWith(data: Buffer): string {
  const d = dir();
  const real = buildDeb(d, { name: 'linux-modules-x', version: '1', kernels: [], z: 'xz', extra: (root) => mkdirSync(join(root, 'usr')) });
  execFileSync('ar', ['x', real], { cwd: d });
  writeFileSync(join(d, 'data.tar.xz'), sh('xz', ['-c'], data));
  execFileSync('ar', ['rc', 'hostile.deb', 'debian-binary', 'control.tar.xz', 'data.tar.xz'], { cwd: d });
  return join(d, 'hostile.deb');
}

/** An RPM from rpmbuild (gzip payload) with its cpio payload (from rpm2cpio) changed by `edit`. */
async function rpmWith(edit: (cpio: Buffer) => Buffer): Promise<string> {
  const d = dir();
  const real = buildRpm(d, { name: 'kernel-modules-core', version: '6.8.0', kernels: [kernel('xz')], payload: 'w9.gzdio' });
  const bytes = readFileSync(real);
  const r = new ByteReader([bytes], 'rpm');
  await readRpmHeaders(r, 'rpm', 1 << 26);
  const cpio = edit(sh('rpm2cpio', [real]));
  writeFileSync(join(d, 'hostile.rpm'), Buffer.concat([bytes.subarray(0, r.offset), sh('gzip', ['-c'], cpio)]));
  return join(d, 'hostile.rpm');
}

/** The offset of the cpio header of the entry whose name ends with `suffix`. */
function cpioEntry(cpio: Buffer, suffix: string): number {
  const at = cpio.indexOf(`${suffix}\0`, 0, 'latin1');
  assert.ok(at > 0, suffix);
  const start = cpio.lastIndexOf('0707', at, 'latin1');
  return start;
}
const setField = (cpio: Buffer, entry: number, field: number, value: number): void => {
  cpio.write(value.toString(16).padStart(8, '0'), entry + 6 + field * 8, 'latin1');
};

void describe('path escapes in a package', () => {
  void it('.deb: a ../ member named like kheaders.ko is HOSTILE_ENTRY', async () => {
    const ko = compressModule(mod.ko, 'zst');
    await refused(debWith(rawTar([{ name: './usr/', type: '5' }, { name: `../../${KO}`, data: ko }])), 'HOSTILE_ENTRY', /a kheaders module with an absolute or '\.\.' path/);
    await refused(debWith(rawTar([{ name: `./lib/modules/${REL}/../../../etc/kheaders.ko`, data: mod.ko }])), 'HOSTILE_ENTRY', /'\.\.' path/);
  });

  void it('.rpm: cpio names ../lib/... and /lib/... are HOSTILE_ENTRY', async () => {
    const name = `./lib/modules/${REL}/kernel/kernel/kheaders.ko.xz`;
    // Each the same length as the real name, so the header's name size stays right.
    for (const bad of [`../lib/modules/${REL}/kernel/kerne/kheaders.ko.xz`, `//lib/modules/${REL}/kernel/kernel/kheaders.ko.xz`]) {
      const file = await rpmWith((cpio) => {
        cpio.write(bad, cpio.indexOf(`${name}\0`, 0, 'latin1'), 'latin1');
        return cpio;
      });
      await refused(file, 'HOSTILE_ENTRY', /absolute or '\.\.' path/);
    }
  });

  void it('Arch: a kheaders.ko that is a symlink is HOSTILE_ENTRY', async () => {
    const d = dir();
    const tar = rawTar([{ name: '.PKGINFO', data: 'pkgname = linux\n' }, { name: `usr/${KO}`, type: '2', linkname: '/etc/shadow' }]);
    writeFileSync(join(d, 'x.pkg.tar.zst'), sh('zstd', ['-c', '-q'], tar));
    await refused(join(d, 'x.pkg.tar.zst'), 'HOSTILE_ENTRY', /not a regular file/);
  });
});

void describe('headers that lie about sizes', () => {
  void it('a cpio entry whose size runs past the end of the payload: CORRUPT_ARCHIVE (truncated)', async () => {
    const file = await rpmWith((cpio) => {
      setField(cpio, cpioEntry(cpio, 'modules.builtin'), 6, 0x7ffffff0);
      return cpio;
    });
    await refused(file, 'CORRUPT_ARCHIVE', /truncated/);
  });

  void it('a cpio kheaders.ko entry of 4 GiB: LIMIT_EXCEEDED before anything is buffered', async () => {
    const file = await rpmWith((cpio) => {
      setField(cpio, cpioEntry(cpio, 'kheaders.ko.xz'), 6, 0xffffffff);
      return cpio;
    });
    await refused(file, 'LIMIT_EXCEEDED', /kheaders\.ko\.xz is 4294967295 bytes, over the 67108864-byte limit/);
  });

  void it('cpio header fields that are not hex, and a name size of 0: CORRUPT_ARCHIVE', async () => {
    await refused(await rpmWith((c) => { c.write('zzzzzzzz', cpioEntry(c, 'modules.order') + 6 + 6 * 8, 'latin1'); return c; }), 'CORRUPT_ARCHIVE', /field filesize "zzzzzzzz" is not 8 hex digits/);
    await refused(await rpmWith((c) => { setField(c, cpioEntry(c, 'modules.order'), 11, 0); return c; }), 'CORRUPT_ARCHIVE', /name size 0/);
  });

  void it('an RPM header index count of 2^31, an entry outside the store, a 2 GiB store', async () => {
    const real = buildRpm(dir(), { name: 'kernel-modules-core', version: '6.8.0', kernels: [kernel('xz')], payload: 'w19.zstdio' });
    const bytes = readFileSync(real);
    const sigIl = 96 + 8;
    const sigDl = bytes.readUInt32BE(96 + 12);
    const mainAt = 96 + 16 + bytes.readUInt32BE(sigIl) * 16 + sigDl + ((8 - (sigDl % 8)) % 8);
    const variant = (at: number, value: number, signed = false): string => {
      const b = Buffer.from(bytes);
      if (signed) b.writeInt32BE(value, at);
      else b.writeUInt32BE(value, at);
      const f = join(tmp.dir, `rpm${n++}.rpm`);
      writeFileSync(f, b);
      return f;
    };
    await refused(variant(sigIl, 2 ** 31), 'CORRUPT_ARCHIVE', /the signature header claims 2147483648 index entries/);
    await refused(variant(mainAt + 8, 2 ** 31), 'CORRUPT_ARCHIVE', /the main header claims 2147483648 index entries/);
    await refused(variant(mainAt + 12, 2 ** 31), 'LIMIT_EXCEEDED', /the main header claims \d+ bytes, over the 67108864-byte limit/);
    await refused(variant(mainAt + 16 + 8, 0x7fffffff, true), 'CORRUPT_ARCHIVE', /main header entry 0 .* lies outside its \d+-byte store/);
    await refused(variant(mainAt + 16 + 12, 0xffffffff), 'CORRUPT_ARCHIVE', /lies outside/);
  });

  void it('an ar member whose size runs past the end, and a broken ar header: CORRUPT_ARCHIVE', async () => {
    const deb = readFileSync(buildDeb(dir(), { name: 'linux-modules-x', version: '1', kernels: [kernel()], z: 'xz' }));
    const data = deb.indexOf('data.tar.xz', 0, 'latin1');
    const lie = Buffer.from(deb);
    lie.write('999999999 ', data + 48, 'latin1');
    writeFileSync(join(tmp.dir, 'lie.deb'), lie);
    await refused(join(tmp.dir, 'lie.deb'), 'CORRUPT_ARCHIVE', /truncated/);
    const broken = Buffer.from(deb);
    broken.write('xx', data + 58, 'latin1');
    writeFileSync(join(tmp.dir, 'broken.deb'), broken);
    await refused(join(tmp.dir, 'broken.deb'), 'CORRUPT_ARCHIVE', /bad header terminator/);
  });
});

void describe('zstd that never ends, and decompression bombs', () => {
  void it('an Arch package cut short: CORRUPT_ARCHIVE, the frame never ends', async () => {
    const noise = (root: string): void => writeFileSync(join(root, `usr/lib/modules/${REL}/noise.ko.zst`), sh('head', ['-c', '400000', '/dev/urandom']));
    const pkg = readFileSync(buildArchPkg(dir(), { name: 'linux', version: '1', kernels: [{ ...kernel(), prefix: 'usr/lib' }], z: 'zstd', extra: noise }));
    writeFileSync(join(tmp.dir, 'short.pkg.tar.zst'), pkg.subarray(0, pkg.length - 100));
    await refused(join(tmp.dir, 'short.pkg.tar.zst'), 'CORRUPT_ARCHIVE', /a zstd frame never ends: the input stops inside it/);
    writeFileSync(join(tmp.dir, 'half.pkg.tar.zst'), pkg.subarray(0, 1000));
    await refused(join(tmp.dir, 'half.pkg.tar.zst'), 'CORRUPT_ARCHIVE', /zstd/);
  });

  void it('a frame of RLE blocks that never sets the last-block bit: LIMIT_EXCEEDED (window work) with fzstd, not a package with the system zstd, in well under the deadline', async () => {
    // A real frame header (zstd --long=27), then 1M 4-byte RLE blocks of 128 KiB each (128 GiB).
    const head = sh('zstd', ['-c', '-q', '--long=27', '--no-check'], rawTar([{ name: '.PKGINFO', data: 'pkgname = x\n' }])).subarray(0, 6);
    const block = Buffer.from([((128 * 1024) << 3 | 2) & 0xff, ((128 * 1024) << 3 >> 8) & 0xff, ((128 * 1024) << 3 >> 16) & 0xff, 0]);
    writeFileSync(join(tmp.dir, 'rle.pkg.tar.zst'), Buffer.concat([head, Buffer.concat(Array.from({ length: 1 << 20 }, () => block))]));
    // fzstd moves its window once per block: the guard refuses the work up front.
    const saved = process.env.KHEADERS_SYSTEM_CODECS;
    process.env.KHEADERS_SYSTEM_CODECS = '0';
    try {
      await refused(join(tmp.dir, 'rle.pkg.tar.zst'), 'LIMIT_EXCEEDED', /zstd blocks would make the decoder move/);
    } finally {
      if (saved === undefined) delete process.env.KHEADERS_SYSTEM_CODECS;
      else process.env.KHEADERS_SYSTEM_CODECS = saved;
    }
    // The system zstd (a ring buffer, no such cost) decodes the zeros it holds, found no package, as promptly.
    await refused(join(tmp.dir, 'rle.pkg.tar.zst'), 'BAD_INPUT', /is zstd-compressed but holds no ELF module or kernel image/);
  });

  void it('a window over 128 MiB (zstd --long=28): LIMIT_EXCEEDED before decoding', async () => {
    const d = dir();
    const tar = rawTar([{ name: '.PKGINFO', data: 'pkgname = x\n' }, { name: 'usr/x', data: Buffer.alloc(4096) }]);
    writeFileSync(join(d, 'w.pkg.tar.zst'), sh('zstd', ['-c', '-q', '--long=28'], tar));
    await refused(join(d, 'w.pkg.tar.zst'), 'LIMIT_EXCEEDED', /needs a 268435456-byte window, over the 134217728-byte limit/);
  });

  const zeros = (prefix: string) => (root: string): void => writeFileSync(join(root, `${prefix}/modules/${REL}/zeros.bin`), Buffer.alloc(32 << 20));
  const cap = { maxPayloadBytes: 8 << 20 };
  void it('32 MiB of zeros in data.tar.xz, the RPM payload, the .pkg.tar.zst: LIMIT_EXCEEDED at an 8 MiB cap', async () => {
    const d = dir();
    const bomb = /decompresses to more than 8388608 bytes/;
    await refused(buildDeb(d, { name: 'linux-modules-bomb', version: '1', kernels: [kernel()], z: 'xz', extra: zeros('lib') }), 'LIMIT_EXCEEDED', bomb, cap);
    await refused(buildRpm(d, { name: 'kernel-modules-core', version: '6.8.0', kernels: [kernel('xz')], payload: 'w19.zstdio', extra: zeros('lib') }), 'LIMIT_EXCEEDED', bomb, cap);
    await refused(buildArchPkg(d, { name: 'linux', version: '1', kernels: [{ ...kernel(), prefix: 'usr/lib' }], z: 'zstd', extra: zeros('usr/lib') }), 'LIMIT_EXCEEDED', bomb, cap);
  });

  void it('a cpio (or tar) bomb of entries: LIMIT_EXCEEDED at the entry cap', async () => {
    const many = (root: string): void => {
      for (let i = 0; i < 300; i++) writeFileSync(join(root, `lib/modules/${REL}/f${i}`), '');
    };
    await refused(buildRpm(dir(), { name: 'kernel-modules-core', version: '6.8.0', kernels: [kernel('xz')], payload: 'w9.gzdio', extra: many }), 'LIMIT_EXCEEDED',
      /the cpio payload has more than 200 entries/, { maxEntries: 200 });
    await refused(buildDeb(dir(), { name: 'linux-modules-many', version: '1', kernels: [kernel()], z: 'zstd', extra: many }), 'LIMIT_EXCEEDED', /more than 200 entries/, { maxEntries: 200 });
  });

  void it('a kheaders.ko.zst that decompresses past the module cap: LIMIT_EXCEEDED', async () => {
    const big = Buffer.concat([mod.ko, Buffer.alloc(8 << 20)]);
    const pkg = buildDeb(dir(), { name: 'linux-modules-big', version: '1', kernels: [{ ...kernel(), ko: big }], z: 'gzip' });
    await refused(pkg, 'LIMIT_EXCEEDED', /kheaders\.ko\.zst: decompresses to more than 4194304 bytes/, { maxModuleBytes: 4 << 20 });
  });
});
