// node-liblzma as we ship it, in one place for scripts/build.ts and the arm64
// addon test (so that test runs the very files dist/ holds): its runtime JS,
// unchanged but for one line of lzma.js that loads the native addon from
// ../prebuilds/<platform>-<arch>/ by a fixed path instead of node-gyp-build,
// and its WASM liblzma (lib/wasm/), the decoder used where no addon loads.
import type { Plugin } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const LZMA_DIR = resolve(import.meta.dirname, '../node_modules/node-liblzma');
export const ADDON = 'node-liblzma.node';
const FILES = ['lib/lzma.js', 'lib/errors.js', 'lib/pool.js', 'LICENSE', 'package.json'];
const WASM = ['bindings.js', 'compress.js', 'decompress.js', 'index.js', 'liblzma.js', 'liblzma.wasm', 'memory.js', 'stream.js', 'types.js', 'utils.js'];
const CALL = "require('node-gyp-build')(bindingPath)";

/** Keeps node-liblzma out of a bundle: its imports resolve to ./node-liblzma/ next to the output file. */
export const xzExternal: Plugin = {
  name: 'xz-external',
  setup(b) {
    b.onResolve({ filter: /^node-liblzma$/ }, () => ({ path: './node-liblzma/lzma.js', external: true }));
    b.onResolve({ filter: /^node-liblzma\/wasm$/ }, () => ({ path: './node-liblzma/wasm/index.js', external: true }));
    b.onResolve({ filter: /^node-liblzma\/wasm\/liblzma\.js$/ }, () => ({ path: './node-liblzma/wasm/liblzma.js', external: true }));
  },
};

export function lzmaVersion(): string {
  return (JSON.parse(readFileSync(join(LZMA_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}

/** lzma.js with the addon loaded from ../prebuilds/<platform>-<arch>/ (the one change we make). */
export function patchLoader(src: string): string {
  if (!src.includes(CALL)) throw new Error(`node-liblzma changed: ${CALL} not found in lib/lzma.js`);
  const load = 'require(`../prebuilds/${process.platform}-${process.arch}/' + ADDON + '`)';
  return `// node-liblzma ${lzmaVersion()} (LGPL-3.0, see LICENSE), changed by kheaders only to load the addon by a fixed path.\n${src.replace(CALL, load)}`;
}

const noMap = (s: string): string => s.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');

/** Writes node-liblzma's runtime files into `to` (e.g. dist/node-liblzma); the .map files are not shipped, nor their references. */
export function writeLzma(to: string): void {
  mkdirSync(join(to, 'wasm'), { recursive: true });
  for (const f of FILES) {
    const dest = join(to, f.replace(/^lib\//, ''));
    if (!f.endsWith('.js')) copyFileSync(join(LZMA_DIR, f), dest);
    else {
      const src = noMap(readFileSync(join(LZMA_DIR, f), 'utf8'));
      writeFileSync(dest, f === 'lib/lzma.js' ? patchLoader(src) : src);
    }
  }
  const have = new Set(readdirSync(join(LZMA_DIR, 'lib/wasm')));
  for (const f of WASM) {
    if (!have.has(f)) throw new Error(`node-liblzma changed: lib/wasm/${f} is missing`);
    if (f.endsWith('.js')) writeFileSync(join(to, 'wasm', f), noMap(readFileSync(join(LZMA_DIR, 'lib/wasm', f), 'utf8')));
    else copyFileSync(join(LZMA_DIR, 'lib/wasm', f), join(to, 'wasm', f));
  }
}
