// Builds ELF objects for tests: real ones with gcc/as, and crafted ones
// (any class/endianness) with a minimal writer, for targets without cross compilers.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Assembly that embeds `archive` between the two global symbols, after some filler. */
function asmSource(archive: string, filler: string): string {
  return [
    '\t.section .rodata,"a"',
    'filler_before:',
    `\t.ascii "${filler}"`,
    '\t.global kernel_headers_data',
    'kernel_headers_data:',
    `\t.incbin "${archive}"`,
    '\t.global kernel_headers_data_end',
    'kernel_headers_data_end:',
    '\t.ascii "after"',
    '\t.text',
    '\t.global _start',
    '_start:',
    '\tnop',
    '',
  ].join('\n');
}

export type RealKind = 'rel' | 'exec' | 'dyn';

/**
 * Builds a real ELF with gcc: 'rel' is an ET_REL .o (like kernel/kheaders.o),
 * 'exec' an ET_EXEC (-no-pie), 'dyn' an ET_DYN (-pie). m32 builds 32-bit.
 * `extra` files (e.g. a decoy .xz) are embedded before the archive.
 */
export function buildRealElf(dir: string, archive: string, kind: RealKind, opts: { m32?: boolean; strip?: boolean; decoy?: string; manySections?: number } = {}): string {
  const s = join(dir, `data-${kind}.s`);
  let src = asmSource(archive, 'x'.repeat(37));
  if (opts.decoy) src = `\t.section .rodata.decoy,"a"\n\t.incbin "${opts.decoy}"\n${src}`;
  // Enough sections before .rodata to force extended numbering (e_shnum 0, SHN_XINDEX).
  for (let i = 0; i < (opts.manySections ?? 0); i++) src = `\t.section .d${i},"a"\n\t.byte ${i & 0xff}\n` + src;
  writeFileSync(s, src);
  const out = join(dir, `${kind}${opts.m32 ? '32' : '64'}${opts.strip ? '-stripped' : ''}${opts.manySections ? '-many' : ''}.elf`);
  const obj = kind === 'rel' ? out : `${out}.o`;
  execFileSync('gcc', [...(opts.m32 ? ['-m32'] : []), '-c', s, '-o', obj]);
  if (kind !== 'rel') {
    // Linked like vmlinux: plain ld, no libc (so no 32-bit multilib is needed).
    const emul = opts.m32 ? ['-m', 'elf_i386'] : [];
    execFileSync('ld', [...emul, ...(kind === 'dyn' ? ['-pie'] : []), '-o', out, obj]);
  }
  if (opts.strip) execFileSync('strip', ['--strip-all', out]);
  return out;
}

export interface CraftOptions {
  bits: 32 | 64;
  little: boolean;
  type: 'rel' | 'exec';
  /** Bytes of the .rodata section; the archive sits at `at` inside it. */
  archive: Buffer;
  /** Padding bytes in .rodata before the archive. */
  at?: number;
  /** Load address of .rodata for 'exec'. */
  addr?: bigint;
  /** Leave out the symbol table (a stripped image). */
  stripped?: boolean;
  machine?: number;
}

/** Writes a minimal ELF: null, .rodata, .symtab, .strtab, .shstrtab (+ header, section table). */
export function craftElf(o: CraftOptions): Buffer {
  const is64 = o.bits === 64;
  const at = o.at ?? 13;
  const addr = o.type === 'exec' ? (o.addr ?? (is64 ? 0xffffffff82000000n : 0xc1000000n)) : 0n;
  const rodata = Buffer.concat([Buffer.alloc(at, 0x41), o.archive, Buffer.from('tail')]);
  const strtab = Buffer.from('\0kernel_headers_data\0kernel_headers_data_end\0filler\0', 'latin1');
  const names = ['', '.rodata', '.symtab', '.strtab', '.shstrtab'];
  const shstr = Buffer.from(names.join('\0') + '\0', 'latin1');
  const nameOff = (n: string): number => (n === '' ? 0 : shstr.indexOf(`\0${n}\0`) + 1);
  const symSize = is64 ? 24 : 16;
  const base = o.type === 'rel' ? 0n : addr;
  const syms = [
    { name: 0, value: 0n, info: 0, shndx: 0 },
    { name: strtab.indexOf('filler'), value: base, info: 0, shndx: 1 },
    { name: 1, value: base + BigInt(at), info: 0x10, shndx: 1 },
    { name: 21, value: base + BigInt(at + o.archive.length), info: 0x10, shndx: 1 },
  ];
  const symtab = Buffer.alloc(syms.length * symSize);
  const w = (b: Buffer, off: number, v: number | bigint, size: 1 | 2 | 4 | 8): void => {
    if (size === 1) b.writeUInt8(Number(v), off);
    else if (size === 2) b[o.little ? 'writeUInt16LE' : 'writeUInt16BE'](Number(v), off);
    else if (size === 4) b[o.little ? 'writeUInt32LE' : 'writeUInt32BE'](Number(v), off);
    else b[o.little ? 'writeBigUInt64LE' : 'writeBigUInt64BE'](BigInt(v), off);
  };
  syms.forEach((s, i) => {
    const p = i * symSize;
    w(symtab, p, s.name, 4);
    if (is64) { w(symtab, p + 4, s.info, 1); w(symtab, p + 6, s.shndx, 2); w(symtab, p + 8, s.value, 8); }
    else { w(symtab, p + 4, s.value, 4); w(symtab, p + 12, s.info, 1); w(symtab, p + 14, s.shndx, 2); }
  });
  const ehsize = is64 ? 64 : 52;
  const shentsize = is64 ? 64 : 40;
  const parts: Buffer[] = [Buffer.alloc(ehsize)];
  let off = ehsize;
  const place = (b: Buffer): number => { const p = off; parts.push(b); off += b.length; return p; };
  const sects = [
    { name: '.rodata', type: 1, flags: 2, addr, data: rodata, link: 0, info: 0, entsize: 0 },
    ...(o.stripped ? [] : [
      { name: '.symtab', type: 2, flags: 0, addr: 0n, data: symtab, link: 3, info: 2, entsize: symSize },
      { name: '.strtab', type: 3, flags: 0, addr: 0n, data: strtab, link: 0, info: 0, entsize: 0 },
    ]),
    { name: '.shstrtab', type: 3, flags: 0, addr: 0n, data: shstr, link: 0, info: 0, entsize: 0 },
  ].map((s) => ({ ...s, offset: place(s.data) }));
  if (off % 8) place(Buffer.alloc(8 - (off % 8)));
  const shoff = off;
  const sh = Buffer.alloc(shentsize * (sects.length + 1));
  sects.forEach((s, i) => {
    const p = (i + 1) * shentsize;
    const f = is64 ? [[0, 4], [4, 4], [8, 8], [16, 8], [24, 8], [32, 8], [40, 4], [44, 4], [48, 8], [56, 8]] : [[0, 4], [4, 4], [8, 4], [12, 4], [16, 4], [20, 4], [24, 4], [28, 4], [32, 4], [36, 4]];
    const v = [nameOff(s.name), s.type, s.flags, s.addr, s.offset, s.data.length, s.link, s.info, 1, s.entsize];
    f.forEach(([fo, size], k) => w(sh, p + fo, v[k] as number | bigint, size as 4 | 8));
  });
  parts.push(sh);
  const e = parts[0];
  e.write('\x7fELF', 0, 'latin1');
  e[4] = is64 ? 2 : 1; e[5] = o.little ? 1 : 2; e[6] = 1;
  w(e, 16, o.type === 'rel' ? 1 : 2, 2);
  w(e, 18, o.machine ?? (is64 ? 22 : 20), 2); // s390 / ppc: big-endian machines
  w(e, 20, 1, 4);
  if (is64) { w(e, 40, shoff, 8); w(e, 52, ehsize, 2); w(e, 58, shentsize, 2); w(e, 60, sects.length + 1, 2); w(e, 62, sects.length, 2); }
  else { w(e, 32, shoff, 4); w(e, 40, ehsize, 2); w(e, 46, shentsize, 2); w(e, 48, sects.length + 1, 2); w(e, 50, sects.length, 2); }
  return Buffer.concat(parts);
}
