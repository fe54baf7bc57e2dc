// Packages without a kheaders module, with two kernels' modules, and other
// packages kheaders must refuse with a clear error (real dpkg-deb, rpmbuild
// and GNU tar packages).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nullLogger } from '../../src/core/log.js';
import { ByteReader } from '../../src/core/sources/containers/byte-reader.js';
import { extractArchive } from '../../src/core/extract/extract.js';
import { readRpmHeaders } from '../../src/core/sources/containers/rpm.js';
import { tempDir } from '../helpers/action-tree.js';
import { rejectsWith } from '../helpers/errors.js';
import { craftElf } from '../helpers/elf.js';
import { buildArchPkg, buildDeb, buildRpm, compressModule, kheadersModule, type KernelModules } from '../helpers/packages.js';

const [A, B] = ['6.8.0-31-generic', '6.8.0-35-generic'];
const tmp = tempDir('kheaders-package-errors-');
after(tmp.cleanup);
let modA: ReturnType<typeof kheadersModule>;
let modB: ReturnType<typeof kheadersModule>;
let n = 0;
before(() => {
  modA = kheadersModule(tmp.dir, A);
  modB = kheadersModule(tmp.dir, B);
});

const dir = (): string => {
  const d = join(tmp.dir, `t${n++}`);
  mkdirSync(d);
  return d;
};
const k = (release: string, ko: Buffer | undefined, compress: KernelModules['compress'] = 'zst', prefix: KernelModules['prefix'] = 'lib'): KernelModules => ({ release, ko, compress, prefix });
const fetch = (from: string, release?: string): Promise<unknown> => extractArchive({ from, release, archive: join(tmp.dir, `out${n++}.tar.xz`) }, nullLogger);

void describe('a package with no kheaders module', () => {
  void it('.deb: NOT_FOUND names the package, its modules and where Ubuntu ships the module', async () => {
    const pkg = buildDeb(dir(), { name: `linux-modules-extra-${A}`, version: '6.8.0-31.31', kernels: [k(A, undefined)], z: 'zstd' });
    await rejectsWith(fetch(pkg), 'NOT_FOUND', new RegExp(`^linux-modules-extra-${A} 6\\.8\\.0-31\\.31 has 0 kheaders\\.ko \\(kernel modules: 2 for ${A}\\)$`),
      new RegExp(`on Ubuntu it is in linux-modules-${A}`));
  });

  void it('.rpm (kernel-core): NOT_FOUND, and on Fedora it is in kernel-modules-core', async () => {
    const pkg = buildRpm(dir(), { name: 'kernel-core', version: '6.8.9', kernels: [], payload: 'w19.zstdio', extra: (root) => {
      mkdirSync(join(root, 'boot'));
      writeFileSync(join(root, 'boot/vmlinuz-6.8.9-300.fc40.x86_64'), 'MZ not a kernel');
    } });
    await rejectsWith(fetch(pkg), 'NOT_FOUND', /^kernel-core 6\.8\.9-1 has 0 kheaders\.ko \(and no kernel modules at all\)$/, /on Fedora it is in kernel-modules-core/);
  });

  void it('Arch: NOT_FOUND, and the module belongs in the linux package itself', async () => {
    const pkg = buildArchPkg(dir(), { name: 'linux-lts', version: '6.6.30-1', kernels: [k('6.6.30-1-lts', undefined, 'zst', 'usr/lib')], z: 'zstd' });
    await rejectsWith(fetch(pkg), 'NOT_FOUND', /^linux-lts 6\.6\.30-1 has 0 kheaders\.ko \(kernel modules: 2 for 6\.6\.30-1-lts\)$/, /linux package itself/);
  });
});

void describe('a package with two kernels\' modules', () => {
  const both = (): KernelModules[] => [k(A, modA.ko, 'zst'), k(B, modB.ko, 'xz')];
  const builders: Array<[string, (d: string) => string]> = [
    ['.deb', (d) => buildDeb(d, { name: 'linux-modules-both', version: '1', kernels: both(), z: 'xz' })],
    ['.rpm', (d) => buildRpm(d, { name: 'kernel-modules-core', version: '6.8.0', kernels: both(), payload: 'w6.xzdio' })],
    ['Arch', (d) => buildArchPkg(d, { name: 'linux', version: '1', kernels: both().map((x) => ({ ...x, prefix: 'usr/lib' as const })), z: 'zstd' })],
  ];
  for (const [label, build] of builders) {
    void it(`${label}: refused without --release, naming both; --release picks either, byte for byte`, async () => {
      const pkg = build(dir());
      await rejectsWith(fetch(pkg), 'BAD_INPUT', new RegExp(`holds kheaders\\.ko for 2 kernels: ${A}, ${B}$`), new RegExp(`--release ${A}`));
      for (const [rel, mod] of [[A, modA], [B, modB]] as const) {
        const out = join(tmp.dir, `pick${n++}.tar.xz`);
        const r = await extractArchive({ from: pkg, release: rel, archive: out }, nullLogger);
        assert.equal(r.release, rel);
        assert.ok(readFileSync(out).equals(mod.ref), `${label} --release ${rel}`);
      }
      await rejectsWith(fetch(pkg, '6.9.0-1-generic'), 'NOT_FOUND', new RegExp(`no kheaders\\.ko for release 6\\.9\\.0-1-generic; it has one for ${A}, ${B}`), new RegExp(`pass one of: ${A}, ${B}`));
    });
  }
});

void describe('packages refused for what they hold', () => {
  void it('the module path says one release, its archive\'s utsrelease.h another: CORRUPT_ARCHIVE', async () => {
    const pkg = buildDeb(dir(), { name: 'linux-modules-lie', version: '1', kernels: [k(B, modA.ko)], z: 'gzip' });
    await rejectsWith(fetch(pkg), 'CORRUPT_ARCHIVE', new RegExp(`module's path says release ${B} but its archive's utsrelease\\.h says ${A}`));
  });

  void it('two kheaders modules for one release: BAD_INPUT naming both', async () => {
    const pkg = buildRpm(dir(), { name: 'kernel-modules-core', version: '6.8.0', kernels: [k(A, modA.ko, 'xz')], payload: 'w9.gzdio', extra: (root) => {
      mkdirSync(join(root, `lib/modules/${A}/updates`));
      writeFileSync(join(root, `lib/modules/${A}/updates/kheaders.ko`), modA.ko);
    } });
    await rejectsWith(fetch(pkg), 'BAD_INPUT', new RegExp(`holds 2 kheaders modules for ${A}: .*kernel/kernel/kheaders\\.ko\\.xz, .*updates/kheaders\\.ko$`));
  });

  void it('a kheaders.ko that is not an ELF module, or an ELF without the archive: CORRUPT_ARCHIVE / NOT_FOUND', async () => {
    const junk = buildDeb(dir(), { name: 'linux-modules-junk', version: '1', kernels: [k(A, Buffer.from('not an ELF file at all'))], z: 'xz' });
    await rejectsWith(fetch(junk), 'CORRUPT_ARCHIVE', /kheaders\.ko\.zst is not an ELF module once zstd-decompressed/);
    const elf = craftElf({ bits: 64, little: true, type: 'rel', archive: Buffer.alloc(0), stripped: true });
    const empty = buildDeb(dir(), { name: 'linux-modules-empty', version: '1', kernels: [k(A, elf, 'none')], z: 'xz' });
    await rejectsWith(fetch(empty), 'NOT_FOUND', /no kernel_headers_data symbol/);
  });

  void it('an ar archive that is not a .deb, a source RPM and a bzip2 payload: BAD_INPUT', async () => {
    const d = dir();
    writeFileSync(join(d, 'a.o'), 'x');
    execFileSync('ar', ['rc', join(d, 'lib.a'), join(d, 'a.o')]);
    await rejectsWith(fetch(join(d, 'lib.a')), 'BAD_INPUT', /is an ar archive but not a Debian package/);
    const rpm = buildRpm(d, { name: 'kernel-modules-core', version: '6.8.0', kernels: [k(A, modA.ko, 'xz')], payload: 'w9.gzdio' });
    const src = readFileSync(rpm);
    src.writeUInt16BE(1, 6); // the lead's type: 1 is a source package
    writeFileSync(join(d, 'k.src.rpm'), src);
    await rejectsWith(fetch(join(d, 'k.src.rpm')), 'BAD_INPUT', /is a source RPM/);
    const bz = buildRpm(dir(), { name: 'kernel-modules-core', version: '6.8.0', kernels: [k(A, modA.ko, 'xz')], payload: 'w9.bzdio' });
    await rejectsWith(fetch(bz), 'BAD_INPUT', /payload is bzip2-compressed, which kheaders does not read/, /w19\.zstdio/);
  });

  void it('archives and modules that are not packages still go their own way', async () => {
    const ko = join(dir(), 'kheaders.ko.zst');
    writeFileSync(ko, compressModule(modA.ko, 'zst'));
    const r1 = await extractArchive({ from: ko, archive: join(tmp.dir, `o${n++}`) }, nullLogger);
    assert.equal(r1.origin, 'elf');
    const r2 = await extractArchive({ from: modA.archive, archive: join(tmp.dir, `o${n++}`) }, nullLogger);
    assert.equal(r2.origin, 'file');
    assert.equal(r2.release, A);
  });

  void it('an RPM whose payload is a cpio "crc" archive (070702, by GNU cpio): read, and its checksum checked', async () => {
    const d = dir();
    const rpm = buildRpm(d, { name: 'kernel-modules-core', version: '6.8.0', kernels: [k(A, modA.ko, 'xz')], payload: 'w9.gzdio' });
    const bytes = readFileSync(rpm);
    const r = new ByteReader([bytes], 'rpm');
    await readRpmHeaders(r, 'rpm', 1 << 26);
    const root = join(d, 'unpacked');
    mkdirSync(root);
    execFileSync('cpio', ['-idm', '--quiet'], { cwd: root, input: execFileSync('rpm2cpio', [rpm]) });
    const list = execFileSync('find', ['.', '-mindepth', '1'], { cwd: root });
    const crc = execFileSync('cpio', ['-o', '-H', 'crc', '--quiet'], { cwd: root, input: list, maxBuffer: 1 << 28 });
    assert.equal(crc.toString('latin1', 0, 6), '070702');
    const pack = (cpio: Buffer): string => {
      const f = join(d, `crc${n++}.rpm`);
      writeFileSync(f, Buffer.concat([bytes.subarray(0, r.offset), execFileSync('gzip', ['-c'], { input: cpio })]));
      return f;
    };
    const out = join(d, 'crc.tar.xz');
    await extractArchive({ from: pack(crc), archive: out }, nullLogger);
    assert.ok(readFileSync(out).equals(modA.ref));
    const name = crc.indexOf('kheaders.ko.xz\0', 0, 'latin1');
    const bad = Buffer.from(crc);
    bad[(Math.ceil((name + 15) / 4) * 4) + 100] ^= 0xff;
    await rejectsWith(fetch(pack(bad)), 'CORRUPT_ARCHIVE', /the cpio checksum does not match the data/);
  });
});
