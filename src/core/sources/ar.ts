// A streaming reader of Unix ar archives, the outer layer of a .deb:
// "!<arch>\n", then members with a 60-byte header each (name 16, mtime 12,
// uid 6, gid 6, mode 8, size 10, "`\n"), bodies padded to an even length.
import { KheadersError } from '../errors.js';
import type { ByteReader, PackageMember } from './byte-reader.js';

export const AR_MAGIC = '!<arch>\n';

/** A .deb has three members (debian-binary, control.tar*, data.tar*) plus optional signatures. */
const MAX_MEMBERS = 64;

function corrupt(what: string, problem: string): KheadersError {
  return new KheadersError('CORRUPT_ARCHIVE', `${what}: malformed ar archive (${problem})`, 'download or copy the package again; check its size and checksum');
}

/** Yields the members in order; each body must be read (or is skipped) before the next one comes. */
export async function* arMembers(r: ByteReader, what: string, maxMemberBytes: number): AsyncGenerator<PackageMember> {
  const magic = await r.exact(8, 'the ar magic');
  if (magic.toString('latin1') !== AR_MAGIC) throw corrupt(what, 'no "!<arch>" magic');
  for (let n = 0; !(await r.atEnd()); n++) {
    if (n >= MAX_MEMBERS) throw corrupt(what, `more than ${MAX_MEMBERS} members`);
    const h = await r.exact(60, 'an ar member header');
    if (h[58] !== 0x60 || h[59] !== 0x0a) throw corrupt(what, `member ${n + 1}: bad header terminator`);
    const sizeField = h.toString('latin1', 48, 58);
    if (!/^\d+ *$/.test(sizeField)) throw corrupt(what, `member ${n + 1}: size field ${JSON.stringify(sizeField)} is not a decimal number`);
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
