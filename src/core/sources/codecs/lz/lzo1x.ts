// One LZO1X block (the kernel's lzop payloads), decoded with every length and
// distance bounded. Ours (see README "Dependencies"): the npm packages that
// decode LZO are native addons (lzo, lzo-decompress) or an FFmpeg WebAssembly
// build for browsers (lzo-wasm), none of which fit the single-file CLI.
// Format: the kernel's Documentation/staging/lzo.rst (bitstream version 0).

const TRUNCATED = 'lzo block ends inside an instruction';
const OVERRUN = 'lzo block decodes past its declared size';

/** Decodes `src` into `dst` from index 0; returns the output length. Throws on any bad instruction. */
export function lzo1xDecodeBlock(src: Uint8Array, dst: Uint8Array): number {
  const n = src.length;
  const cap = dst.length;
  let s = 0;
  let d = 0;
  let state = 0;
  /** A length of `base` plus 255 per zero byte plus the first non-zero byte. */
  const ext = (base: number): number => {
    let len = base;
    for (;;) {
      if (s >= n) throw new Error(TRUNCATED);
      const b = src[s++];
      if (b !== 0) return len + b;
      len += 255;
    }
  };
  if (n === 0) throw new Error(TRUNCATED);
  let lit = 0;
  if (src[0] > 17) {
    lit = src[s++] - 17;
    state = lit < 4 ? lit : 4;
  }
  for (;;) {
    // Literals owed by the previous instruction (or the first byte).
    if (lit > 0) {
      if (n - s < lit) throw new Error(TRUNCATED);
      if (cap - d < lit) throw new Error(OVERRUN);
      if (lit > 16) dst.set(src.subarray(s, s + lit), d);
      else for (let i = 0; i < lit; i++) dst[d + i] = src[s + i];
      s += lit;
      d += lit;
      lit = 0;
    }
    if (s >= n) throw new Error(TRUNCATED);
    const t = src[s++];
    let dist: number;
    let len: number;
    if (t < 16) {
      if (state === 0) {
        lit = t === 0 ? ext(15) + 3 : t + 3;
        state = 4;
        continue;
      }
      if (s >= n) throw new Error(TRUNCATED);
      dist = (src[s++] << 2) + ((t >> 2) & 3) + (state === 4 ? 2049 : 1);
      len = state === 4 ? 3 : 2;
      lit = t & 3;
    } else if (t < 32) {
      len = 2 + ((t & 7) === 0 ? ext(7) : t & 7);
      if (n - s < 2) throw new Error(TRUNCATED);
      const v = src[s] | (src[s + 1] << 8);
      s += 2;
      dist = 16384 + ((t & 8) << 11) + (v >> 2);
      if (dist === 16384) {
        if (s !== n) throw new Error(`lzo block has ${n - s} bytes after its end marker`);
        return d;
      }
      lit = v & 3;
    } else if (t < 64) {
      len = 2 + ((t & 31) === 0 ? ext(31) : t & 31);
      if (n - s < 2) throw new Error(TRUNCATED);
      const v = src[s] | (src[s + 1] << 8);
      s += 2;
      dist = (v >> 2) + 1;
      lit = v & 3;
    } else {
      if (s >= n) throw new Error(TRUNCATED);
      dist = (src[s++] << 3) + ((t >> 2) & 7) + 1;
      len = t < 128 ? 3 + ((t >> 5) & 1) : 5 + ((t >> 5) & 3);
      lit = t & 3;
    }
    if (dist > d) throw new Error(`lzo match distance ${dist} points before the output`);
    if (cap - d < len) throw new Error(OVERRUN);
    if (dist >= len && len > 32) {
      dst.copyWithin(d, d - dist, d - dist + len);
      d += len;
    } else {
      for (let m = d - dist, e = d + len; d < e;) dst[d++] = dst[m++];
    }
    state = lit;
  }
}
