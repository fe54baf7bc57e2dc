// The one place that imports node-liblzma, so the bundler can swap its loader.
export {
  createXz, createUnxz, check, parseFileIndex,
  LZMA_BUF_ERROR, LZMA_DATA_ERROR, LZMA_FORMAT_ERROR, LZMA_MEMLIMIT_ERROR, LZMA_OPTIONS_ERROR,
  type Unxz,
} from 'node-liblzma';

// node-liblzma's WebAssembly build has liblzma's auto decoder, which reads the
// legacy .lzma format (the kernel's `lzma -9`); the native addon reads only .xz.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { initModule, type LZMAModule } from 'node-liblzma/wasm';
import createLZMA from 'node-liblzma/wasm/liblzma.js';
export { WasmLzmaStream, code as lzmaCode, copyToWasm, LZMA_FINISH, LZMA_OK, LZMA_RUN, LZMA_STREAM_END } from 'node-liblzma/wasm';

/** Set by scripts/build.ts: the bundle's wasm file, relative to dist/. */
declare const __KHEADERS_LZMA_WASM__: string | undefined;

function wasmPath(): string {
  if (typeof __KHEADERS_LZMA_WASM__ === 'string') return join(dirname(fileURLToPath(import.meta.url)), __KHEADERS_LZMA_WASM__);
  return createRequire(import.meta.url).resolve('node-liblzma/wasm/liblzma.wasm');
}

/** The liblzma WebAssembly module, loaded once. */
export async function lzmaWasm(): Promise<LZMAModule> {
  return initModule(async () => {
    const wasmBinary = await readFile(wasmPath());
    return createLZMA({ wasmBinary });
  });
}
