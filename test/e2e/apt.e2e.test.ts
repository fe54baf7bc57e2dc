// End-to-end: the distro's package manager as a source, with real apt and no
// network. A local repository made here (apt-ftparchive, InRelease signed by a
// gpg key made for the test, APT_CONFIG pointing apt at it only) holds
// linux-modules-$(uname -r) with a real kernel/kheaders.o built for that release
// (scripts/release-module.sh) as kheaders.ko.zst. `extract --from apt:NAME`, and
// `--from running` / the action's mode running in an emulated kheaders kernel
// with no sysfs archive and no module file, each yield the kernel's own archive
// byte for byte. A repository signed by another key, and a missing package, fail clearly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { node24, runActionProcess } from '../helpers/action-run.js';
import { fail, NODE24_MISSING } from '../helpers/action-job.js';
import { makeAptRepo, requireAptTools, type AptRepo, type Deb } from '../helpers/apt-repo.js';
import { CLI, inKernel, kernelEnv, NOBODY, requireBcc, sh, unshareRefused, writeNsExec, writeNsNode24, type Kernel } from '../helpers/bcc.js';

const REL = os.release();
const NAME = `linux-modules-${REL}`;
let w: string;
let refused: string | undefined;
let want: Buffer;
let deb: Deb;
let node: string;
let wrapper: string;
/** PATH with a modprobe that only fails: running must never load a module on this machine. */
let stubPath: string;
const repos: AptRepo[] = [];
let n = 0;

function fresh(name: string): string {
  const d = path.join(w, `${name}${n++}`);
  mkdirSync(d);
  chmodSync(d, 0o755);
  return d;
}

/** A repository under a fresh dir, signed by the trusted key or another one. */
function repo(signer: 'trusted' | 'other' = 'trusted', debs: Deb[] = [deb]): AptRepo {
  const r = makeAptRepo(fresh('apt'), debs, signer);
  repos.push(r);
  return r;
}

function cli(args: string[], r: AptRepo, tmp?: string): ReturnType<typeof sh> {
  return sh([process.execPath, CLI, 'extract', ...args], { env: { ...process.env, APT_CONFIG: r.aptConfig, ...(tmp ? { TMPDIR: tmp } : {}) } });
}

before(async () => {
  requireAptTools();
  requireBcc(); // unshare and setpriv for the emulated kernel
  node = node24() ?? assert.fail(NODE24_MISSING);
  const out = execFileSync('bash', [path.resolve(import.meta.dirname, '../../scripts/release-module.sh'), REL], { maxBuffer: 1 << 24, timeout: 3_600_000 }).toString();
  const get = (k: string): string => new RegExp(`^${k}=(.+)$`, 'm').exec(out)?.[1] ?? assert.fail(`release-module.sh printed no ${k}=:\n${out}`);
  want = readFileSync(get('archive'));
  const ko = execFileSync('zstd', ['-q', '-c'], { input: readFileSync(get('ko')), maxBuffer: 1 << 28 });
  deb = { name: NAME, version: '1', files: [{ path: `lib/modules/${REL}/kernel/kernel/kheaders.ko.zst`, data: ko }] };
  w = mkdtempSync(path.join(os.tmpdir(), 'kh-e2e-apt-'));
  chmodSync(w, 0o755);
  mkdirSync(path.join(w, 'modules-none'), { mode: 0o755 });
  wrapper = writeNsNode24(w, writeNsExec(w));
  const bin = path.join(w, 'bin');
  mkdirSync(bin, { mode: 0o755 });
  writeFileSync(path.join(bin, 'modprobe'), '#!/bin/sh\necho "stub: no kheaders module here" >&2\nexit 1\n', { mode: 0o755 });
  stubPath = `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  refused = unshareRefused();
}, { timeout: 3_600_000 });

after(() => {
  for (const r of repos) r.close();
  if (w) rmSync(w, { recursive: true, force: true });
});

describe('apt as a source: a signed local repository, real apt-get, no network', { timeout: 600_000 }, () => {
  test(`extract --from apt:${NAME}: refreshes the repository's empty lists, downloads, and saves the kernel's own archive byte for byte`, async () => {
    const r = repo();
    const d = fresh('out');
    const tmp = fresh('tmp');
    const res = await cli(['--from', `apt:${NAME}`, '--archive', path.join(d, 'a.tar.xz')], r, tmp);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /apt's package lists are missing or stale: apt-get -q update/);
    assert.match(res.stderr, new RegExp(`apt-get download ${NAME.replace(/[.+]/g, '\\$&')}: ${NAME.replace(/[.+]/g, '\\$&')}_1_\\w+\\.deb \\(checked by apt against its signed indexes; not installed\\)`));
    assert.ok(readFileSync(path.join(d, 'a.tar.xz')).equals(want), 'byte for byte the archive make built for this release');
    assert.deepEqual(readdirSync(tmp), [], 'the downloaded package is gone');
  });

  test('a repository whose InRelease is signed by another key: a clear error, nothing written', async () => {
    const r = repo('other');
    const d = fresh('out');
    const res = await cli(['--from', `apt:${NAME}`, '--archive', path.join(d, 'a.tar.xz')], r);
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /the package manager refused the repository's signature or the package's hash: .*NO_PUBKEY [0-9A-F]{16}/);
    assert.match(res.stderr, /is not signed/);
    assert.match(res.stderr, /signing key/);
    assert.deepEqual(readdirSync(d), []);
  });

  test('a package the repository does not have: a clear error naming the fix', async () => {
    const r = repo();
    const res = await cli(['--from', 'apt:linux-modules-0.0.0-none', '--archive', path.join(fresh('out'), 'a.tar.xz')], r);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /apt has no package "linux-modules-0\.0\.0-none"/);
    assert.match(res.stderr, /apt-get update/);
  });

  test('a name that looks like an option is refused before apt runs', async () => {
    const res = await cli(['--from', 'apt:-oAPT::Get::Foo=1'], repo());
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /is not a package name/);
  });
});

describe('mode running in an emulated kheaders kernel: no sysfs archive, no module file, the modules package from apt', { timeout: 600_000 }, () => {
  const k = (): Kernel => ({ emulate: true, modules: path.join(w, 'modules-none') });

  test('kheaders extract --from running (root): reads kheaders.ko.zst out of linux-modules-$(uname -r), byte for byte', async (t) => {
    if (refused) return t.skip(refused);
    const r = repo();
    const d = fresh('out');
    const res = await inKernel(w, k(), [process.execPath, CLI, 'extract', '--from', 'running', '--archive', path.join(d, 'a.tar.xz')], { APT_CONFIG: r.aptConfig, PATH: stubPath });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, new RegExp(`read the archive from the running kernel's modules package, apt:${NAME.replace(/[.+]/g, '\\$&')} \\(`));
    assert.doesNotMatch(res.stderr, /modprobe|is for kernel/);
    assert.ok(readFileSync(path.join(d, 'a.tar.xz')).equals(want), 'byte for byte');
  });

  test('the bundled action on Node 24 (mode running, root): origin running, the archive byte for byte, headers extracted', async (t) => {
    if (refused) return t.skip(refused);
    const r = repo();
    const job = fresh('job');
    const tmp = fresh('tmp');
    chmodSync(tmp, 0o1777);
    const res = await runActionProcess({
      node: wrapper, dir: job, inputs: { mode: 'running', 'export-env': 'true' }, path: stubPath,
      env: { ...kernelEnv(w, k()), TMPDIR: tmp, KH_NODE: node, APT_CONFIG: r.aptConfig },
    });
    assert.equal(res.code, 0, fail(res));
    assert.equal(res.outputs.origin, 'running');
    assert.equal(res.outputs['kernel-release'], REL);
    assert.ok(readFileSync(res.outputs.archive).equals(want), 'byte for byte');
    assert.equal(res.exported.BPFTRACE_KERNEL_SOURCE, path.join(tmp, `kheaders-${REL}`));
    assert.ok(existsSync(path.join(tmp, `kheaders-${REL}`, 'include/linux/kconfig.h')));
    assert.match(res.stdout, /modules package, apt:linux-modules-/);
  });

  test('the bundled action as nobody, stale lists, passwordless sudo (a stub): sudo -n apt-get update only, then the download as nobody, byte for byte', async (t) => {
    if (refused) return t.skip(refused);
    const r = repo();
    execFileSync('chmod', ['-R', 'a+rwX', path.dirname(r.aptConfig)]); // the stub sudo runs apt-get as nobody
    const bin = fresh('sudo-bin');
    const calls = path.join(bin, 'calls.log');
    writeFileSync(calls, '', { mode: 0o666 });
    chmodSync(calls, 0o666);
    writeFileSync(path.join(bin, 'sudo'), `#!/bin/sh\necho "sudo $*" >> ${JSON.stringify(calls)}\n[ "$1" = -n ] && shift\nexec "$@"\n`, { mode: 0o755 });
    const job = fresh('job');
    const tmp = fresh('tmp');
    chmodSync(tmp, 0o1777);
    const res = await runActionProcess({
      node: wrapper, dir: job, inputs: { mode: 'running' }, path: `${bin}:${stubPath}`,
      env: { ...kernelEnv(w, { ...k(), as: NOBODY }), TMPDIR: tmp, KH_NODE: node, APT_CONFIG: r.aptConfig },
    });
    assert.equal(res.code, 0, fail(res));
    assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), ['sudo -n true', `sudo -n apt-get -c ${r.aptConfig} -q update`]);
    assert.ok(readFileSync(res.outputs.archive).equals(want), 'byte for byte');
  });

  test('the repository does not verify: apt uses none of it, a warning says so, and running goes on to modprobe (a stub here)', async (t) => {
    if (refused) return t.skip(refused);
    const r = repo('other');
    const res = await inKernel(w, k(), [process.execPath, CLI, 'extract', '--from', 'running', '--archive', path.join(fresh('out'), 'a.tar.xz')],
      { APT_CONFIG: r.aptConfig, PATH: stubPath });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /apt-get update refused a repository's signature: .*NO_PUBKEY/);
    assert.match(res.stderr, new RegExp(`apt has no package ${NAME.replace(/[.+]/g, '\\$&')} in the repositories that verified`));
    assert.match(res.stderr, /CONFIG_IKHEADERS=m but the module did not load: modprobe kheaders: stub: no kheaders module here/);
  });
});
