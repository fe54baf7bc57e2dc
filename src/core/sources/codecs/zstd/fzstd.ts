// zstd in JavaScript (the fallback): fzstd behind the frame guard (guard.ts).
// Each chunk is cut into pieces of a few blocks; the next piece is decoded only
// once the reader has taken the output of the last, so the table's output cap
// holds within a chunk.
import { Transform, type TransformCallback } from 'node:stream';
import { Decompress } from 'fzstd';
import { checkWork, FrameScanner, MAX_ZSTD_WINDOW } from './guard.js';

/** Blocks pushed to fzstd at once, so the output is handed on every 1 MiB at most. */
const PIECE_BLOCKS = 8;

class ZstdDecoder extends Transform {
  private readonly scanner = new FrameScanner(MAX_ZSTD_WINDOW);
  private readonly out: Buffer[] = [];
  private readonly fz = new Decompress((c) => {
    if (c.length > 0) this.out.push(Buffer.from(c.buffer, c.byteOffset, c.length));
  });
  private seen = 0;
  /** The rest of a chunk, waiting for the reader. */
  private rest: (() => void) | undefined;

  /** Hands on what fzstd produced; false when the reader has enough for now. */
  private handOn(): boolean {
    let ok = true;
    for (const c of this.out.splice(0)) ok = this.push(c) && ok;
    return ok;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const pieces: Buffer[] = [];
    try {
      this.seen += chunk.length;
      const starts = this.scanner.scan(chunk);
      checkWork(this.scanner, this.seen);
      let from = 0;
      for (let k = PIECE_BLOCKS; k < starts.length; k += PIECE_BLOCKS) {
        pieces.push(chunk.subarray(from, starts[k]));
        from = starts[k] as number;
      }
      pieces.push(chunk.subarray(from));
    } catch (err) {
      cb(err as Error);
      return;
    }
    const step = (): void => {
      try {
        for (let p = pieces.shift(); p !== undefined; p = pieces.shift()) {
          this.fz.push(p, false);
          if (!this.handOn() && pieces.length > 0) {
            this.rest = step;
            return;
          }
        }
      } catch (err) {
        cb(err as Error);
        return;
      }
      cb();
    };
    step();
  }

  override _read(size: number): void {
    const r = this.rest;
    this.rest = undefined;
    // On the next tick, not inside _read: Readable takes the buffered output only
    // after _read returns, and calls _read again only after a push.
    if (r !== undefined) process.nextTick(r);
    else super._read(size);
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.scanner.finish();
      this.fz.push(new Uint8Array(0), true);
      this.handOn();
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }
}

/** fzstd behind the guard. */
export const fzstdDecoder = (): Transform => new ZstdDecoder();
