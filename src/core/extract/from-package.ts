// Distro packages as a source: a .deb, an RPM or an Arch .pkg.tar.{zst,xz}
// holding lib/modules/<release>/.../kheaders.ko[.zst|.xz|.gz]. The package is
// streamed once through its container; only the module is buffered. Its
// release comes from the module's path and must match the archive's own
// utsrelease.h.
import { basename } from 'node:path';
import { corrupt, KheadersError } from '../errors.js';
import { archiveRelease } from '../io/unpack.js';
import { digestFile } from '../io/atomic.js';
import { nullLogger, type Logger } from '../log.js';
import { decompress, detectCompression } from '../sources/codecs/table.js';
import { ByteReader } from '../sources/containers/byte-reader.js';
import { packageBytes, readMember } from '../sources/containers/member.js';
import { cpioChecksum } from '../sources/containers/cpio.js';
import {
  container, DEFAULT_PACKAGE_LIMITS, type PackageInfo, type PackageInput, type PackageKind, type PackageLimits,
} from '../sources/containers/table.js';
import { bufferSource } from '../sources/images/byte-source.js';
import { archiveFromElf, isElf } from '../sources/images/elf.js';
import type { FoundArchive } from './found.js';

export interface PackageOptions {
  /** Pick this kernel when the package holds modules of several. */
  release?: string;
  limits?: Partial<PackageLimits>;
  /** Largest archive inside the module (as for any ELF). */
  maxBytes?: number;
  log?: Logger;
}

const KHEADERS = /(?:^|\/)kheaders\.ko(?:\.(?:xz|gz|zst))?$/;
const KHEADERS_PATH = /^(?:usr\/)?lib\/modules\/([^/]+)\/(?:.+\/)?kheaders\.ko(?:\.(?:xz|gz|zst))?$/;
const ANY_MODULE = /^(?:usr\/)?lib\/modules\/([^/]+)\/.+\.ko(?:\.(?:xz|gz|zst))?$/;

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
  const r = new ByteReader(packageBytes(input), file);
  const members = container(kind).members(r, file, limits, info);
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
    throw corrupt(`${what}: the cpio checksum does not match the data`);
  }
  const kind = detectCompression(f.data);
  const plain = await decompress(f.data, kind, what, { maxBytes: max });
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
  const detail = `${container(kind).name} ${f.package}, ${f.member} (ELF${elf.bits} ${elf.endian}-endian ${elf.elfType}, ${elf.method === 'symbols' ? 'symbols' : 'stripped, found by scan'})`;
  return { archive: elf.archive, origin: 'package', detail, release: f.release, packageDigest: digest && { sha256: digest.sha256, md5: digest.md5 } };
}
