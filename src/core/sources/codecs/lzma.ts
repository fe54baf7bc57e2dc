// Legacy .lzma ("LZMA-alone", the kernel's `lzma -9`): the system xz where it
// is on PATH (C liblzma: a 20 MB arm64 Image in 0.25 s less than the WASM
// build, which must also load), else liblzma's auto decoder from
// node-liblzma's WebAssembly build (the native addon has no .lzma decoder).
// Both under one memory limit; bytes after the end of the stream are left
// alone (the kernel appends the decoded size).
import { Transform, type TransformCallback } from 'node:stream';
import { loadWasm } from '../../archive/xz-wasm.js';
import { toolDecoder } from './system-tool.js';

/** liblzma's memory limit: the kernel's `lzma -9` needs about 70 MiB (a 64 MiB dictionary). */
const MEMLIMIT = 320 << 20;
const OUT = 1 << 20;
/** xz as a .lzma decoder: one stream, what follows it ignored, errors on stderr (-q keeps those). */
const XZ_ARGS = ['-d', '-c', '-q', '--format=lzma', '--single-stream', `--memlimit=${MEMLIMIT >> 20}MiB`];
const REASONS: Record<number, string> = { 5: 'out of memory', 6: `needs more than ${MEMLIMIT >> 20} MiB of memory`, 7: 'not LZMA data', 8: 'unsupported options', 9: 'corrupt data', 10: 'truncated' };

type Glue = Awaited<ReturnType<typeof loadWasm>>;
type Wasm = ReturnType<Glue['getModule']>;
type WasmLzmaStream = InstanceType<Glue['WasmLzmaStream']>;

class Unlzma extends Transform {
  private g: Glue | undefined;
  private m: Wasm | undefined;
  private s: WasmLzmaStream | undefined;
  private out = 0;
  private ended = false;

  private async start(): Promise<void> {
    const g = await loadWasm();
    const m = g.getModule();
    const s = new g.WasmLzmaStream(m);
    const init = m._lzma_auto_decoder as unknown as (...a: (number | bigint)[]) => number;
    // The build passes the 64-bit limit as two 32-bit halves, unless built with BigInt support.
    const ret = init.length === 3 ? init(s.ptr, BigInt(MEMLIMIT), 0) : init(s.ptr, MEMLIMIT, 0, 0);
    if (ret !== g.LZMA_OK) throw new Error(`liblzma could not start (${ret})`);
    this.g = g;
    this.m = m;
    this.s = s;
    this.out = m._malloc(OUT);
  }

  /** Runs input through the decoder, pushing what comes out. */
  private run(input: Buffer | undefined): void {
    const g = this.g as Glue;
    const m = this.m as Wasm;
    const s = this.s as WasmLzmaStream;
    const ptr = input === undefined ? 0 : g.copyToWasm(m, input);
    try {
      s.setInput(ptr, input?.length ?? 0);
      while (!this.ended) {
        s.setOutput(this.out, OUT);
        const ret = g.code(s, input === undefined ? g.LZMA_FINISH : g.LZMA_RUN);
        const n = OUT - s.availOut;
        if (n > 0) this.push(Buffer.from(m.HEAPU8.subarray(this.out, this.out + n)));
        if (ret === g.LZMA_STREAM_END) this.ended = true;
        else if (ret !== g.LZMA_OK) throw new Error(REASONS[ret] ?? `liblzma error ${ret}`);
        else if (input !== undefined && s.availIn === 0 && n < OUT) break;
      }
    } finally {
      if (ptr !== 0) m._free(ptr);
    }
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.ended) return done();
    const go = this.m === undefined ? this.start() : Promise.resolve();
    go.then(() => { this.run(chunk); done(); }, (e: Error) => done(e)).catch((e: Error) => done(e));
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.m === undefined) throw new Error('empty input');
      if (!this.ended) this.run(undefined);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _destroy(err: Error | null, done: (e: Error | null) => void): void {
    if (this.m !== undefined && this.s !== undefined) {
      this.m._lzma_end(this.s.ptr);
      this.s.free();
      this.m._free(this.out);
      this.m = undefined;
    }
    done(err);
  }
}

/** A dictionary size `lzma` writes: 2^n or 2^n + 2^(n-1), 4 KiB to 1.5 GiB. */
function plausibleDict(d: number): boolean {
  for (let n = 12; n <= 30; n++) if (d === 2 ** n || d === 2 ** n + 2 ** (n - 1)) return true;
  return false;
}

export const lzma = {
  name: 'lzma',
  /** A weak magic: properties byte, dictionary size, and a decoded size that is unknown (all ones) or under 256 GiB. */
  sniff: (head: Buffer): boolean => head.length >= 13 && head[0] < 225 && plausibleDict(head.readUInt32LE(1))
    && (head.subarray(5, 13).every((b) => b === 0xff) || head.readUInt32LE(9) < 0x40),
  decoder: (): Transform => toolDecoder('xz', XZ_ARGS) ?? unlzmaWasm(),
  /** The system xz's word for the memory limit, as the WASM build words it. */
  explain: (err: unknown): string | undefined => (/Memory usage limit reached/.test(String(err)) ? REASONS[6] : undefined),
};

/** The WebAssembly decoder (KHEADERS_SYSTEM_CODECS=0, or no xz on PATH). */
export function unlzmaWasm(): Transform {
  return new Unlzma();
}
