// bzip2 in JavaScript (the fallback without a system bzip2): seek-bzip's
// decoder (checks every block CRC and the stream CRC), run one block per turn
// so the reader's cap and abort stop a bomb between blocks (one block is at
// most a few tens of MB). Like bzip2 it decodes concatenated streams (pbzip2's
// output) and ignores bytes after the last stream that do not start another
// (the size the kernel appends).
import { Transform, type TransformCallback } from 'node:stream';
import Bunzip from 'seek-bzip';

const OUT_CHUNK = 1 << 20;

/** seek-bzip throws TypeErrors for bad data ("Data error", "Bad block CRC"): they are data errors. */
function plain(err: unknown): Error {
  return new Error(err instanceof Error ? err.message : String(err));
}

/** "BZh" and a block size digit at `at`. */
export function startsStream(b: Buffer, at: number): boolean {
  return b.length - at >= 4 && b.toString('latin1', at, at + 3) === 'BZh' && b[at + 3] >= 0x31 && b[at + 3] <= 0x39;
}

class Bunzip2 extends Transform {
  private readonly input: Buffer[] = [];

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.input.push(chunk);
    done();
  }

  override _flush(done: TransformCallback): void {
    const buf = Buffer.concat(this.input);
    this.input.length = 0;
    let pos = 0;
    const src = {
      readByte: (): number => {
        if (pos >= buf.length) throw new Error('unexpected end of data');
        return buf[pos++];
      },
      read(out: Buffer, off: number, len: number): number {
        const n = Math.min(len, buf.length - pos);
        buf.copy(out, off, pos, pos + n);
        pos += n;
        return n;
      },
      seek: (p: number): void => { pos = p; },
      eof: (): boolean => pos >= buf.length,
    };
    let out = Buffer.allocUnsafe(OUT_CHUNK);
    let n = 0;
    const flushOut = (): void => {
      if (n > 0) this.push(Buffer.from(out.subarray(0, n)));
      out = Buffer.allocUnsafe(OUT_CHUNK);
      n = 0;
    };
    const sink = { writeByte: (b: number): void => { out[n++] = b; if (n === OUT_CHUNK) flushOut(); } };
    let bz: Bunzip;
    try {
      bz = new Bunzip(src, sink);
    } catch (err) {
      done(plain(err));
      return;
    }
    const step = (): void => {
      if (this.destroyed) return;
      try {
        if (bz._init_block()) {
          bz._read_bunzip();
          flushOut();
          setImmediate(step);
          return;
        }
        const want = bz.reader.read(32) >>> 0;
        if (want !== bz.streamCRC >>> 0) throw new Error('bad stream CRC');
        // The reader has consumed the stream's last partial byte: pos is where another would start.
        if (startsStream(buf, pos)) {
          bz._start_bunzip(src, sink);
          setImmediate(step);
          return;
        }
      } catch (err) {
        done(plain(err));
        return;
      }
      done();
    };
    step();
  }
}

/** seek-bzip's decoder. */
export const bunzip2Js = (): Transform => new Bunzip2();
