// Distro packages as a source: a .deb, an RPM or an Arch .pkg.tar.{zst,xz}
// holding lib/modules/<release>/.../kheaders.ko[.zst|.xz|.gz]. The package is
// streamed once; only the module is buffered. Its release comes from the
// module's path and must match the archive's own utsrelease.h.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import {
  MAX_PACKAGE_ENTRIES, MAX_PACKAGE_HEADER_BYTES, MAX_PACKAGE_MODULE_BYTES, MAX_PACKAGE_PAYLOAD_BYTES,
} from '../constants.js';
import { KheadersError } from '../errors.js';
import { archiveRelease } from '../io/unpack.js';
import { digestFile } from '../io/atomic.js';
import { nullLogger, type Logger } from '../log.js';
import { AR_MAGIC } from './ar.js';
import { bufferSource } from './bytes.js';
import { ByteReader, type PackageMember } from './byte-reader.js';
import { cpioChecksum } from './cpio.js';
import { collect, decompressStream } from './decompress-stream.js';
import { archiveFromElf, isElf } from './elf.js';
import type { FoundArchive } from './file.js';
import { decompress, detectCompression } from './module.js';
import {
  archMembers, debMembers, readMember, rpmMembers, type PackageInfo, type PackageKind, type PackageLimits,
} from './package-members.js';
import { RPM_MAGIC } from './rpm.js';
import { zstdStream } from './zstd-stream.js';

export type { PackageKind, PackageLimits } from './package-members.js';

export const DEFAULT_PACKAGE_LIMITS: Readonly<PackageLimits> = {
  maxPayloadBytes: MAX_PACKAGE_PAYLOAD_BYTES,
  maxModuleBytes: MAX_PACKAGE_MODULE_BYTES,
  maxHeaderBytes: MAX_PACKAGE_HEADER_BYTES,
  maxEntries: MAX_PACKAGE_ENTRIES,
};

export interface PackageOptions {
  /** Pick this kernel when the package holds modules of several. */
  release?: string;
  limits?: Partial<PackageLimits>;
  /** Largest archive inside the module (as for any ELF). */
  maxBytes?: number;
  log?: Logger;
}

/** A package file, or its bytes (the fuzzer). */
export type PackageInput = string | Buffer;

const KIND_NAME: Record<PackageKind, string> = { deb: 'Debian package', rpm: 'RPM', arch: 'Arch package' };
const KHEADERS = /(?:^|\/)kheaders\.ko(?:\.(?:xz|gz|zst))?$/;
const KHEADERS_PATH = /^(?:usr\/)?lib\/modules\/([^/]+)\/(?:.+\/)?kheaders\.ko(?:\.(?:xz|gz|zst))?$/;
const ANY_MODULE = /^(?:usr\/)?lib\/modules\/([^/]+)\/.+\.ko(?:\.(?:xz|gz|zst))?$/;
const ARCH_FIRST = new Set(['.PKGINFO', '.BUILDINFO', '.MTREE', '.INSTALL', '.CHANGELOG']);

async function* open(input: PackageInput): AsyncGenerator<Buffer> {
  if (typeof input !== 'string') {
    for (let o = 0; o < input.length; o += 64 * 1024) yield input.subarray(o, o + 64 * 1024);
    return;
  }
  const s = createReadStream(input, { highWaterMark: 1024 * 1024 });
  try {
    for await (const c of s) yield c as Buffer;
  } finally {
    s.destroy();
  }
}

/**
 * The first bytes of the decompressed stream. An xz stream that does not
 * decode gives undefined (the caller's own reader names the problem); a
 * zstd stream refused by the guarded decoder is refused here.
 */
async function decodedHead(input: PackageInput, kind: 'zstd' | 'xz', n: number, what: string): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let have = 0;
  try {
    for await (const c of decompressStream(open(input), kind, what, MAX_PACKAGE_PAYLOAD_BYTES)) {
      parts.push(c);
      have += c.length;
      if (have >= n) break;
    }
  } catch (err) {
    if (kind === 'zstd') throw err;
    return undefined;
  }
  return Buffer.concat(parts).subarray(0, n);
}

/**
 * The kind of package, from magic bytes: "!<arch>\n" (a .deb), the RPM lead
 * magic, or a zstd/xz stream that decodes to a tar (for xz, one whose first
 * member is .PKGINFO or another pacman dotfile, since a kheaders archive is a
 * .tar.xz too). Undefined for anything else.
 */
export async function packageKind(input: PackageInput, head: Buffer): Promise<PackageKind | undefined> {
  if (head.length >= 8 && head.toString('latin1', 0, 8) === AR_MAGIC) return 'deb';
  if (head.length >= 4 && head.subarray(0, 4).equals(RPM_MAGIC)) return 'rpm';
  const kind = detectCompression(head);
  if (kind !== 'zstd' && kind !== 'xz') return undefined;
  const tar = await decodedHead(input, kind, 512, typeof input === 'string' ? input : 'input');
  if (tar === undefined || tar.length < 512 || !tar.toString('latin1', 257, 262).startsWith('ustar')) return undefined;
  const first = tar.toString('utf8', 0, 100).replace(/\0.*$/s, '').replace(/^\.\//, '');
  return kind === 'zstd' || ARCH_FIRST.has(first) ? 'arch' : undefined;
}

interface Found { release: string; member: string; data: Buffer; checksum?: number }

/** Where the distro ships the module, for the "none found" error. */
function whereItIs(kind: PackageKind, release: string): string {
  if (kind === 'deb') return `on Ubuntu it is in linux-modules-${release} (Debian's own kernels are built without CONFIG_IKHEADERS)`;
  if (kind === 'rpm') return 'on Fedora it is in kernel-modules-core (not kernel-core); check a package with rpm -qlp PACKAGE.rpm | grep kheaders';
  return 'on Arch it is in the linux package itself, as usr/lib/modules/<release>/kernel/kernel/kheaders.ko.zst';
}

/** Streams the package and returns its one kheaders module (or the one of `release`). */
export async function findKheadersModule(input: PackageInput, kind: PackageKind, opts: PackageOptions = {}): Promise<Found & { package: string }> {
  const limits = { ...DEFAULT_PACKAGE_LIMITS, ...opts.limits };
  const file = typeof input === 'string' ? basename(input) : 'package';
  const info: PackageInfo = { kind };
  const r = new ByteReader(open(input), file);
  const members: AsyncGenerator<PackageMember & { checksum?: number }> = kind === 'deb' ? debMembers(r, file, limits, info)
    : kind === 'rpm' ? rpmMembers(r, file, limits, info)
      : archMembers(r, detectCompression(await r.peek(6)) === 'xz' ? 'xz' : 'zstd', file, limits, info);
  const modules = new Map<string, number>();
  const holders = new Map<string, string[]>();
  let found: Found | undefined;
  try {
    for await (const m of members) {
      if (KHEADERS.test(m.name) && (m.name.startsWith('/') || m.name.split('/').includes('..'))) {
        throw new KheadersError('HOSTILE_ENTRY', `${file}: refusing member ${JSON.stringify(m.name)}: a kheaders module with an absolute or '..' path`,
          'use the distro\'s own package; do not trust this file');
      }
      const name = m.name.replace(/^(\.\/)+/, '');
      const any = ANY_MODULE.exec(name);
      if (any) modules.set(any[1] as string, (modules.get(any[1] as string) ?? 0) + 1);
      const kh = KHEADERS_PATH.exec(name);
      if (!kh) continue;
      const release = kh[1] as string;
      if (!m.regular) throw new KheadersError('HOSTILE_ENTRY', `${file}: refusing member ${JSON.stringify(m.name)}: not a regular file`, 'use the distro\'s own package');
      holders.set(release, [...(holders.get(release) ?? []), m.name]);
      if (opts.release !== undefined && release !== opts.release) continue;
      if (found === undefined) found = { release, member: m.name, data: await readMember(m, limits.maxModuleBytes, file), checksum: m.checksum };
      // The answer is known: stop reading (without --release, every member is needed to see all kernels).
      if (opts.release !== undefined) break;
    }
  } finally {
    await r.close();
  }
  const label = info.name === undefined ? file : [info.name, info.version].filter(Boolean).join(' ');
  const releases = [...holders.keys()].sort();
  const twice = releases.find((rel) => (holders.get(rel)?.length ?? 0) > 1);
  if (twice !== undefined) {
    throw new KheadersError('BAD_INPUT', `${label} holds ${holders.get(twice)?.length} kheaders modules for ${twice}: ${holders.get(twice)?.join(', ')}`,
      'pass the distro\'s own package; it ships one kheaders.ko per kernel');
  }
  if (found === undefined) {
    const held = [...modules].map(([rel, n]) => `${n} for ${rel}`).join(', ');
    if (opts.release !== undefined && releases.length > 0) {
      throw new KheadersError('NOT_FOUND', `${label} has no kheaders.ko for release ${opts.release}; it has one for ${releases.join(', ')}`,
        `pass one of: ${releases.join(', ')}`);
    }
    throw new KheadersError('NOT_FOUND', `${label} has 0 kheaders.ko (${held === '' ? 'and no kernel modules at all' : `kernel modules: ${held}`})`,
      whereItIs(kind, [...modules.keys()][0] ?? /^linux-(?:image(?:-unsigned)?|modules-extra|headers)-(\d.*)$/.exec(info.name ?? '')?.[1] ?? '<release>'));
  }
  if (opts.release === undefined && releases.length > 1) {
    throw new KheadersError('BAD_INPUT', `${label} holds kheaders.ko for ${releases.length} kernels: ${releases.join(', ')}`,
      `pick one with --release (the action's release input), e.g. --release ${releases[0]}`);
  }
  return { ...found, package: label };
}

/** Decompresses the module as stored (.ko, .ko.xz, .ko.gz, .ko.zst) to its ELF bytes. */
async function moduleElf(f: Found, what: string, max: number): Promise<Buffer> {
  if (f.checksum !== undefined && cpioChecksum(f.data) !== f.checksum) {
    throw new KheadersError('CORRUPT_ARCHIVE', `${what}: the cpio checksum does not match the data`, 'download or copy the package again');
  }
  const kind = detectCompression(f.data);
  const plain = kind === 'none' ? f.data
    : kind === 'zstd' ? await collect(zstdStream([f.data], what, max))
      : await decompress(f.data, kind, what, { maxBytes: max });
  if (!isElf(plain)) throw new KheadersError('CORRUPT_ARCHIVE', `${what} is not an ELF module${kind === 'none' ? '' : ` once ${kind}-decompressed`}`, 'pass the distro\'s own package');
  return plain;
}

/** The kheaders archive inside a package's kheaders.ko, cross-checked against the module's path release. */
export async function archiveFromPackage(input: PackageInput, kind: PackageKind, opts: PackageOptions = {}): Promise<FoundArchive> {
  const log = opts.log ?? nullLogger;
  const limits = { ...DEFAULT_PACKAGE_LIMITS, ...opts.limits };
  const digest = typeof input === 'string' ? await digestFile(input) : undefined;
  const f = await findKheadersModule(input, kind, opts);
  const what = `${f.package}: ${f.member}`;
  log.debug(`${what}: ${f.data.length} bytes, release ${f.release}`);
  const elf = await archiveFromElf(bufferSource(await moduleElf(f, what, limits.maxModuleBytes)), what, { maxBytes: opts.maxBytes, log });
  const inArchive = await archiveRelease(elf.archive);
  if (inArchive === undefined) log.warning(`${what}: the archive has no UTS_RELEASE to cross-check with the module's path (${f.release})`);
  else if (inArchive !== f.release) {
    throw new KheadersError('CORRUPT_ARCHIVE', `${what}: the module's path says release ${f.release} but its archive's utsrelease.h says ${inArchive}`,
      'the package is inconsistent; use the distro\'s own package');
  }
  const detail = `${KIND_NAME[kind]} ${f.package}, ${f.member} (ELF${elf.bits} ${elf.endian}-endian ${elf.elfType}, ${elf.method === 'symbols' ? 'symbols' : 'stripped, found by scan'})`;
  return { archive: elf.archive, origin: 'package', detail, release: f.release, packageDigest: digest && { sha256: digest.sha256, md5: digest.md5 } };
}
