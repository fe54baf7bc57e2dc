// Checks each raw tar header before tar-stream parses it leniently: numeric
// fields must be octal (or GNU base-256) numbers in range, and the entry type
// must be one tar defines. GNU tar refuses the same inputs.
import { corrupt, KheadersError } from '../errors.js';

const BLOCK = 512;
const FIX = 'use an archive made by kheaders or kernel/gen_kheaders.sh; do not trust this file';
/** Type flags tar defines (POSIX, GNU long names and pax); anything else is refused, not skipped. */
const TYPES = new Set(['0', '\0', '1', '2', '3', '4', '5', '6', '7', 'L', 'K', 'x', 'g']);
const FIELDS: ReadonlyArray<readonly [string, number, number]> = [['mode', 100, 8], ['uid', 108, 8], ['gid', 116, 8], ['size', 124, 12], ['mtime', 136, 12]];

function bad(what: string, name: string, problem: string, code: 'CORRUPT_ARCHIVE' | 'HOSTILE_ENTRY' = 'CORRUPT_ARCHIVE'): KheadersError {
  return new KheadersError(code, `${what}: refusing entry ${JSON.stringify(name)}: ${problem}`, FIX);
}

/** The header checksum as tar computes it (unsigned; old tars used signed bytes) matches the stored one. */
function checksumOk(h: Buffer): boolean {
  const stored = numeric(h, 148, 8);
  let unsigned = 8 * 0x20;
  let signed = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    unsigned += h[i]!;
    signed += h[i]! > 127 ? h[i]! - 256 : h[i]!;
  }
  return stored === unsigned || stored === signed;
}

/** A numeric field's value: octal digits (leading spaces, trailing NULs or spaces), or GNU base-256; undefined if neither. */
function numeric(h: Buffer, off: number, len: number): number | undefined {
  if ((h[off]! & 0x80) !== 0) {
    if (h[off] === 0xff) return undefined; // negative
    let v = h[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + h[off + i]!;
    return Number.isSafeInteger(v) ? v : undefined;
  }
  const s = h.toString('latin1', off, off + len);
  const m = /^ *([0-7]*)[ \0]*$/.exec(s);
  if (!m) return undefined;
  return m[1] === '' ? 0 : parseInt(m[1]!, 8);
}

/** Walks the raw tar stream: every header is checked before the bytes go on. */
export class HeaderCheck {
  private pending: Buffer = Buffer.alloc(0);
  /** Data bytes of the current member still to skip. */
  private skip = 0;
  /** A pax header's records, collected to be checked (its size, then the bytes so far). */
  private pax?: { size: number; name: string; chunks: Buffer[]; got: number };

  constructor(private readonly what: string) {}

  /** Throws a KheadersError at the first header that is not a valid tar header. */
  feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        if (this.pax && this.pax.got < this.pax.size) {
          const part = chunk.subarray(at, at + Math.min(n, this.pax.size - this.pax.got));
          this.pax.chunks.push(part);
          this.pax.got += part.length;
          if (this.pax.got === this.pax.size) this.checkPax();
        }
        this.skip -= n;
        at += n;
        continue;
      }
      const need = BLOCK - this.pending.length;
      const take = chunk.subarray(at, at + need);
      at += take.length;
      this.pending = this.pending.length === 0 && take.length === BLOCK ? take : Buffer.concat([this.pending, take]);
      if (this.pending.length < BLOCK) return;
      const h = this.pending;
      this.pending = Buffer.alloc(0);
      this.header(h);
    }
  }

  private header(h: Buffer): void {
    if (h.every((b) => b === 0)) return; // end-of-archive and record padding (checked, like any block, to the end)
    if (!checksumOk(h)) throw corrupt(`${this.what}: not a valid tar (bad header checksum or unknown format)`);
    const end = h.indexOf(0);
    const name = h.toString('utf8', 0, end >= 0 && end < 100 ? end : 100);
    const type = String.fromCharCode(h[156]!);
    if (!TYPES.has(type)) throw bad(this.what, name, `unsupported entry type ${JSON.stringify(type)} (tar would not extract it as written)`, 'HOSTILE_ENTRY');
    const values: Record<string, number> = {};
    for (const [field, off, len] of FIELDS) {
      const v = numeric(h, off, len);
      if (v === undefined) throw bad(this.what, name, `invalid ${field} field ${JSON.stringify(h.toString('latin1', off, off + len))}: not a number`);
      values[field] = v;
    }
    if ((values.mode as number) > 0o7777) throw bad(this.what, name, `mode ${(values.mode as number).toString(8)} is out of range`);
    const size = values.size as number;
    this.skip = Math.ceil(size / BLOCK) * BLOCK;
    this.pax = type === 'x' || type === 'g' ? { size, name, chunks: [], got: 0 } : undefined;
    if (this.pax && size === 0) this.checkPax();
  }

  /** pax records are `LEN key=value\n`, LEN counting the whole record: GNU tar refuses anything else. */
  private checkPax(): void {
    const p = this.pax as { name: string; chunks: Buffer[] };
    const data = Buffer.concat(p.chunks);
    this.pax = undefined;
    for (let at = 0; at < data.length;) {
      const sp = data.indexOf(0x20, at);
      const len = sp > at && sp - at <= 20 ? Number(data.toString('latin1', at, sp)) : NaN;
      const rec = Number.isSafeInteger(len) && len > sp - at + 1 ? data.subarray(at, at + len) : undefined;
      if (rec === undefined || rec.length !== len || rec[len - 1] !== 0x0a || rec.indexOf(0x3d, sp - at) < 0) {
        throw bad(this.what, p.name, `malformed pax extended header record at byte ${at}`);
      }
      at += len;
    }
  }
}
