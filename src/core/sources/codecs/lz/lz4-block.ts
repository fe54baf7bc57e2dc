// One raw LZ4 block, decoded with every length and offset bounded. Ours (see
// README "Dependencies"): lz4js 0.2.0 decodes blocks without bounds checks, so
// a corrupt block decodes to silent garbage and a hostile one costs up to 255
// writes per input byte.

/** Decodes `src` into `dst` from index 0; returns the output length. Throws on any bad sequence. */
export function lz4DecodeBlock(src: Uint8Array, dst: Uint8Array): number {
  let s = 0;
  let d = 0;
  const length = (n: number): number => {
    if (n !== 15) return n;
    for (;;) {
      if (s >= src.length) throw new Error('lz4 block ends inside a length');
      const b = src[s++];
      n += b;
      if (b !== 255) return n;
    }
  };
  while (s < src.length) {
    const token = src[s++];
    const lit = length(token >> 4);
    if (lit > src.length - s) throw new Error('lz4 literals run past the block');
    if (lit > dst.length - d) throw new Error('lz4 block decodes past its size limit');
    if (lit > 32) {
      dst.set(src.subarray(s, s + lit), d);
      s += lit;
      d += lit;
    } else {
      for (const e = s + lit; s < e;) dst[d++] = src[s++];
    }
    if (s === src.length) return d;
    if (s + 2 > src.length) throw new Error('lz4 block ends inside a match offset');
    const off = src[s] | (src[s + 1] << 8);
    s += 2;
    if (off === 0 || off > d) throw new Error(`lz4 match offset ${off} points before the output`);
    const len = length(token & 15) + 4;
    if (len > dst.length - d) throw new Error('lz4 block decodes past its size limit');
    if (off >= len && len > 32) {
      dst.copyWithin(d, d - off, d - off + len);
      d += len;
    } else {
      for (let m = d - off, e = d + len; d < e;) dst[d++] = dst[m++];
    }
  }
  return d;
}
