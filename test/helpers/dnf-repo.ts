// A local signed dnf repository made in the test, with no network: an RPM built
// by rpmbuild, repodata by createrepo_c, repomd.xml signed (detached, armored)
// by a gpg key made for the test in a temp GNUPGHOME, and a dnf.conf with its
// own cache and persist dirs, repo_gpgcheck=1 and that key. The tests bind-mount
// the dnf.conf over /etc/dnf/dnf.conf in a private mount namespace.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DebFile } from './apt-repo.js';

export interface Rpm { name: string; files: DebFile[] }
export interface DnfRepo { conf: string; close(): void }

/** dnf (with its download command), createrepo_c, rpmbuild and gpg must be there: a missing tool fails the test. */
export function requireDnfTools(): void {
  const fix = 'apt-get install -y --no-install-recommends dnf dnf-plugins-core createrepo-c rpm gnupg (as .ci/run does)';
  for (const tool of ['dnf', 'createrepo_c', 'rpmbuild', 'gpg', 'gpgconf']) {
    assert.equal(spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status, 0, `${tool} not found: ${fix}`);
  }
  assert.equal(spawnSync('dnf', ['download', '--help'], { stdio: 'ignore' }).status, 0, `dnf has no download command: ${fix}`);
}

function gpg(home: string, args: string[]): Buffer {
  return execFileSync('gpg', ['--homedir', home, '--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { maxBuffer: 1 << 26, stdio: ['pipe', 'pipe', 'pipe'] });
}

function buildRpm(dir: string, rpm: Rpm, out: string): void {
  const src = join(dir, `${rpm.name}-root`);
  for (const f of rpm.files) {
    mkdirSync(dirname(join(src, f.path)), { recursive: true });
    writeFileSync(join(src, f.path), f.data);
  }
  const spec = join(dir, `${rpm.name}.spec`);
  writeFileSync(spec, [
    `Name: ${rpm.name}`, 'Version: 1', 'Release: 1', 'Summary: test package for kheaders', 'License: GPL-2.0', '%description', 'test',
    '%install', 'mkdir -p %{buildroot}', `cp -a ${src}/. %{buildroot}/`, '%files', ...rpm.files.map((f) => `/${f.path}`), '',
  ].join('\n'));
  const top = join(dir, 'rpmbuild');
  execFileSync('rpmbuild', ['-bb', '--define', `_topdir ${top}`, '--define', `_tmppath ${top}/tmp`, '--define', `_rpmdir ${out}`,
    '--define', '__os_install_post %{nil}', '--define', 'debug_package %{nil}', '--define', '_build_id_links none', spec], { stdio: 'pipe', maxBuffer: 1 << 26 });
}

/** Makes the repository under dir; signer 'other': repomd.xml is signed by a key dnf is not given. */
export function makeDnfRepo(dir: string, rpms: Rpm[], signer: 'trusted' | 'other' = 'trusted'): DnfRepo {
  const home = join(dir, 'gnupg');
  const repo = join(dir, 'repo');
  for (const d of [home, repo, join(dir, 'cache'), join(dir, 'persist'), join(dir, 'repos.d'), join(dir, 'log')]) mkdirSync(d, { recursive: true });
  chmodSync(home, 0o700);
  // The signing key's agent, and those dnf starts for the keyrings it keeps in its cache (cache/<repo>/pubring).
  const close = (): void => {
    const cache = join(dir, 'cache');
    const rings = existsSync(cache) ? readdirSync(cache).map((d) => join(cache, d, 'pubring')).filter((d) => existsSync(d)) : [];
    for (const h of [home, ...rings]) spawnSync('gpgconf', ['--homedir', h, '--kill', 'gpg-agent'], { stdio: 'ignore' });
  };
  try {
    gpg(home, ['--quick-gen-key', 'kheaders test repository <repo@example.invalid>', 'ed25519', 'sign', 'never']);
    if (signer === 'other') gpg(home, ['--quick-gen-key', 'someone else <other@example.invalid>', 'ed25519', 'sign', 'never']);
    for (const r of rpms) buildRpm(dir, r, repo);
    execFileSync('createrepo_c', ['-q', repo], { stdio: 'pipe' });
    const md = join(repo, 'repodata/repomd.xml');
    const who = signer === 'trusted' ? 'repo@example.invalid' : 'other@example.invalid';
    gpg(home, ['--local-user', who, '--detach-sign', '--armor', '-o', `${md}.asc`, md]);
    writeFileSync(join(dir, 'key.asc'), gpg(home, ['--armor', '--export', 'repo@example.invalid']));
  } catch (err) {
    close();
    throw err;
  }
  const conf = join(dir, 'dnf.conf');
  writeFileSync(conf, [
    '[main]', `cachedir=${join(dir, 'cache')}`, `persistdir=${join(dir, 'persist')}`, `reposdir=${join(dir, 'repos.d')}`, `logdir=${join(dir, 'log')}`,
    'gpgcheck=0', '', '[khtest]', 'name=kheaders test repository', `baseurl=file://${repo}`, 'repo_gpgcheck=1', `gpgkey=file://${join(dir, 'key.asc')}`, '',
  ].join('\n'));
  return { conf, close };
}
