/**
 * WASM compression functions for browser usage.
 *
 * Provides xzAsync, xz (callback), and xzSync (throws in browser)
 * matching the Node.js API signatures.
 */
import { LZMAError } from '../errors.js';
import { easyBufferEncode, initModule } from './bindings.js';
import { LZMA_CHECK_CRC64 } from './types.js';
import { toUint8Array } from './utils.js';
/**
 * Compress a buffer to XZ format (async, Promise-based).
 *
 * @param buffer - Data to compress (Uint8Array, ArrayBuffer, or string)
 * @param opts - Compression options (preset, check)
 * @returns Compressed XZ data
 */
export async function xzAsync(buffer, opts) {
    await initModule();
    const input = toUint8Array(buffer);
    const preset = opts?.preset ?? 6;
    const check = opts?.check ?? LZMA_CHECK_CRC64;
    return easyBufferEncode(input, preset, check);
}
export function xz(buffer, optsOrCallback, callback) {
    let opts;
    let cb;
    if (typeof optsOrCallback === 'function') {
        cb = optsOrCallback;
        opts = {};
    }
    else {
        opts = optsOrCallback;
        cb = callback;
    }
    xzAsync(buffer, opts).then((result) => cb(null, result), 
    /* v8 ignore start - xzAsync always rejects with Error */
    (error) => cb(error instanceof Error ? error : new Error(String(error)))
    /* v8 ignore stop */
    );
}
/**
 * Synchronous XZ compression — **throws in browser**.
 *
 * Sync operations are not supported in WASM because they would block
 * the main thread. Use xzAsync() instead.
 */
export function xzSync(_buffer, _opts) {
    throw new LZMAError('Sync operations not supported in browser. Use xzAsync() instead.', -1);
}
