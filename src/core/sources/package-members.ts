// The members of each kind of package, streamed: a .deb (ar, then
// data.tar.*), an RPM (lead and headers, then a compressed cpio payload) and
// an Arch package (a compressed tar). Nothing is unpacked to disk; each layer
// stops (and closes its input) as soon as its consumer stops.
import { Readable } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import { KheadersError } from '../errors.js';
import { arMembers } from './ar.js';
import { ByteReader, type PackageMember } from './byte-reader.js';
import { cpioMembers } from './cpio.js';
import { collect, decompressStream } from './decompress-stream.js';
import type { ModuleCompression } from './module.js';
import { readRpmHeaders } from './rpm.js';

export type PackageKind = 'deb' | 'rpm' | 'arch';

export interface PackageLimits {
  /** Decompressed bytes streamed through a package's payload (data.tar, cpio, .pkg.tar); never buffered. */
  maxPayloadBytes: number;
  /** Largest kheaders.ko member, compressed or not: the one member that is buffered. */
  maxModuleBytes: number;
  /** Largest RPM header or .deb control.tar (decompressed), buffered. */
  maxHeaderBytes: number;
  /** Most members in a package. */
  maxEntries: number;
}

/** What the package says about itself, filled in while reading. */
export interface PackageInfo {
  kind: PackageKind;
  name?: string;
  version?: string;
}

const FIX = 'download or copy the package again; check its size and checksum';

/** Reads a whole member body, refusing one over max bytes. */
export async function readMember(m: PackageMember, max: number, what: string): Promise<Buffer> {
  if (m.size > max) {
    throw new KheadersError('LIMIT_EXCEEDED', `${what}: ${m.name} is ${m.size} bytes, over the ${max}-byte limit`, 'pass a real distro package, or raise the limit');
  }
  const data = await collect(m.body());
  if (data.length !== m.size) throw new KheadersError('CORRUPT_ARCHIVE', `${what}: ${m.name} is truncated`, FIX);
  return data;
}

function tarError(what: string, err: unknown): KheadersError {
  if (err instanceof KheadersError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new KheadersError('CORRUPT_ARCHIVE', `${what}: ${/unexpected end/i.test(msg) ? 'tar data is truncated' : `cannot read tar (${msg})`}`, FIX);
}

/** The members of a tar stream (tar-stream), with the end-of-archive marker checked. */
export async function* tarMembers(input: AsyncIterable<Buffer>, what: string, maxEntries: number): AsyncGenerator<PackageMember> {
  let total = 0;
  let tail = Buffer.alloc(0);
  async function* tap(): AsyncGenerator<Buffer> {
    for await (const c of input) {
      total += c.length;
      tail = Buffer.concat([tail, c.subarray(-1024)]).subarray(-1024);
      yield c;
    }
  }
  const extract = tarExtract();
  const src = Readable.from(tap());
  src.on('error', (e) => extract.destroy(e));
  src.pipe(extract);
  let n = 0;
  try {
    for await (const entry of extract) {
      if (++n > maxEntries) {
        throw new KheadersError('LIMIT_EXCEEDED', `${what}: more than ${maxEntries} entries`, 'pass a real distro package, or raise the entry limit');
      }
      const h = entry.header;
      // tar-stream never ends the stream of a directory that claims data (its bytes would be read as headers).
      if (h.type === 'directory' && (h.size ?? 0) !== 0) {
        throw new KheadersError('CORRUPT_ARCHIVE', `${what}: directory ${JSON.stringify(h.name)} claims ${h.size} data bytes`, FIX);
      }
      let read = false;
      yield {
        name: h.name, size: h.size ?? 0, regular: h.type === 'file' || h.type === 'contiguous-file',
        body: async function* body(): AsyncGenerator<Buffer> {
          read = true;
          try {
            for await (const c of entry) yield c as Buffer;
          } catch (err) {
            throw tarError(what, err);
          }
        },
      };
      // Skip an unread body: tar-stream needs it read before the next header.
      if (!read) for await (const chunk of entry) void chunk;
    }
    if (total % 512 !== 0 || tail.length < 1024 || tail.some((b) => b !== 0)) {
      throw new KheadersError('CORRUPT_ARCHIVE', `${what}: tar data is truncated (no end-of-archive marker)`, FIX);
    }
  } catch (err) {
    throw tarError(what, err);
  } finally {
    extract.destroy();
    src.destroy();
  }
}

/** The compression a .deb member's name says (data.tar.xz, control.tar.zst, data.tar). */
function debCompression(what: string, name: string): ModuleCompression {
  const ext = name.replace(/^(control|data)\.tar/, '');
  const kind = ({ '': 'none', '.xz': 'xz', '.zst': 'zstd', '.gz': 'gzip' } as const)[ext];
  if (kind === undefined) {
    throw new KheadersError('BAD_INPUT', `${what}: ${name} is compressed in a way kheaders does not read`, 'repack the .deb with dpkg-deb -Zxz, -Zzstd, -Zgzip or -Znone');
  }
  return kind;
}

/** Fills name and version from a "Field: value" control file (or "field = value" .PKGINFO). */
function fields(text: string, info: PackageInfo, keys: { name: string; version: string }, sep: ':' | '='): void {
  for (const line of text.split('\n')) {
    const at = line.indexOf(sep);
    if (at < 0) continue;
    const [k, v] = [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    if (k === keys.name && info.name === undefined) info.name = v;
    if (k === keys.version && info.version === undefined) info.version = v;
  }
}

const plainName = (name: string): string => name.replace(/^(\.\/)+/, '');

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
      const tar = decompressStream(m.body(), debCompression(what, m.name), `${what}: ${m.name}`, limits.maxHeaderBytes);
      // Read to its end (it is small): the ar reader goes on right after it.
      for await (const c of tarMembers(tar, `${what}: ${m.name}`, 10_000)) {
        if (plainName(c.name) === 'control' && c.regular) fields((await readMember(c, 1024 * 1024, what)).toString('utf8'), info, { name: 'Package', version: 'Version' }, ':');
      }
    } else if (m.name.startsWith('data.tar')) {
      const tar = decompressStream(m.body(), debCompression(what, m.name), `${what}: ${m.name}`, limits.maxPayloadBytes);
      yield* tarMembers(tar, `${what}: ${m.name}`, limits.maxEntries);
      return;
    }
  }
  throw new KheadersError('CORRUPT_ARCHIVE', `${what}: a Debian package without a data.tar member`, FIX);
}

const RPM_COMPRESSORS: Readonly<Record<string, ModuleCompression>> = { gzip: 'gzip', xz: 'xz', zstd: 'zstd' };

/** An RPM: the headers (name, version, payload compressor), then the entries of its cpio payload. */
export async function* rpmMembers(r: ByteReader, what: string, limits: PackageLimits, info: PackageInfo): AsyncGenerator<PackageMember> {
  const h = await readRpmHeaders(r, what, limits.maxHeaderBytes);
  info.name = h.name;
  info.version = h.version === undefined ? undefined : [h.version, h.release].filter(Boolean).join('-');
  if (h.format !== 'cpio') throw new KheadersError('BAD_INPUT', `${what}: payload format "${h.format}" is not cpio`, 'pass a binary RPM made by rpmbuild');
  const kind = RPM_COMPRESSORS[h.compressor];
  if (kind === undefined) {
    throw new KheadersError('BAD_INPUT', `${what}: the payload is ${h.compressor}-compressed, which kheaders does not read`,
      'kernel packages use zstd, xz or gzip; rebuild with %_binary_payload w19.zstdio, w6.xzdio or w9.gzdio');
  }
  const payload = decompressStream(r.rest(), kind, `${what}: ${h.compressor} payload`, limits.maxPayloadBytes);
  yield* cpioMembers(new ByteReader(payload, `${what}: cpio payload`), what, { maxEntries: limits.maxEntries });
}

/** An Arch package: a zstd- or xz-compressed tar; .PKGINFO gives the name and version. */
export async function* archMembers(r: ByteReader, kind: 'zstd' | 'xz', what: string, limits: PackageLimits, info: PackageInfo): AsyncGenerator<PackageMember> {
  const tar = decompressStream(r.rest(), kind, what, limits.maxPayloadBytes);
  for await (const m of tarMembers(tar, what, limits.maxEntries)) {
    if (plainName(m.name) === '.PKGINFO' && m.regular) {
      fields((await readMember(m, 1024 * 1024, what)).toString('utf8'), info, { name: 'pkgname', version: 'pkgver' }, '=');
      continue;
    }
    yield m;
  }
}
