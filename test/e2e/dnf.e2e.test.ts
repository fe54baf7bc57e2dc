// End-to-end: dnf as a source, with Debian 12's dnf 4.14 (and dnf-plugins-core's
// download command) and no network. A local repository made here (rpmbuild,
// createrepo_c, repomd.xml signed by a gpg key made for the test, repo_gpgcheck=1)
// holds kernel-modules-core-$(uname -r) with the real kheaders.o built for that
// release as kheaders.ko.xz, as Fedora ships it. In a private mount namespace the
// test's dnf.conf is bound over /etc/dnf/dnf.conf (and, for running, an
// os-release saying Fedora over /etc/os-release).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, inKernel, requireBcc, unshareRefused, writeNsExec, type Kernel } from '../helpers/bcc.js';
import { makeDnfRepo, requireDnfTools, type DnfRepo, type Rpm } from '../helpers/dnf-repo.js';

const REL = os.release();
const NAME = `kernel-modules-core-${REL}`;
let w: string;
let refused: string | undefined;
let want: Buffer;
let rpm: Rpm;
let fedora: string;
let stubPath: string;
const repos: DnfRepo[] = [];
let n = 0;

function fresh(name: string): string {
  const d = path.join(w, `${name}${n++}`);
  mkdirSync(d);
  chmodSync(d, 0o755);
  return d;
}

function repo(signer: 'trusted' | 'other' = 'trusted'): DnfRepo {
  const r = makeDnfRepo(fresh('dnf'), [rpm], signer);
  repos.push(r);
  return r;
}

/** The CLI in a private mount namespace where /etc/dnf/dnf.conf is the test's (and /etc/os-release says Fedora, with osRelease). */
function cli(r: DnfRepo, args: string[], k: Kernel = {}, osRelease = false): ReturnType<typeof inKernel> {
  const bind = 'mount --bind "$1" /etc/dnf/dnf.conf; if [ -n "$2" ]; then mount --bind "$2" /etc/os-release; fi; shift 2; exec "$@"';
  return inKernel(w, k, ['sh', '-c', bind, 'bind', r.conf, osRelease ? fedora : '', process.execPath, CLI, 'extract', ...args], { PATH: stubPath });
}

before(async () => {
  requireDnfTools();
  requireBcc(); // unshare and setpriv
  const out = execFileSync('bash', [path.resolve(import.meta.dirname, '../../scripts/release-module.sh'), REL], { maxBuffer: 1 << 24, timeout: 3_600_000 }).toString();
  const get = (k: string): string => new RegExp(`^${k}=(.+)$`, 'm').exec(out)?.[1] ?? assert.fail(`release-module.sh printed no ${k}=:\n${out}`);
  want = readFileSync(get('archive'));
  const ko = execFileSync('xz', ['-c', '--check=crc32'], { input: readFileSync(get('ko')), maxBuffer: 1 << 28 });
  rpm = { name: NAME, files: [{ path: `lib/modules/${REL}/kernel/kernel/kheaders.ko.xz`, data: ko }] };
  w = mkdtempSync(path.join(os.tmpdir(), 'kh-e2e-dnf-'));
  chmodSync(w, 0o755);
  mkdirSync(path.join(w, 'modules-none'), { mode: 0o755 });
  fedora = path.join(w, 'os-release');
  writeFileSync(fedora, 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=40\n', { mode: 0o644 });
  writeNsExec(w);
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

describe('dnf as a source: a signed local repository (repo_gpgcheck), real dnf download, no network', { timeout: 600_000 }, () => {
  test(`extract --from dnf:${NAME}: the kernel's own archive, byte for byte`, async (t) => {
    if (refused) return t.skip(refused);
    const d = fresh('out');
    const res = await cli(repo(), ['--from', `dnf:${NAME}`, '--archive', path.join(d, 'a.tar.xz')]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, new RegExp(`dnf download ${NAME.replace(/[.+]/g, '\\$&')}: ${NAME.replace(/[.+]/g, '\\$&')}-1-1\\.\\w+\\.rpm \\(checked by dnf against its signed indexes; not installed\\)`));
    assert.ok(readFileSync(path.join(d, 'a.tar.xz')).equals(want), 'byte for byte');
  });

  test('repomd.xml signed by another key: a clear error, nothing written', async (t) => {
    if (refused) return t.skip(refused);
    const d = fresh('out');
    const res = await cli(repo('other'), ['--from', `dnf:${NAME}`, '--archive', path.join(d, 'a.tar.xz')]);
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /refused the repository's signature or the package's hash: .*Bad GPG signature/);
    assert.deepEqual(readdirSync(d), []);
  });

  test('a package the repository does not have: a clear error', async (t) => {
    if (refused) return t.skip(refused);
    const res = await cli(repo(), ['--from', 'dnf:kernel-modules-core-0.0.0-none', '--archive', path.join(fresh('out'), 'a.tar.xz')]);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /dnf has no package "kernel-modules-core-0\.0\.0-none"/);
  });

  test('--from running in the emulated kernel on "Fedora" (no sysfs archive, no module file): dnf download kernel-modules-core-$(uname -r), byte for byte', async (t) => {
    if (refused) return t.skip(refused);
    const d = fresh('out');
    const res = await cli(repo(), ['--from', 'running', '--archive', path.join(d, 'a.tar.xz')], { emulate: true, modules: path.join(w, 'modules-none') }, true);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, new RegExp(`modules package, dnf:${NAME.replace(/[.+]/g, '\\$&')} \\(`));
    assert.doesNotMatch(res.stderr, /modprobe/);
    assert.ok(readFileSync(path.join(d, 'a.tar.xz')).equals(want), 'byte for byte');
  });
});
