// Packages by URL, from a loopback server: each format, {release}/{arch}
// templates, and a sha256 that may be the package's (as the distro's index
// lists it) or the archive's.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../src/cli/run.js';
import { nullLogger } from '../../src/core/log.js';
import { extractArchive } from '../../src/core/extract/extract.js';
import { tempDir } from '../helpers/action-tree.js';
import { rejectsWith } from '../helpers/errors.js';
import { serveFiles, type TestServer } from '../helpers/http.js';
import { buildArchPkg, buildDeb, buildRpm, kheadersModule, snapshot, tarExtract } from '../helpers/packages.js';

const REL = '6.8.0-31-generic';
const tmp = tempDir('kheaders-package-url-');
let server: TestServer;
let mod: ReturnType<typeof kheadersModule>;
const files = new Map<string, Buffer>();
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

before(async () => {
  mod = kheadersModule(tmp.dir, REL);
  const k = { release: REL, ko: mod.ko, compress: 'zst' as const, prefix: 'lib' as const };
  const d = join(tmp.dir, 'pkgs');
  mkdirSync(d);
  files.set(`/ubuntu/pool/linux-modules-${REL}_6.8.0-31.31_amd64.deb`, readFileSync(buildDeb(d, { name: `linux-modules-${REL}`, version: '6.8.0-31.31', kernels: [k], z: 'zstd' })));
  files.set(`/fedora/x86/kernel-modules-core-${REL}.rpm`, readFileSync(buildRpm(d, { name: 'kernel-modules-core', version: '6.8.0', kernels: [{ ...k, compress: 'xz' }], payload: 'w19.zstdio' })));
  files.set(`/arch/x86/linux-${REL}.pkg.tar.zst`, readFileSync(buildArchPkg(d, { name: 'linux', version: '6.8.0', kernels: [{ ...k, prefix: 'usr/lib' }], z: 'zstd' })));
  server = await serveFiles(files);
});
after(async () => {
  await server?.close();
  tmp.cleanup();
});

let n = 0;
const out = (): string => join(tmp.dir, `out${n++}`);

void describe('--from URL of a package', () => {
  const templates = [
    ['.deb', '/ubuntu/pool/linux-modules-{release}_6.8.0-31.31_amd64.deb', `/ubuntu/pool/linux-modules-${REL}_6.8.0-31.31_amd64.deb`],
    ['.rpm', '/fedora/{arch}/kernel-modules-core-{release}.rpm', `/fedora/x86/kernel-modules-core-${REL}.rpm`],
    ['.pkg.tar.zst', '/arch/{arch}/linux-{release}.pkg.tar.zst', `/arch/x86/linux-${REL}.pkg.tar.zst`],
  ] as const;
  for (const [label, template, path] of templates) {
    void it(`${label}: {release} from release, {arch}; the package's sha256 verifies; extracted like tar -xJf`, async () => {
      const archive = `${out()}.tar.xz`;
      const headers = out();
      const r = await extractArchive({ from: server.base + template, release: REL, urlVars: { arch: 'x86' }, sha256: sha(files.get(path) as Buffer), archive, output: headers }, nullLogger);
      assert.equal(r.origin, 'url');
      assert.ok(r.verified);
      assert.equal(r.release, REL);
      assert.match(r.detail, new RegExp(`^${server.base}${path.replace(/[.+]/g, '\\$&')} \\((Debian package|RPM|Arch package) `));
      assert.ok(readFileSync(archive).equals(mod.ref));
      assert.deepEqual(snapshot(headers), snapshot(tarExtract(mod.archive, out())));
    });
  }

  void it('the archive\'s own sha256 verifies too; a wrong one writes nothing and names both digests', async () => {
    const url = `${server.base}/ubuntu/pool/linux-modules-{release}_6.8.0-31.31_amd64.deb`;
    const ok = await extractArchive({ from: url, release: REL, sha256: sha(mod.ref), archive: `${out()}.tar.xz` }, nullLogger);
    assert.ok(ok.verified);
    const archive = `${out()}.tar.xz`;
    const wrong = 'a'.repeat(64);
    await rejectsWith(extractArchive({ from: url, release: REL, sha256: wrong, archive }, nullLogger), 'DIGEST_MISMATCH',
      new RegExp(`expected ${wrong}, the archive from .* has ${sha(mod.ref)} and the package file [0-9a-f]{64}; nothing was written`));
    assert.ok(!existsSync(archive));
  });

  void it('a URL whose package has no kheaders.ko for --release: NOT_FOUND naming the one it has', async () => {
    await rejectsWith(extractArchive({ from: `${server.base}/arch/x86/linux-${REL}.pkg.tar.zst`, release: '6.9.1-arch1-1', archive: `${out()}.tar.xz` }, nullLogger),
      'NOT_FOUND', new RegExp(`no kheaders\\.ko for release 6\\.9\\.1-arch1-1; it has one for ${REL}`));
  });

  void it('the CLI: kheaders extract --from URL-TEMPLATE --release R --arch A --sha256 PKG-SHA', async () => {
    const headers = out();
    const code = await runCli(['extract', '--from', `${server.base}/fedora/{arch}/kernel-modules-core-{release}.rpm`, '--release', REL, '--arch', 'x86_64',
      '--sha256', sha(files.get(`/fedora/x86/kernel-modules-core-${REL}.rpm`) as Buffer), '--output', headers]);
    assert.equal(code, 0);
    assert.ok(existsSync(join(headers, 'include/generated/utsrelease.h')));
    assert.equal(await runCli(['extract', '--from', `${server.base}/nope/{release}.deb`, '--release', REL, '--output', out()]), 1);
  });
});
