// A local signed apt repository made in the test, with no network: .deb files
// built by dpkg-deb, indexes by apt-ftparchive, InRelease clear-signed by a gpg
// key made for the test in a temp GNUPGHOME, and an APT_CONFIG that points apt
// at it only (its own state, cache and sources; signed-by the test key).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface DebFile { path: string; data: Buffer }
export interface Deb { name: string; version: string; files: DebFile[] }

export interface AptRepo {
  /** APT_CONFIG for apt (and for kheaders, which passes its environment on). */
  aptConfig: string;
  /** The repository directory (Packages, Release, InRelease, the .debs). */
  repo: string;
  /** Stops the gpg-agent the signing started. */
  close(): void;
}

/** apt-ftparchive, gpg and dpkg-deb must be there: a missing tool fails the test. */
export function requireAptTools(): void {
  for (const tool of ['apt-get', 'apt-ftparchive', 'gpg', 'gpgconf', 'dpkg-deb']) {
    assert.equal(spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status, 0, `${tool} not found: apt-get install -y apt-utils gnupg (as .ci/run does)`);
  }
}

function gpg(home: string, args: string[], input?: string): Buffer {
  return execFileSync('gpg', ['--homedir', home, '--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { input, maxBuffer: 1 << 26, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Makes a key in home; returns its fingerprint. */
function newKey(home: string, uid: string): string {
  gpg(home, ['--quick-gen-key', uid, 'ed25519', 'sign', 'never']);
  const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(home, ['--with-colons', '--list-keys', uid]).toString())?.[1];
  assert.ok(fpr, `no fingerprint for ${uid}`);
  return fpr;
}

function buildDeb(root: string, deb: Deb, out: string): void {
  const arch = execFileSync('dpkg', ['--print-architecture']).toString().trim();
  const pkg = join(root, `${deb.name}-pkg`);
  mkdirSync(join(pkg, 'DEBIAN'), { recursive: true });
  writeFileSync(join(pkg, 'DEBIAN/control'), `Package: ${deb.name}\nVersion: ${deb.version}\nArchitecture: ${arch}\nMaintainer: kheaders tests <tests@example.invalid>\nDescription: test package for kheaders\n`);
  for (const f of deb.files) {
    mkdirSync(dirname(join(pkg, f.path)), { recursive: true });
    writeFileSync(join(pkg, f.path), f.data);
  }
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', pkg, out], { stdio: 'pipe' });
}

/**
 * Makes the repository under dir with these packages. signer 'trusted': InRelease is
 * signed by the key apt is told to trust; 'other': by another key made for the test.
 */
export function makeAptRepo(dir: string, debs: Deb[], signer: 'trusted' | 'other' = 'trusted'): AptRepo {
  const home = join(dir, 'gnupg');
  const repo = join(dir, 'repo');
  const empty = join(dir, 'empty');
  for (const d of [home, repo, empty, join(dir, 'state/lists/partial'), join(dir, 'cache/archives/partial')]) mkdirSync(d, { recursive: true });
  chmodSync(home, 0o700);
  const close = (): void => void spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { stdio: 'ignore' });
  try {
    const trusted = newKey(home, 'kheaders test repository <repo@example.invalid>');
    const signWith = signer === 'trusted' ? trusted : newKey(home, 'someone else <other@example.invalid>');
    for (const deb of debs) buildDeb(dir, deb, join(repo, `${deb.name}_${deb.version}.deb`));
    writeFileSync(join(repo, 'Packages'), execFileSync('apt-ftparchive', ['packages', '.'], { cwd: repo, maxBuffer: 1 << 26 }));
    const release = execFileSync('apt-ftparchive', ['-o', 'APT::FTPArchive::Release::Origin=kheaders-tests', 'release', '.'], { cwd: repo });
    writeFileSync(join(repo, 'Release'), release);
    writeFileSync(join(repo, 'InRelease'), gpg(home, ['--local-user', signWith, '--clearsign', '-o', '-', join(repo, 'Release')]));
    writeFileSync(join(dir, 'trusted.gpg'), gpg(home, ['--export', trusted]));
  } catch (err) {
    close();
    throw err;
  }
  writeFileSync(join(dir, 'sources.list'), `deb [signed-by=${join(dir, 'trusted.gpg')}] file:${repo} ./\n`);
  writeFileSync(join(dir, 'state/status'), '');
  const aptConfig = join(dir, 'apt.conf');
  writeFileSync(aptConfig, [
    `Dir::State "${join(dir, 'state')}";`, `Dir::State::status "${join(dir, 'state/status')}";`, `Dir::Cache "${join(dir, 'cache')}";`,
    `Dir::Etc::SourceList "${join(dir, 'sources.list')}";`, `Dir::Etc::SourceParts "${empty}";`, `Dir::Etc::TrustedParts "${empty}";`,
    `Dir::Etc::Trusted "${join(empty, 'none.gpg')}";`, 'Acquire::Languages "none";', 'APT::Sandbox::User "root";', '',
  ].join('\n'));
  execFileSync('chmod', ['-R', 'a+rX', dir]);
  return { aptConfig, repo, close };
}
