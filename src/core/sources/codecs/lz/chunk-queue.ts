// Input bytes held until a whole block is in, joined only when a block spans chunks.
export class ChunkQueue {
  private chunks: Buffer[] = [];
  /** Bytes held. */
  length = 0;

  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  /** The held bytes from the start, at least n of them (n <= length) in one buffer. */
  peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  /** Drops the first n bytes (n <= length). */
  consume(n: number): void {
    this.chunks[0] = this.peek(n).subarray(n);
    if (this.chunks[0].length === 0) this.chunks.shift();
    this.length -= n;
  }
}
