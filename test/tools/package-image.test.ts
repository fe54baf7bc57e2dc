// Kernel image packages of =y kernels (real .deb, .rpm and Arch packages made
// by dpkg-deb, rpmbuild and GNU tar): no kheaders.ko, a vmlinuz holding the
// archive. Without an archive, the error quotes the package's own config.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { nullLogger } from '../../src/core/log.js';
import { extractArchive } from '../../src/core/extract/extract.js';
import { tempDir } from '../helpers/action-tree.js';
import { buildRealElf } from '../helpers/elf.js';
import { rejectsWith } from '../helpers/errors.js';
import { makeHeadersArchive } from '../helpers/headers-archive.js';
import { bzImage, ikconfigBlob } from '../helpers/kernel-images.js';
import { buildArchPkg, buildDeb, buildRpm } from '../helpers/packages.js';

const REL = '6.1.0-kh-test+';
const tmp = tempDir('kheaders-package-image-');
let archive: Buffer;
let withHeaders: Buffer;
let without: Buffer;
let n = 0;
const CONFIG = '# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_IKHEADERS=y\n';
const NO = '# Linux/x86 6.1.0 Kernel Configuration\n# CONFIG_IKHEADERS is not set\n';

before(() => {
  const fx = makeHeadersArchive(tmp.dir, { release: REL });
  archive = readFileSync(fx.archive);
  const elf = readFileSync(buildRealElf(tmp.dir, fx.archive, 'exec', { strip: true }));
  const v = Buffer.concat([elf, ikconfigBlob(CONFIG)]);
  withHeaders = bzImage(gzipSync(v), v.length);
  const plain = readFileSync(buildRealElf(tmp.dir, join(tmp.dir, 'fixture-tree/include/linux/types.h'), 'rel'));
  without = bzImage(gzipSync(plain), plain.length);
});
after(() => tmp.cleanup());

const boot = (img: Buffer, config: string, dir = 'boot', name = `vmlinuz-${REL}`, cfg = `config-${REL}`): ((root: string) => void) => (root: string): void => {
  mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, dir, name), img);
  writeFileSync(join(root, dir, cfg), config);
};
const take = (from: string): ReturnType<typeof extractArchive> => extractArchive({ from, archive: join(tmp.dir, `out${n++}.tar.xz`), extract: false }, nullLogger);

describe('kernel image packages (CONFIG_IKHEADERS=y)', () => {
  it('.deb with boot/vmlinuz-<release>: the archive from the image, byte for byte', async () => {
    const pkg = buildDeb(join(tmp.dir, `d${n++}`), { name: `linux-image-${REL}`, version: '1', kernels: [], z: 'xz', extra: boot(withHeaders, CONFIG) });
    const r = await take(pkg);
    assert.ok(readFileSync(r.archivePath as string).equals(archive));
    assert.equal(r.release, REL);
    assert.match(r.detail, /boot\/vmlinuz-6\.1\.0-kh-test\+ \(x86 bzImage .*gzip > ELF vmlinux\)/);
    assert.equal(r.config, CONFIG);
  });
  it('.rpm and Arch with lib/modules/<release>/vmlinuz', async () => {
    for (const pkg of [
      buildRpm(join(tmp.dir, `r${n++}`), { name: 'kernel-core', version: '6.1.0', kernels: [], payload: 'w9.gzdio', extra: boot(withHeaders, CONFIG, `lib/modules/${REL}`, 'vmlinuz', 'config') }),
      buildArchPkg(join(tmp.dir, `a${n++}`), { name: 'linux', version: '6.1.0-1', kernels: [], z: 'zstd', extra: boot(withHeaders, CONFIG, `usr/lib/modules/${REL}`, 'vmlinuz', 'config') }),
    ]) {
      const r = await take(pkg);
      assert.ok(readFileSync(r.archivePath as string).equals(archive), pkg);
    }
  });
  it('an image without the archive or an embedded config: NOT_FOUND quoting the package\'s config file', async () => {
    const pkg = buildDeb(join(tmp.dir, `d${n++}`), { name: `linux-image-${REL}`, version: '1', kernels: [], z: 'xz', extra: boot(without, NO) });
    await rejectsWith(take(pkg), 'NOT_FOUND', /boot\/vmlinuz-6\.1\.0-kh-test\+ holds no kheaders archive: the package's \.\/boot\/config-6\.1\.0-kh-test\+ says "# CONFIG_IKHEADERS is not set"/);
  });
});
