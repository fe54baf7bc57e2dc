// Fuzz targets for kernel images and the kernel's codecs: bzImage, EFI zboot,
// Android boot image and raw Image headers (sizes, offsets, versions, the
// codec name), and bzip2, lz4 legacy, lzop and .lzma streams made by the real
// tools. Seeds wrap a real kheaders.ko (an ELF with the archive) and an IKCONFIG blob.
// The run fuzzes the JS decoders (KHEADERS_SYSTEM_CODECS=0); the bzip2-tool,
// zstd-tool and lzma-tool targets feed the same mutations to the system bzip2,
// zstd and xz.
import { execFileSync } from 'node:child_process';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { KheadersError } from '../src/core/errors.js';
import { archiveFromImage } from '../src/core/sources/images/image-archive.js';
import { bzip2 } from '../src/core/sources/codecs/bzip2/bzip2.js';
import { bzip2Processes } from '../src/core/sources/codecs/bzip2/parallel.js';
import { lz4 } from '../src/core/sources/codecs/lz/lz4-legacy.js';
import { lzo } from '../src/core/sources/codecs/lz/lzop.js';
import { lzma } from '../src/core/sources/codecs/lzma.js';
import { zstd } from '../src/core/sources/codecs/zstd/zstd.js';
import { imageCodecs } from '../test/helpers/image-codecs.js';
import { arm64Image, bootImage, bzImage, ikconfigBlob, zboot } from '../test/helpers/kernel-images.js';

type Rng = () => number;
const int = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)] as T;
const interesting = (r: Rng, orig: number): number => pick(r, [0, 1, 4, 8, 0x1000, 0x7fffffff, 0xffffffff, orig + 1, Math.max(0, orig - 1), orig * 2, int(r, 2 ** 32)]) >>> 0;

export type ImageKind = 'image' | 'bzip2' | 'lz4' | 'lzo' | 'lzma' | 'bzip2-tool' | 'zstd-tool' | 'lzma-tool';
const CODECS = { bzip2, lz4, lzo, lzma, 'bzip2-tool': bzip2, 'zstd-tool': zstd, 'lzma-tool': lzma };

/** A fresh decoder of `kind`: the system tool for the *-tool kinds, whatever KHEADERS_SYSTEM_CODECS says. */
function decoderFor(kind: Exclude<ImageKind, 'image'>): Transform {
  if (!kind.endsWith('-tool')) return CODECS[kind].decoder();
  const was = process.env.KHEADERS_SYSTEM_CODECS;
  process.env.KHEADERS_SYSTEM_CODECS = '1';
  try {
    // Two bzip2 processes whatever the load, so the cut at block boundaries is fuzzed too.
    return kind === 'bzip2-tool' ? bzip2Processes(undefined, 2) as Transform : CODECS[kind].decoder();
  } finally {
    if (was === undefined) delete process.env.KHEADERS_SYSTEM_CODECS;
    else process.env.KHEADERS_SYSTEM_CODECS = was;
  }
}
const CAP = 64 << 20;

function bytes(b: Buffer, r: Rng): Buffer {
  const [op, at] = [int(r, 3), int(r, b.length)];
  if (op === 0) { b[at] = int(r, 256); return b; }
  if (op === 1) return b.subarray(0, at);
  return Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(r, 64) }, () => int(r, 256))), b.subarray(at)]);
}

const tool = (cmd: string, args: string[], input: Buffer): Buffer => execFileSync(cmd, args, { input, maxBuffer: 1 << 28 });

/** The vmlinux stand-in: a real kheaders.ko and the config blob after it. */
const vmlinux = (ko: Buffer): Buffer => Buffer.concat([ko, ikconfigBlob('CONFIG_IKCONFIG=y\nCONFIG_IKHEADERS=y\n')]);

export function imageSeeds(ko: Buffer): Record<ImageKind, Buffer[]> {
  const v = vmlinux(ko);
  const img = arm64Image(v);
  const gz = gzipSync(img);
  return {
    image: [
      bzImage(gzipSync(v), v.length), bzImage(tool('xz', ['--check=crc32', '-c'], v), v.length), bzImage(tool('lz4', ['-l', '-9', '-', '-'], v), v.length),
      zboot(gz, 'gzip', 0), zboot(tool('zstd', ['-q', '-c'], img), 'zstd22', img.length),
      bootImage(gz, 0), bootImage(gz, 2, { pageSize: 4096 }), bootImage(gz, 4), img,
    ],
    bzip2: [tool('bzip2', ['-9'], v)],
    // Three 100 kB blocks: the decoder cuts them between two bzip2 processes.
    'bzip2-tool': [tool('bzip2', ['-9'], v), tool('bzip2', ['-1'], Buffer.concat([v, Buffer.from(Array.from({ length: 300_000 }, (_, i) => (Math.imul(i, 2654435761) >>> 24) & 0xff))]))],
    'zstd-tool': [tool('zstd', ['-q', '-c', '--ultra', '-22'], v), Buffer.concat([tool('zstd', ['-q', '-c', '-3'], v.subarray(0, 5000)), tool('zstd', ['-q', '-c', '-19'], v.subarray(5000))])],
    lz4: [tool('lz4', ['-l', '-9', '-', '-'], v)],
    lzo: [tool('lzop', ['-9'], v)],
    lzma: [tool('lzma', ['-9'], v)],
    'lzma-tool': [tool('lzma', ['-9'], v)],
  };
}

/** Header fields of each wrapper: offsets and sizes that lie, codec names, versions. */
export function mutateImage(b: Buffer, r: Rng): Buffer {
  const head = b.toString('latin1', 0, 8);
  const op = int(r, 4);
  if (op === 3) return bytes(b, r);
  if (head === 'ANDROID!') {
    const f = pick(r, [8, 12, 16, 36, 40, 1632, 1636]);
    b.writeUInt32LE(interesting(r, b.readUInt32LE(f)), f);
  } else if (head.startsWith('MZ') && head.endsWith('zimg')) {
    if (op === 0) b.write(`${pick(r, ['gzip', 'lz4', 'lzma', 'lzo', 'xzkern', 'zstd22', 'bzip2', 'none', ''])}\0`, 24, 'latin1');
    else { const f = pick(r, [8, 12]); b.writeUInt32LE(interesting(r, b.readUInt32LE(f)), f); }
  } else if (b.length > 0x250 && b.toString('latin1', 0x202, 0x206) === 'HdrS') {
    const f = pick(r, [0x248, 0x24c, 0x206, 0x1f1]);
    if (f === 0x1f1) b[f] = int(r, 256);
    else if (f === 0x206) b.writeUInt16LE(pick(r, [0x0204, 0x0208, 0x020f, 0xffff]), f);
    else b.writeUInt32LE(interesting(r, b.readUInt32LE(f)), f);
    if (r() < 0.5) b.writeUInt32LE(interesting(r, b.readUInt32LE(b.length - 104)), b.length - 104); // the appended decoded size
  } else {
    return bytes(b, r);
  }
  return b;
}

/** Codec streams: block sizes, header fields and data bytes. */
export function mutateCodec(b: Buffer, r: Rng): Buffer {
  const op = int(r, 3);
  if (op === 0 && b.length > 16) b.writeUInt32LE(interesting(r, b.readUInt32LE(4 + int(r, 8))), 4 + int(r, 8));
  else if (op === 1 && b.length > 64) b[int(r, 64)] = int(r, 256);
  else return bytes(b, r);
  return b;
}

/** 'ok', or a description of an outcome that is not a result or a KheadersError. */
export async function readImageCase(input: Buffer, kind: ImageKind): Promise<'ok' | 'error' | string> {
  try {
    if (kind === 'image') {
      await archiveFromImage(input, 'fuzz', imageCodecs(CAP), { maxBytes: CAP });
      return 'ok';
    }
    let n = 0;
    await pipeline(Readable.from([input]), decoderFor(kind), async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) if ((n += c.length) > CAP) throw new KheadersError('LIMIT_EXCEEDED', 'cap');
    });
    return 'ok';
  } catch (err) {
    if (err instanceof KheadersError) throw err;
    // A codec's own Error for bad data is the expected outcome (the table words it); anything else is not.
    if (kind !== 'image' && err instanceof Error && !(err instanceof TypeError || err instanceof RangeError)) return 'error';
    return err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
}
