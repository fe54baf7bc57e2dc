// The action in-process, as the runner sets it up (INPUT_* variables):
// mode download with url pointing at a loopback-served .deb, .rpm or Arch
// package, the release input, the sha256 of the package, and extract-to.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getInputs } from '../../src/action/inputs.js';
import { execute } from '../../src/action/run.js';
import { nullLogger } from '../../src/core/log.js';
import { inprocJobs } from '../helpers/action-inproc.js';
import { tempDir } from '../helpers/action-tree.js';
import { rejectsWith, throwsWith } from '../helpers/errors.js';
import { serveFiles, type TestServer } from '../helpers/http.js';
import { buildArchPkg, buildDeb, buildRpm, kheadersModule, snapshot, tarExtract, type KernelModules } from '../helpers/packages.js';

const [A, B] = ['6.8.0-31-generic', '6.8.0-35-generic'];
const tmp = tempDir('kheaders-package-action-');
let server: TestServer;
let modA: ReturnType<typeof kheadersModule>;
let modB: ReturnType<typeof kheadersModule>;
const files = new Map<string, Buffer>();
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

before(async () => {
  modA = kheadersModule(tmp.dir, A);
  modB = kheadersModule(tmp.dir, B);
  const k = (release: string, ko: Buffer, compress: KernelModules['compress'], prefix: KernelModules['prefix'] = 'lib'): KernelModules => ({ release, ko, compress, prefix });
  const d = join(tmp.dir, 'pkgs');
  mkdirSync(d);
  files.set(`/ubuntu/linux-modules-${A}_amd64.deb`, readFileSync(buildDeb(d, { name: `linux-modules-${A}`, version: '6.8.0-31.31', kernels: [k(A, modA.ko, 'zst')], z: 'zstd' })));
  files.set('/both/linux-modules_amd64.deb', readFileSync(buildDeb(d, { name: 'linux-modules-both', version: '1', kernels: [k(A, modA.ko, 'zst'), k(B, modB.ko, 'zst')], z: 'xz' })));
  files.set(`/fedora/kernel-modules-core-${A}.x86.rpm`, readFileSync(buildRpm(d, { name: 'kernel-modules-core', version: '6.8.0', kernels: [k(A, modA.ko, 'xz')], payload: 'w19.zstdio' })));
  files.set(`/arch/linux-${A}-x86.pkg.tar.zst`, readFileSync(buildArchPkg(d, { name: 'linux', version: '6.8.0', kernels: [k(A, modA.ko, 'zst', 'usr/lib')], z: 'zstd' })));
  server = await serveFiles(files);
});
after(async () => {
  await server?.close();
  tmp.cleanup();
});

let n = 0;
const { job } = inprocJobs(tmp.dir, { tree: false, tmpdir: true });

void describe('action mode download with url: a package', () => {
  const cases = [
    ['.deb', '/ubuntu/linux-modules-{release}_amd64.deb', `/ubuntu/linux-modules-${A}_amd64.deb`],
    ['.rpm', '/fedora/kernel-modules-core-{release}.{arch}.rpm', `/fedora/kernel-modules-core-${A}.x86.rpm`],
    ['Arch', '/arch/linux-{release}-{arch}.pkg.tar.zst', `/arch/linux-${A}-x86.pkg.tar.zst`],
  ] as const;
  for (const [label, template, path] of cases) {
    void it(`${label}: release and arch fill the template, the package's sha256 verifies, extract-to auto is kheaders-<release>`, async () => {
      const { temp } = job({ mode: 'download', url: server.base + template, release: A, arch: 'x86_64', sha256: sha(files.get(path) as Buffer), 'extract-to': 'auto' });
      const settings = getInputs();
      assert.equal(settings.release, A);
      const r = await execute(settings, {}, nullLogger);
      assert.equal(r.origin, 'url');
      assert.equal(r.kernelRelease, A);
      assert.equal(r.archive, join(temp, 'kheaders/kheaders_data.tar.xz'));
      assert.ok(readFileSync(r.archive).equals(modA.ref));
      assert.equal(r.sha256, sha(modA.ref));
      assert.equal(r.headersDir, join(temp, `kheaders-${A}`));
      assert.deepEqual(snapshot(r.headersDir), snapshot(tarExtract(modA.archive, join(tmp.dir, `oracle${n++}`))));
    });
  }

  void it('a package with two kernels: refused without release; the release input picks one', async () => {
    job({ mode: 'download', url: `${server.base}/both/linux-modules_amd64.deb` });
    await rejectsWith(execute(getInputs(), {}, nullLogger), 'BAD_INPUT', new RegExp(`holds kheaders\\.ko for 2 kernels: ${A}, ${B}`), /release input/);
    job({ mode: 'download', url: `${server.base}/both/linux-modules_amd64.deb`, release: B });
    const r = await execute(getInputs(), {}, nullLogger);
    assert.equal(r.kernelRelease, B);
    assert.ok(readFileSync(r.archive).equals(modB.ref));
  });

  void it('a wrong sha256 fails the step as DIGEST_MISMATCH; a bad release input is a usage error', async () => {
    job({ mode: 'download', url: `${server.base}/ubuntu/linux-modules-{release}_amd64.deb`, release: A, sha256: 'b'.repeat(64) });
    await rejectsWith(execute(getInputs(), {}, nullLogger), 'DIGEST_MISMATCH', /input "sha256": sha256 mismatch/);
    job({ mode: 'download', url: `${server.base}/x.deb`, release: '../etc' });
    throwsWith(() => getInputs(), 'USAGE', /input "release": "\.\.\/etc" is not a kernel release/);
  });
});
