// One LZO1X block (the kernel's lzop payloads), decoded with every length and
// distance bounded. Ours (see README "Dependencies"): the npm packages that
// decode LZO are native addons (lzo, lzo-decompress) or an FFmpeg WebAssembly
// build for browsers (lzo-wasm), none of which fit the single-file CLI.
// Format: the kernel's Documentation/staging/lzo.rst (bitstream version 0).

/** Decodes `src` into `dst` from index 0; returns the output length. Throws on any bad instruction. */
export function lzo1xDecodeBlock(src: Uint8Array, dst: Uint8Array): number {
  let s = 0;
  let d = 0;
  const need = (n: number): void => {
    if (src.length - s < n) throw new Error('lzo block ends inside an instruction');
  };
  const ext = (base: number): number => {
    let n = base;
    for (;;) {
      need(1);
      const b = src[s++];
      if (b !== 0) return n + b;
      n += 255;
    }
  };
  const literals = (n: number): void => {
    need(n);
    if (dst.length - d < n) throw new Error('lzo block decodes past its declared size');
    dst.set(src.subarray(s, s + n), d);
    s += n;
    d += n;
  };
  const copy = (dist: number, len: number): void => {
    if (dist > d) throw new Error(`lzo match distance ${dist} points before the output`);
    if (dst.length - d < len) throw new Error('lzo block decodes past its declared size');
    if (dist >= len) dst.copyWithin(d, d - dist, d - dist + len);
    else for (let i = 0; i < len; i++) dst[d + i] = dst[d - dist + i];
    d += len;
  };
  need(1);
  let state = 0;
  if (src[0] > 17) {
    const n = src[s++] - 17;
    literals(n);
    state = n < 4 ? n : 4;
  }
  for (;;) {
    need(1);
    const t = src[s++];
    let dist: number;
    let len: number;
    let next: number;
    if (t < 16) {
      if (state === 0) {
        literals(t === 0 ? ext(15) + 3 : t + 3);
        state = 4;
        continue;
      }
      need(1);
      const h = src[s++];
      dist = (h << 2) + ((t >> 2) & 3) + (state === 4 ? 2049 : 1);
      len = state === 4 ? 3 : 2;
      next = t & 3;
    } else if (t < 32) {
      len = 2 + ((t & 7) === 0 ? ext(7) : t & 7);
      need(2);
      const v = src[s] | (src[s + 1] << 8);
      s += 2;
      dist = 16384 + ((t & 8) << 11) + (v >> 2);
      if (dist === 16384) {
        if (s !== src.length) throw new Error(`lzo block has ${src.length - s} bytes after its end marker`);
        return d;
      }
      next = v & 3;
    } else if (t < 64) {
      len = 2 + ((t & 31) === 0 ? ext(31) : t & 31);
      need(2);
      const v = src[s] | (src[s + 1] << 8);
      s += 2;
      dist = (v >> 2) + 1;
      next = v & 3;
    } else {
      need(1);
      const h = src[s++];
      dist = (h << 3) + ((t >> 2) & 7) + 1;
      len = t < 128 ? 3 + ((t >> 5) & 1) : 5 + ((t >> 5) & 3);
      next = t & 3;
    }
    copy(dist, len);
    literals(next);
    state = next;
  }
}
