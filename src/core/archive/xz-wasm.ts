// xz and .lzma decoding in WebAssembly: node-liblzma's own liblzma compiled to
// WebAssembly (the same liblzma version as the addon), driven through
// lzma_code() as a Node Transform. It decodes .xz where the native addon
// cannot load, and the kernel's legacy .lzma (the addon reads only .xz) where
// there is no system xz. Unlike a stream wrapper that ends quietly, it fails
// unless the decoder reached the end of the stream.
import { readFile } from 'node:fs/promises';
import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';
import { DECODE_PIECE } from '../constants.js';

const LZMA_OK = 0;
const LZMA_STREAM_END = 1;
const LZMA_RUN = 0;
const LZMA_FINISH = 3;
/** liblzma's LZMA_BUF_ERROR: what a truncated stream gives. */
const LZMA_BUF_ERROR = 10;

/** liblzma's memory limit reached, in words (the system xz words it its own way). */
export const overMemlimit = (limit: number): string => `needs more than ${limit >> 20} MiB of memory`;

/** A format the one driver decodes. */
interface WasmFormat {
  name: string;
  /** liblzma's decoder for it: the .xz one, or the auto one (which reads .lzma). */
  init: '_lzma_stream_decoder' | '_lzma_auto_decoder';
  memlimit: number;
  /** Bytes after the end of the stream: xz allows only zero padding; .lzma leaves them alone (the kernel's appended size). */
  after: 'zeros' | 'anything';
}

/** 256 MiB, far over what xz -9 needs (65 MiB). */
const XZ: WasmFormat = { name: 'xz', init: '_lzma_stream_decoder', memlimit: 256 << 20, after: 'zeros' };
/** The kernel's `lzma -9` needs about 70 MiB (a 64 MiB dictionary). */
export const LZMA_MEMLIMIT = 320 << 20;
const LZMA: WasmFormat = { name: 'lzma', init: '_lzma_auto_decoder', memlimit: LZMA_MEMLIMIT, after: 'anything' };

type Wasm = typeof import('node-liblzma/wasm');

let wasm: Promise<Wasm> | undefined;
/** liblzma.wasm: next to the bundle (dist/node-liblzma/wasm/), else in node_modules (running from source). */
async function wasmBinary(): Promise<Buffer> {
  try {
    return await readFile(new URL('./node-liblzma/wasm/liblzma.wasm', import.meta.url));
  } catch {
    return readFile(new URL(import.meta.resolve('node-liblzma/wasm/liblzma.wasm')));
  }
}

/** Loads and instantiates the WASM liblzma once (its glue would fetch() the file, which Node cannot do for file: URLs). */
export function loadWasm(): Promise<Wasm> {
  wasm ??= import('node-liblzma/wasm').then(async (w) => {
    const bytes = await wasmBinary();
    await w.initModule(async () => {
      const glue = (await import('node-liblzma/wasm/liblzma.js')) as unknown as { default: (m: object) => Promise<unknown> };
      const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      return (await glue.default({ wasmBinary })) as Awaited<ReturnType<Wasm['getModule']>>;
    });
    return w;
  });
  return wasm;
}

/** An error shaped like the addon's (an errno), so one mapping serves both. */
function lzmaError(errno: number, message: string): Error {
  return Object.assign(new Error(message), { errno });
}

/** A Node Transform that decodes one stream of `f` with the WASM liblzma. */
async function wasmDecoder(f: WasmFormat, opts: TransformOptions): Promise<Transform> {
  const w = await loadWasm();
  const mod = w.getModule();
  const stream = new w.WasmLzmaStream(mod);
  // Both take (stream, 64-bit memlimit, flags). The glue passes the limit as two
  // 32-bit halves unless it was built with BigInt support, which node-liblzma's
  // own decoderInit() does not allow for: call the decoder directly.
  const init = (mod as unknown as Record<string, (...a: Array<number | bigint>) => number>)[f.init] as (...a: Array<number | bigint>) => number;
  const ret = init.length === 3 ? init(stream.ptr, BigInt(f.memlimit), 0) : init(stream.ptr, f.memlimit, 0, 0);
  if (ret !== LZMA_OK) {
    stream.free();
    throw lzmaError(ret, `liblzma (WASM) cannot start a ${f.name} decoder (error ${ret})`);
  }
  const out = mod._malloc(DECODE_PIECE);
  let ended = false;
  let freed = false;
  const free = (): void => {
    if (freed) return;
    freed = true;
    w.end(stream);
    stream.free();
    mod._free(out);
  };
  /** liblzma's return codes in words. */
  const reason = (code: number): string => ({ 5: 'out of memory', 6: overMemlimit(f.memlimit), 7: `not ${f.name} data`, 8: 'unsupported options',
    9: 'corrupt data', 10: 'truncated' } as Record<number, string>)[code] ?? `liblzma (WASM) error ${code}`;
  const afterEnd = (rest: Uint8Array): void => {
    if (f.after === 'zeros' && rest.some((b) => b !== 0)) throw lzmaError(LZMA_BUF_ERROR, `data after the end of the ${f.name} stream`);
  };
  const run = (t: Transform, chunk: Uint8Array, action: number): void => {
    if (ended) {
      afterEnd(chunk);
      return;
    }
    const inPtr = chunk.byteLength > 0 ? w.copyToWasm(mod, chunk) : 0;
    try {
      stream.setInput(inPtr, chunk.byteLength);
      for (;;) {
        stream.setOutput(out, DECODE_PIECE);
        const ret = w.code(stream, action);
        const produced = DECODE_PIECE - stream.availOut;
        if (produced > 0) t.push(Buffer.from(w.copyFromWasm(mod, out, produced)));
        if (ret === LZMA_STREAM_END) {
          ended = true;
          afterEnd(chunk.subarray(chunk.byteLength - stream.availIn));
          return;
        }
        if (ret !== LZMA_OK) throw lzmaError(ret, reason(ret));
        if (stream.availIn === 0 && stream.availOut > 0) {
          if (action === LZMA_FINISH) throw lzmaError(LZMA_BUF_ERROR, `the ${f.name} stream is truncated`);
          return;
        }
      }
    } finally {
      if (inPtr !== 0) mod._free(inPtr);
    }
  };
  return new Transform({
    ...opts,
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
      try {
        run(this, chunk, LZMA_RUN);
        cb();
      } catch (err) {
        free();
        cb(err as Error);
      }
    },
    flush(cb: TransformCallback): void {
      try {
        run(this, new Uint8Array(0), LZMA_FINISH);
        cb();
      } catch (err) {
        cb(err as Error);
      } finally {
        free();
      }
    },
    destroy(err, cb): void {
      free();
      cb(err);
    },
  });
}

/** One xz stream; stream padding after it is allowed. */
export const wasmUnxz = (opts: TransformOptions = {}): Promise<Transform> => wasmDecoder(XZ, opts);

/** One legacy .lzma stream (liblzma's auto decoder); what follows it is left alone. */
export const wasmUnlzma = (opts: TransformOptions = {}): Promise<Transform> => wasmDecoder(LZMA, opts);
