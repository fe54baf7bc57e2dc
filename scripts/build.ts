// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with esbuild.
// node-liblzma (LGPL-3.0) stays a separate, replaceable library in
// dist/node-liblzma/ with its license, and loads its native addon from
// dist/prebuilds/<platform>-<arch>/ by a fixed path instead of node-gyp-build.
import { build, type Plugin } from 'esbuild';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PLATFORMS = ['linux-x64', 'linux-arm64'];
const ADDON = 'node-liblzma.node';

const LZMA_DIR = 'node_modules/node-liblzma';
const LZMA_FILES = ['lib/lzma.js', 'lib/errors.js', 'lib/pool.js', 'LICENSE', 'package.json'];

/** Its WebAssembly build (the .lzma decoder) ships beside it, in dist/node-liblzma/wasm/. */
const WASM_FILES = ['bindings.js', 'compress.js', 'decompress.js', 'index.js', 'liblzma.js', 'memory.js', 'stream.js', 'types.js', 'utils.js', 'liblzma.wasm'];

/** Keeps node-liblzma out of the bundle: imports resolve to ./node-liblzma/lzma.js and ./node-liblzma/wasm/. */
const xzExternal: Plugin = {
  name: 'xz-external',
  setup(b) {
    b.onResolve({ filter: /^node-liblzma$/ }, () => ({ path: './node-liblzma/lzma.js', external: true }));
    b.onResolve({ filter: /^node-liblzma\/wasm$/ }, () => ({ path: './node-liblzma/wasm/index.js', external: true }));
    b.onResolve({ filter: /^node-liblzma\/wasm\/liblzma\.js$/ }, () => ({ path: './node-liblzma/wasm/liblzma.js', external: true }));
  },
};

function copyLzmaWasm(): void {
  mkdirSync('dist/node-liblzma/wasm', { recursive: true });
  for (const f of WASM_FILES) {
    const from = join(LZMA_DIR, 'lib/wasm', f);
    const to = join('dist/node-liblzma/wasm', f);
    if (f.endsWith('.wasm')) copyFileSync(from, to);
    else writeFileSync(to, readFileSync(from, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'));
  }
}

/** Copies node-liblzma's runtime files; lzma.js loads the addon from ../prebuilds/ instead of node-gyp-build. */
function copyLzma(): void {
  mkdirSync('dist/node-liblzma', { recursive: true });
  for (const f of LZMA_FILES) {
    const to = join('dist/node-liblzma', f.replace(/^lib\//, ''));
    if (f.endsWith('.js') && f !== 'lib/lzma.js') {
      // The .map files are not shipped, so their references go too (Node's coverage chokes on them).
      writeFileSync(to, readFileSync(join(LZMA_DIR, f), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'));
      continue;
    }
    if (f !== 'lib/lzma.js') {
      copyFileSync(join(LZMA_DIR, f), to);
      continue;
    }
    const src = readFileSync(join(LZMA_DIR, f), 'utf8');
    const call = "require('node-gyp-build')(bindingPath)";
    if (!src.includes(call)) throw new Error(`node-liblzma changed: ${call} not found in ${f}`);
    const load = 'require(`../prebuilds/${process.platform}-${process.arch}/' + ADDON + '`)';
    writeFileSync(to, `// node-liblzma ${version()} (LGPL-3.0, see LICENSE), changed by kheaders only to load the addon by a fixed path.\n${src.replace(call, load).replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n')}`);
  }
}

function version(): string {
  return (JSON.parse(readFileSync(join(LZMA_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Where each platform's prebuilt addon comes from. */
function addonSource(platform: string): string | undefined {
  const candidates = [join('node_modules/node-liblzma/prebuilds', platform, ADDON), join('vendor/prebuilds', platform, ADDON)];
  return candidates.find((p) => existsSync(p));
}

/** The license texts of every npm package the bundles hold, for dist/licenses/THIRD-PARTY.txt. */
function thirdParty(inputs: Iterable<string>): string {
  const pkgs = new Set<string>();
  for (const p of inputs) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p);
    if (m) pkgs.add(m[1] as string);
  }
  const out: string[] = ['Third-party software bundled into dist/index.js and dist/cli.js, with its license texts.', ''];
  for (const name of [...pkgs].sort()) {
    const dir = join('node_modules', name);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string; license?: string };
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    out.push(`==== ${name}@${meta.version} (${meta.license ?? 'see text'})`, '', file ? readFileSync(join(dir, file), 'utf8').trim() : `(no license file shipped; package.json says ${meta.license ?? 'nothing'})`, '');
  }
  return `${out.join('\n')}\n`;
}

async function main(): Promise<void> {
  for (const f of existsSync('dist') ? readdirSync('dist') : []) rmSync(join('dist', f), { recursive: true, force: true });
  const entries = [['src/action/main.ts', 'index'], ['src/cli/main.ts', 'cli']].filter(([src]) => existsSync(src));
  const inputs = new Set<string>();
  for (const [src, out] of entries) {
    const result = await build({
      metafile: true,
      define: {
        __KHEADERS_VERSION__: JSON.stringify((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version),
        __KHEADERS_LZMA_WASM__: JSON.stringify('node-liblzma/wasm/liblzma.wasm'),
      },
      entryPoints: [src],
      outfile: `dist/${out}.js`,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      legalComments: 'linked',
      plugins: [xzExternal],
      banner: { js: "import { createRequire as __khCreateRequire } from 'node:module'; const require = __khCreateRequire(import.meta.url);" },
      footer: { js: '// node-liblzma is loaded from ./node-liblzma/ (LGPL-3.0).' },
      logLevel: 'warning',
    });
    for (const p of Object.keys(result.metafile?.inputs ?? {})) inputs.add(p);
  }
  chmodSync('dist/cli.js', 0o755);
  writeFileSync('dist/package.json', '{ "type": "module", "private": true }\n');
  copyLzma();
  copyLzmaWasm();
  cpSync('vendor/prebuilds/licenses', 'dist/licenses', { recursive: true });
  writeFileSync('dist/licenses/THIRD-PARTY.txt', thirdParty(inputs));
  for (const platform of PLATFORMS) {
    const from = addonSource(platform);
    if (from === undefined) {
      console.warn(`warning: no prebuilt xz addon for ${platform}`);
      continue;
    }
    mkdirSync(join('dist/prebuilds', platform), { recursive: true });
    copyFileSync(from, join('dist/prebuilds', platform, ADDON));
  }
}

await main();
