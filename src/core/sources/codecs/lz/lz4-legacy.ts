// lz4's legacy frame, as the kernel's `lz4 -l` writes it: a 4-byte magic, then
// blocks of a 4-byte little-endian compressed size and a raw block that
// decodes to at most 8 MiB. The magic may repeat (concatenated frames).
import { Transform, type TransformCallback } from 'node:stream';
import { BlockDecoder } from './chunk-queue.js';
import { lz4DecodeBlock } from './lz4-block.js';

const MAGIC = 0x184c2102;
const BLOCK_OUT = 8 << 20;
/** The compress bound of an 8 MiB block. */
const BLOCK_IN = BLOCK_OUT + Math.ceil(BLOCK_OUT / 255) + 16;

class Lz4Legacy extends BlockDecoder {
  private started = false;
  private readonly out = Buffer.allocUnsafe(BLOCK_OUT);

  protected blocks(): void {
    while (this.q.length >= 4) {
      const size = this.q.peek(4).readUInt32LE(0);
      if (size === MAGIC) {
        this.started = true;
        this.q.consume(4);
        continue;
      }
      if (!this.started) throw new Error('not an lz4 legacy frame');
      if (size === 0 || size > BLOCK_IN) throw new Error(`lz4 block size ${size} is out of range`);
      if (this.q.length - 4 < size) return;
      const n = lz4DecodeBlock(this.q.peek(4 + size).subarray(4, 4 + size), this.out);
      this.push(Buffer.from(this.out.subarray(0, n)));
      this.q.consume(4 + size);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.q.length > 0) done(new Error(`truncated: ${this.q.length} bytes after the last whole block`));
    else if (!this.started) done(new Error('empty input'));
    else done();
  }
}

export const lz4 = {
  name: 'lz4',
  sniff: (head: Buffer): boolean => head.length >= 4 && head.readUInt32LE(0) === MAGIC,
  decoder: (): Transform => new Lz4Legacy(),
};
