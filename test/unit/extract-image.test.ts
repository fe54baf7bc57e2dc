// The extract pipeline on kernel image files: detected by bytes (any name),
// --config-out, and no file written when the image has no config to give.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { extractArchive } from '../../src/core/extract/extract.js';
import { nullLogger } from '../../src/core/log.js';
import { tempDir } from '../helpers/action-tree.js';
import { buildRealElf } from '../helpers/elf.js';
import { rejectsWith } from '../helpers/errors.js';
import { makeHeadersArchive } from '../helpers/headers-archive.js';
import { arm64Image, bzImage, ikconfigBlob } from '../helpers/kernel-images.js';

const tmp = tempDir('kheaders-extract-image-');
const CONFIG = 'CONFIG_IKCONFIG=y\nCONFIG_IKHEADERS=y\n';
let archive: Buffer;
let vmlinux: Buffer;

before(() => {
  const fx = makeHeadersArchive(tmp.dir);
  archive = readFileSync(fx.archive);
  vmlinux = readFileSync(buildRealElf(tmp.dir, fx.archive, 'exec', { strip: true }));
});
after(() => tmp.cleanup());

describe('extract --from a kernel image', () => {
  it('a bzImage named anything: the archive and --config-out, byte for byte', async () => {
    const img = join(tmp.dir, 'kernel.bin');
    const v = Buffer.concat([vmlinux, ikconfigBlob(CONFIG)]);
    writeFileSync(img, bzImage(execFileSync('xz', ['--check=crc32', '-c'], { input: v }), v.length));
    const r = await extractArchive({ from: img, archive: join(tmp.dir, 'a.tar.xz'), configOut: join(tmp.dir, 'a.config') }, nullLogger);
    assert.equal(r.origin, 'image');
    assert.ok(readFileSync(join(tmp.dir, 'a.tar.xz')).equals(archive));
    assert.equal(readFileSync(join(tmp.dir, 'a.config'), 'utf8'), CONFIG);
    assert.equal(r.configPath, join(tmp.dir, 'a.config'));
  });
  it('Image.gz (gzip, like a module): its decoded start says kernel image', async () => {
    const img = join(tmp.dir, 'Image.gz');
    writeFileSync(img, gzipSync(arm64Image(vmlinux)));
    const r = await extractArchive({ from: img, archive: join(tmp.dir, 'b.tar.xz') }, nullLogger);
    assert.match(r.detail, /^gzip-compressed arm64 Image$/);
    assert.ok(readFileSync(join(tmp.dir, 'b.tar.xz')).equals(archive));
  });
  it('--config-out on an image without a config: NOT_FOUND, and nothing is written', async () => {
    const img = join(tmp.dir, 'Image');
    writeFileSync(img, arm64Image(vmlinux));
    await rejectsWith(extractArchive({ from: img, archive: join(tmp.dir, 'c.tar.xz'), output: join(tmp.dir, 'c'), configOut: join(tmp.dir, 'c.config') }, nullLogger),
      'NOT_FOUND', /carries no embedded config \(CONFIG_IKCONFIG\); nothing was written/);
    assert.deepEqual([existsSync(join(tmp.dir, 'c.tar.xz')), existsSync(join(tmp.dir, 'c')), existsSync(join(tmp.dir, 'c.config'))], [false, false, false]);
  });
});
