// What every container reader yields and works with: the member (name, size,
// streamed body), the limits, and what a package says about itself.
import { createReadStream } from 'node:fs';
import { corrupt, KheadersError } from '../../errors.js';

/** A member of a package container (an ar or tar member, a cpio entry) as the readers yield it. */
export interface PackageMember {
  /** The name as stored (e.g. "./lib/modules/6.8.0-31-generic/kernel/kernel/kheaders.ko.zst"). */
  name: string;
  size: number;
  /** A regular file (not a directory, link or device). */
  regular: boolean;
  /** The body, streamed; unread bytes are skipped when the reader moves on. */
  body(): AsyncGenerator<Buffer>;
  /** The cpio "crc" format's sum of the data bytes. */
  checksum?: number;
}

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

/** A package file, or its bytes (the fuzzer). */
export type PackageInput = string | Buffer;

/** The package's bytes in chunks: a file streamed, or a buffer cut up. */
export async function* packageBytes(input: PackageInput): AsyncGenerator<Buffer> {
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

/** Collects a stream into one buffer (the caller has capped it). */
export async function collect(input: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of input) parts.push(c);
  return Buffer.concat(parts);
}

/** Reads a whole member body, refusing one over max bytes. */
export async function readMember(m: PackageMember, max: number, what: string): Promise<Buffer> {
  if (m.size > max) {
    throw new KheadersError('LIMIT_EXCEEDED', `${what}: ${m.name} is ${m.size} bytes, over the ${max}-byte limit`, 'pass a real distro package, or raise the limit');
  }
  const data = await collect(m.body());
  if (data.length !== m.size) throw corrupt(`${what}: ${m.name} is truncated`);
  return data;
}

/** Fills name and version from a "Field: value" control file (or "field = value" .PKGINFO). */
export function fields(text: string, info: PackageInfo, keys: { name: string; version: string }, sep: ':' | '='): void {
  for (const line of text.split('\n')) {
    const at = line.indexOf(sep);
    if (at < 0) continue;
    const [k, v] = [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    if (k === keys.name && info.name === undefined) info.name = v;
    if (k === keys.version && info.version === undefined) info.version = v;
  }
}

/** A member name without its leading "./". */
export const plainName = (name: string): string => name.replace(/^(\.\/)+/, '');
