// The package containers, one table. A container's one interface: a
// ByteReader over the package in, its members out (name, size, regular, a
// streamed body), under PackageLimits, filling PackageInfo (name, version) as
// it goes. Nothing is unpacked to disk; each layer stops (and closes its
// input) as soon as its consumer stops. Compressed layers inside go through
// the codec table. Adding a container: one file beside this one, one line in
// CONTAINERS.
import {
  MAX_PACKAGE_ENTRIES, MAX_PACKAGE_HEADER_BYTES, MAX_PACKAGE_MODULE_BYTES, MAX_PACKAGE_PAYLOAD_BYTES,
} from '../../constants.js';
import { archMembers, isArchPackage } from './arch.js';
import type { ByteReader } from './byte-reader.js';
import { AR_MAGIC, debMembers } from './deb.js';
import type { PackageInfo, PackageInput, PackageKind, PackageLimits, PackageMember } from './member.js';
import { RPM_MAGIC, rpmMembers } from './rpm.js';

export interface Container {
  kind: PackageKind;
  /** As messages name it: "Debian package". */
  name: string;
  /** True when the package starts like this container; `input` lets a compressed one be peeked into. */
  sniff(head: Buffer, input: PackageInput): boolean | Promise<boolean>;
  members(r: ByteReader, what: string, limits: PackageLimits, info: PackageInfo): AsyncGenerator<PackageMember>;
}

export const CONTAINERS: readonly Container[] = [
  { kind: 'deb', name: 'Debian package', sniff: (h) => h.length >= 8 && h.toString('latin1', 0, 8) === AR_MAGIC, members: debMembers },
  { kind: 'rpm', name: 'RPM', sniff: (h) => h.length >= 4 && h.subarray(0, 4).equals(RPM_MAGIC), members: rpmMembers },
  { kind: 'arch', name: 'Arch package', sniff: isArchPackage, members: archMembers },
];

export const DEFAULT_PACKAGE_LIMITS: Readonly<PackageLimits> = {
  maxPayloadBytes: MAX_PACKAGE_PAYLOAD_BYTES,
  maxModuleBytes: MAX_PACKAGE_MODULE_BYTES,
  maxHeaderBytes: MAX_PACKAGE_HEADER_BYTES,
  maxEntries: MAX_PACKAGE_ENTRIES,
};

/** The kind of package `head` (its first 4 KiB) starts, or undefined for anything else. */
export async function packageKind(input: PackageInput, head: Buffer): Promise<PackageKind | undefined> {
  for (const c of CONTAINERS) if (await c.sniff(head, input)) return c.kind;
  return undefined;
}

/** The table's entry for `kind`. */
export function container(kind: PackageKind): Container {
  return CONTAINERS.find((c) => c.kind === kind) as Container;
}

export type { PackageInfo, PackageInput, PackageKind, PackageLimits, PackageMember } from './member.js';
