// Reads one side of a diff: every member through the project's one hostile-input
// reader, then the file's own bytes for its digest and xz container.
import { readFile } from 'node:fs/promises';
import { readMembers, type Member } from '../archive/read.js';
import type { ReadLimits } from '../types.js';
import { xzLayout } from '../archive/xz-info.js';
import { KheadersError } from '../errors.js';
import { digestBuffer } from '../io/atomic.js';
import type { DiffSide, XzInfo } from './report.js';

export interface Loaded {
  side: DiffSide;
  /** Members in archive order. */
  members: Member[];
}

function xzInfo(bytes: Buffer, path: string): XzInfo {
  const l = xzLayout(bytes);
  if (l?.blockSizes === undefined || l.multithreaded === undefined) {
    // readMembers accepted it, so this is an xz layout we cannot describe (it never should be).
    throw new KheadersError('CORRUPT_ARCHIVE', `${path}: cannot read the xz index and block headers`,
      'recompress the archive with plain `xz`');
  }
  const out: XzInfo = { check: l.check, blocks: l.blockSizes, multithreaded: l.multithreaded };
  if (l.dictBytes !== undefined) out.dictBytes = l.dictBytes;
  if (l.preset !== undefined) out.preset = l.preset;
  // kheaders' compat mode is single-threaded: xz -6 -T2 is one block too, but with sizes in its header.
  if (l.mode === 'fast' || (l.mode === 'compat' && !l.multithreaded)) out.mode = l.mode;
  return out;
}

/** Reads and checks one archive; throws KheadersError (exit 2) for a missing, corrupt or hostile one. */
export async function loadArchive(path: string, limits?: Partial<ReadLimits>): Promise<Loaded> {
  const stream = readMembers(path, { hashTar: true, ...(limits !== undefined ? { limits } : {}) });
  const members: Member[] = [];
  for await (const m of stream) members.push(m);
  const info = stream.info;
  const bytes = await readFile(path);
  const { sha256 } = digestBuffer(bytes);
  return {
    members,
    side: {
      path, bytes: bytes.length, sha256, tarSha256: info.tarSha256 ?? '', tarBytes: info.tarBytes,
      format: info.format ?? 'unknown', entries: info.entries, xz: xzInfo(bytes, path),
    },
  };
}
