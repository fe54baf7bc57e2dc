/**
 * WASM decompression functions for browser usage.
 *
 * Provides unxzAsync, unxz (callback), and unxzSync (throws in browser)
 * matching the Node.js API signatures.
 */
import { LZMAError } from '../errors.js';
import { initModule, streamBufferDecode } from './bindings.js';
import { toUint8Array } from './utils.js';
/**
 * Decompress XZ data (async, Promise-based).
 *
 * @param buffer - XZ compressed data
 * @param opts - Decompression options (memlimit)
 * @returns Decompressed data
 */
export async function unxzAsync(buffer, _opts) {
    await initModule();
    const input = toUint8Array(buffer);
    // TODO: pass opts.memlimit when LZMAOptions supports it
    return streamBufferDecode(input);
}
export function unxz(buffer, optsOrCallback, callback) {
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
    unxzAsync(buffer, opts).then((result) => cb(null, result), 
    /* v8 ignore start - unxzAsync always rejects with Error */
    (error) => cb(error instanceof Error ? error : new Error(String(error)))
    /* v8 ignore stop */
    );
}
/**
 * Synchronous XZ decompression — **throws in browser**.
 *
 * Sync operations are not supported in WASM because they would block
 * the main thread. Use unxzAsync() instead.
 */
export function unxzSync(_buffer, _opts) {
    throw new LZMAError('Sync operations not supported in browser. Use unxzAsync() instead.', -1);
}
