// zstd through node:zlib (libzstd, Node >= 22.15 / 23.8), behind the frame
// guard. A zlib zstd stream decodes one frame and ignores what follows, so
// each frame (as the guard finds their ends) gets a stream of its own. zlib
// hands its output on in CHUNK pieces only as the reader takes them, so the
// table's cap holds within a chunk; ZSTD_d_windowLogMax backs up the guard's
// window limit.
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { FrameScanner, MAX_ZSTD_WINDOW } from './guard.js';

type ZstdStream = Transform;
interface ZstdZlib {
  createZstdDecompress?(opts: { chunkSize?: number; params?: Record<number, number> }): ZstdStream;
}

const CHUNK = 128 * 1024;
const create = (zlib as unknown as ZstdZlib).createZstdDecompress;
const WINDOW_LOG_MAX = (zlib.constants as unknown as Record<string, number | undefined>).ZSTD_d_windowLogMax;

/** True when this Node has zstd in node:zlib. */
export const hasNativeZstd = (): boolean => typeof create === 'function' && WINDOW_LOG_MAX !== undefined;

class NativeZstd extends Transform {
  private readonly scanner = new FrameScanner(MAX_ZSTD_WINDOW);
  /** The current frame's stream, and its end (or failure). */
  private frame?: { z: ZstdStream; done: Promise<void> };

  private current(): { z: ZstdStream; done: Promise<void> } {
    if (this.frame !== undefined) return this.frame;
    const z = (create as NonNullable<ZstdZlib['createZstdDecompress']>)({
      chunkSize: CHUNK,
      params: { [WINDOW_LOG_MAX as number]: Math.log2(MAX_ZSTD_WINDOW) },
    });
    z.on('data', (c: Buffer) => {
      if (!this.push(c)) z.pause();
    });
    const done = new Promise<void>((ok, fail) => {
      z.once('end', ok);
      z.once('error', fail);
    });
    done.catch(() => undefined); // awaited by write/close; never unhandled
    return (this.frame = { z, done });
  }

  private async toFrame(b: Buffer): Promise<void> {
    if (b.length === 0) return;
    const f = this.current();
    await Promise.race([new Promise<void>((ok) => f.z.write(b, () => ok())), f.done]);
  }

  private async endFrame(): Promise<void> {
    const f = this.current();
    this.frame = undefined;
    f.z.end();
    await f.done;
  }

  private async feed(chunk: Buffer, ends: number[]): Promise<void> {
    let from = 0;
    for (const at of ends) {
      await this.toFrame(chunk.subarray(from, at));
      await this.endFrame();
      from = at;
    }
    await this.toFrame(chunk.subarray(from));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.scanner.scan(chunk);
    } catch (err) {
      cb(err as Error);
      return;
    }
    this.feed(chunk, this.scanner.ends).then(() => cb(), cb);
  }

  override _flush(cb: TransformCallback): void {
    try {
      // Throws unless the input ended between frames, so no frame stream is left open.
      this.scanner.finish();
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _read(size: number): void {
    this.frame?.z.resume();
    super._read(size);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.frame?.z.destroy();
    cb(err);
  }
}

/** node:zlib's zstd behind the guard; only where hasNativeZstd(). */
export const nativeZstdDecoder = (): Transform => new NativeZstd();
