/**
 * Web Streams API for WASM XZ compression/decompression.
 *
 * Returns standard Web TransformStream instances (not Node.js streams).
 * Use `.pipeThrough()` instead of `.pipe()`.
 */
import { createLZMAError } from '../errors.js';
import { code, decoderInit, encoderInit, end, getModule } from './bindings.js';
import { copyFromWasm, copyToWasm, WasmLzmaStream, wasmAlloc, wasmFree } from './memory.js';
import { LZMA_CHECK_CRC64, LZMA_FINISH, LZMA_OK, LZMA_RUN, LZMA_STREAM_END } from './types.js';
// Chunk size for streaming I/O (64KB)
const CHUNK_SIZE = 64 * 1024;
/**
 * Create a Web TransformStream that compresses data to XZ format.
 *
 * @param opts - Compression options (preset, check)
 * @returns A TransformStream<Uint8Array, Uint8Array>
 *
 * @example
 * ```ts
 * const compressed = await new Response(
 *   readableStream.pipeThrough(createXz())
 * ).arrayBuffer();
 * ```
 */
export function createXz(opts) {
    const preset = opts?.preset ?? 6;
    const checkType = opts?.check ?? LZMA_CHECK_CRC64;
    const module = getModule();
    const stream = new WasmLzmaStream(module);
    encoderInit(stream, preset, checkType);
    const outPtr = wasmAlloc(module, CHUNK_SIZE);
    let cleaned = false;
    const doCleanup = () => {
        /* v8 ignore start - guard against double-cleanup */
        if (!cleaned) {
            cleaned = true;
            cleanup(module, stream, outPtr);
        }
        /* v8 ignore stop */
    };
    return new TransformStream({
        transform(chunk, controller) {
            try {
                processChunk(module, stream, outPtr, chunk, LZMA_RUN, controller);
                /* v8 ignore start - requires WASM compressor to error on valid input */
            }
            catch (e) {
                doCleanup();
                throw e;
            }
            /* v8 ignore stop */
        },
        flush(controller) {
            try {
                processChunk(module, stream, outPtr, new Uint8Array(0), LZMA_FINISH, controller);
            }
            finally {
                doCleanup();
            }
        },
        /* cancel() frees WASM resources when the readable side is cancelled.
           Part of the Streams spec but not yet in TypeScript's DOM lib. */
        // @ts-expect-error cancel is a valid Transformer method per Streams spec
        cancel: doCleanup,
    });
}
/**
 * Create a Web TransformStream that decompresses XZ data.
 *
 * @returns A TransformStream<Uint8Array, Uint8Array>
 *
 * @example
 * ```ts
 * const decompressed = await new Response(
 *   xzStream.pipeThrough(createUnxz())
 * ).arrayBuffer();
 * ```
 */
export function createUnxz() {
    const module = getModule();
    const stream = new WasmLzmaStream(module);
    decoderInit(stream);
    const outPtr = wasmAlloc(module, CHUNK_SIZE);
    let finished = false;
    let cleaned = false;
    const doCleanup = () => {
        /* v8 ignore start - guard against double-cleanup */
        if (!cleaned) {
            cleaned = true;
            cleanup(module, stream, outPtr);
        }
        /* v8 ignore stop */
    };
    return new TransformStream({
        transform(chunk, controller) {
            /* v8 ignore start - guard against chunks after STREAM_END */
            if (finished)
                return;
            /* v8 ignore stop */
            try {
                const done = processChunk(module, stream, outPtr, chunk, LZMA_RUN, controller);
                if (done)
                    finished = true;
            }
            catch (e) {
                doCleanup();
                throw e;
            }
        },
        flush(controller) {
            try {
                /* v8 ignore start - requires partial XZ block that doesn't error in transform */
                if (!finished) {
                    processChunk(module, stream, outPtr, new Uint8Array(0), LZMA_FINISH, controller);
                }
                /* v8 ignore stop */
            }
            finally {
                doCleanup();
            }
        },
        /* cancel() frees WASM resources when the readable side is cancelled.
           Part of the Streams spec but not yet in TypeScript's DOM lib. */
        // @ts-expect-error cancel is a valid Transformer method per Streams spec
        cancel: doCleanup,
    });
}
/**
 * Process a single chunk through the lzma stream, enqueueing output.
 * Returns true if LZMA_STREAM_END was reached.
 */
function processChunk(module, stream, outPtr, chunk, action, controller) {
    let inPtr = 0;
    try {
        if (chunk.byteLength > 0) {
            inPtr = copyToWasm(module, chunk);
            stream.setInput(inPtr, chunk.byteLength);
        }
        else {
            stream.setInput(0, 0);
        }
        while (true) {
            stream.setOutput(outPtr, CHUNK_SIZE);
            const ret = code(stream, action);
            const produced = CHUNK_SIZE - stream.availOut;
            if (produced > 0) {
                controller.enqueue(copyFromWasm(module, outPtr, produced));
            }
            if (ret === LZMA_STREAM_END) {
                return true;
            }
            if (ret !== LZMA_OK) {
                throw createLZMAError(ret);
            }
            // If all input consumed and no more output, we're done with this chunk
            if (stream.availIn === 0 && stream.availOut > 0) {
                break;
            }
        }
        return false;
    }
    finally {
        if (inPtr)
            wasmFree(module, inPtr);
    }
}
/** Free WASM resources */
function cleanup(module, stream, outPtr) {
    end(stream);
    stream.free();
    wasmFree(module, outPtr);
}
