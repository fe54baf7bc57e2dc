import { KheadersError } from '../../errors.js';
import { nullLogger, type Logger } from '../../log.js';
import type { ByteSource } from './byte-source.js';
import { scanForArchive } from './elf-scan.js';
import { MAX_INPUT_BYTES, XZ_MAGIC } from '../../constants.js';

/** What we learned about an ELF file and where its archive was. */
export interface ElfArchive {
  archive: Buffer;
  /** 'symbols': between kernel_headers_data and _end; 'scan': stripped, found by scanning. */
  method: 'symbols' | 'scan';
  bits: 32 | 64;
  endian: 'little' | 'big';
  elfType: 'ET_REL' | 'ET_EXEC' | 'ET_DYN' | 'other';
  /** File offset of the archive's first byte. */
  offset: number;
}

interface Header {
  bits: 32 | 64;
  little: boolean;
  type: number;
  shoff: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

interface Section {
  type: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
}

const START = 'kernel_headers_data';
const END = 'kernel_headers_data_end';
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SHT_DYNSYM = 11;
const SHT_SYMTAB_SHNDX = 18;
const SHN_LORESERVE = 0xff00;
const SHN_XINDEX = 0xffff;

/** True when the buffer starts with the ELF magic. */
export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF';
}

function bad(what: string, problem: string): KheadersError {
  return new KheadersError('CORRUPT_ARCHIVE', `${what}: malformed ELF file (${problem})`, 'pass an intact kheaders.ko, kernel/kheaders.o or vmlinux');
}

function num(v: bigint, what: string, field: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(what, `${field} is too large`);
  return Number(v);
}

class Fields {
  constructor(private readonly b: Buffer, private readonly little: boolean, private readonly what: string) {}
  u8(o: number): number { return this.b.readUInt8(o); }
  u16(o: number): number { return this.little ? this.b.readUInt16LE(o) : this.b.readUInt16BE(o); }
  u32(o: number): number { return this.little ? this.b.readUInt32LE(o) : this.b.readUInt32BE(o); }
  u64(o: number): bigint { return this.little ? this.b.readBigUInt64LE(o) : this.b.readBigUInt64BE(o); }
  /** A 32- or 64-bit address-sized field, as bigint. */
  addr(o: number, bits: 32 | 64): bigint { return bits === 64 ? this.u64(o) : BigInt(this.u32(o)); }
  /** A 32- or 64-bit offset/size field, as a safe number. */
  off(o: number, bits: 32 | 64, field: string): number { return num(this.addr(o, bits), this.what, field); }
}

async function readHeader(src: ByteSource, what: string): Promise<Header> {
  if (src.size < 52) throw bad(what, 'shorter than an ELF header');
  const id = await src.read(0, Math.min(64, src.size));
  const cls = id[4];
  const data = id[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) throw bad(what, `unknown class ${cls} or data encoding ${data}`);
  const bits = cls === 2 ? 64 : 32;
  if (bits === 64 && id.length < 64) throw bad(what, 'shorter than an ELF64 header');
  const f = new Fields(id, data === 1, what);
  const h = bits === 64
    ? { shoff: f.off(40, 64, 'e_shoff'), shentsize: f.u16(58), shnum: f.u16(60), shstrndx: f.u16(62) }
    : { shoff: f.u32(32), shentsize: f.u16(46), shnum: f.u16(48), shstrndx: f.u16(50) };
  return { bits, little: data === 1, type: f.u16(16), ...h };
}

async function readSections(src: ByteSource, h: Header, what: string): Promise<Section[]> {
  if (h.shoff === 0) return [];
  const want = h.bits === 64 ? 64 : 40;
  if (h.shentsize < want) throw bad(what, `section header size ${h.shentsize}`);
  const parse = (b: Buffer): Section => {
    const f = new Fields(b, h.little, what);
    return h.bits === 64
      ? { type: f.u32(4), addr: f.u64(16), offset: f.off(24, 64, 'sh_offset'), size: f.off(32, 64, 'sh_size'), link: f.u32(40) }
      : { type: f.u32(4), addr: BigInt(f.u32(12)), offset: f.u32(16), size: f.u32(20), link: f.u32(24) };
  };
  const read = async (i: number): Promise<Buffer> => {
    try {
      return await src.read(h.shoff + i * h.shentsize, h.shentsize);
    } catch {
      throw bad(what, 'section headers run past the end of the file');
    }
  };
  const first = parse(await read(0));
  // Extended numbering: e_shnum == 0 means the count is in section 0's sh_size.
  const count = h.shnum === 0 ? first.size : h.shnum;
  if (count > 1_000_000) throw bad(what, `${count} sections`);
  if (h.shstrndx === SHN_XINDEX) h.shstrndx = first.link;
  const all = await src.read(h.shoff, count * h.shentsize).catch(() => {
    throw bad(what, 'section headers run past the end of the file');
  });
  const out: Section[] = [];
  for (let i = 0; i < count; i++) out.push(parse(all.subarray(i * h.shentsize, (i + 1) * h.shentsize)));
  return out;
}

async function sectionBytes(src: ByteSource, s: Section, what: string): Promise<Buffer> {
  if (s.type === SHT_NOBITS) return Buffer.alloc(0);
  return src.read(s.offset, s.size).catch(() => {
    throw bad(what, 'a section runs past the end of the file');
  });
}

/** shndx: a real section index (extended numbering resolved), 0 undefined, -1 special. */
interface Sym { value: bigint; shndx: number }

/** Finds both symbols in the first symbol table that has them. */
async function findSymbols(src: ByteSource, h: Header, secs: Section[], what: string): Promise<[Sym, Sym] | undefined> {
  const tables = secs.map((s, i) => ({ s, i })).filter(({ s }) => s.type === SHT_SYMTAB || s.type === SHT_DYNSYM);
  tables.sort((a, b) => (a.s.type === SHT_SYMTAB ? 0 : 1) - (b.s.type === SHT_SYMTAB ? 0 : 1));
  const entsize = h.bits === 64 ? 24 : 16;
  for (const { s, i } of tables) {
    const strSec = secs[s.link];
    if (!strSec) throw bad(what, 'symbol table links to a missing string table');
    const [syms, strs] = [await sectionBytes(src, s, what), await sectionBytes(src, strSec, what)];
    const xSec = secs.find((x) => x.type === SHT_SYMTAB_SHNDX && x.link === i);
    const xndx = xSec ? await sectionBytes(src, xSec, what) : undefined;
    const f = new Fields(syms, h.little, what);
    const found = new Map<string, Sym>();
    for (let k = 0; (k + 1) * entsize <= syms.length; k++) {
      const o = k * entsize;
      const nameOff = f.u32(o);
      const name = readName(strs, nameOff);
      if (name !== START && name !== END) continue;
      let shndx = h.bits === 64 ? f.u16(o + 6) : f.u16(o + 14);
      if (shndx === SHN_XINDEX && xndx && (k + 1) * 4 <= xndx.length) {
        shndx = h.little ? xndx.readUInt32LE(k * 4) : xndx.readUInt32BE(k * 4);
      } else if (shndx >= SHN_LORESERVE) {
        shndx = -1; // SHN_ABS, SHN_COMMON, ...: not a section
      }
      const value = h.bits === 64 ? f.u64(o + 8) : BigInt(f.u32(o + 4));
      if (shndx !== 0) found.set(name, { value, shndx });
    }
    const a = found.get(START);
    const b = found.get(END);
    if (a && b) return [a, b];
  }
  return undefined;
}

function readName(strs: Buffer, off: number): string | undefined {
  if (off >= strs.length) return undefined;
  const end = strs.indexOf(0, off);
  // Quick length filter before decoding: both names are short.
  if (end < 0 || end - off > END.length) return undefined;
  return strs.toString('latin1', off, end);
}

/** File offset and length of [start, end) for the ELF type's symbol semantics. */
function locate(h: Header, secs: Section[], a: Sym, b: Sym, what: string): { offset: number; length: number } {
  if (b.value < a.value) throw bad(what, `${END} lies before ${START}`);
  const length = num(b.value - a.value, what, 'archive size');
  const regular = (n: number): Section | undefined => (n > 0 ? secs[n] : undefined);
  let sec: Section | undefined;
  let within: bigint;
  if (h.type === 1) {
    // ET_REL: a symbol's value is an offset into its own section.
    sec = regular(a.shndx);
    if (!sec) throw bad(what, `${START} is not defined in a section`);
    if (a.shndx !== b.shndx) throw bad(what, `${START} and ${END} are in different sections`);
    within = a.value;
  } else {
    // Executables: a symbol's value is an address; map it through the section that holds it.
    const holds = (s: Section): boolean => s.type !== SHT_NOBITS && s.size > 0 && a.value >= s.addr && b.value <= s.addr + BigInt(s.size);
    const own = regular(a.shndx);
    sec = own && holds(own) ? own : secs.find(holds);
    if (!sec) throw bad(what, `no section with file contents holds address 0x${a.value.toString(16)}`);
    within = a.value - sec.addr;
  }
  if (sec.type === SHT_NOBITS) throw bad(what, `${START} is in a section without file contents`);
  const inSec = num(within, what, 'symbol value');
  if (inSec + length > sec.size) throw bad(what, `${START}..${END} runs past the end of its section`);
  return { offset: sec.offset + inSec, length };
}

const TYPES: Record<number, ElfArchive['elfType']> = { 1: 'ET_REL', 2: 'ET_EXEC', 3: 'ET_DYN' };

/**
 * Takes the kheaders archive out of an ELF image: kheaders.ko, kernel/kheaders.o
 * or a vmlinux built with CONFIG_IKHEADERS=y. Falls back to a scan when stripped.
 */
export async function archiveFromElf(src: ByteSource, what: string, opts: { maxBytes?: number; log?: Logger } = {}): Promise<ElfArchive> {
  const log = opts.log ?? nullLogger;
  const maxBytes = opts.maxBytes ?? MAX_INPUT_BYTES;
  const h = await readHeader(src, what);
  const info = { bits: h.bits, endian: h.little ? 'little' : 'big', elfType: TYPES[h.type] ?? 'other' } as const;
  log.debug(`${what}: ELF${h.bits} ${info.endian}-endian ${info.elfType}`);
  const secs = await readSections(src, h, what);
  const syms = await findSymbols(src, h, secs, what);
  if (syms) {
    const { offset, length } = locate(h, secs, syms[0], syms[1], what);
    if (length > maxBytes) throw bad(what, `the embedded archive claims ${length} bytes, over the ${maxBytes}-byte limit`);
    const archive = await src.read(offset, length).catch(() => {
      throw bad(what, 'the embedded archive runs past the end of the file');
    });
    if (!archive.subarray(0, 6).equals(XZ_MAGIC)) {
      throw new KheadersError('NOT_FOUND', `${what}: the bytes between ${START} and ${END} are not an xz stream`,
        'pass a kheaders.ko or vmlinux built by the kernel\'s own kheaders rules');
    }
    log.debug(`${what}: archive of ${length} bytes at file offset ${offset} (symbols)`);
    return { archive, method: 'symbols', offset, ...info };
  }
  log.info(`${what}: no ${START} symbol (stripped?); scanning for an embedded headers archive`);
  const hit = await scanForArchive(src, { maxBytes, log });
  if (!hit) {
    throw new KheadersError('NOT_FOUND', `${what}: no ${START} symbol and no embedded xz archive of include/ headers`,
      'pass the kheaders.ko of a kernel with CONFIG_IKHEADERS=m, or a vmlinux built with CONFIG_IKHEADERS=y');
  }
  return { archive: hit.archive, method: 'scan', offset: hit.offset, ...info };
}
