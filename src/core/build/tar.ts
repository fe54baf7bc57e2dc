import { Readable } from 'node:stream';
import { KheadersError } from '../errors.js';
import type { TarItem } from './order.js';

// GNU tar 1.34 (default gnu format) with the kernel's flags:
// --owner=0 --group=0 --numeric-owner --mode=u=rw,go=r,a+X --sort=name.
const BLOCK = 512;
const RECORD = 10240;
/** Names and link targets up to this many UTF-8 bytes fit in the header. */
export const NAME_FIELD = 100;
const MAX_OCTAL11 = 8 ** 11 - 1;
const MAGIC = Buffer.from('ustar  \0', 'latin1');
const LONGLINK = Buffer.from('././@LongLink', 'latin1');
const ZEROS = Buffer.alloc(RECORD);

export interface TarHeaderItem {
  name: string;
  kind: 'dir' | 'file' | 'symlink';
  size: number;
  target?: string;
  /** Permission bits; default 0644 (dirs 0755), as --mode=u=rw,go=r,a+X makes them. */
  mode?: number;
  /** uname and gname (e.g. "root" for --owner=0 without --numeric-owner); default empty. */
  owner?: string;
}

function octal(buf: Buffer, off: number, width: number, value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > 8 ** (width - 1) - 1) {
    throw new KheadersError('BAD_INPUT',
      `tar ${what} ${value} does not fit a ${width - 1}-digit octal header field`,
      what === 'mtime'
        ? 'use a timestamp between 1970 and 2242 (KBUILD_BUILD_TIMESTAMP / SOURCE_DATE_EPOCH)'
        : 'headers larger than 8 GiB cannot be packed; check the input tree',
    );
  }
  let v = value;
  for (let i = off + width - 2; i >= off; i--) {
    buf[i] = 0x30 + (v % 8);
    v = Math.floor(v / 8);
  }
  buf[off + width - 1] = 0;
}

/** Fills one 512-byte header at off (the block must be zeroed). */
function header(
  buf: Buffer, off: number, name: Buffer, mode: number, size: number, mtime: number, type: string, link?: Buffer, owner?: string,
): void {
  name.copy(buf, off, 0, Math.min(name.length, NAME_FIELD));
  octal(buf, off + 100, 8, mode, 'mode');
  octal(buf, off + 108, 8, 0, 'uid');
  octal(buf, off + 116, 8, 0, 'gid');
  octal(buf, off + 124, 12, size, 'size');
  octal(buf, off + 136, 12, mtime, 'mtime');
  buf[off + 156] = type.charCodeAt(0);
  if (link) link.copy(buf, off + 157, 0, Math.min(link.length, NAME_FIELD));
  MAGIC.copy(buf, off + 257);
  if (owner) {
    buf.write(owner, off + 265, 31, 'latin1');
    buf.write(owner, off + 297, 31, 'latin1');
  }
  // Checksum: byte sum with the checksum field counted as 8 spaces.
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += buf[off + i];
  octal(buf, off + 148, 7, sum, 'checksum');
  buf[off + 155] = 0x20;
}

function blocksFor(n: number): number {
  return Math.ceil(n / BLOCK);
}

/** Bytes of a ././@LongLink member (header + NUL-terminated data) for a too-long value. */
function longLinkSize(value: Buffer): number {
  return value.length > NAME_FIELD ? BLOCK + blocksFor(value.length + 1) * BLOCK : 0;
}

function writeLongLink(buf: Buffer, off: number, value: Buffer, type: 'K' | 'L'): number {
  header(buf, off, LONGLINK, 0o644, value.length + 1, 0, type);
  value.copy(buf, off + BLOCK);
  return off + longLinkSize(value);
}

/** Header block(s) for one member, including any ././@LongLink blocks. mtime in epoch seconds. */
export function tarHeader(item: TarHeaderItem, mtime: number): Buffer {
  const name = Buffer.from(item.name, 'utf8');
  if (item.kind === 'dir' && !item.name.endsWith('/')) {
    throw new KheadersError('BAD_INPUT', `tar directory member ${JSON.stringify(item.name)} lacks its trailing "/"`, 'name directory members like "./include/"');
  }
  let link: Buffer | undefined;
  if (item.kind === 'symlink') {
    if (item.target === undefined) {
      throw new KheadersError('BAD_INPUT', `symlink ${JSON.stringify(item.name)} has no target`, 'pass the link target read with fs.readlink');
    }
    link = Buffer.from(item.target, 'utf8');
  }
  const size = item.kind === 'file' ? item.size : 0;
  const total = (link ? longLinkSize(link) : 0) + longLinkSize(name) + BLOCK;
  const buf = Buffer.allocUnsafe(total).fill(0); // pooled for small sizes
  let off = 0;
  // GNU writes the link-target record first, then the long-name record.
  if (link && link.length > NAME_FIELD) off = writeLongLink(buf, off, link, 'K');
  if (name.length > NAME_FIELD) off = writeLongLink(buf, off, name, 'L');
  const type = item.kind === 'dir' ? '5' : item.kind === 'symlink' ? '2' : '0';
  header(buf, off, name, item.mode ?? (item.kind === 'dir' ? 0o755 : 0o644), size, mtime, type, link, item.owner);
  return buf;
}

export interface PackOptions {
  /** How many file loads may be in flight at once (including the one being written). Default 32. */
  readAhead?: number;
  /** Called after each member is queued; bytes = the member's content length (0 for dirs/symlinks). */
  onItem?: (item: TarItem, bytes: number) => void;
  /** uname/gname of every member (GNU tar --owner=0 without --numeric-owner writes "root"). */
  owner?: string;
}

const STAGE = 64 * 1024;

/** Coalesces small chunks into ~64 KiB buffers; passes big ones through. */
class Stager {
  private buf = Buffer.allocUnsafe(STAGE);
  private used = 0;

  /** Appends chunk; pushes whatever is ready to emit onto out, in order. */
  add(chunk: Buffer, out: Buffer[]): void {
    if (chunk.length === 0) return;
    const big = chunk.length >= STAGE / 4;
    if (big || this.used + chunk.length > STAGE) this.flush(out);
    if (big) {
      out.push(chunk);
      return;
    }
    chunk.copy(this.buf, this.used);
    this.used += chunk.length;
  }

  flush(out: Buffer[]): void {
    if (this.used === 0) return;
    out.push(this.buf.subarray(0, this.used));
    this.buf = Buffer.allocUnsafe(STAGE);
    this.used = 0;
  }
}

async function* generate(
  items: readonly TarItem[], mtime: number, load: (item: TarItem) => Promise<Buffer>, opts: PackOptions,
): AsyncGenerator<Buffer> {
  const readAhead = Math.max(1, Math.floor(opts.readAhead ?? 32));
  const files: number[] = [];
  items.forEach((it, i) => { if (it.kind === 'file') files.push(i); });
  const loads = new Map<number, Promise<Buffer>>();
  let started = 0;
  let done = 0;
  const stager = new Stager();
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const out: Buffer[] = [];
    let data: Buffer | undefined;
    if (item.kind === 'file') {
      while (started < files.length && started < done + readAhead) {
        const it = items[files[started++]];
        const p = Promise.resolve().then(() => load(it));
        p.catch(() => undefined); // awaited below; avoid unhandled rejections meanwhile
        loads.set(files[started - 1], p);
      }
      data = await (loads.get(i) as Promise<Buffer>);
      loads.delete(i);
      done++;
      if (!Buffer.isBuffer(data)) throw new TypeError(`load() for ${item.name} did not return a Buffer`);
    }
    const size = data ? data.length : 0;
    const head = tarHeader({ name: item.name, kind: item.kind, size, target: item.entry?.target, mode: item.mode, owner: opts.owner }, item.mtime ?? mtime);
    stager.add(head, out);
    total += head.length;
    if (data && size > 0) {
      stager.add(data, out);
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      stager.add(ZEROS.subarray(0, pad), out);
      total += size + pad;
    }
    opts.onItem?.(item, size);
    for (const chunk of out) yield chunk;
  }
  // Two zero blocks end the archive, then zeros up to a whole record.
  const end = 2 * BLOCK + ((RECORD - ((total + 2 * BLOCK) % RECORD)) % RECORD);
  const out: Buffer[] = [];
  for (let left = end; left > 0; left -= RECORD) stager.add(ZEROS.subarray(0, Math.min(left, RECORD)), out);
  stager.flush(out);
  for (const chunk of out) yield chunk;
}

/**
 * Streams the whole tar: headers, data padded to 512, end blocks, record padding.
 * load(item) returns the (already comment-stripped) bytes of a 'file' item; up to
 * opts.readAhead loads run concurrently, output stays in archive order, and
 * nothing is produced faster than the consumer reads (backpressure).
 */
export function packTar(
  items: readonly TarItem[],
  mtime: number,
  load: (item: TarItem) => Promise<Buffer>,
  opts: PackOptions = {},
): Readable {
  if (!Number.isSafeInteger(mtime) || mtime < 0 || mtime > MAX_OCTAL11) {
    throw new KheadersError('BAD_INPUT', `tar mtime ${mtime} is not a whole number of seconds in 0..${MAX_OCTAL11}`, 'pass the build timestamp as epoch seconds');
  }
  return Readable.from(generate(items, mtime, load, opts), { objectMode: false, highWaterMark: STAGE });
}
