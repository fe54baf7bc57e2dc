// node-liblzma 4.0.2 (LGPL-3.0, see LICENSE), changed by kheaders only to load the addon by a fixed path.
/**
 * node-liblzma - Node.js bindings for liblzma
 * Copyright (C) Olivier Orabona <olivier.orabona@gmail.com>
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU Lesser General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public License
 * along with this program.  If not, see <https://www.gnu.org/licenses/>.
 */
import * as assert from 'node:assert';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createLZMAError, LZMABufferError, LZMADataError, LZMAError, LZMAFormatError, LZMAMemoryError, LZMAMemoryLimitError, LZMAOptionsError, LZMAProgrammingError, } from './errors.js';
// Re-export error classes for public API
export { LZMAError, LZMAMemoryError, LZMAMemoryLimitError, LZMAFormatError, LZMAOptionsError, LZMADataError, LZMABufferError, LZMAProgrammingError, };
// Re-export pool for concurrency control
export { LZMAPool } from './pool.js';
const __filename = fileURLToPath(import.meta.url);
const __dirname = path.dirname(__filename);
const require = createRequire(import.meta.url);
const bindingPath = path.resolve(path.join(__dirname, '..'));
const liblzma = require(`../prebuilds/${process.platform}-${process.arch}/node-liblzma.node`);
// Should not change over time... :)
const maxThreads = os.cpus().length;
/**
 * Integrity check types for XZ streams.
 * Use CRC64 for best balance of speed and error detection.
 * @example
 * ```ts
 * const compressor = createXz({ check: check.CRC64 });
 * ```
 */
export const check = {
    NONE: liblzma.LZMA_CHECK_NONE,
    CRC32: liblzma.LZMA_CHECK_CRC32,
    CRC64: liblzma.LZMA_CHECK_CRC64,
    SHA256: liblzma.LZMA_CHECK_SHA256,
};
/**
 * Compression preset flags.
 * Can be combined with preset level using bitwise OR.
 * @example
 * ```ts
 * const compressor = createXz({ preset: 6 | preset.EXTREME });
 * ```
 */
export const preset = {
    /** Default compression level (6) */
    DEFAULT: liblzma.LZMA_PRESET_DEFAULT,
    /** Extreme mode flag - slower but better compression */
    EXTREME: liblzma.LZMA_PRESET_EXTREME,
};
/**
 * Decoder flags for controlling decompression behavior.
 * @example
 * ```ts
 * const decompressor = createUnxz({ flushFlag: flag.CONCATENATED });
 * ```
 */
export const flag = {
    /** Tell decoder if input has no integrity check */
    TELL_NO_CHECK: liblzma.LZMA_TELL_NO_CHECK,
    /** Tell decoder if integrity check is unsupported */
    TELL_UNSUPPORTED_CHECK: liblzma.LZMA_TELL_UNSUPPORTED_CHECK,
    /** Tell decoder about any integrity check type */
    TELL_ANY_CHECK: liblzma.LZMA_TELL_ANY_CHECK,
    /** Allow concatenated XZ streams */
    CONCATENATED: liblzma.LZMA_CONCATENATED,
};
/**
 * Compression filters for preprocessing data before LZMA2.
 * BCJ filters improve compression for executable code.
 * @example
 * ```ts
 * // Compress x86 executable with BCJ filter
 * const compressor = createXz({ filters: [filter.X86, filter.LZMA2] });
 * ```
 */
export const filter = {
    /** LZMA2 compression filter (required, must be last) */
    LZMA2: liblzma.LZMA_FILTER_LZMA2,
    /** BCJ filter for x86 executables */
    X86: liblzma.LZMA_FILTER_X86,
    /** BCJ filter for PowerPC executables */
    POWERPC: liblzma.LZMA_FILTER_POWERPC,
    /** BCJ filter for IA-64 executables */
    IA64: liblzma.LZMA_FILTER_IA64,
    /** BCJ filter for ARM executables */
    ARM: liblzma.LZMA_FILTER_ARM,
    /** BCJ filter for ARM-Thumb executables */
    ARMTHUMB: liblzma.LZMA_FILTER_ARMTHUMB,
    /** BCJ filter for SPARC executables */
    SPARC: liblzma.LZMA_FILTER_SPARC,
};
/* v8 ignore next */
/**
 * Compression mode selection.
 * FAST uses less memory, NORMAL provides better compression.
 */
export const mode = {
    /** Fast compression mode - less memory, faster */
    FAST: liblzma.LZMA_MODE_FAST,
    /** Normal compression mode - better ratio */
    NORMAL: liblzma.LZMA_MODE_NORMAL,
};
/* v8 ignore next 2 */
/**
 * LZMA stream action constants.
 * Control how the encoder/decoder processes input.
 */
export const LZMAAction = {
    /** Normal processing - continue encoding/decoding */
    RUN: liblzma.LZMA_RUN,
    /** Flush pending output synchronously */
    SYNC_FLUSH: liblzma.LZMA_SYNC_FLUSH,
    /** Flush and reset encoder state */
    FULL_FLUSH: liblzma.LZMA_FULL_FLUSH,
    /** Finish the stream - no more input */
    FINISH: liblzma.LZMA_FINISH,
};
/* v8 ignore next 2 */
/**
 * LZMA operation status/return codes.
 * Used to indicate the result of encoding/decoding operations.
 */
export const LZMAStatus = {
    /** Operation completed successfully */
    OK: liblzma.LZMA_OK,
    /** End of stream was reached */
    STREAM_END: liblzma.LZMA_STREAM_END,
    /** Input stream has no integrity check */
    NO_CHECK: liblzma.LZMA_NO_CHECK,
    /** Cannot verify the integrity check type */
    UNSUPPORTED_CHECK: liblzma.LZMA_UNSUPPORTED_CHECK,
    /** Integrity check type is now available */
    GET_CHECK: liblzma.LZMA_GET_CHECK,
    /** Cannot allocate memory */
    MEM_ERROR: liblzma.LZMA_MEM_ERROR,
    /** Memory usage limit was reached */
    MEMLIMIT_ERROR: liblzma.LZMA_MEMLIMIT_ERROR,
    /** File format not recognized */
    FORMAT_ERROR: liblzma.LZMA_FORMAT_ERROR,
    /** Invalid or unsupported options */
    OPTIONS_ERROR: liblzma.LZMA_OPTIONS_ERROR,
    /** Data is corrupt */
    DATA_ERROR: liblzma.LZMA_DATA_ERROR,
    /** No progress is possible (input/output buffers full) */
    BUF_ERROR: liblzma.LZMA_BUF_ERROR,
    /** Programming error in caller */
    PROG_ERROR: liblzma.LZMA_PROG_ERROR,
};
/** Extended filter constants including aliases and FILTERS_MAX limit. Superset of {@link filter}. */
export const LZMAFilter = {
    ...filter,
    X86_ALT: liblzma.LZMA_FILTER_X86,
    POWERPC_ALT: liblzma.LZMA_FILTER_POWERPC,
    IA64_ALT: liblzma.LZMA_FILTER_IA64,
    ARM_ALT: liblzma.LZMA_FILTER_ARM,
    ARMTHUMB_ALT: liblzma.LZMA_FILTER_ARMTHUMB,
    FILTERS_MAX: liblzma.LZMA_FILTERS_MAX,
};
// Legacy individual exports for backward compatibility
// Prefer LZMAAction, LZMAStatus, and LZMAFilter objects instead.
/** Action: continue encoding/decoding */
export const LZMA_RUN = LZMAAction.RUN;
/** Action: flush pending output synchronously */
export const LZMA_SYNC_FLUSH = LZMAAction.SYNC_FLUSH;
/** Action: flush and reset encoder state */
export const LZMA_FULL_FLUSH = LZMAAction.FULL_FLUSH;
/** Action: finish the stream — no more input */
export const LZMA_FINISH = LZMAAction.FINISH;
/** liblzma return code: operation completed successfully */
export const LZMA_OK = LZMAStatus.OK;
/** liblzma return code: end of stream was reached */
export const LZMA_STREAM_END = LZMAStatus.STREAM_END;
/** liblzma return code: input stream has no integrity check */
export const LZMA_NO_CHECK = LZMAStatus.NO_CHECK;
/** liblzma return code: cannot verify the integrity check type */
export const LZMA_UNSUPPORTED_CHECK = LZMAStatus.UNSUPPORTED_CHECK;
/** liblzma return code: integrity check type is now available */
export const LZMA_GET_CHECK = LZMAStatus.GET_CHECK;
/** liblzma return code: cannot allocate memory */
export const LZMA_MEM_ERROR = LZMAStatus.MEM_ERROR;
/** liblzma return code: memory usage limit was reached */
export const LZMA_MEMLIMIT_ERROR = LZMAStatus.MEMLIMIT_ERROR;
/** liblzma return code: file format not recognized */
export const LZMA_FORMAT_ERROR = LZMAStatus.FORMAT_ERROR;
/** liblzma return code: invalid or unsupported options */
export const LZMA_OPTIONS_ERROR = LZMAStatus.OPTIONS_ERROR;
/** liblzma return code: data is corrupt */
export const LZMA_DATA_ERROR = LZMAStatus.DATA_ERROR;
/** liblzma return code: no progress is possible */
export const LZMA_BUF_ERROR = LZMAStatus.BUF_ERROR;
/** liblzma return code: programming error in caller */
export const LZMA_PROG_ERROR = LZMAStatus.PROG_ERROR;
/** BCJ filter for x86 architecture */
export const LZMA_FILTER_X86 = LZMAFilter.X86_ALT;
/** BCJ filter for PowerPC architecture */
export const LZMA_FILTER_POWERPC = LZMAFilter.POWERPC_ALT;
/** BCJ filter for IA-64 architecture */
export const LZMA_FILTER_IA64 = LZMAFilter.IA64_ALT;
/** BCJ filter for ARM architecture */
export const LZMA_FILTER_ARM = LZMAFilter.ARM_ALT;
/** BCJ filter for ARM-Thumb architecture */
export const LZMA_FILTER_ARMTHUMB = LZMAFilter.ARMTHUMB_ALT;
/** Maximum number of filters in a chain */
export const LZMA_FILTERS_MAX = LZMAFilter.FILTERS_MAX;
/**
 * Abstract base class for XZ compression/decompression streams.
 * Extends Node.js Transform stream with LZMA2 encoding/decoding.
 *
 * @example
 * ```ts
 * // Use Xz or Unxz classes instead of XzStream directly
 * const compressor = new Xz({ preset: 6 });
 * readStream.pipe(compressor).pipe(writeStream);
 * ```
 *
 * Emits `progress` event after each chunk with `{bytesRead, bytesWritten}` info.
 */
export class XzStream extends Transform {
    // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: Constructor needs complex validation for LZMA options
    constructor(streamMode, opts = {}, options) {
        super(options);
        let clonedFilters;
        if (opts.filters) {
            if (!Array.isArray(opts.filters)) {
                throw new Error('Filters need to be in an array!');
            }
            try {
                clonedFilters = [...opts.filters];
                /* v8 ignore start */
            }
            catch {
                throw new Error('Filters need to be in an array!');
            }
            /* v8 ignore stop */
        }
        else {
            clonedFilters = [filter.LZMA2];
        }
        this._opts = {
            check: opts.check ?? check.NONE,
            preset: opts.preset ?? preset.DEFAULT,
            filters: clonedFilters,
            mode: opts.mode ?? mode.NORMAL,
            threads: opts.threads ?? 1,
            chunkSize: opts.chunkSize ?? liblzma.BUFSIZ,
            flushFlag: opts.flushFlag ?? liblzma.LZMA_RUN,
        };
        this._chunkSize = this._opts.chunkSize;
        this._flushFlag = this._opts.flushFlag;
        assert.ok(Array.isArray(this._opts.filters), 'Filters need to be in an array!');
        // Add default filter LZMA2 if none provided
        /* v8 ignore start */
        if (this._opts.filters.indexOf(filter.LZMA2) === -1) {
            this._opts.filters.push(filter.LZMA2);
        }
        /* v8 ignore stop */
        // Ensure LZMA2 is always the last filter (requirement of liblzma)
        const lzma2Index = this._opts.filters.indexOf(filter.LZMA2);
        if (lzma2Index !== -1 && lzma2Index !== this._opts.filters.length - 1) {
            // Remove LZMA2 from its current position and add it to the end
            this._opts.filters.splice(lzma2Index, 1);
            this._opts.filters.push(filter.LZMA2);
        }
        // Multithreading is only available for encoding, so if we are encoding, check
        // opts threads value.
        if (streamMode === liblzma.STREAM_ENCODE) {
            /* If threads are requested but not supported, fallback to single thread */
            /* c8 ignore start */
            if (!liblzma.HAS_THREADS_SUPPORT) {
                this._opts.threads = 1;
            }
            /* c8 ignore stop */
            // By default set to maximum available processors
            if (this._opts.threads === 0) {
                this._opts.threads = maxThreads;
            }
        }
        // Initialize engine
        this.lzma = new liblzma.LZMA(streamMode, this._opts);
        this._closed = false;
        this._hadError = false;
        this._offset = 0;
        this._buffer = Buffer.alloc(this._chunkSize);
        this._bytesRead = 0;
        this._bytesWritten = 0;
        /* v8 ignore next */
        // F-007: Let errors propagate naturally (removed defensive listener anti-pattern)
        this.on('onerror', (errno) => {
            this._hadError = true;
            const error = this._createLZMAError(errno);
            this.emit('error', error);
        });
        /* v8 ignore next */
        this.once('end', () => this.close());
    }
    _createLZMAError(errno) {
        return createLZMAError(errno);
    }
    /** Get total bytes read from input so far */
    get bytesRead() {
        return this._bytesRead;
    }
    /** Get total bytes written to output so far */
    get bytesWritten() {
        return this._bytesWritten;
    }
    /**
     * Emit a progress event with current bytesRead and bytesWritten
     */
    _emitProgress() {
        const info = {
            bytesRead: this._bytesRead,
            bytesWritten: this._bytesWritten,
        };
        this.emit('progress', info);
    }
    _reallocateBuffer() {
        this._offset = 0;
        this._buffer = Buffer.alloc(this._chunkSize);
    }
    flush(kindOrCallback, callback) {
        // F-009: Access internal _writableState with type safety (no public API equivalent for .ended)
        const ws = this._writableState;
        let kind;
        let cb;
        /* v8 ignore next */
        if (typeof kindOrCallback === 'function' ||
            (typeof kindOrCallback === 'undefined' && !callback)) {
            cb = kindOrCallback;
            kind = liblzma.LZMA_SYNC_FLUSH;
        }
        else {
            kind = kindOrCallback;
            cb = callback;
        }
        if (ws.ended) {
            if (cb) {
                process.nextTick(cb);
            }
        }
        else if (ws.ending) {
            if (cb) {
                this.once('end', cb);
            }
        }
        else if (ws.needDrain) {
            this.once('drain', () => {
                this.flush(cb);
            });
        }
        else {
            this._flushFlag = kind;
            this.write(Buffer.alloc(0), 'utf8', cb);
        }
    }
    close(callback) {
        if (callback) {
            process.nextTick(callback);
        }
        // We will trigger this case with #xz and #unxz
        if (this._closed) {
            return;
        }
        /* v8 ignore next */
        this.lzma.close();
        this._closed = true;
        /* v8 ignore next */
        process.nextTick(() => {
            this.emit('close');
        });
    }
    /* v8 ignore next */
    _transform(chunk, _encoding, callback) {
        // F-009: Access internal _writableState with type safety (no public API equivalent for .ended)
        const ws = this._writableState;
        const ending = ws.ending || ws.ended;
        const last = ending && (!chunk || ws.length === chunk.length);
        if (chunk !== null && !(chunk instanceof Buffer)) {
            callback(new Error('invalid input'));
            return;
        }
        if (this._closed) {
            callback(new Error('lzma binding closed'));
            return;
        }
        // Track bytes read from input
        if (chunk) {
            this._bytesRead += chunk.length;
        }
        /* v8 ignore next */
        let flushFlag;
        if (last) {
            flushFlag = liblzma.LZMA_FINISH;
        }
        else {
            flushFlag = this._flushFlag;
            // once we've flushed the last of the queue, stop flushing and
            // go back to the normal behavior.
            if (chunk && chunk.length >= ws.length) {
                this._flushFlag = this._opts.flushFlag;
            }
        }
        /* v8 ignore next */
        this._processChunk(chunk, flushFlag, callback);
    }
    _flush(callback) {
        /* v8 ignore start - Defensive check for double close scenario */
        if (this._closed) {
            process.nextTick(() => callback());
            return;
        }
        /* v8 ignore stop */
        this._transform(Buffer.alloc(0), 'utf8', callback);
    }
    _processChunk(chunk, flushFlag, cb) {
        const async = typeof cb === 'function';
        // Sanity checks
        assert.ok(!this._closed, 'Stream closed!');
        let availInBefore = chunk?.length;
        let availOutBefore = this._chunkSize - this._offset;
        let inOff = 0;
        /* v8 ignore start */
        if (!async) {
            /* v8 ignore stop */
            // Doing it synchronously
            const buffers = [];
            let nread = 0;
            let error = null;
            /* v8 ignore next */
            // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: Complex but necessary LZMA callback logic
            const callback = (errno, availInAfter, availOutAfter) => {
                /* v8 ignore start */
                if (this._hadError) {
                    return false;
                }
                // if LZMA engine returned something else, we are running into trouble!
                if (errno !== liblzma.LZMA_OK && errno !== liblzma.LZMA_STREAM_END) {
                    this.emit('onerror', errno);
                    return false;
                }
                /* v8 ignore stop */
                const used = availOutBefore - availOutAfter;
                assert.ok(used >= 0, `More bytes after than before! Delta = ${used}`);
                if (used > 0) {
                    const out = this._buffer.subarray(this._offset, this._offset + used);
                    this._offset += used;
                    buffers.push(out);
                    nread += used;
                }
                /* v8 ignore start */
                // exhausted the output buffer, or used all the input create a new one.
                if (availOutAfter === 0 || this._offset >= this._chunkSize) {
                    availOutBefore = this._chunkSize;
                    this._reallocateBuffer();
                }
                if (availOutAfter === 0 || availInAfter > 0) {
                    inOff += (availInBefore ?? 0) - availInAfter;
                    availInBefore = availInAfter;
                    return true;
                }
                /* v8 ignore stop */
                return false;
            };
            /* v8 ignore start */
            this.on('error', (e) => {
                error = e;
            });
            /* v8 ignore stop */
            /* v8 ignore next - processing loop entry */
            while (true) {
                const [status, availInAfter, availOutAfter] = this.lzma.codeSync(flushFlag, chunk, inOff, availInBefore, this._buffer, this._offset);
                /* v8 ignore start */
                if (this._hadError || !callback(status, availInAfter, availOutAfter)) {
                    break;
                }
                /* v8 ignore stop */
            }
            // F-012: Use try-finally to ensure close() runs even on error
            try {
                /* v8 ignore start */
                if (this._hadError) {
                    throw error ?? new Error('Unknown LZMA error');
                }
                /* v8 ignore stop */
                const buf = Buffer.concat(buffers, nread);
                return buf;
            }
            finally {
                /* v8 ignore next - cleanup path */
                this.close();
            }
        }
        // Async path
        // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: Complex but necessary async LZMA callback logic with proper error handling
        const callback = (errno, availInAfter, availOutAfter) => {
            /* v8 ignore start - error state handling is difficult to test */
            if (this._hadError) {
                return false;
            }
            /* v8 ignore stop */
            /* v8 ignore start - async error path handling */
            // F-003: If LZMA engine returned an error, emit onerror event (matches sync path at line 438)
            if (errno !== liblzma.LZMA_OK && errno !== liblzma.LZMA_STREAM_END) {
                this.emit('onerror', errno);
                return false;
            }
            /* v8 ignore stop */
            /* v8 ignore next */
            const used = availOutBefore - availOutAfter;
            assert.ok(used >= 0, `More bytes after than before! Delta = ${used}`);
            if (used > 0) {
                const out = this._buffer.subarray(this._offset, this._offset + used);
                this._offset += used;
                this._bytesWritten += used;
                this.push(out);
                this._emitProgress();
            }
            // exhausted the output buffer, or used all the input create a new one.
            if (availOutAfter === 0 || this._offset >= this._chunkSize) {
                availOutBefore = this._chunkSize;
                this._reallocateBuffer();
            }
            if (availOutAfter === 0 || availInAfter > 0) {
                /* v8 ignore start - complex async processing continuation */
                inOff += (availInBefore ?? 0) - availInAfter;
                availInBefore = availInAfter;
                /* v8 ignore stop */
                this.lzma.code(flushFlag, chunk, inOff, availInBefore, this._buffer, this._offset, callback);
                return false;
            }
            // Safely call callback to avoid uncaught exceptions
            if (cb && !this._closed) {
                try {
                    cb();
                }
                catch {
                    // If callback throws, emit error instead of crashing
                    this.emit('onerror', liblzma.LZMA_PROG_ERROR);
                }
            }
            return false;
        };
        this.lzma.code(flushFlag, chunk, inOff, availInBefore, this._buffer, this._offset, callback);
        return;
    }
}
/**
 * XZ compression stream.
 * Compresses data using LZMA2 algorithm.
 *
 * @example
 * ```ts
 * const compressor = new Xz({ preset: 6 });
 * input.pipe(compressor).pipe(output);
 * ```
 */
export class Xz extends XzStream {
    constructor(lzmaOptions, options) {
        super(liblzma.STREAM_ENCODE, lzmaOptions, options);
    }
}
/**
 * XZ decompression stream.
 * Decompresses data compressed with XZ/LZMA2.
 *
 * @example
 * ```ts
 * const decompressor = new Unxz();
 * compressedInput.pipe(decompressor).pipe(output);
 * ```
 */
export class Unxz extends XzStream {
    constructor(lzmaOptions, options) {
        super(liblzma.STREAM_DECODE, lzmaOptions, options);
    }
}
/* v8 ignore next */
/**
 * Create a new XZ compression stream.
 * @param lzmaOptions - LZMA compression options
 * @param options - Node.js Transform stream options
 * @returns New Xz compression stream
 *
 * @example
 * ```ts
 * const compressor = createXz({ preset: 9 });
 * ```
 */
export function createXz(lzmaOptions, options) {
    return new Xz(lzmaOptions, options);
}
/* v8 ignore next */
/**
 * Create a new XZ decompression stream.
 * @param lzmaOptions - LZMA decompression options
 * @param options - Node.js Transform stream options
 * @returns New Unxz decompression stream
 *
 * @example
 * ```ts
 * const decompressor = createUnxz();
 * ```
 */
export function createUnxz(lzmaOptions, options) {
    return new Unxz(lzmaOptions, options);
}
/* v8 ignore next */
/**
 * Check if liblzma was built with threading support.
 * @returns true if multi-threaded compression is available
 */
export function hasThreads() {
    return liblzma.HAS_THREADS_SUPPORT;
}
/**
 * Check if a buffer contains XZ compressed data by examining magic bytes.
 * @param buffer - Buffer to check (needs at least 6 bytes)
 * @returns true if the buffer starts with XZ magic bytes
 * @example
 * ```ts
 * const compressed = await xzAsync(Buffer.from('Hello'));
 * console.log(isXZ(compressed)); // true
 * console.log(isXZ(Buffer.from('Hello'))); // false
 * ```
 */
export function isXZ(buffer) {
    return liblzma.isXZ(buffer);
}
/**
 * Get the runtime version of liblzma as a string.
 * @returns Version string like "5.4.1"
 * @example
 * ```ts
 * console.log(versionString()); // "5.4.1"
 * ```
 */
export function versionString() {
    return liblzma.versionString();
}
/**
 * Get the runtime version of liblzma as a number.
 * Format: MAJOR * 10000000 + MINOR * 10000 + PATCH * 10
 * @returns Version number (e.g., 50040010 for 5.4.1)
 * @example
 * ```ts
 * console.log(versionNumber()); // 50040010
 * ```
 */
export function versionNumber() {
    return liblzma.versionNumber();
}
/**
 * Get the memory usage estimate for encoding with a given preset.
 * @param presetLevel - Compression preset (0-9, optionally OR'd with preset.EXTREME)
 * @returns Memory usage in bytes, or 0 if preset is invalid
 * @example
 * ```ts
 * console.log(easyEncoderMemusage(6)); // ~104857600 (100 MB)
 * console.log(easyEncoderMemusage(9 | preset.EXTREME)); // ~712507392 (680 MB)
 * ```
 */
export function easyEncoderMemusage(presetLevel) {
    return liblzma.easyEncoderMemusage(presetLevel);
}
/**
 * Get the memory usage estimate for decoding.
 * @returns Memory usage in bytes for decoder initialization
 * @example
 * ```ts
 * console.log(easyDecoderMemusage()); // ~18874368 (18 MB)
 * ```
 */
export function easyDecoderMemusage() {
    return liblzma.easyDecoderMemusage();
}
/**
 * Parse the index from a complete XZ file buffer to get metadata.
 * This allows you to know the uncompressed size before decompressing.
 * @param buffer - Complete XZ file buffer
 * @returns Object with file metadata
 * @throws Error if buffer is not a valid XZ stream
 * @example
 * ```ts
 * const compressed = await xzAsync(largeBuffer);
 * const info = parseFileIndex(compressed);
 * console.log(`Uncompressed: ${info.uncompressedSize}, Compressed: ${info.compressedSize}`);
 * console.log(`Ratio: ${(info.compressedSize / info.uncompressedSize * 100).toFixed(1)}%`);
 * ```
 */
export function parseFileIndex(buffer) {
    return liblzma.parseFileIndex(buffer);
}
/* v8 ignore next */
/**
 * Human-readable error messages for LZMA status codes.
 */
export var LZMAErrorMessage;
(function (LZMAErrorMessage) {
    LZMAErrorMessage["SUCCESS"] = "Operation completed successfully";
    LZMAErrorMessage["STREAM_END"] = "End of stream was reached";
    LZMAErrorMessage["NO_CHECK"] = "Input stream has no integrity check";
    LZMAErrorMessage["UNSUPPORTED_CHECK"] = "Cannot calculate the integrity check";
    LZMAErrorMessage["GET_CHECK"] = "Integrity check type is not available";
    LZMAErrorMessage["MEM_ERROR"] = "Cannot allocate memory";
    LZMAErrorMessage["MEMLIMIT_ERROR"] = "Memory usage limit was reached";
    LZMAErrorMessage["FORMAT_ERROR"] = "File format not recognized";
    LZMAErrorMessage["OPTIONS_ERROR"] = "Invalid or unsupported options";
    LZMAErrorMessage["DATA_ERROR"] = "Data is corrupt";
    LZMAErrorMessage["BUF_ERROR"] = "No progress is possible";
    LZMAErrorMessage["PROG_ERROR"] = "Programming error";
})(LZMAErrorMessage || (LZMAErrorMessage = {}));
export function unxz(buffer, optsOrCallback, callback) {
    let opts;
    let cb;
    /* v8 ignore next - simple parameter parsing */
    if (typeof optsOrCallback === 'function') {
        cb = optsOrCallback;
        opts = {};
    }
    else {
        opts = optsOrCallback;
        cb = callback;
    }
    xzBuffer(new Unxz(opts), buffer, cb);
}
/**
 * Decompress a buffer synchronously.
 * @param buffer - Compressed data to decompress
 * @param opts - LZMA decompression options
 * @returns Decompressed data buffer
 *
 * @example
 * ```ts
 * const decompressed = unxzSync(compressedBuffer);
 * ```
 */
export function unxzSync(buffer, opts) {
    return xzBufferSync(new Unxz(opts), buffer);
}
export function xz(buffer, optsOrCallback, callback) {
    let opts;
    let cb;
    /* v8 ignore next - simple parameter parsing */
    if (typeof optsOrCallback === 'function') {
        cb = optsOrCallback;
        opts = {};
    }
    else {
        opts = optsOrCallback;
        cb = callback;
    }
    xzBuffer(new Xz(opts), buffer, cb);
}
/**
 * Compress a buffer synchronously.
 * @param buffer - Data to compress
 * @param opts - LZMA compression options
 * @returns Compressed data buffer
 *
 * @example
 * ```ts
 * const compressed = xzSync(data, { preset: 9 });
 * ```
 */
export function xzSync(buffer, opts) {
    return xzBufferSync(new Xz(opts), buffer);
}
/**
 * Compress a buffer asynchronously using Promise.
 * @param buffer - Data to compress
 * @param opts - LZMA compression options
 * @returns Promise resolving to compressed data buffer
 *
 * @example
 * ```ts
 * const compressed = await xzAsync(data, { preset: 6 });
 * ```
 */
export function xzAsync(buffer, opts) {
    return new Promise((resolve, reject) => {
        xz(buffer, opts || {}, (error, result) => {
            /* v8 ignore start - error handling is tested in callback-based tests */
            if (error) {
                reject(error);
                /* v8 ignore stop */
            }
            else {
                resolve(result);
            }
        });
    });
}
/**
 * Decompress a buffer asynchronously using Promise.
 * @param buffer - Compressed data to decompress
 * @param opts - LZMA decompression options
 * @returns Promise resolving to decompressed data buffer
 *
 * @example
 * ```ts
 * const decompressed = await unxzAsync(compressedBuffer);
 * console.log(decompressed.toString());
 * ```
 */
export function unxzAsync(buffer, opts) {
    return new Promise((resolve, reject) => {
        unxz(buffer, opts || {}, (error, result) => {
            /* v8 ignore start - error handling is tested in callback-based tests */
            if (error) {
                reject(error);
                /* v8 ignore stop */
            }
            else {
                resolve(result);
            }
        });
    });
}
function xzBuffer(engine, buffer, callback) {
    const buffers = [];
    let nread = 0;
    const flow = () => {
        let chunk;
        // biome-ignore lint/suspicious/noAssignInExpressions: necessary for while loop pattern
        while ((chunk = engine.read()) !== null) {
            buffers.push(chunk);
            nread += chunk.length;
        }
        engine.once('readable', flow);
    };
    const onEnd = () => {
        const buf = Buffer.concat(buffers, nread);
        callback(null, buf);
        engine.close();
    };
    /* v8 ignore start - error callback path */
    const onError = (err) => {
        engine.removeListener('end', onEnd);
        engine.removeListener('readable', flow);
        callback(err);
    };
    /* v8 ignore stop */
    engine.on('error', onError);
    engine.on('end', onEnd);
    engine.end(buffer);
    flow();
}
function xzBufferSync(engine, buffer) {
    let buf;
    if (typeof buffer === 'string') {
        buf = Buffer.from(buffer);
    }
    else if (buffer instanceof Buffer) {
        buf = buffer;
    }
    else {
        throw new TypeError('Not a string or buffer');
    }
    return engine._processChunk(buf, liblzma.LZMA_FINISH);
}
// File-based compression/decompression helpers
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
/**
 * Compress a file using XZ compression
 * @param inputPath Path to input file
 * @param outputPath Path to output compressed file
 * @param opts LZMA compression options
 * @returns Promise that resolves when compression is complete
 */
export async function xzFile(inputPath, outputPath, opts) {
    const input = createReadStream(inputPath);
    const output = createWriteStream(outputPath);
    const compressor = createXz(opts);
    await pipeline(input, compressor, output);
}
/**
 * Decompress an XZ compressed file
 * @param inputPath Path to compressed input file
 * @param outputPath Path to output decompressed file
 * @param opts LZMA decompression options
 * @returns Promise that resolves when decompression is complete
 */
export async function unxzFile(inputPath, outputPath, opts) {
    const input = createReadStream(inputPath);
    const output = createWriteStream(outputPath);
    const decompressor = createUnxz(opts);
    await pipeline(input, decompressor, output);
}
