// Cuts one bzip2 stream into independent streams at block boundaries, so
// several bzip2 processes can decode it at once (bzip2 itself is single
// threaded; its blocks are independent). Blocks start at any bit, behind a
// 48-bit magic; each carries its CRC, and the stream's CRC combines them, so a
// part's CRC is the combination of its own blocks'. The cut is checked: the
// block CRCs found must combine to the stream's own CRC (a magic that is only
// data fails that), else there is no cut and one process decodes it all.
const BLOCK = 0x314159265359;
const END = 0x177245385090;

/** `n` (<= 48) bits of `b` from bit `at`, most significant first. */
function bits(b: Buffer, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const p = at + i;
    v = v * 2 + (((b[p >> 3] ?? 0) >> (7 - (p & 7))) & 1);
  }
  return v;
}

function putBits(b: Buffer, at: number, value: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const p = at + i;
    if (Math.floor(value / 2 ** (n - 1 - i)) % 2 === 1) b[p >> 3] |= 0x80 >> (p & 7);
  }
}

/** Bit offsets where the 48-bit `magic` occurs in `b`. */
function find(b: Buffer, magic: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < 8; s++) {
    // Bytes 1-4 after the one the magic starts in are whole bytes of it, at any shift.
    const key = Buffer.from([1, 2, 3, 4].map((k) => Math.floor(magic / 2 ** (48 - (8 * k - s) - 8)) % 256));
    for (let i = b.indexOf(key, 1); i >= 0; i = b.indexOf(key, i + 1)) {
      const at = (i - 1) * 8 + s;
      if (bits(b, at, 48) === magic) out.push(at);
    }
  }
  return out.sort((x, y) => x - y);
}

const rotl1 = (c: number): number => ((c << 1) | (c >>> 31)) >>> 0;
const combine = (crcs: number[]): number => crcs.reduce((c, k) => (rotl1(c) ^ k) >>> 0, 0);

/** A stream of the header's level, the blocks in bits [from, to) of `b`, and the end marker with `crc`. */
function stream(b: Buffer, from: number, to: number, crc: number): Buffer {
  const n = to - from;
  const out = Buffer.alloc(4 + Math.ceil((n + 80) / 8));
  b.copy(out, 0, 0, 4);
  const [i0, s] = [from >> 3, from & 7];
  for (let j = 0; j < Math.ceil(n / 8); j++) out[4 + j] = ((b[i0 + j] ?? 0) << s | (s === 0 ? 0 : (b[i0 + j + 1] ?? 0) >> (8 - s))) & 0xff;
  if (n % 8 !== 0) out[4 + (n >> 3)] &= (0xff << (8 - (n % 8))) & 0xff;
  putBits(out, 32 + n, END, 48);
  putBits(out, 32 + n + 48, crc, 32);
  return out;
}

/**
 * `b` as up to `parts` streams that decode, one after another, to what `b`
 * decodes to; undefined unless `b` is one stream of at least `parts` blocks
 * with nothing after it.
 */
export function splitBzip2(b: Buffer, parts: number): Buffer[] | undefined {
  if (parts < 2 || b.length < 14 || b.toString('latin1', 0, 3) !== 'BZh' || b[3] < 0x31 || b[3] > 0x39) return undefined;
  const end = find(b, END).filter((e) => Math.ceil((e + 80) / 8) === b.length).pop();
  if (end === undefined) return undefined;
  const starts = find(b, BLOCK).filter((p) => p >= 32 && p < end);
  if (starts[0] !== 32 || starts.length < parts) return undefined;
  const crcs = starts.map((p) => bits(b, p + 48, 32));
  if (combine(crcs) !== bits(b, end + 48, 32)) return undefined;
  // Cut at the block starts nearest to equal shares of the bits.
  const cuts = [0];
  for (let k = 1; k < parts; k++) {
    const want = 32 + ((end - 32) * k) / parts;
    const prev = cuts[k - 1] as number;
    let best = prev + 1;
    for (let i = prev + 2; i < starts.length; i++) if (Math.abs((starts[i] as number) - want) < Math.abs((starts[best] as number) - want)) best = i;
    cuts.push(best);
  }
  cuts.push(starts.length);
  const out: Buffer[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [a, z] = [cuts[k] as number, cuts[k + 1] as number];
    if (a >= z) return undefined;
    out.push(stream(b, starts[a] as number, z === starts.length ? end : starts[z] as number, combine(crcs.slice(a, z))));
  }
  return out;
}
