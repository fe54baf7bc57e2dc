/**
 * WASM-specific types for the Emscripten-compiled liblzma module.
 */
// --- LZMA Return Codes ---
export { LZMA_BUF_ERROR, LZMA_DATA_ERROR, LZMA_FORMAT_ERROR, LZMA_GET_CHECK, LZMA_MEM_ERROR, LZMA_MEMLIMIT_ERROR, LZMA_NO_CHECK, LZMA_OK, LZMA_OPTIONS_ERROR, LZMA_PROG_ERROR, LZMA_STREAM_END, LZMA_UNSUPPORTED_CHECK, } from '../errors.js';
// --- LZMA Actions ---
export const LZMA_RUN = 0;
export const LZMA_SYNC_FLUSH = 1;
export const LZMA_FULL_FLUSH = 2;
export const LZMA_FINISH = 3;
// --- Check Types ---
export const LZMA_CHECK_NONE = 0;
export const LZMA_CHECK_CRC32 = 1;
export const LZMA_CHECK_CRC64 = 4;
export const LZMA_CHECK_SHA256 = 10;
/**
 * Layout of lzma_stream struct in WASM32 memory.
 *
 * All offsets are for 32-bit Emscripten (WASM32):
 *   pointer = 4 bytes, size_t = 4 bytes, uint64_t = 8 bytes (8-byte aligned)
 */
export const LZMA_STREAM_OFFSETS = {
    next_in: 0, // const uint8_t* (4 bytes)
    avail_in: 4, // size_t (4 bytes)
    total_in: 8, // uint64_t (8 bytes, 8-byte aligned)
    next_out: 16, // uint8_t* (4 bytes)
    avail_out: 20, // size_t (4 bytes)
    total_out: 24, // uint64_t (8 bytes, 8-byte aligned)
    allocator: 32, // lzma_allocator* (4 bytes)
    internal: 36, // lzma_internal* (4 bytes)
    reserved_ptr1: 40,
    reserved_ptr2: 44,
    reserved_ptr3: 48,
    reserved_ptr4: 52,
    reserved_int1: 56, // uint64_t (8 bytes)
    reserved_int2: 64,
    reserved_int3: 72,
    reserved_int4: 80,
    reserved_enum1: 88, // lzma_reserved_enum (4 bytes)
    reserved_enum2: 92,
};
/** Total size of lzma_stream struct in WASM32 */
export const LZMA_STREAM_SIZE = 96;
