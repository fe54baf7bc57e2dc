// Distro packages built with the distros' own tools (dpkg-deb, rpmbuild, GNU
// tar), holding a kheaders.ko beside other module files, for the package tests,
// the e2e test and the fuzzer. The tools must be installed (.ci/run installs
// them): a missing tool fails, it never skips.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { buildRealElf } from './elf.js';
import { makeHeadersArchive } from './headers-archive.js';

export type ModuleCompression = 'zst' | 'xz' | 'gz' | 'none';

/** One kernel's modules inside a package. */
export interface KernelModules {
  release: string;
  /** The kheaders.ko bytes (uncompressed ELF); undefined: the package has no kheaders module for this kernel. */
  ko?: Buffer;
  /** How the modules are compressed, as the distro does (Ubuntu .ko.zst, Fedora .ko.xz, Arch .ko.zst). */
  compress: ModuleCompression;
  /** 'lib' (Debian/Ubuntu, RPM) or 'usr/lib' (Arch, merged-usr). */
  prefix: 'lib' | 'usr/lib';
}

/** Adds or changes files in the package root before it is packed. */
export type Extra = (root: string) => void;

const EPOCH = '1700000000';
/** Makes every package's build directory unique. */
let seq = 0;
const env = { ...process.env, LC_ALL: 'C', TZ: 'UTC', SOURCE_DATE_EPOCH: EPOCH };

/** Compresses a module file the way Kbuild's modules_install does (xz with CRC32 and a 1 MiB dictionary, zstd, gzip -n). */
export function compressModule(data: Buffer, how: ModuleCompression): Buffer {
  if (how === 'none') return data;
  const [cmd, args] = how === 'xz' ? ['xz', ['--check=crc32', '--lzma2=dict=1MiB', '-c']] : how === 'zst' ? ['zstd', ['-T0', '-q', '-c']] : ['gzip', ['-n', '-9', '-c']];
  return execFileSync(cmd, args as string[], { input: data, maxBuffer: 256 * 1024 * 1024 });
}

const ext = (how: ModuleCompression): string => (how === 'none' ? '' : `.${how}`);

/** Writes lib/modules/<release>/ under root: kheaders.ko (if any), other modules, modules.* files, the build symlink. */
export function writeModules(root: string, k: KernelModules): string[] {
  const base = join(root, k.prefix, 'modules', k.release);
  const files: Record<string, Buffer> = {
    'kernel/fs/khtestfs/khtestfs.ko': Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(3000, 7)]),
    'kernel/drivers/net/dummy.ko': Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(5000, 3)]),
  };
  if (k.ko) files['kernel/kernel/kheaders.ko'] = k.ko;
  const written: string[] = [];
  for (const [name, data] of Object.entries(files)) {
    const path = join(base, name + ext(k.compress));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, compressModule(data, k.compress));
    written.push(path);
  }
  writeFileSync(join(base, 'modules.order'), Object.keys(files).join('\n') + '\n');
  writeFileSync(join(base, 'modules.builtin'), 'kernel/lib/crc32.ko\n');
  // Debian's and Fedora's packages point build at the headers package with an absolute link.
  symlinkSync(`/usr/src/linux-headers-${k.release}`, join(base, 'build'));
  return written;
}

/** A .deb built by dpkg-deb with data.tar compressed by `z` (xz, zstd, gzip or none). */
export function buildDeb(dir: string, opts: { name: string; version: string; kernels: KernelModules[]; z: 'xz' | 'zstd' | 'gzip' | 'none'; extra?: Extra }): string {
  const root = join(dir, `deb-${opts.name}-${opts.z}-${seq++}-root`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  writeFileSync(join(root, 'DEBIAN/control'), [
    `Package: ${opts.name}`, `Version: ${opts.version}`, 'Architecture: amd64', 'Maintainer: kheaders tests <tests@example.invalid>',
    'Section: kernel', 'Priority: optional', 'Description: kernel modules (kheaders test package)', '',
  ].join('\n'));
  for (const k of opts.kernels) writeModules(root, k);
  opts.extra?.(root);
  const out = join(dir, `${opts.name}_${opts.version}_amd64.${opts.z}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', `-Z${opts.z}`, '--build', root, out], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return out;
}

/** An RPM built by rpmbuild from a minimal spec, with `payload` as %_binary_payload (w19.zstdio, w6.xzdio, w9.gzdio). */
export function buildRpm(dir: string, opts: { name: string; version: string; kernels: KernelModules[]; payload: string; extra?: Extra }): string {
  const top = join(dir, `rpm-${opts.name}-${opts.payload}-${seq++}`);
  const src = join(top, 'SRCROOT');
  mkdirSync(join(top, 'SPECS'), { recursive: true });
  mkdirSync(src, { recursive: true });
  for (const k of opts.kernels) writeModules(src, k);
  opts.extra?.(src);
  const dirs = readdirSync(src).sort().map((d) => `/${d}`);
  const spec = join(top, 'SPECS/kh.spec');
  writeFileSync(spec, [
    `Name: ${opts.name}`, `Version: ${opts.version}`, 'Release: 1', 'Summary: kheaders test package', 'License: GPL-2.0-only',
    'BuildArch: noarch', 'AutoReqProv: no', '', '%description', 'Kernel modules (kheaders test package).', '',
    '%install', `cp -a ${src}/. %{buildroot}/`, '', '%files', ...dirs, '',
  ].join('\n'));
  execFileSync('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, '--define', `_binary_payload ${opts.payload}`,
    '--define', '__os_install_post %{nil}', '--define', 'debug_package %{nil}', '--define', '_build_id_links none', spec],
  { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const rpms = join(top, 'RPMS/noarch');
  const file = readdirSync(rpms).find((f) => f.endsWith('.rpm'));
  if (!file) throw new Error(`rpmbuild made no package in ${rpms}`);
  return join(rpms, file);
}

/** An Arch package (.pkg.tar.zst or .pkg.tar.xz) as makepkg lays it out: .PKGINFO, .BUILDINFO, .MTREE, then usr/. */
export function buildArchPkg(dir: string, opts: { name: string; version: string; kernels: KernelModules[]; z: 'zstd' | 'xz'; extra?: Extra }): string {
  const root = join(dir, `arch-${opts.name}-${opts.z}-${seq++}-root`);
  mkdirSync(root, { recursive: true });
  for (const k of opts.kernels) writeModules(root, k);
  opts.extra?.(root);
  writeFileSync(join(root, '.PKGINFO'), `# Generated by makepkg\npkgname = ${opts.name}\npkgbase = ${opts.name}\npkgver = ${opts.version}\narch = x86_64\nsize = 1\n`);
  writeFileSync(join(root, '.BUILDINFO'), `format = 2\npkgname = ${opts.name}\npkgver = ${opts.version}\n`);
  writeFileSync(join(root, '.MTREE'), execFileSync('gzip', ['-n', '-c'], { input: '#mtree\n' }));
  const out = join(dir, `${opts.name}-${opts.version}-x86_64.pkg.tar.${opts.z === 'zstd' ? 'zst' : 'xz'}`);
  const top = readdirSync(root).filter((f) => !f.startsWith('.')).sort();
  execFileSync('tar', [`--${opts.z}`, '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${EPOCH}`, '-cf', out, '-C', root, '.PKGINFO', '.BUILDINFO', '.MTREE', ...top], { env });
  return out;
}

/** A kheaders archive (GNU tar + xz) for `release`, and a real ELF kheaders.ko (gcc) holding it between the kernel's symbols. */
export function kheadersModule(dir: string, release: string): { archive: string; ref: Buffer; ko: Buffer } {
  const sub = join(dir, `ko-${release}`);
  mkdirSync(sub, { recursive: true });
  const fx = makeHeadersArchive(sub, { release, name: 'kheaders_data' });
  return { archive: fx.archive, ref: readFileSync(fx.archive), ko: readFileSync(buildRealElf(sub, fx.archive, 'rel')) };
}

/** `tar -xJf archive` into dir (the oracle for extraction). */
export function tarExtract(archive: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xJf', archive, '-C', dir], { env });
  return dir;
}

/** Every path under root: "dir MODE", "file MODE MTIME SHA256" or "link TARGET". */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const mode = (st.mode & 0o777).toString(8);
      if (st.isSymbolicLink()) out.set(relative(root, p), `link ${readlinkSync(p)}`);
      else if (st.isDirectory()) { out.set(relative(root, p), `dir ${mode}`); walk(p); }
      else out.set(relative(root, p), `file ${mode} ${Math.floor(st.mtimeMs / 1000)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk(root);
  return out;
}
