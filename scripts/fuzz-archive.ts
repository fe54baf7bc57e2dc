// Fuzz targets for the archive reader itself: raw tar headers (checksums kept
// right so the change reaches the checks), pax and long-name records and link
// graphs; xz blocks, index and padding; ELF headers, sections and symbols.
// A case we accept must be one GNU tar and xz accept too (the oracles).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readMembers } from '../src/core/archive/read.js';
import { bufferSource } from '../src/core/sources/images/byte-source.js';
import { archiveFromElf } from '../src/core/sources/images/elf.js';
import { tarHeaders } from './fuzz-layout.js';

type Rng = () => number;
const int = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)] as T;

/** A small tree with long names, symlinks and a directory, packed by GNU tar. */
export function tarSeed(dir: string): Buffer {
  const t = join(dir, 'fuzz-tree');
  mkdirSync(join(t, 'include/linux/sub'), { recursive: true });
  writeFileSync(join(t, 'include/linux/a.h'), '#define A 1\n'.repeat(100));
  writeFileSync(join(t, `include/linux/${'n'.repeat(120)}.h`), '#define LONG 1\n');
  writeFileSync(join(t, 'include/linux/sub/b.h'), '#define B 2\n');
  symlinkSync('a.h', join(t, 'include/linux/l.h'));
  symlinkSync(`../linux/${'n'.repeat(120)}.h`, join(t, 'include/linux/sub/long-link.h'));
  return execFileSync('tar', ['--owner=0', '--group=0', '--numeric-owner', '--sort=name', '-cf', '-', '-C', t, '.'], { maxBuffer: 1 << 24 });
}

function fixChecksum(b: Buffer, h: number): void {
  b.fill(0x20, h + 148, h + 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[h + i] as number;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', h + 148, 'latin1');
}

/** Mutates one tar header field (or the bytes), usually keeping the checksum right. */
export function mutateTar(b: Buffer, r: Rng): Buffer {
  const hs = tarHeaders(b, 0, b.length);
  if (hs.length === 0) return b;
  const h = pick(r, hs);
  const op = int(r, 8);
  const field = pick(r, [[100, 8], [108, 8], [116, 8], [124, 12], [136, 12]] as const);
  if (op === 0) b.write(pick(r, ['abcdefg', '-000001', '7777777', '0000000', '9999999', '       ', '\u0080\u0000\u0000\u0000\u0000\u0000\u0000\u0001']).padEnd(field[1] - 1, '\0').slice(0, field[1] - 1), h + field[0], 'latin1');
  else if (op === 1) b.write(int(r, 2 ** 33).toString(8).padStart(field[1] - 1, '0').slice(-(field[1] - 1)), h + field[0], 'latin1');
  else if (op === 2) b[h + 156] = pick(r, [0x30, 0x31, 0x32, 0x33, 0x35, 0x36, 0x37, 0x4c, 0x4b, 0x78, 0x67, 0x56, 0x5a, 0x00]);
  else if (op === 3) b.write(pick(r, ['../x', '/abs', './', '.', 'a/../../b', 'x'.repeat(99), 'include/linux']) + '\0', h, 'latin1');
  else if (op === 4) b.write(pick(r, ['..', '/etc/passwd', 'l.h', 'sub/../../x', '.', '']) + '\0', h + 157, 'latin1');
  else if (op === 5) b[h + int(r, 512)] = int(r, 256);
  else if (op === 6) return Buffer.concat([b.subarray(0, h), b.subarray(h + 512)]); // drop a header
  else return b.subarray(0, int(r, b.length));
  if (r() < 0.8) fixChecksum(b, h);
  return b;
}

/** Mutates xz bytes: a block byte, the index, the footer, stream padding, or a truncation. */
export function mutateXz(b: Buffer, r: Rng): Buffer {
  const op = int(r, 6);
  const len = b.length;
  if (op === 0) b[12 + int(r, Math.max(1, len - 24))] ^= 1 << int(r, 8);
  else if (op === 1) b[len - 12 - 1 - int(r, 16)] ^= 1 << int(r, 8); // the index and what precedes it
  else if (op === 2) b[len - 1 - int(r, 12)] ^= 1 << int(r, 8); // the footer
  else if (op === 3) return Buffer.concat([b, Buffer.alloc(pick(r, [1, 2, 3, 4, 8, 12]))]); // padding, valid only by fours
  else if (op === 4) return Buffer.concat([b, b]); // two streams
  else return b.subarray(0, int(r, len));
  return b;
}

/** Mutates an ELF: header fields, section headers, or symbol values. */
export function mutateElf(b: Buffer, r: Rng): Buffer {
  if (b.length < 64) return b;
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shnum = b.readUInt16LE(0x3c);
  const op = int(r, 5);
  const big = pick(r, [0n, 1n, 0x40n, 0xffffn, 0xffffffffn, 0xffffffffffffn, BigInt(b.length), BigInt(b.length - 1)]);
  if (op === 0) b.writeBigUInt64LE(big, pick(r, [0x20, 0x28]));
  else if (op === 1) b.writeUInt16LE(pick(r, [0, 1, 0xffff, shnum + 1, 40]), pick(r, [0x3a, 0x3c, 0x3e]));
  else if (op === 2 && shnum > 0 && shoff + shnum * 64 <= b.length) {
    const s = shoff + int(r, shnum) * 64;
    b.writeBigUInt64LE(big, s + pick(r, [0x18, 0x20, 0x38]));
  } else if (op === 3) b[int(r, b.length)] = int(r, 256);
  else return b.subarray(0, int(r, b.length));
  return b;
}

/** Reads every member; for an accepted input, the oracle (GNU tar, xz) must accept it too. */
export async function readCase(input: Buffer, kind: 'tar' | 'xz' | 'elf'): Promise<'ok' | string> {
  let archive = input;
  if (kind === 'elf') archive = (await archiveFromElf(bufferSource(input), 'fuzz')).archive;
  for await (const m of readMembers(Readable.from([archive]), { compressed: kind !== 'tar', label: 'fuzz' })) void m;
  const tar = kind === 'tar' ? archive : spawnSync('xz', ['-dc'], { input: archive, maxBuffer: 1 << 28 });
  if (kind !== 'tar') {
    const t = spawnSync('xz', ['-t'], { input: archive });
    if (t.status !== 0) return `we accepted what xz -t refuses: ${String(t.stderr).trim()}`;
  }
  const raw = Buffer.isBuffer(tar) ? tar : tar.stdout;
  const l = spawnSync('tar', ['-tvf', '-'], { input: raw, maxBuffer: 1 << 28 });
  if (l.status !== 0 || String(l.stderr).trim() !== '') return `we accepted what GNU tar refuses: ${String(l.stderr).trim().slice(0, 300)}`;
  return 'ok';
}

const made = new Map<string, { tar: Buffer[]; xz: Buffer[]; elf: Buffer[] }>();

/** The seeds: a GNU tar, its xz in both modes and with stream padding, and a kheaders.ko (made once per dir). */
export function archiveSeeds(dir: string, ko: Buffer): { tar: Buffer[]; xz: Buffer[]; elf: Buffer[] } {
  const old = made.get(dir);
  if (old) return old;
  const tar = tarSeed(dir);
  const xz6 = execFileSync('xz', ['-6', '-c'], { input: tar });
  const xz1 = execFileSync('xz', ['-1', '-T2', '--block-size=4KiB', '-c'], { input: tar });
  const seeds = { tar: [tar], xz: [xz6, xz1, Buffer.concat([xz6, Buffer.alloc(4)])], elf: [ko] };
  made.set(dir, seeds);
  return seeds;
}

