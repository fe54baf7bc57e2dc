// The front of an RPM file, up to its payload: the 96-byte lead, the signature
// header (padded to 8 bytes), then the main header, whose tags name the
// package and say how the cpio payload is compressed. Every count, offset and
// size in a header is checked against the header's own bounds before use.
// The payload's cpio entries are the package's members.
import { corrupt, KheadersError } from '../../errors.js';
import { decodeStream, type Compression } from '../codecs/table.js';
import { ByteReader } from './byte-reader.js';
import { cpioMembers } from './cpio.js';
import type { PackageInfo, PackageLimits, PackageMember } from './member.js';

export const RPM_MAGIC: Readonly<Buffer> = Buffer.from([0xed, 0xab, 0xee, 0xdb]);
const HEADER_MAGIC = Buffer.from([0x8e, 0xad, 0xe8, 0x01]);
const LEAD_BYTES = 96;
/** rpm itself allows up to 2^24 tags; real headers have a few hundred. */
const MAX_TAGS = 65_536;

const TAG = { name: 1000, version: 1001, release: 1002, arch: 1022, payloadFormat: 1124, payloadCompressor: 1125 } as const;
const STRING = 6;
const STRING_ARRAY = 8;
const I18NSTRING = 9;
/** Bytes per element of the fixed-size types: NULL, CHAR, INT8, INT16, INT32, INT64, STRING, BIN. */
const ELEMENT: Readonly<Record<number, number>> = { 0: 0, 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 };

export interface RpmInfo {
  name?: string;
  version?: string;
  release?: string;
  arch?: string;
  /** RPMTAG_PAYLOADFORMAT: "cpio" (the default when absent). */
  format: string;
  /** RPMTAG_PAYLOADCOMPRESSOR: "gzip" (the default when absent), "xz", "zstd", "bzip2", "lzma". */
  compressor: string;
}

/** The container's own wording in front of the one CORRUPT_ARCHIVE error. */
const malformed = (what: string, problem: string): KheadersError => corrupt(`${what}: malformed RPM (${problem})`);

interface Entry { type: number; offset: number; count: number }

/** Reads one header structure; returns its tags (the first of each) and its data store. */
async function readHeader(r: ByteReader, what: string, which: string, maxBytes: number): Promise<{ tags: Map<number, Entry>; store: Buffer }> {
  const intro = await r.exact(16, `the ${which} header`);
  if (!intro.subarray(0, 4).equals(HEADER_MAGIC)) throw malformed(what, `the ${which} header has no header magic`);
  const il = intro.readUInt32BE(8);
  const dl = intro.readUInt32BE(12);
  if (il < 1 || il > MAX_TAGS) throw malformed(what, `the ${which} header claims ${il} index entries`);
  if (il * 16 + dl > maxBytes) {
    throw new KheadersError('LIMIT_EXCEEDED', `${what}: the ${which} header claims ${il * 16 + dl} bytes, over the ${maxBytes}-byte limit`,
      'pass a real distro package, or raise the package header limit');
  }
  const body = await r.exact(il * 16 + dl, `the ${which} header`);
  const store = body.subarray(il * 16);
  const tags = new Map<number, Entry>();
  for (let i = 0; i < il; i++) {
    const tag = body.readUInt32BE(i * 16);
    const type = body.readUInt32BE(i * 16 + 4);
    const offset = body.readInt32BE(i * 16 + 8);
    const count = body.readUInt32BE(i * 16 + 12);
    const size = ELEMENT[type];
    // A string takes at least its NUL: count strings need count bytes.
    const need = size === undefined ? count : size * count;
    const bad = type > I18NSTRING || offset < 0 || count < 1 || offset + need > dl;
    if (bad) throw malformed(what, `${which} header entry ${i} (tag ${tag}, type ${type}, offset ${offset}, count ${count}) lies outside its ${dl}-byte store`);
    if (!tags.has(tag)) tags.set(tag, { type, offset, count });
  }
  return { tags, store };
}

function stringTag(h: { tags: Map<number, Entry>; store: Buffer }, tag: number, what: string): string | undefined {
  const e = h.tags.get(tag);
  if (e === undefined) return undefined;
  if (e.type !== STRING && e.type !== STRING_ARRAY && e.type !== I18NSTRING) throw malformed(what, `tag ${tag} has type ${e.type}, not a string`);
  const end = h.store.indexOf(0, e.offset);
  if (end < 0) throw malformed(what, `tag ${tag}: string runs past the end of the header`);
  return h.store.toString('utf8', e.offset, end);
}

/** Reads the lead and both headers; the reader is left at the first payload byte. */
export async function readRpmHeaders(r: ByteReader, what: string, maxHeaderBytes: number): Promise<RpmInfo> {
  const lead = await r.exact(LEAD_BYTES, 'the RPM lead');
  if (!lead.subarray(0, 4).equals(RPM_MAGIC)) throw malformed(what, 'no RPM lead magic');
  if (lead[4] !== 3 && lead[4] !== 4) throw malformed(what, `unknown RPM format version ${lead[4]}`);
  if (lead.readUInt16BE(6) === 1) {
    throw new KheadersError('BAD_INPUT', `${what} is a source RPM`, 'pass the binary kernel modules package (e.g. kernel-modules-core-<version>.x86_64.rpm)');
  }
  if (lead.readUInt16BE(78) !== 5) throw malformed(what, `signature type ${lead.readUInt16BE(78)} (only header-style signatures, type 5, exist since RPM 3)`);
  const sig = await readHeader(r, what, 'signature', maxHeaderBytes);
  await r.exact((8 - (sig.store.length % 8)) % 8, 'the signature header padding');
  const main = await readHeader(r, what, 'main', maxHeaderBytes);
  return {
    name: stringTag(main, TAG.name, what),
    version: stringTag(main, TAG.version, what),
    release: stringTag(main, TAG.release, what),
    arch: stringTag(main, TAG.arch, what),
    format: stringTag(main, TAG.payloadFormat, what) ?? 'cpio',
    compressor: stringTag(main, TAG.payloadCompressor, what) ?? 'gzip',
  };
}

const RPM_COMPRESSORS: Readonly<Record<string, Compression>> = { gzip: 'gzip', xz: 'xz', zstd: 'zstd' };

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
  const payload = decodeStream(r.rest(), kind, `${what}: ${h.compressor} payload`, { maxBytes: limits.maxPayloadBytes });
  yield* cpioMembers(new ByteReader(payload, `${what}: cpio payload`), what, { maxEntries: limits.maxEntries });
}
