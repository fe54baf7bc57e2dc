// The package-manager source without a package manager: the names it asks for,
// `apt:`/`dnf:` parsing, which manager /etc/os-release and PATH pick, names
// refused before anything runs, a missing apt-get, and the inputs that take it.
// (Real apt against a signed local repository: test/e2e/apt.e2e.test.ts.)
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { getInputs } from '../../src/action/inputs.js';
import { parseCli, type CliArgs } from '../../src/cli/args.js';
import { packageManagerSource } from '../../src/core/extract/from-package-manager.js';
import { detectPackageManager, downloadPackage, modulesPackages } from '../../src/core/sources/transport/package-manager.js';
import type { ExtractSettings } from '../../src/core/settings.js';
import { tempDir } from '../helpers/action-tree.js';
import { rejectsWith, throwsWith } from '../helpers/errors.js';

const tmp = tempDir('kheaders-pm-');
after(() => tmp.cleanup());
let n = 0;

/** A root with this os-release, and a PATH dir holding executables with these names. */
function system(osRelease: string | undefined, tools: string[]): { root: string; env: NodeJS.ProcessEnv } {
  const root = join(tmp.dir, `root${n++}`);
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'bin'));
  if (osRelease !== undefined) writeFileSync(join(root, 'etc/os-release'), osRelease);
  for (const t of tools) {
    writeFileSync(join(root, 'bin', t), '#!/bin/sh\nexit 99\n');
    chmodSync(join(root, 'bin', t), 0o755);
  }
  return { root, env: { PATH: join(root, 'bin') } };
}

describe('names and sources', () => {
  it('the modules packages of a release, in the order they are tried', () => {
    assert.deepEqual(modulesPackages('apt', '6.8.0-31-generic'), ['linux-modules-6.8.0-31-generic', 'linux-modules-extra-6.8.0-31-generic']);
    assert.deepEqual(modulesPackages('dnf', '6.8.9-300.fc40.x86_64'), ['kernel-modules-core-6.8.9-300.fc40.x86_64', 'kernel-modules-6.8.9-300.fc40.x86_64']);
  });

  it('apt:NAME and dnf:NAME, but not apt:// or a path', () => {
    assert.deepEqual(packageManagerSource('apt:linux-modules-6.8.0-31-generic'), { pm: 'apt', name: 'linux-modules-6.8.0-31-generic' });
    assert.deepEqual(packageManagerSource('dnf:kernel-modules-core'), { pm: 'dnf', name: 'kernel-modules-core' });
    assert.equal(packageManagerSource('apt://x'), undefined);
    assert.equal(packageManagerSource('./apt:x'), undefined);
    assert.equal(packageManagerSource('running'), undefined);
  });
});

describe('which package manager', () => {
  it('from os-release ID / ID_LIKE, when its tool is on PATH', async () => {
    const ubuntu = system('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n', ['apt-get', 'dnf']);
    assert.equal(await detectPackageManager(ubuntu.root, ubuntu.env), 'apt');
    const fedora = system('ID=fedora\n', ['apt-get', 'dnf']);
    assert.equal(await detectPackageManager(fedora.root, fedora.env), 'dnf');
    const alma = system('ID="almalinux"\nID_LIKE="rhel centos fedora"\n', ['dnf']);
    assert.equal(await detectPackageManager(alma.root, alma.env), 'dnf');
  });

  it('else whichever is on PATH (apt first); none: undefined', async () => {
    const other = system('ID=other\n', ['dnf']);
    assert.equal(await detectPackageManager(other.root, other.env), 'dnf');
    const bare = system(undefined, ['apt-get', 'dnf']);
    assert.equal(await detectPackageManager(bare.root, bare.env), 'apt');
    const none = system('ID=debian\n', []);
    assert.equal(await detectPackageManager(none.root, none.env), undefined);
  });
});

describe('download refusals before and without the tool', () => {
  it('a name that looks like an option or holds shell characters is refused before apt runs', async () => {
    const s = system('ID=debian\n', ['apt-get']);
    for (const name of ['-oDebug::pkgAcquire=1', '--help', 'linux;rm', 'a b', '']) {
      await rejectsWith(downloadPackage('apt', name, { env: s.env }), 'USAGE', /is not a package name/);
    }
  });

  it('no apt-get on PATH: NOT_FOUND naming it', async () => {
    await rejectsWith(downloadPackage('apt', 'linux-modules-6.8.0-31-generic', { env: { PATH: join(tmp.dir, 'nowhere') } }), 'NOT_FOUND', /cannot run apt-get: not installed/);
  });
});

describe('the fronts', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
    process.env.GITHUB_WORKSPACE = tmp.dir;
  });
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('CLI: --from apt:NAME stays a source, not a path', () => {
    const from = (v: string): string => {
      const r = parseCli(['extract', '--from', v], {}, tmp.dir);
      assert.equal(r.kind, 'run');
      return ((r as Extract<CliArgs, { kind: 'run' }>).settings as ExtractSettings).from;
    };
    assert.equal(from('apt:linux-modules-6.8.0-31-generic'), 'apt:linux-modules-6.8.0-31-generic');
    assert.equal(from('dnf:kernel-modules-core'), 'dnf:kernel-modules-core');
    assert.equal(from('apt-file.deb'), join(tmp.dir, 'apt-file.deb'));
  });

  it('action: url apt:... in mode download; refused in mode auto', () => {
    Object.assign(process.env, { INPUT_MODE: 'download', INPUT_URL: 'apt:linux-modules-{release}', INPUT_RELEASE: '6.8.0-31-generic' });
    assert.equal(getInputs().url, 'apt:linux-modules-{release}');
    const tree = join(tmp.dir, 'tree');
    mkdirSync(join(tree, 'include'), { recursive: true });
    mkdirSync(join(tree, 'arch/x86'), { recursive: true });
    writeFileSync(join(tree, 'Makefile'), 'VERSION = 6\n');
    Object.assign(process.env, { INPUT_MODE: 'auto', INPUT_SOURCE: tree, INPUT_ARCH: 'x86' });
    throwsWith(() => getInputs(), 'USAGE', /package manager's package; that works in mode download only/);
  });
});
