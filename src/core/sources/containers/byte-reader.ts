// Pull-based reading of a byte stream, for the package containers (ar, the
// RPM headers, cpio): exact header reads, and member bodies streamed through
// without buffering them. Every read past the end is a CORRUPT_ARCHIVE error.
import { corrupt, type KheadersError } from '../../errors.js';

const EMPTY = Buffer.alloc(0);

function toBuffer(c: Uint8Array): Buffer {
  return Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.length);
}

/** Reads a stream front to back: exact fields, streamed sections, the rest. */
export class ByteReader {
  private buf: Buffer = EMPTY;
  private readonly it: AsyncIterator<Uint8Array>;
  private ended = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** Bytes consumed so far. */
  offset = 0;

  constructor(src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, private readonly what: string) {
    this.it = Symbol.asyncIterator in src ? src[Symbol.asyncIterator]() : (async function* sync() { yield* src; })();
  }

  truncated(field: string): KheadersError {
    return corrupt(`${this.what} is truncated (ends inside ${field}, at byte ${this.offset + this.buf.length})`);
  }

  private async more(): Promise<Buffer | undefined> {
    if (this.ended) return undefined;
    const r = await this.it.next();
    if (r.done === true) {
      this.ended = true;
      return undefined;
    }
    return toBuffer(r.value);
  }

  /** Buffers at least n bytes if the input has them; returns how many are buffered. */
  private async fill(n: number): Promise<number> {
    if (this.buf.length >= n) return this.buf.length;
    const parts = [this.buf];
    let have = this.buf.length;
    while (have < n) {
      const c = await this.more();
      if (c === undefined) break;
      parts.push(c);
      have += c.length;
    }
    this.buf = parts.length === 1 ? this.buf : Buffer.concat(parts, have);
    return have;
  }

  /** The next n bytes without consuming them (fewer at the end of the input). */
  peek(n: number): Promise<Buffer> {
    return this.serial(async () => {
      await this.fill(n);
      return this.buf.subarray(0, n);
    });
  }

  /** Exactly n bytes (the caller has bounded n); `field` names them in the truncation error. */
  exact(n: number, field: string): Promise<Buffer> {
    return this.serial(async () => {
      if ((await this.fill(n)) < n) throw this.truncated(field);
      const out = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      this.offset += n;
      return out;
    });
  }

  /** Up to max bytes: what is buffered, else the next chunk. */
  private async chunk(max: number, field: string): Promise<Buffer> {
    if (this.buf.length === 0) {
      const c = await this.more();
      if (c === undefined) throw this.truncated(field);
      this.buf = c;
    }
    const out = this.buf.subarray(0, Math.min(max, this.buf.length));
    this.buf = this.buf.subarray(out.length);
    this.offset += out.length;
    return out;
  }

  /**
   * The next n bytes as a streamed section: `body` yields them in chunks,
   * `skip` consumes whatever `body` did not (call it before reading on).
   * Reads are serialized, so a body abandoned mid-read (its consumer was
   * torn down) cannot interleave with the skip.
   */
  section(n: number, field: string): { body: () => AsyncGenerator<Buffer>; skip: () => Promise<void> } {
    let left = n;
    const next = (): Promise<Buffer> => this.serial(async () => {
      if (left === 0) return EMPTY;
      const c = await this.chunk(left, field);
      left -= c.length;
      return c;
    });
    return {
      body: async function* body(): AsyncGenerator<Buffer> {
        while (left > 0) {
          const c = await next();
          if (c.length > 0) yield c;
        }
      },
      skip: async (): Promise<void> => {
        while (left > 0) await next();
      },
    };
  }

  /** Runs fn after every read queued before it. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** True when no byte is left. */
  atEnd(): Promise<boolean> {
    return this.serial(async () => (await this.fill(1)) === 0);
  }

  /** Everything not yet consumed, as a stream (the reader must not be used afterwards). */
  async *rest(): AsyncGenerator<Buffer> {
    await this.queue;
    if (this.buf.length > 0) yield this.buf;
    this.buf = EMPTY;
    for (let c = await this.more(); c !== undefined; c = await this.more()) yield c;
  }

  /** Closes the input early (runs its cleanup). */
  async close(): Promise<void> {
    this.ended = true;
    await this.it.return?.();
  }
}
