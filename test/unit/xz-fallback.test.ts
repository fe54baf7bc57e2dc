// A platform where the native xz addon cannot load: dist/ copied without its
// prebuilds/. --help, --version and key never touch xz; decoding falls back to
// node-liblzma's WASM liblzma, encoding to the system xz, and each gives the
// bytes the addon gives (GNU tar and the addon's own build are the oracles).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { makeSampleTree } from '../../src/cli/sample.js';
import { LZMA_DIR, writeLzma } from '../../scripts/lzma-loader.js';
import { isolatedDist, runNode, type Run } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'kh-xzfb-'));
const env = { XDG_CACHE_HOME: join(work, 'xdg'), TMPDIR: join(work, 'tmp') };
mkdirSync(env.TMPDIR);
let withAddon = '';
let without = '';
let tree = '';
const cleanups: Array<() => unknown> = [];

before(async () => {
  const a = isolatedDist();
  const b = isolatedDist();
  cleanups.push(a.cleanup, b.cleanup);
  withAddon = a.cli;
  without = b.cli;
  rmSync(join(b.dir, 'prebuilds'), { recursive: true, force: true }); // the addon is hidden
  const sample = await makeSampleTree('x86', 'x86_64');
  cleanups.push(sample.cleanup);
  tree = sample.tree.source;
  // Over 3 MiB of tar, so fast mode's multithreaded encoder writes several blocks.
  const lines = Array.from({ length: 160_000 }, (_, i) => `#define BIG_${i} ${(i * 2654435761) % 4294967296}\n`).join('');
  writeFileSync(join(tree, 'include/linux/big.h'), lines);
});
after(async () => {
  for (const c of cleanups) await c();
  rmSync(work, { recursive: true, force: true });
});

const sha = (p: string): string => execFileSync('sha256sum', [p]).toString().split(' ')[0] ?? '';
const ok = (r: Run): Run => {
  assert.equal(r.code, 0, r.stderr);
  return r;
};
const build = (cli: string, out: string, ...more: string[]): Promise<Run> =>
  runNode(cli, ['build', '--source', tree, '--arch', 'x86_64', '--no-cache', '--mtime', '@1700000000', ...more, '--output', out], { env });

describe('with the native xz addon hidden', () => {
  test('--version, --help and key work, and print what they print with it', async () => {
    for (const args of [['--version'], ['--help'], ['build', '--help'], ['key', '--source', tree, '--arch', 'x86_64']]) {
      const hidden = ok(await runNode(without, args, { env }));
      const shown = ok(await runNode(withAddon, args, { env }));
      assert.equal(hidden.stdout, shown.stdout, args.join(' '));
      assert.doesNotMatch(hidden.stderr, /node-liblzma\.node|Cannot find module/);
    }
  });

  test('build, compat and fast: the system xz writes the addon\'s bytes, and the claim names its version', async () => {
    const version = execFileSync('xz', ['--version']).toString().split('\n')[0]?.trim() ?? '';
    assert.match(version, /XZ Utils\) \d+\.\d+/);
    for (const mode of [['--compression', 'compat'], ['--compression', 'fast', '--threads', '2']]) {
      const sys = join(work, `sys-${mode[1]}.tar.xz`);
      const lib = join(work, `lib-${mode[1]}.tar.xz`);
      const r = ok(await build(without, sys, ...mode));
      ok(await build(withAddon, lib, ...mode));
      assert.equal(sha(sys), sha(lib), `${mode[1]}: the system xz and the addon wrote different bytes`);
      assert.ok(r.stderr.includes(`the xz bytes were written by the system ${version}`), r.stderr);
    }
    const blocks = execFileSync('xz', ['--robot', '-l', join(work, 'sys-fast.tar.xz')]).toString().split('\n').find((l) => l.startsWith('totals'))?.split('\t')[2];
    assert.ok(Number(blocks) >= 2, `fast mode must have several blocks here, got ${blocks}`);
  });

  test('extract: the WASM decoder unpacks the tree GNU tar unpacks, byte for byte', async () => {
    const archive = join(work, 'lib-compat.tar.xz');
    if (!existsSync(archive)) ok(await build(withAddon, archive));
    for (const a of [archive, join(work, 'lib-fast.tar.xz')]) {
      const out = join(work, `x-${a.endsWith('fast.tar.xz') ? 'fast' : 'compat'}`);
      ok(await runNode(without, ['extract', '--from', a, '--output', out], { env }));
      const gnu = mkdtempSync(join(work, 'gnu-'));
      execFileSync('tar', ['-xJf', a, '-C', gnu]);
      const list = (d: string): string => execFileSync('find', ['.', '-printf', '%y %p %l\\n'], { cwd: d }).toString().split('\n').sort().join('\n');
      assert.equal(list(out), list(gnu));
      for (const f of ['include/linux/big.h', 'include/generated/autoconf.h']) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(gnu, f))), f);
    }
  });

  test('a truncated archive is refused by the WASM decoder, as xz -t refuses it', async () => {
    const whole = readFileSync(join(work, 'lib-compat.tar.xz'));
    const cut = join(work, 'cut.tar.xz');
    writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    assert.throws(() => execFileSync('xz', ['-t', cut], { stdio: 'ignore' }));
    const r = await runNode(without, ['extract', '--from', cut, '--output', join(work, 'x-cut')], { env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error: .*xz (stream is truncated|data is corrupt)/);
    assert.equal(existsSync(join(work, 'x-cut')), false);
  });

  test('with no system xz either: build fails naming the platform and the fix; extract still works', async () => {
    const bare = mkdtempSync(join(work, 'bin-')); // a PATH with no xz (node runs by its absolute path)
    const noXz = { ...env, PATH: bare };
    const out = join(work, 'none.tar.xz');
    const r = await runNode(without, ['build', '--source', tree, '--arch', 'x86_64', '--no-cache', '--output', out], { env: noXz });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`error: cannot compress xz on ${process.platform}-${process.arch}: the bundled native xz addon does not load here`));
    assert.match(r.stderr, /fix: install xz \(XZ Utils/);
    assert.equal(existsSync(out), false);
    ok(await runNode(without, ['build', '--source', tree, '--arch', 'x86_64', '--no-cache', '--compression', 'none', '--output', join(work, 'plain.tar')], { env: noXz }));
    ok(await runNode(without, ['extract', '--from', join(work, 'lib-compat.tar.xz'), '--output', join(work, 'x-noxz')], { env: noXz }));
    assert.ok(existsSync(join(work, 'x-noxz/include/linux/big.h')));
  });
});

test('the loader dist/ ships (scripts/lzma-loader.ts) loads this host\'s addon from prebuilds/ beside it', async () => {
  const d = mkdtempSync(join(work, 'loader-'));
  writeLzma(join(d, 'node-liblzma'));
  const platform = `${process.platform}-${process.arch}`;
  mkdirSync(join(d, 'prebuilds', platform), { recursive: true });
  copyFileSync(join(LZMA_DIR, 'prebuilds', platform, 'node-liblzma.node'), join(d, 'prebuilds', platform, 'node-liblzma.node'));
  cpSync(join(LZMA_DIR, 'LICENSE'), join(d, 'LICENSE'));
  const m = (await import(pathToFileURL(join(d, 'node-liblzma/lzma.js')).href)) as typeof import('node-liblzma');
  assert.match(m.versionString(), /^\d+\.\d+\.\d+/);
  const input = Buffer.from('#define X 1\n'.repeat(1000));
  assert.ok(execFileSync('xz', ['-dc'], { input: m.xzSync(input, { preset: 6 }) }).equals(input));
  assert.match(readFileSync(join(d, 'node-liblzma/lzma.js'), 'utf8'), /changed by kheaders only to load the addon by a fixed path/);
});
