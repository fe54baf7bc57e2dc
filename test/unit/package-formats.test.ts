// The archive out of real distro packages, built here with the distros' own
// tools: dpkg-deb (-Zxz, -Zzstd, -Zgzip, -Znone), rpmbuild (zstd, xz and gzip
// payloads) and GNU tar (the Arch layout, zstd and xz). Each holds a real ELF
// kheaders.ko, compressed as the distro does, beside other module files.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/run.js';
import { nullLogger } from '../../src/core/log.js';
import { extractArchive } from '../../src/core/extract/extract.js';
import { tempDir } from '../helpers/action-tree.js';
import {
  buildArchPkg, buildDeb, buildRpm, kheadersModule, snapshot, tarExtract, type KernelModules, type ModuleCompression,
} from '../helpers/packages.js';

const REL = '6.1.0-kh1-amd64';
const tmp = tempDir('kheaders-package-formats-');
after(tmp.cleanup);
const savedTmp = process.env.TMPDIR;
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});

let mod: ReturnType<typeof kheadersModule>;
let oracle: Map<string, string>;
before(() => {
  mod = kheadersModule(tmp.dir, REL);
  oracle = snapshot(tarExtract(mod.archive, join(tmp.dir, 'oracle')));
});

const kernel = (compress: ModuleCompression, prefix: KernelModules['prefix'] = 'lib'): KernelModules => ({ release: REL, ko: mod.ko, compress, prefix });

interface Case {
  label: string;
  kind: RegExp;
  build: (dir: string) => string;
}

const CASES: Case[] = [
  { label: '.deb, data.tar.xz, .ko.zst', kind: /^Debian package linux-modules-6\.1\.0-kh1-amd64 6\.1\.0-1\.1, \.\/lib\/modules\//, build: (d) => buildDeb(d, { name: `linux-modules-${REL}`, version: '6.1.0-1.1', kernels: [kernel('zst')], z: 'xz' }) },
  { label: '.deb, data.tar.zst, .ko.zst (as Ubuntu packs it)', kind: /^Debian package /, build: (d) => buildDeb(d, { name: `linux-modules-${REL}`, version: '6.1.0-1.1', kernels: [kernel('zst')], z: 'zstd' }) },
  { label: '.deb, data.tar.gz, plain .ko', kind: /^Debian package /, build: (d) => buildDeb(d, { name: `linux-modules-${REL}`, version: '6.1.0-1.1', kernels: [kernel('none')], z: 'gzip' }) },
  { label: '.deb, uncompressed data.tar, usr/lib/modules, .ko.xz', kind: /^Debian package /, build: (d) => buildDeb(d, { name: `linux-modules-${REL}`, version: '6.1.0-1.1', kernels: [kernel('xz', 'usr/lib')], z: 'none' }) },
  { label: '.rpm, zstd payload (w19.zstdio), .ko.xz (Fedora)', kind: /^RPM kernel-modules-core 6\.1\.0-1, \.\/lib\/modules\/6\.1\.0-kh1-amd64\/kernel\/kernel\/kheaders\.ko\.xz/, build: (d) => buildRpm(d, { name: 'kernel-modules-core', version: '6.1.0', kernels: [kernel('xz')], payload: 'w19.zstdio' }) },
  { label: '.rpm, xz payload (w6.xzdio), .ko.xz', kind: /^RPM /, build: (d) => buildRpm(d, { name: 'kernel-modules', version: '6.1.0', kernels: [kernel('xz')], payload: 'w6.xzdio' }) },
  { label: '.rpm, gzip payload (w9.gzdio), .ko.zst', kind: /^RPM /, build: (d) => buildRpm(d, { name: 'kernel-default', version: '6.1.0', kernels: [kernel('zst')], payload: 'w9.gzdio' }) },
  { label: '.pkg.tar.zst, .ko.zst (Arch)', kind: /^Arch package linux 6\.1\.0\.arch1-1, usr\/lib\/modules\//, build: (d) => buildArchPkg(d, { name: 'linux', version: '6.1.0.arch1-1', kernels: [kernel('zst', 'usr/lib')], z: 'zstd' }) },
  { label: '.pkg.tar.xz, .ko.gz (older Arch)', kind: /^Arch package /, build: (d) => buildArchPkg(d, { name: 'linux', version: '6.1.0.arch1-1', kernels: [kernel('gz', 'usr/lib')], z: 'xz' }) },
];

void describe('extract --from PACKAGE (packages built by dpkg-deb, rpmbuild, GNU tar)', () => {
  CASES.forEach((c, i) => {
    void it(`${c.label}: the archive byte for byte, and the same tree as tar -xJf`, async () => {
      const dir = join(tmp.dir, `case${i}`);
      mkdirSync(dir);
      const pkg = c.build(dir);
      process.env.TMPDIR = join(dir, 'tmpdir');
      mkdirSync(process.env.TMPDIR);
      const saved = join(dir, 'saved.tar.xz');
      const r = await extractArchive({ from: pkg, archive: saved, extract: true }, nullLogger);
      assert.ok(readFileSync(saved).equals(mod.ref), 'the saved archive differs from the kernel archive');
      assert.equal(r.origin, 'package');
      assert.match(r.detail, c.kind);
      assert.match(r.detail, /ELF64 little-endian ET_REL, symbols/);
      assert.equal(r.release, REL);
      // The default output is named after the release, as for bcc.
      assert.equal(r.headersDir, join(process.env.TMPDIR, `kheaders-${REL}`));
      assert.deepEqual(snapshot(r.headersDir), oracle);
    });
  });
});

void describe('the CLI', () => {
  void it('kheaders extract --from PKG --output DIR --archive FILE, for each format', async () => {
    const dir = join(tmp.dir, 'cli');
    mkdirSync(dir);
    const pkgs = [
      buildDeb(dir, { name: `linux-modules-${REL}`, version: '1', kernels: [kernel('zst')], z: 'zstd' }),
      buildRpm(dir, { name: 'kernel-modules-core', version: '6.1.0', kernels: [kernel('xz')], payload: 'w19.zstdio' }),
      buildArchPkg(dir, { name: 'linux', version: '1', kernels: [kernel('zst', 'usr/lib')], z: 'zstd' }),
    ];
    for (const [i, pkg] of pkgs.entries()) {
      const out = join(dir, `hdr${i}`);
      assert.equal(await runCli(['extract', '--from', pkg, '--output', out, '--archive', join(dir, `a${i}.tar.xz`), '--release', REL]), 0);
      assert.deepEqual(snapshot(out), oracle);
      assert.ok(readFileSync(join(dir, `a${i}.tar.xz`)).equals(mod.ref));
    }
    assert.equal(await runCli(['extract', '--from', pkgs[0] as string, '--output', join(dir, 'x'), '--release', 'a/b']), 2);
  });
});
