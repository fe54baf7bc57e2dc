// A streaming reader of cpio "newc" (070701) and "crc" (070702) archives, the
// payload of an RPM: a 110-byte ASCII header (magic, then 13 fields of 8 hex
// digits), the NUL-terminated name padded to 4, the data padded to 4, and a
// last entry named TRAILER!!!.
import { corrupt, KheadersError } from '../../errors.js';
import type { ByteReader } from './byte-reader.js';
import type { PackageMember } from './member.js';

const FIELDS = ['ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'filesize', 'devmajor', 'devminor', 'rdevmajor', 'rdevminor', 'namesize', 'check'] as const;
type Field = (typeof FIELDS)[number];
const TRAILER = 'TRAILER!!!';
/** PATH_MAX, including the NUL. */
const MAX_NAME = 4096;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

export interface CpioLimits {
  /** Most entries (a kernel's modules package has a few thousand). */
  maxEntries: number;
}

/** The container's own wording in front of the one CORRUPT_ARCHIVE error. */
const malformed = (what: string, problem: string): KheadersError => corrupt(`${what}: malformed cpio payload (${problem})`);

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function parseHeader(h: Buffer, what: string, n: number): Record<Field, number> & { crc: boolean } {
  const magic = h.toString('latin1', 0, 6);
  if (magic === '07070X') {
    throw new KheadersError('BAD_INPUT', `${what}: the payload uses RPM's stripped cpio format (07070X, for files over 4 GiB), which kheaders does not read`,
      'kernel module packages never need it; pass the kernel-modules package');
  }
  if (magic !== '070701' && magic !== '070702') throw malformed(what, `entry ${n + 1}: magic ${JSON.stringify(magic)} is not newc (070701) or crc (070702)`);
  const out = { crc: magic === '070702' } as Record<Field, number> & { crc: boolean };
  FIELDS.forEach((f, i) => {
    const text = h.toString('latin1', 6 + i * 8, 14 + i * 8);
    if (!/^[0-9a-fA-F]{8}$/.test(text)) throw malformed(what, `entry ${n + 1}: field ${f} ${JSON.stringify(text)} is not 8 hex digits`);
    out[f] = parseInt(text, 16);
  });
  return out;
}

/** Yields the entries until TRAILER!!!; a missing trailer is a truncated payload. */
export async function* cpioMembers(r: ByteReader, what: string, limits: CpioLimits): AsyncGenerator<PackageMember> {
  for (let n = 0; ; n++) {
    if (n >= limits.maxEntries) {
      throw new KheadersError('LIMIT_EXCEEDED', `${what}: the cpio payload has more than ${limits.maxEntries} entries`,
        'pass a real distro package (a cpio bomb is refused), or raise the entry limit');
    }
    const h = parseHeader(await r.exact(110, 'a cpio header'), what, n);
    if (h.namesize < 2 || h.namesize > MAX_NAME) throw malformed(what, `entry ${n + 1}: name size ${h.namesize}`);
    const raw = await r.exact(h.namesize + pad4(110 + h.namesize), 'a cpio entry name');
    if (raw[h.namesize - 1] !== 0 || raw.subarray(0, h.namesize - 1).includes(0)) throw malformed(what, `entry ${n + 1}: name is not NUL-terminated`);
    const name = raw.toString('utf8', 0, h.namesize - 1);
    if (name === TRAILER) return;
    const section = r.section(h.filesize, `cpio entry ${JSON.stringify(name)}`);
    const member = { name, size: h.filesize, regular: (h.mode & S_IFMT) === S_IFREG, body: section.body };
    yield h.crc ? { ...member, checksum: h.check } : member;
    await section.skip();
    await r.exact(pad4(h.filesize), 'cpio data padding');
  }
}

/** The "crc" format's check: the sum of the data bytes, modulo 2^32. */
export function cpioChecksum(data: Buffer): number {
  let sum = 0;
  for (const b of data) sum = (sum + b) >>> 0;
  return sum;
}
