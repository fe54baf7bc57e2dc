// End-to-end: take the archive out of a real kernel/kheaders.o (6.1, CONFIG_IKHEADERS=m),
// plain, compressed and stripped, and compare with the tree's own kheaders_data.tar.xz.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, lstat, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { extractArchive } from '../../src/core/extract/extract.js';
import { nullLogger } from '../../src/core/log.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = process.env.KHEADERS_E2E_CACHE ?? path.join(os.homedir(), '.cache/kheaders-e2e');
const BIG = 64 * 1024 * 1024;

let work: string;
let obj: string;
let ref: Buffer;
let uts: string;

/** Builds kernel/kheaders.o under the cache lock and copies it and the kernel's archive out. */
const BUILD = `set -eu
env -u XZ_OPT -u XZ_DEFAULTS -u TAR_OPTIONS -u KBUILD_BUILD_TIMESTAMP LC_ALL=C make -C "$1" kernel/kheaders.o >"$2/make.log" 2>&1 || { tail -n 30 "$2/make.log" >&2; exit 1; }
cp "$1/kernel/kheaders.o" "$1/kernel/kheaders_data.tar.xz" "$1/include/generated/utsrelease.h" "$2/"
`;

async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const p = path.join(d, name);
      const st = await lstat(p);
      const rel = path.relative(root, p);
      const mode = (st.mode & 0o777).toString(8);
      if (st.isSymbolicLink()) out.set(rel, `link ${await readlink(p)}`);
      else if (st.isDirectory()) { out.set(rel, `dir ${mode}`); await walk(p); }
      else out.set(rel, `file ${mode} ${Math.floor(st.mtimeMs / 1000)} ${createHash('sha256').update(await readFile(p)).digest('hex')}`);
    }
  };
  await walk(root);
  return out;
}

before(async () => {
  const { stdout } = await run('bash', [path.join(ROOT, 'scripts/kernel-tree.sh'), '--no-objtree'], { maxBuffer: BIG });
  const tree = /^tree=(.*)$/m.exec(stdout)?.[1];
  assert.ok(tree, `kernel-tree.sh printed no tree= line:\n${stdout}`);
  work = await mkdtemp(path.join(os.tmpdir(), 'kh-e2e-extract-'));
  const script = path.join(work, 'build.sh');
  await writeFile(script, BUILD);
  const t0 = Date.now();
  await run('flock', [path.join(CACHE, '.lock'), 'bash', script, tree, work], { maxBuffer: BIG });
  console.log(`# make kernel/kheaders.o: ${Date.now() - t0} ms`);
  obj = path.join(work, 'kheaders.o');
  ref = await readFile(path.join(work, 'kheaders_data.tar.xz'));
  uts = /UTS_RELEASE "([^"]+)"/.exec(await readFile(path.join(work, 'utsrelease.h'), 'utf8'))?.[1] ?? '';
  assert.ok(uts);
}, { timeout: 3_600_000 });

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('extract from a real kernel/kheaders.o', { timeout: 600_000 }, () => {
  test('kheaders.o (ET_REL, symbols): archive byte for byte equal to kernel/kheaders_data.tar.xz', async () => {
    const out = path.join(work, 'plain.tar.xz');
    const t0 = Date.now();
    const r = await extractArchive({ from: obj, archive: out }, nullLogger);
    console.log(`# extractArchive(kheaders.o, --archive): ${Date.now() - t0} ms, ${ref.length} bytes`);
    assert.equal(r.origin, 'elf');
    assert.match(r.detail, /ELF64 little-endian ET_REL \(symbols\)/);
    assert.ok((await readFile(out)).equals(ref));
    assert.equal(r.release, uts);
    assert.equal(r.sha256, createHash('sha256').update(ref).digest('hex'));
  });

  for (const [kind, cmd, args] of [['xz', 'xz', ['--check=crc32', '--lzma2=dict=1MiB', '-c']], ['gz', 'gzip', ['-n', '-c']], ['zst', 'zstd', ['-T0', '-q', '-c']]] as const) {
    test(`kheaders.o.${kind}: same archive`, async () => {
      const { stdout } = await run(cmd, [...args, obj], { encoding: 'buffer', maxBuffer: BIG });
      const packed = path.join(work, `kheaders.ko.${kind}`);
      await writeFile(packed, stdout);
      const out = path.join(work, `from-${kind}.tar.xz`);
      await extractArchive({ from: packed, archive: out }, nullLogger);
      assert.ok((await readFile(out)).equals(ref));
    });
  }

  test('stripped kheaders.o: found by scanning, same archive', async () => {
    const stripped = path.join(work, 'stripped.o');
    await copyFile(obj, stripped);
    await run('strip', ['--strip-all', stripped]);
    const out = path.join(work, 'stripped.tar.xz');
    const r = await extractArchive({ from: stripped, archive: out }, nullLogger);
    assert.match(r.detail, /stripped, found by scan/);
    assert.ok((await readFile(out)).equals(ref));
  });

  test('extraction equals GNU tar -x of the kernel archive; kconfig.h present for bcc', async () => {
    const oracle = path.join(work, 'oracle');
    await mkdir(oracle);
    await run('tar', ['-xf', path.join(work, 'kheaders_data.tar.xz'), '-C', oracle]);
    const t0 = Date.now();
    const r = await extractArchive({ from: obj, output: path.join(work, 'headers') }, nullLogger);
    console.log(`# extractArchive(kheaders.o, --output): ${Date.now() - t0} ms`);
    assert.deepEqual(await snapshot(path.join(work, 'headers')), await snapshot(oracle));
    assert.match(r.hints.join('\n'), /BCC_KERNEL_SOURCE=/);
    assert.doesNotMatch(r.hints.join('\n'), /kconfig\.h is missing/);
  });
});
