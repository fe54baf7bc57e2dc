// A generated corpus of hostile archives for the reader. Tar headers are
// written byte by byte here (not by our writer), and compressed with real xz.
import { execFileSync } from 'node:child_process';
import type { ErrorCode } from '../../src/core/errors.js';

export interface RawEntry {
  name: string;
  /** Tar typeflag character: '0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo, 'L' GNU long name, 'x' pax. */
  type?: string;
  data?: Buffer | string;
  linkname?: string;
  mode?: number;
  /** Size field override (e.g. to lie about the size); defaults to data length. */
  size?: number;
  /** Raw 12-byte size field override, for base-256 or garbage. */
  sizeField?: Buffer;
  magic?: 'gnu' | 'ustar';
  /** Corrupt the header checksum. */
  badChecksum?: boolean;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** One 512-byte tar header block. */
export function tarHeader(e: RawEntry): Buffer {
  const h = Buffer.alloc(512);
  const data = Buffer.from(e.data ?? '');
  h.write(e.name, 0, 100, 'utf8');
  h.write(octal(e.mode ?? 0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  if (e.sizeField) e.sizeField.copy(h, 124);
  else h.write(octal(e.size ?? data.length, 12), 124, 'latin1');
  h.write(octal(1_700_000_000, 12), 136, 'latin1');
  h.write(e.type ?? '0', 156, 'latin1');
  if (e.linkname) h.write(e.linkname, 157, 100, 'utf8');
  if ((e.magic ?? 'gnu') === 'gnu') h.write('ustar  \0', 257, 'latin1');
  else h.write('ustar\x0000', 257, 'latin1');
  h.write('root', 265, 'latin1');
  h.write('root', 297, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  if (e.badChecksum) sum += 1;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

function pad(b: Buffer): Buffer {
  const rem = b.length % 512;
  return rem === 0 ? b : Buffer.concat([b, Buffer.alloc(512 - rem)]);
}

/** A complete tar (entries, end-of-archive marker, padding to a 10240-byte record). */
export function rawTar(entries: RawEntry[], opts: { endMarker?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(tarHeader(e));
    if (e.data !== undefined) parts.push(pad(Buffer.from(e.data)));
  }
  if (opts.endMarker !== false) parts.push(Buffer.alloc(1024));
  const body = Buffer.concat(parts);
  const rec = opts.endMarker === false ? 512 : 10240;
  const rem = body.length % rec;
  return rem === 0 ? body : Buffer.concat([body, Buffer.alloc(rec - rem)]);
}

/** Compresses with the real xz CLI. */
export function realXz(buf: Buffer): Buffer {
  return execFileSync('xz', ['-c', '-6', '--check=crc64'], { input: buf, maxBuffer: 1 << 30 });
}

/** Offset of the xz index (block CRC64 ends right before it), from the stream footer. */
export function xzIndexOffset(xz: Buffer): number {
  const backward = (xz.readUInt32LE(xz.length - 8) + 1) * 4;
  return xz.length - 12 - backward;
}

export interface HostileCase {
  name: string;
  /** The archive bytes (xz unless compressed is false). */
  bytes: Buffer;
  compressed?: boolean;
  limits?: { maxEntryBytes?: number; maxTotalBytes?: number; maxEntries?: number };
  /** The KheadersError code the reader must throw. */
  code: ErrorCode;
  /** Which check must have fired (the cases of one code differ only in it). */
  expect: RegExp;
}

const dir = (name: string): RawEntry => ({ name, type: '5', mode: 0o755 });
const file = (name: string, data = 'int x;\n'): RawEntry => ({ name, data });
const link = (name: string, linkname: string): RawEntry => ({ name, type: '2', linkname, mode: 0o777 });

/** The corpus: each case must make the reader throw a KheadersError with `code`, from the check `expect` names. */
export function hostileCorpus(): HostileCase[] {
  const good = rawTar([dir('./'), dir('./include/'), file('./include/a.h', 'x'.repeat(20000))]);
  const goodXz = realXz(good);
  const flip = (b: Buffer, at: number): Buffer => {
    const c = Buffer.from(b);
    c[at] = (c[at] ?? 0) ^ 0xff;
    return c;
  };
  const xzCase = (name: string, entries: RawEntry[], expect: RegExp, code: ErrorCode = 'HOSTILE_ENTRY'): HostileCase =>
    ({ name, bytes: realXz(rawTar(entries)), code, expect });
  const long = 'include/' + 'd'.repeat(120) + '/../../../etc/passwd';
  return [
    xzCase('absolute path', [file('/etc/passwd')], /absolute path/),
    xzCase('dot-dot component', [file('./include/../../escape.h')], /'\.\.' component/),
    xzCase('dot-dot in GNU long name', [{ name: '././@LongLink', type: 'L', data: long + '\0' }, file('ignored')], /'\.\.' component/),
    xzCase('absolute pax path', [{ name: 'PaxHeaders/x', type: 'x', data: '22 path=/etc/shadow.h\n', magic: 'ustar' }, file('x.h')], /absolute path/),
    xzCase('symlink out of the tree', [dir('include'), link('include/l', '../../etc')], /points outside/),
    xzCase('symlink escaping via a GNU long link target', [{ name: '././@LongLink', type: 'K', data: `${'../'.repeat(40)}etc\0` }, link('l', 'short')], /points outside/),
    xzCase('symlink to an absolute path', [link('l', '/etc/passwd')], /absolute/),
    xzCase('symlink escaping through another symlink', [dir('d'), link('d/l2', '.'), link('l1', 'd/l2/../..')], /points outside/),
    xzCase('symlink made unsafe by a later symlink', [dir('d'), link('l1', 'd/x/../..'), link('d/x', '.')], /points outside/),
    xzCase('symlink loop', [link('a', 'b'), link('b', 'a')], /loops/),
    xzCase('write through a symlink', [dir('include'), link('inc', 'include'), file('inc/x.h')], /through the symlink/),
    xzCase('path under a file', [file('a.h'), file('a.h/b.h')], /through the file/),
    xzCase('hard link', [file('a.h'), { name: 'b.h', type: '1', linkname: 'a.h' }], /hard link/),
    xzCase('character device', [{ name: 'null', type: '3' }], /device node/),
    xzCase('block device', [{ name: 'sda', type: '4' }], /device node/),
    xzCase('FIFO', [{ name: 'pipe', type: '6' }], /FIFO/),
    xzCase('unknown entry type', [{ name: 'v', type: 'V' }], /unsupported entry type/),
    xzCase('duplicate file', [file('a.h', 'one'), file('a.h', 'two')], /duplicate entry/),
    xzCase('directory with data', [{ name: 'd/', type: '5', size: 512, data: 'x'.repeat(512) }], /dir with 512 data bytes/),
    xzCase('bad header checksum', [{ ...file('a.h'), badChecksum: true }], /not a valid tar/, 'CORRUPT_ARCHIVE'),
    xzCase('negative size', [{ ...file('a.h'), sizeField: Buffer.from([...Array<number>(11).fill(0xff), 0xfe]) }], /invalid size/, 'CORRUPT_ARCHIVE'),
    xzCase('lying size (huge)', [{ ...file('a.h'), size: 8 * 1024 ** 3 }], /over the limit/, 'LIMIT_EXCEEDED'),
    { name: 'entry over the limit', bytes: goodXz, limits: { maxEntryBytes: 1000 }, code: 'LIMIT_EXCEEDED', expect: /over the limit of 1000/ },
    { name: 'total over the limit', bytes: goodXz, limits: { maxTotalBytes: 8192 }, code: 'LIMIT_EXCEEDED', expect: /exceeds the limit of 8192/ },
    { name: 'too many entries', bytes: goodXz, limits: { maxEntries: 2 }, code: 'LIMIT_EXCEEDED', expect: /more than 2 entries/ },
    { name: 'truncated xz', bytes: goodXz.subarray(0, Math.floor(goodXz.length / 2)), code: 'CORRUPT_ARCHIVE', expect: /truncated/ },
    { name: 'xz cut before its footer', bytes: goodXz.subarray(0, goodXz.length - 4), code: 'CORRUPT_ARCHIVE', expect: /truncated/ },
    { name: 'corrupt xz data', bytes: flip(goodXz, 40), code: 'CORRUPT_ARCHIVE', expect: /corrupt/ },
    { name: 'bad xz CRC', bytes: flip(goodXz, xzIndexOffset(goodXz) - 1), code: 'CORRUPT_ARCHIVE', expect: /integrity check failed/ },
    { name: 'trailing garbage after xz', bytes: Buffer.concat([goodXz, Buffer.from('garbage!')]), code: 'CORRUPT_ARCHIVE', expect: /trailing garbage/ },
    { name: 'not xz at all (plain tar)', bytes: good, code: 'CORRUPT_ARCHIVE', expect: /not an xz file/ },
    { name: 'not xz at all (text)', bytes: Buffer.from('hello, this is not an archive\n'), code: 'CORRUPT_ARCHIVE', expect: /not an xz file/ },
    { name: 'empty file', bytes: Buffer.alloc(0), code: 'CORRUPT_ARCHIVE', expect: /is empty/ },
    { name: 'truncated tar inside valid xz', bytes: realXz(good.subarray(0, 1024 + 700)), code: 'CORRUPT_ARCHIVE', expect: /truncated/ },
    { name: 'tar without end marker', bytes: realXz(rawTar([dir('./'), file('./a.h')], { endMarker: false })), code: 'CORRUPT_ARCHIVE', expect: /end-of-archive marker/ },
    { name: 'not a tar inside valid xz', bytes: realXz(Buffer.alloc(4096, 0x41)), code: 'CORRUPT_ARCHIVE', expect: /not a valid tar/ },
    { name: 'plain tar truncated', bytes: good.subarray(0, 1024 + 700), compressed: false, code: 'CORRUPT_ARCHIVE', expect: /truncated/ },
  ];
}
