// End-to-end: the real kernel/kheaders.o of the 6.1 tree (CONFIG_IKHEADERS=m),
// built by the tree's own make, packed as kheaders.ko into distro packages by
// the distros' own tools (dpkg-deb, rpmbuild, GNU tar), compressed as each
// distro does, beside other module files. The archive out of each must equal
// the kernel's own kernel/kheaders_data.tar.xz byte for byte, from a file and
// from a loopback URL, through the library, the CLI and the action.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execute } from '../../src/action/run.js';
import { getInputs } from '../../src/action/inputs.js';
import { runCli } from '../../src/cli/run.js';
import { nullLogger } from '../../src/core/log.js';
import { extractArchive } from '../../src/core/extract/extract.js';
import { send, startServer, type TestServer } from '../helpers/http.js';
import { buildArchPkg, buildDeb, buildRpm, snapshot, tarExtract, type KernelModules } from '../helpers/packages.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = process.env.KHEADERS_E2E_CACHE ?? path.join(os.homedir(), '.cache/kheaders-e2e');
const BIG = 64 * 1024 * 1024;

let work: string;
let ko: Buffer;
let ref: Buffer;
let uts: string;
let oracle: Map<string, string>;
let server: TestServer;
const served = new Map<string, Buffer>();
const pkgs: Array<{ label: string; file: string }> = [];

/** Builds kernel/kheaders.o under the cache lock and copies it and the kernel's archive out (as extract.e2e.test.ts does). */
const BUILD = `set -eu
env -u XZ_OPT -u XZ_DEFAULTS -u TAR_OPTIONS -u KBUILD_BUILD_TIMESTAMP LC_ALL=C make -C "$1" kernel/kheaders.o >"$2/make.log" 2>&1 || { tail -n 30 "$2/make.log" >&2; exit 1; }
cp "$1/kernel/kheaders.o" "$1/kernel/kheaders_data.tar.xz" "$1/include/generated/utsrelease.h" "$2/"
`;

before(async () => {
  const { stdout } = await run('bash', [path.join(ROOT, 'scripts/kernel-tree.sh'), '--no-objtree'], { maxBuffer: BIG });
  const tree = /^tree=(.*)$/m.exec(stdout)?.[1];
  assert.ok(tree, `kernel-tree.sh printed no tree= line:\n${stdout}`);
  work = await mkdtemp(path.join(os.tmpdir(), 'kh-e2e-package-'));
  const script = path.join(work, 'build.sh');
  await writeFile(script, BUILD);
  await run('flock', [path.join(CACHE, '.lock'), 'bash', script, tree, work], { maxBuffer: BIG });
  ko = await readFile(path.join(work, 'kheaders.o'));
  ref = await readFile(path.join(work, 'kheaders_data.tar.xz'));
  uts = /UTS_RELEASE "([^"]+)"/.exec(await readFile(path.join(work, 'utsrelease.h'), 'utf8'))?.[1] ?? '';
  assert.ok(uts);
  oracle = snapshot(tarExtract(path.join(work, 'kheaders_data.tar.xz'), path.join(work, 'oracle')));
  const k = (compress: KernelModules['compress'], prefix: KernelModules['prefix'] = 'lib'): KernelModules => ({ release: uts, ko, compress, prefix });
  const d = path.join(work, 'pkgs');
  await mkdir(d);
  const t0 = Date.now();
  for (const z of ['xz', 'zstd', 'gzip', 'none'] as const) {
    pkgs.push({ label: `.deb -Z${z}, .ko.zst`, file: buildDeb(d, { name: `linux-modules-${uts}`, version: '6.1.0-1', kernels: [k('zst')], z }) });
  }
  for (const payload of ['w19.zstdio', 'w6.xzdio', 'w9.gzdio']) {
    pkgs.push({ label: `.rpm ${payload}, .ko.xz`, file: buildRpm(d, { name: 'kernel-modules-core', version: '6.1.0', kernels: [k('xz')], payload }) });
  }
  pkgs.push({ label: '.pkg.tar.zst, .ko.zst', file: buildArchPkg(d, { name: 'linux', version: '6.1.0.arch1-1', kernels: [k('zst', 'usr/lib')], z: 'zstd' }) });
  pkgs.push({ label: '.pkg.tar.xz, .ko.xz', file: buildArchPkg(d, { name: 'linux', version: '6.1.0.arch1-1', kernels: [k('xz', 'usr/lib')], z: 'xz' }) });
  console.log(`# ${pkgs.length} packages built in ${Date.now() - t0} ms around a ${ko.length}-byte kheaders.o`);
  for (const [i, p] of pkgs.entries()) served.set(`/${i}/${path.basename(p.file)}`, await readFile(p.file));
  server = await startServer((req, res) => {
    const body = served.get(decodeURIComponent(req.url ?? ''));
    if (body) send(res, body);
    else send(res, Buffer.from('no'), 404);
  });
}, { timeout: 3_600_000 });

after(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('the real 6.1 kheaders.o in distro packages', { timeout: 600_000 }, () => {
  test('from each package file: byte for byte the kernel\'s archive; extraction equals tar -x', async () => {
    for (const [i, p] of pkgs.entries()) {
      const out = path.join(work, `file${i}.tar.xz`);
      const t0 = Date.now();
      const r = await extractArchive({ from: p.file, archive: out, output: path.join(work, `file${i}`) }, nullLogger);
      console.log(`# ${p.label}: ${Date.now() - t0} ms`);
      assert.ok((await readFile(out)).equals(ref), p.label);
      assert.equal(r.release, uts, p.label);
      assert.equal(r.origin, 'package');
      assert.deepEqual(snapshot(path.join(work, `file${i}`)), oracle, p.label);
    }
  });

  test('from a loopback URL, with the package\'s sha256: the same bytes', async () => {
    for (const [i, p] of pkgs.entries()) {
      const url = `${server.base}/${i}/${path.basename(p.file)}`;
      const out = path.join(work, `url${i}.tar.xz`);
      const r = await extractArchive({ from: url, archive: out, sha256: sha(served.get(`/${i}/${path.basename(p.file)}`) as Buffer) }, nullLogger);
      assert.ok(r.verified);
      assert.ok((await readFile(out)).equals(ref), p.label);
    }
  });

  test('the CLI and the action on a .deb URL template with {release}', async () => {
    const [i, p] = [0, pkgs[0] as { label: string; file: string }];
    const template = `${server.base}/${i}/${path.basename(p.file).replace(uts, '{release}')}`;
    const out = path.join(work, 'cli.tar.xz');
    assert.equal(await runCli(['extract', '--from', template, '--release', uts, '--archive', out]), 0);
    assert.ok((await readFile(out)).equals(ref));
    const temp = path.join(work, 'runner_temp');
    await mkdir(temp);
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { GITHUB_WORKSPACE: work, RUNNER_TEMP: temp, INPUT_MODE: 'download', INPUT_URL: template, INPUT_RELEASE: uts });
      const res = await execute(getInputs(), {}, nullLogger);
      assert.equal(res.kernelRelease, uts);
      assert.ok((await readFile(res.archive)).equals(ref));
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});
