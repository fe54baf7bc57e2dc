// Input bytes held until a whole block is in, joined only when a block spans chunks,
// and the Transform both block decoders (lz4 legacy, lzop) are built on.
import { Transform, type TransformCallback } from 'node:stream';

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

/** A decoder that queues its input and decodes every whole block as it arrives. */
export abstract class BlockDecoder extends Transform {
  protected readonly q = new ChunkQueue();

  /** Decodes the whole blocks held in `q`; throws on bad input. */
  protected abstract blocks(): void;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.q.push(chunk);
    try {
      this.blocks();
      done();
    } catch (err) {
      done(err as Error);
    }
  }
}
