// The vendored linux-arm64 node-liblzma addon, loaded by real arm64 Node under
// qemu-user, against the host's xz as the oracle. Run via
// scripts/test-arm64-addon.sh, which installs qemu and fetches arm64 Node.
// The driver loads node-liblzma from the very files dist/ ships (written by
// scripts/lzma-loader.ts, which scripts/build.ts uses too), with the addon in
// prebuilds/linux-arm64/ beside them, as dist/ lays it out.
// Env: KHEADERS_ARM64_NODE  arm64 node binaries, ':'-separated
//      KHEADERS_QEMU        qemu-aarch64 binary (default: found on PATH)
// A missing piece (qemu, arm64 Node, the addon) fails the suite, naming the fix.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { writeLzma, xzExternal } from '../../scripts/lzma-loader.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const ADDON = join(ROOT, 'vendor/prebuilds/linux-arm64/node-liblzma.node');
const EMU_TIMEOUT = 15 * 60_000;

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

const qemu = process.env.KHEADERS_QEMU ?? onPath('qemu-aarch64-static') ?? onPath('qemu-aarch64');
const nodes = (process.env.KHEADERS_ARM64_NODE ?? '').split(':').filter((p) => p !== '');
const missing =
  qemu === undefined ? 'qemu-aarch64 not found: apt-get install qemu-user-static, or run scripts/test-arm64-addon.sh'
  : nodes.length === 0 ? 'KHEADERS_ARM64_NODE is not set: run scripts/test-arm64-addon.sh, which fetches arm64 Node from npm'
  : !existsSync(ADDON) ? `${ADDON} is missing: run scripts/build-arm64-addon.sh`
  : nodes.find((n) => !existsSync(n));

async function host(cmd: string, args: string[]): Promise<Buffer> {
  const { stdout } = await run(cmd, args, { encoding: 'buffer', maxBuffer: 256 << 20 });
  return stdout;
}

if (typeof missing === 'string') {
  test('linux-arm64 addon under qemu: prerequisites', () => assert.fail(`${missing} (scripts/test-arm64-addon.sh sets everything up)`));
} else {
  let dir = '';
  let driver = '';
  let sample = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kh-arm64-'));
    driver = join(dir, 'driver.mjs');
    await build({
      entryPoints: [join(import.meta.dirname, 'xz-driver.ts')], outfile: driver, bundle: true, platform: 'node',
      format: 'esm', target: 'node20', plugins: [xzExternal], logLevel: 'warning',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    writeLzma(join(dir, 'node-liblzma')); // what dist/node-liblzma/ holds
    mkdirSync(join(dir, 'prebuilds/linux-arm64'), { recursive: true });
    copyFileSync(ADDON, join(dir, 'prebuilds/linux-arm64/node-liblzma.node'));
    // A real tree (text, binary, zeros), > 3 MiB so preset 1's MT encoder writes several blocks.
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'include'), { recursive: true });
    const lib = join(ROOT, 'node_modules/typescript/lib');
    for (const f of readdirSync(lib).filter((n) => n.endsWith('.d.ts'))) copyFileSync(join(lib, f), join(tree, 'include', f));
    copyFileSync(ADDON, join(tree, 'addon.bin'));
    writeFileSync(join(tree, 'zeros'), Buffer.alloc(1 << 16));
    sample = join(dir, 'sample.tar');
    await run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-cf', sample, '-C', tree, '.']);
    assert.ok(readFileSync(sample).length > 3.2 * (1 << 20), 'sample tar must exceed one 3 MiB block');
  });
  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  for (const node of nodes) {
    describe(`arm64 ${node}`, () => {
      const emu = async (...args: string[]): Promise<string> => {
        const { stdout } = await run(qemu as string, [node, driver, ...args], { timeout: EMU_TIMEOUT, maxBuffer: 1 << 20 });
        return stdout;
      };
      const tag = nodes.indexOf(node);

      test('loads as arm64 with liblzma thread support', async (t) => {
        const info = JSON.parse(await emu('info')) as { arch: string; node: string; threads: boolean; liblzma: string };
        t.diagnostic(`node ${info.node}, liblzma ${info.liblzma}`);
        assert.equal(info.arch, 'arm64');
        assert.equal(info.threads, true);
        const needed = (await host('readelf', ['-d', ADDON])).toString();
        assert.match(needed, /NEEDED.*libc\.so/);
        assert.doesNotMatch(needed, /liblzma/, 'liblzma must be linked statically');
      });

      test('preset 6, CRC64, 1 thread: the same bytes as xz -6 -T1', async () => {
        const out = join(dir, `p6-${tag}.xz`);
        await emu('xz', sample, out, '6', '1');
        const want = await host('xz', ['-6', '-T1', '-C', 'crc64', '-c', sample]);
        assert.ok((await readFile(out)).equals(want), 'arm64 output differs from xz -6 -T1');
      });

      test('preset 1, 2 threads: the same bytes as xz -1 -T2, several blocks, round-trips', async () => {
        const out = join(dir, `p1-${tag}.xz`);
        await emu('xz', sample, out, '1', '2');
        const got = await readFile(out);
        assert.ok(got.equals(await host('xz', ['-1', '-T2', '-c', sample])), 'arm64 output differs from xz -1 -T2');
        const blocks = (await host('xz', ['--robot', '-l', out])).toString().split('\n').find((l) => l.startsWith('totals'));
        assert.ok(Number(blocks?.split('\t')[2]) >= 2, `expected several blocks: ${blocks}`);
        assert.ok((await host('xz', ['-dc', out])).equals(readFileSync(sample)), 'xz -d of the arm64 stream differs');
      });

      test('decodes a host xz -1 -T2 stream, and rejects a corrupt one', async () => {
        const xz = join(dir, `host-${tag}.xz`);
        const back = join(dir, `back-${tag}.tar`);
        const stream = await host('xz', ['-1', '-T2', '-c', sample]);
        await writeFile(xz, stream);
        await emu('unxz', xz, back);
        assert.ok((await readFile(back)).equals(readFileSync(sample)), 'arm64 unxz output differs from the input');
        stream[stream.length >> 1] ^= 0x55;
        await writeFile(xz, stream);
        await assert.rejects(emu('unxz', xz, back), 'a corrupted stream must fail to decode');
      });

      const cli = join(ROOT, 'dist/cli.js');
      const noDist = existsSync(cli) ? false : 'dist/cli.js is missing: run npm run build';
      test('dist/cli.js build on arm64: the same bytes as on this host, both modes', { skip: noDist }, async () => {
        for (const mode of [['--compression', 'compat'], ['--compression', 'fast', '--threads', '2']]) {
          const args = [cli, 'build', '--no-cache', '--arch', 'arm64', '--mtime', '@1700000000', ...mode, '--output'];
          const arm = join(dir, `cli-arm-${tag}.tar.xz`);
          const x64 = join(dir, `cli-x64-${tag}.tar.xz`);
          await run(qemu as string, [node, ...args, arm], { cwd: dir, timeout: EMU_TIMEOUT });
          await run(process.execPath, [...args, x64], { cwd: dir });
          const got = await readFile(arm);
          assert.ok(got.equals(await readFile(x64)), `${mode.join(' ')}: arm64 and host archives differ`);
          if (mode[1] === 'compat') {
            const tar = await host('xz', ['-dc', arm]);
            await writeFile(join(dir, 'cli.tar'), tar);
            assert.ok(got.equals(await host('xz', ['-6', '-T1', '-c', join(dir, 'cli.tar')])), 'compat archive is not xz -6 -T1 of its tar');
          }
        }
      });
    });
  }
}
