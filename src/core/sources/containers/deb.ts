// A .deb: a Unix ar archive ("!<arch>\n", then members with a 60-byte header
// each: name 16, mtime 12, uid 6, gid 6, mode 8, size 10, "`\n"; bodies padded
// to an even length) holding debian-binary, control.tar.* and data.tar.*.
import { corrupt, KheadersError } from '../../errors.js';
import type { ByteReader } from './byte-reader.js';
import { decodeStream, type Compression } from '../codecs/table.js';
import { fields, plainName, readMember, type PackageInfo, type PackageLimits, type PackageMember } from './member.js';
import { tarMembers } from './tar.js';

export const AR_MAGIC = '!<arch>\n';

/** A .deb has three members (debian-binary, control.tar*, data.tar*) plus optional signatures. */
const MAX_MEMBERS = 64;

/** The container's own wording in front of the one CORRUPT_ARCHIVE error. */
const malformed = (what: string, problem: string): KheadersError => corrupt(`${what}: malformed ar archive (${problem})`);

/** Yields the members in order; each body must be read (or is skipped) before the next one comes. */
async function* arMembers(r: ByteReader, what: string, maxMemberBytes: number): AsyncGenerator<PackageMember> {
  const magic = await r.exact(8, 'the ar magic');
  if (magic.toString('latin1') !== AR_MAGIC) throw malformed(what, 'no "!<arch>" magic');
  for (let n = 0; !(await r.atEnd()); n++) {
    if (n >= MAX_MEMBERS) throw malformed(what, `more than ${MAX_MEMBERS} members`);
    const h = await r.exact(60, 'an ar member header');
    if (h[58] !== 0x60 || h[59] !== 0x0a) throw malformed(what, `member ${n + 1}: bad header terminator`);
    const sizeField = h.toString('latin1', 48, 58);
    if (!/^\d+ *$/.test(sizeField)) throw malformed(what, `member ${n + 1}: size field ${JSON.stringify(sizeField)} is not a decimal number`);
    const size = Number(sizeField.trim());
    if (size > maxMemberBytes) {
      throw new KheadersError('LIMIT_EXCEEDED', `${what}: ar member ${n + 1} claims ${size} bytes, over the ${maxMemberBytes}-byte limit`,
        'pass a real distro package, or raise the package size limit');
    }
    // GNU ar ends names with '/'; dpkg pads with spaces.
    const name = h.toString('latin1', 0, 16).replace(/ +$/, '').replace(/(.)\/$/, '$1');
    const section = r.section(size, `ar member ${JSON.stringify(name)}`);
    yield { name, size, regular: true, body: section.body };
    await section.skip();
    if (size % 2 === 1 && !(await r.atEnd())) await r.exact(1, 'ar padding');
  }
}

/** The compression a .deb member's name says (data.tar.xz, control.tar.zst, data.tar). */
function debCompression(what: string, name: string): Compression {
  const ext = name.replace(/^(control|data)\.tar/, '');
  const kind = ({ '': 'none', '.xz': 'xz', '.zst': 'zstd', '.gz': 'gzip' } as const)[ext];
  if (kind === undefined) {
    throw new KheadersError('BAD_INPUT', `${what}: ${name} is compressed in a way kheaders does not read`, 'repack the .deb with dpkg-deb -Zxz, -Zzstd, -Zgzip or -Znone');
  }
  return kind;
}

/** A .deb: debian-binary, control.tar.* (name and version), then the members of data.tar.*. */
export async function* debMembers(r: ByteReader, what: string, limits: PackageLimits, info: PackageInfo): AsyncGenerator<PackageMember> {
  let first = true;
  for await (const m of arMembers(r, what, limits.maxPayloadBytes)) {
    if (first) {
      const version = m.name === 'debian-binary' ? (await readMember(m, 64, what)).toString('latin1') : '';
      if (!/^2\.\d+\n/.test(version)) {
        throw new KheadersError('BAD_INPUT', `${what} is an ar archive but not a Debian package (no debian-binary 2.x first member)`, 'pass a .deb, .rpm or .pkg.tar.zst package, or the kheaders.ko itself');
      }
      first = false;
    } else if (m.name.startsWith('control.tar')) {
      const tar = decodeStream(m.body(), debCompression(what, m.name), `${what}: ${m.name}`, { maxBytes: limits.maxHeaderBytes });
      // Read to its end (it is small): the ar reader goes on right after it.
      for await (const c of tarMembers(tar, `${what}: ${m.name}`, 10_000)) {
        if (plainName(c.name) === 'control' && c.regular) fields((await readMember(c, 1024 * 1024, what)).toString('utf8'), info, { name: 'Package', version: 'Version' }, ':');
      }
    } else if (m.name.startsWith('data.tar')) {
      const tar = decodeStream(m.body(), debCompression(what, m.name), `${what}: ${m.name}`, { maxBytes: limits.maxPayloadBytes });
      yield* tarMembers(tar, `${what}: ${m.name}`, limits.maxEntries);
      return;
    }
  }
  throw corrupt(`${what}: a Debian package without a data.tar member`);
}
