// An Arch package (.pkg.tar.zst, .pkg.tar.xz): a compressed tar whose first
// members are pacman's dotfiles; .PKGINFO gives the name and version.
import { MAX_PACKAGE_PAYLOAD_BYTES } from '../../constants.js';
import { decodeStream, detectCompression } from '../codecs/table.js';
import type { ByteReader } from './byte-reader.js';
import { fields, packageBytes, plainName, readMember, type PackageInfo, type PackageInput, type PackageLimits, type PackageMember } from './member.js';
import { tarMembers } from './tar.js';

/** pacman's metadata files, one of which comes first in a package. */
const ARCH_FIRST: ReadonlySet<string> = new Set(['.PKGINFO', '.BUILDINFO', '.MTREE', '.INSTALL', '.CHANGELOG']);

/**
 * The first bytes of the decompressed stream. An xz stream that does not
 * decode gives undefined (the caller's own reader names the problem); a
 * zstd stream refused by the guarded decoder is refused here.
 */
async function decodedHead(input: PackageInput, kind: 'zstd' | 'xz', n: number, what: string): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let have = 0;
  try {
    for await (const c of decodeStream(packageBytes(input), kind, what, { maxBytes: MAX_PACKAGE_PAYLOAD_BYTES })) {
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
 * A zstd or xz stream that decodes to a tar (for xz, one whose first member
 * is .PKGINFO or another pacman dotfile, since a kheaders archive is a .tar.xz too).
 */
export async function isArchPackage(head: Buffer, input: PackageInput): Promise<boolean> {
  const kind = detectCompression(head);
  if (kind !== 'zstd' && kind !== 'xz') return false;
  const tar = await decodedHead(input, kind, 512, typeof input === 'string' ? input : 'input');
  if (tar === undefined || tar.length < 512 || !tar.toString('latin1', 257, 262).startsWith('ustar')) return false;
  const first = tar.toString('utf8', 0, 100).replace(/\0.*$/s, '').replace(/^\.\//, '');
  return kind === 'zstd' || ARCH_FIRST.has(first);
}

/** The package's members (without .PKGINFO, which fills `info`). */
export async function* archMembers(r: ByteReader, what: string, limits: PackageLimits, info: PackageInfo): AsyncGenerator<PackageMember> {
  const kind = detectCompression(await r.peek(6)) === 'xz' ? 'xz' : 'zstd';
  const tar = decodeStream(r.rest(), kind, what, { maxBytes: limits.maxPayloadBytes });
  for await (const m of tarMembers(tar, what, limits.maxEntries)) {
    if (plainName(m.name) === '.PKGINFO' && m.regular) {
      fields((await readMember(m, 1024 * 1024, what)).toString('utf8'), info, { name: 'pkgname', version: 'pkgver' }, '=');
      continue;
    }
    yield m;
  }
}
