// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with esbuild, and
// ships node-liblzma's native addon in dist/prebuilds/, loaded by a fixed path.
import { build, type Plugin } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const PLATFORMS = ['linux-x64', 'linux-arm64'];
const ADDON = 'node-liblzma.node';

/** Replaces node-gyp-build's path guessing with a load from dist/prebuilds/<platform>-<arch>/. */
const xzAddon: Plugin = {
  name: 'xz-addon',
  setup(b) {
    b.onLoad({ filter: /node-liblzma[\\/]lib[\\/]lzma\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const call = "require('node-gyp-build')(bindingPath)";
      if (!src.includes(call)) throw new Error(`node-liblzma changed: ${call} not found in ${args.path}`);
      const load = 'require(`./prebuilds/${process.platform}-${process.arch}/' + ADDON + '`)';
      return { contents: src.replace(call, load), loader: 'js' };
    });
  },
};

/** Where each platform's prebuilt addon comes from. */
function addonSource(platform: string): string | undefined {
  const candidates = [join('node_modules/node-liblzma/prebuilds', platform, ADDON), join('vendor/prebuilds', platform, ADDON)];
  return candidates.find((p) => existsSync(p));
}

async function main(): Promise<void> {
  for (const f of existsSync('dist') ? readdirSync('dist') : []) rmSync(join('dist', f), { recursive: true, force: true });
  const entries = [['src/action/main.ts', 'index'], ['src/cli/main.ts', 'cli']].filter(([src]) => existsSync(src));
  for (const [src, out] of entries) {
    await build({
      entryPoints: [src],
      outfile: `dist/${out}.js`,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: true,
      legalComments: 'linked',
      plugins: [xzAddon],
      banner: { js: "import { createRequire as __khCreateRequire } from 'node:module'; const require = __khCreateRequire(import.meta.url);" },
      logLevel: 'warning',
    });
  }
  chmodSync('dist/cli.js', 0o755);
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
