// xz decoding where the native addon cannot load: node-liblzma's own liblzma
// compiled to WebAssembly (the same liblzma version as the addon), driven
// through lzma_code() as a Node Transform. Unlike a stream wrapper that ends
// quietly, it fails unless the decoder reached the end of the stream.
import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';

const OUT = 64 * 1024;
const LZMA_OK = 0;
const LZMA_STREAM_END = 1;
const LZMA_RUN = 0;
const LZMA_FINISH = 3;
/** liblzma's LZMA_BUF_ERROR: what a truncated stream gives. */
const LZMA_BUF_ERROR = 10;

type Wasm = typeof import('node-liblzma/wasm');

let wasm: Promise<Wasm> | undefined;
/** Loads and instantiates the WASM liblzma once. */
export function loadWasm(): Promise<Wasm> {
  wasm ??= import('node-liblzma/wasm').then(async (w) => {
    await w.initModule();
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
  w.decoderInit(stream);
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
