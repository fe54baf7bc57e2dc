// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with esbuild.
// node-liblzma (LGPL-3.0) stays a separate, replaceable library in
// dist/node-liblzma/ with its license, and loads its native addon from
// dist/prebuilds/<platform>-<arch>/ by a fixed path instead of node-gyp-build.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADDON, LZMA_DIR, writeLzma, xzExternal } from './lzma-loader.js';

/**
 * The addons node-liblzma publishes (linux-x64, darwin-arm64, win32-x64) and our
 * linux-arm64 build. node-liblzma's darwin-arm64 file is a universal (x86_64 +
 * arm64) Mach-O bundle, so it serves darwin-x64 too.
 */
const PLATFORMS: Record<string, string> = {
  'linux-x64': 'linux-x64', 'linux-arm64': 'linux-arm64', 'darwin-arm64': 'darwin-arm64', 'darwin-x64': 'darwin-arm64', 'win32-x64': 'win32-x64',
};

/** Where each platform's prebuilt addon comes from. */
function addonSource(platform: string): string | undefined {
  const candidates = [join(LZMA_DIR, 'prebuilds', platform, ADDON), join('vendor/prebuilds', platform, ADDON)];
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
      // debug's optional colour probe (it requires it in a try): left out, so the bundle
      // does not change with whichever devDependency (azurite) hoists a supports-color.
      external: ['supports-color'],
      banner: { js: "import { createRequire as __khCreateRequire } from 'node:module'; const require = __khCreateRequire(import.meta.url);" },
      footer: { js: '// node-liblzma is loaded from ./node-liblzma/ (LGPL-3.0).' },
      logLevel: 'warning',
    });
    for (const p of Object.keys(result.metafile?.inputs ?? {})) inputs.add(p);
  }
  chmodSync('dist/cli.js', 0o755);
  writeFileSync('dist/package.json', '{ "type": "module", "private": true }\n');
  writeLzma('dist/node-liblzma');
  cpSync('vendor/prebuilds/licenses', 'dist/licenses', { recursive: true });
  writeFileSync('dist/licenses/THIRD-PARTY.txt', thirdParty(inputs));
  for (const [platform, file] of Object.entries(PLATFORMS)) {
    const from = addonSource(file);
    if (from === undefined) {
      console.warn(`warning: no prebuilt xz addon for ${platform}`);
      continue;
    }
    mkdirSync(join('dist/prebuilds', platform), { recursive: true });
    copyFileSync(from, join('dist/prebuilds', platform, ADDON));
  }
}

await main();
