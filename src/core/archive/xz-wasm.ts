// xz decoding where the native addon cannot load: node-liblzma's own liblzma
// compiled to WebAssembly (the same liblzma version as the addon), driven
// through lzma_code() as a Node Transform. Unlike a stream wrapper that ends
// quietly, it fails unless the decoder reached the end of the stream.
import { readFile } from 'node:fs/promises';
import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';

const OUT = 64 * 1024;
/** The decoder's memory limit: 256 MiB, far over what xz -9 needs (65 MiB). */
const MEMLIMIT = 256 * 1024 * 1024;
const LZMA_OK = 0;
const LZMA_STREAM_END = 1;
const LZMA_RUN = 0;
const LZMA_FINISH = 3;
/** liblzma's LZMA_BUF_ERROR: what a truncated stream gives. */
const LZMA_BUF_ERROR = 10;

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

/** A Node Transform that decodes one xz stream with the WASM liblzma; stream padding after it is allowed. */
export async function wasmUnxz(opts: TransformOptions = {}): Promise<Transform> {
  const w = await loadWasm();
  const mod = w.getModule();
  const stream = new w.WasmLzmaStream(mod);
  // The glue takes lzma_stream_decoder's 64-bit memlimit as two 32-bit halves (no BigInt
  // support), which node-liblzma's own decoderInit() does not do: call it directly.
  const init = (mod as unknown as { _lzma_stream_decoder: (s: number, lo: number, hi: number, flags: number) => number })._lzma_stream_decoder;
  const ret = init(stream.ptr, MEMLIMIT, 0, 0);
  if (ret !== LZMA_OK) {
    stream.free();
    throw lzmaError(ret, `liblzma (WASM) cannot start a decoder (error ${ret})`);
  }
  const out = mod._malloc(OUT);
  let ended = false;
  let freed = false;
  const free = (): void => {
    if (freed) return;
    freed = true;
    w.end(stream);
    stream.free();
    mod._free(out);
  };
  const run = (t: Transform, chunk: Uint8Array, action: number): void => {
    if (ended) {
      if (chunk.some((b) => b !== 0)) throw lzmaError(LZMA_BUF_ERROR, 'data after the end of the xz stream');
      return;
    }
    const inPtr = chunk.byteLength > 0 ? w.copyToWasm(mod, chunk) : 0;
    try {
      stream.setInput(inPtr, chunk.byteLength);
      for (;;) {
        stream.setOutput(out, OUT);
        const ret = w.code(stream, action);
        const produced = OUT - stream.availOut;
        if (produced > 0) t.push(Buffer.from(w.copyFromWasm(mod, out, produced)));
        if (ret === LZMA_STREAM_END) {
          ended = true;
          const rest = chunk.subarray(chunk.byteLength - stream.availIn);
          if (rest.some((b) => b !== 0)) throw lzmaError(LZMA_BUF_ERROR, 'data after the end of the xz stream');
          return;
        }
        if (ret !== LZMA_OK) throw lzmaError(ret, `liblzma (WASM) error ${ret}`);
        if (stream.availIn === 0 && stream.availOut > 0) {
          if (action === LZMA_FINISH) throw lzmaError(LZMA_BUF_ERROR, 'the xz stream is truncated');
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
