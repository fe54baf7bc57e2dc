// End-to-end: kernels as they ship, built by the kernel's own make from the
// Debian 6.1 source (scripts/kernel-images.sh): a bzImage per CONFIG_KERNEL_*
// compressor, the arm64 Image and Image.* targets, vmlinuz.efi (EFI_ZBOOT),
// Android boot images (mkbootimg v0/v2; v3/v4 written here from AOSP's
// bootimg.h layout). From each, the archive must equal the build's own
// kernel/kheaders_data.tar.xz byte for byte, and the config its .config.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { extractArchive } from '../../src/core/extract/extract.js';
import { verifyArchive } from '../../src/core/verify/verify.js';
import { nullLogger } from '../../src/core/log.js';
import { KheadersError } from '../../src/core/errors.js';
import { bootImage } from '../helpers/kernel-images.js';
import { overlayTree } from '../helpers/overlay.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const CACHE = process.env.KHEADERS_E2E_CACHE ?? path.join(os.homedir(), '.cache/kheaders-e2e');
const BIG = 256 * 1024 * 1024;
const X86 = ['gzip', 'bzip2', 'lzma', 'xz', 'lzo', 'lz4', 'zstd'];
const ARM64 = ['Image', 'Image.gz', 'Image.lz4', 'Image.zst', 'Image.bz2', 'Image.lzma', 'Image.lzo', 'vmlinuz.efi'];

let images: string;
let src: string;
let work: string;

/** The archive and config taken out of `file`, with how long it took. */
async function take(file: string): Promise<{ archive: Buffer; config: Buffer; detail: string; ms: number }> {
  const dir = await mkdtemp(path.join(work, 'x-'));
  const t0 = performance.now();
  const r = await extractArchive({ from: file, archive: path.join(dir, 'a.tar.xz'), configOut: path.join(dir, 'config'), extract: false }, nullLogger);
  const ms = Math.round(performance.now() - t0);
  const got = { archive: await readFile(path.join(dir, 'a.tar.xz')), config: await readFile(path.join(dir, 'config')), detail: r.detail, ms };
  await rm(dir, { recursive: true, force: true });
  return got;
}

async function sameAsBuild(file: string, buildDir: string, layers: RegExp): Promise<void> {
  const got = await take(file);
  console.log(`# ${path.relative(images, file)}: ${got.ms} ms (${got.detail})`);
  assert.ok(got.archive.equals(await readFile(path.join(buildDir, 'kheaders_data.tar.xz'))), 'archive byte for byte');
  assert.ok(got.config.equals(await readFile(path.join(buildDir, 'config'))), 'config equals the build\'s .config');
  assert.match(got.detail, layers);
}

before(async () => {
  const t0 = Date.now();
  const { stdout } = await run('bash', [path.join(ROOT, 'scripts/kernel-images.sh')], { maxBuffer: BIG });
  console.log(`# kernel-images.sh: ${Date.now() - t0} ms`);
  images = /^images=(.*)$/m.exec(stdout)?.[1] ?? '';
  assert.ok(images, `kernel-images.sh printed no images= line:\n${stdout}`);
  src = /^srctree=(.*)$/m.exec(stdout)?.[1] ?? '';
  assert.ok(src);
  work = await mkdtemp(path.join(os.tmpdir(), 'kh-e2e-images-'));
}, { timeout: 7_200_000 });

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('x86_64 bzImage, one per CONFIG_KERNEL_* compressor', { timeout: 600_000 }, () => {
  for (const c of X86) {
    test(`bzImage (${c}): the build's archive and .config`, () =>
      sameAsBuild(path.join(images, 'x86', c, 'bzImage'), path.join(images, 'x86', c), new RegExp(`x86 bzImage \\(boot protocol 2\\.\\d+, 6\\.1\\.\\d+\\), ${c} > ELF vmlinux`)));
  }
});

describe('arm64 Image, Image.*, vmlinuz.efi and Android boot images', { timeout: 600_000 }, () => {
  const a = (f: string): string => path.join(images, 'arm64', f);
  for (const f of ARM64) {
    const codec = { gz: 'gzip', lz4: 'lz4', zst: 'zstd', bz2: 'bzip2', lzma: 'lzma', lzo: 'lzo' }[f.split('.')[1] ?? ''];
    const layers = f === 'vmlinuz.efi' ? /^EFI zboot image \(gzip\), gzip > arm64 Image$/ : codec === undefined ? /^arm64 Image$/ : new RegExp(`^${codec}-compressed arm64 Image$`);
    test(`${f}: the build's archive and .config`, () => sameAsBuild(a(f), path.join(images, 'arm64'), layers));
  }
  for (const v of ['v0', 'v2']) {
    for (const k of ['lz4', 'gz']) {
      test(`boot image ${v} (mkbootimg) around Image.${k}`, () =>
        sameAsBuild(a(`boot-${v}-${k}.img`), path.join(images, 'arm64'), new RegExp(`Android boot image ${v} \\(page ${v === 'v0' ? 2048 : 4096}\\) > ${k === 'gz' ? 'gzip' : 'lz4'} > arm64 Image`)));
    }
  }
  for (const v of [3, 4]) {
    for (const k of ['lz4', 'gz']) {
      test(`boot image v${v} (bootimg.h layout) around Image.${k}`, async () => {
        const img = path.join(work, `boot-v${v}-${k}.img`);
        await writeFile(img, bootImage(await readFile(a(`Image.${k}`)), v));
        await sameAsBuild(img, path.join(images, 'arm64'), new RegExp(`Android boot image v${v} \\(page 4096\\) > ${k === 'gz' ? 'gzip' : 'lz4'} > arm64 Image`));
      });
    }
  }
});

describe('Debian\'s own linux-image (built without CONFIG_IKHEADERS)', { timeout: 600_000 }, () => {
  test('vmlinuz: NOT_FOUND citing its config, within 2 s', async () => {
    const debs = path.join(CACHE, 'debian-image');
    await run('mkdir', ['-p', debs]);
    let deb = (await readdir(debs)).find((f) => /^linux-image-\d.*-amd64_.*\.deb$/.test(f));
    if (deb === undefined) {
      await run('apt-get', ['download', 'linux-image-cloud-amd64'], { cwd: debs });
      const meta = (await readdir(debs)).find((f) => f.startsWith('linux-image-cloud-amd64_'));
      // The metapackage only depends on the real one: fetch that.
      const dep = /Depends: (linux-image-\S+)/.exec((await run('dpkg-deb', ['-f', path.join(debs, meta as string), 'Depends'])).stdout.replace(/^/, 'Depends: '))?.[1];
      assert.ok(dep, 'linux-image-cloud-amd64 names its kernel package');
      await run('apt-get', ['download', dep], { cwd: debs });
      deb = (await readdir(debs)).find((f) => /^linux-image-.*-amd64_.*\.deb$/.test(f) && !f.startsWith('linux-image-cloud-amd64_'));
    }
    assert.ok(deb);
    const root = path.join(work, 'deb');
    await run('dpkg-deb', ['-x', path.join(debs, deb), root], { maxBuffer: BIG });
    const vmlinuz = (await readdir(path.join(root, 'boot'))).find((f) => f.startsWith('vmlinuz-')) as string;
    const t0 = performance.now();
    const err = await extractArchive({ from: path.join(root, 'boot', vmlinuz), extract: false }, nullLogger).then(() => undefined, (e: unknown) => e);
    const ms = Math.round(performance.now() - t0);
    console.log(`# Debian ${vmlinuz}: ${ms} ms: ${err instanceof Error ? err.message : 'no error'}`);
    assert.ok(err instanceof KheadersError && err.code === 'NOT_FOUND', `NOT_FOUND expected, got ${String(err)}`);
    assert.match(err.message, new RegExp(`its config .*config-${vmlinuz.slice('vmlinuz-'.length).replace(/[.+]/g, '\\$&')} says "# CONFIG_IKHEADERS is not set"`));
    assert.match(err.message, /x86 bzImage .* > ELF vmlinux/);
    assert.ok(ms < 2000, `${ms} ms`);
  });
});

describe('verify --archive IMAGE --source TREE', { timeout: 1_200_000 }, () => {
  // The objtree holds the last x86 build's config: zstd.
  const image = (): string => path.join(images, 'x86', 'zstd', 'bzImage');
  const objtree = (): string => path.join(images, 'obj-x86');
  test('a clean tree matches; the report names the image and checks its config', async () => {
    const r = await verifyArchive({ archive: image(), source: src, objtree: objtree() }, nullLogger);
    assert.equal(r.result, 'match', JSON.stringify(r.findings.slice(0, 5)));
    assert.match(r.archiveFrom ?? '', /bzImage \(x86 bzImage .*zstd > ELF vmlinux\)/);
    assert.ok((r.imageConfig?.options ?? 0) > 100);
    assert.ok(r.config !== undefined, 'the objtree .config was cross-checked too');
    assert.ok(r.counts.match > 1000);
  });
  test('a tampered header is reported as differs', async () => {
    // Writable stand-ins for the cached trees (the objtree's "source" link names the tampered one).
    const tree = overlayTree(src, path.join(work, 'tampered'), 'x86', undefined);
    const obj = overlayTree(objtree(), path.join(work, 'tampered-obj'), 'x86', undefined, tree);
    const h = path.join(tree, 'include/linux/kernel.h');
    await writeFile(h, `${await readFile(h, 'utf8')}\n/* tampered */\n`);
    const r = await verifyArchive({ archive: image(), source: tree, objtree: obj }, nullLogger);
    assert.equal(r.result, 'mismatch');
    const f = r.findings.find((x) => x.name === 'include/linux/kernel.h');
    assert.equal(f?.category, 'differs');
  });
});
