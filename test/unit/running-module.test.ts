// Running mode without root: the archive straight from the installed module file
// (modules.dep, else a bounded walk of /lib/modules/<release>), and, only when
// there is none, loading the module with `sudo -n` (stubs first on PATH).
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { findModuleFile } from '../../src/core/sources/running/module-file.js';
import { readRunningArchive } from '../../src/core/extract/from-running.js';
import { extractArchive } from '../../src/core/extract/extract.js';
import { collector } from '../helpers/action-inproc.js';
import { asNobody, isRoot, sharedDir } from '../helpers/as-nobody.js';
import { rejectsWith } from '../helpers/errors.js';
import { kheadersModule } from '../helpers/packages.js';

const REL = '6.1.0-kh-mod-amd64';
let dir: string;
let root: string;
let mods: string;
let mod: ReturnType<typeof kheadersModule>;
let koDir: string;

function put(rel: string, data: Buffer | string, at = root): string {
  const p = join(at, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
  return p;
}

/** The module as the distros compress it. */
function packed(kind: 'none' | 'xz' | 'zst' | 'gz'): Buffer {
  if (kind === 'none') return mod.ko;
  const cmd = { xz: ['xz', '-c', '--check=crc32'], zst: ['zstd', '-q', '-c'], gz: ['gzip', '-n', '-c'] }[kind];
  return execFileSync(cmd[0], cmd.slice(1), { input: mod.ko, maxBuffer: 1 << 26 });
}

/** A bin dir with stub sudo (logs, then runs the rest), modprobe and rmmod (make the sysfs file appear and go). */
function stubs(sudo: 'works' | 'password'): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const bin = mkdtempSync(join(dir, 'bin-'));
  const log = join(bin, 'calls.log');
  const script = (name: string, body: string): void => writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  script('sudo', sudo === 'works'
    ? 'echo "sudo $*" >> "$STUB_LOG"\n[ "$1" = -n ] && shift\nexec "$@"'
    : 'echo "sudo $*" >> "$STUB_LOG"\necho "sudo: a password is required" >&2\nexit 1');
  script('modprobe', 'echo "modprobe $*" >> "$STUB_LOG"\nmkdir -p "$FAKE_ROOT/sys/kernel" && cp "$ARCHIVE" "$FAKE_ROOT/sys/kernel/kheaders.tar.xz"');
  script('rmmod', 'echo "rmmod $*" >> "$STUB_LOG"\nrm -f "$FAKE_ROOT/sys/kernel/kheaders.tar.xz"');
  return {
    env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, STUB_LOG: log, FAKE_ROOT: root, ARCHIVE: mod.archive },
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

before(() => {
  koDir = mkdtempSync(join(tmpdir(), 'kh-runmod-ko-'));
  mod = kheadersModule(koDir, REL);
});
after(() => rmSync(koDir, { recursive: true, force: true }));
beforeEach(() => {
  dir = sharedDir('kh-runmod-');
  root = join(dir, 'root');
  mods = join(root, 'lib/modules', REL);
  put('proc/sys/kernel/osrelease', `${REL}\n`);
  put('proc/config.gz', gzipSync('CONFIG_IKHEADERS=m\n'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

void describe('the installed module file', () => {
  for (const kind of ['none', 'xz', 'zst', 'gz'] as const) {
    const name = kind === 'none' ? 'kheaders.ko' : `kheaders.ko.${kind}`;
    void it(`${name} named by modules.dep: read as a file, not root, no sudo, no loading`, async () => {
      put(`kernel/kernel/${name}`, packed(kind), mods);
      put('modules.dep', `kernel/fs/fat/fat.ko.xz:\nkernel/kernel/${name}:\nkernel/fs/vfat.ko.xz: kernel/fs/fat/fat.ko.xz\n`, mods);
      const s = stubs('works');
      const c = collector();
      const got = await readRunningArchive({ root, isRoot: false, env: s.env, log: c.log });
      assert.ok(got.archive.equals(mod.ref), 'the archive byte for byte');
      assert.equal(got.path, join(mods, 'kernel/kernel', name));
      assert.equal(got.via, 'module-file');
      assert.equal(got.release, REL);
      assert.equal(got.loadedModule, false);
      assert.deepEqual(s.calls(), [], 'neither sudo nor modprobe ran');
      assert.match(c.lines.info.join('\n'), /installed module .*modules\.dep.*no loading needed/);
    });
  }

  void it('an absolute path in modules.dep (older kmod) is taken under root', async () => {
    put('kernel/kernel/kheaders.ko', mod.ko, mods);
    put('modules.dep', `/lib/modules/${REL}/kernel/kernel/kheaders.ko:\n`, mods);
    assert.deepEqual(await findModuleFile(root, REL), { path: join(mods, 'kernel/kernel/kheaders.ko'), how: 'modules.dep' });
  });

  void it('no modules.dep: a walk finds it, prefers kernel/kernel/, and does not follow build/ or source/ links', async () => {
    const elsewhere = join(dir, 'headers-tree');
    put('kheaders.ko', 'not this one', elsewhere);
    mkdirSync(mods, { recursive: true });
    symlinkSync(elsewhere, join(mods, 'build'));
    put('extra/kheaders.ko.zst', packed('zst'), mods);
    put('kernel/kernel/kheaders.ko.xz', packed('xz'), mods);
    assert.deepEqual(await findModuleFile(root, REL), { path: join(mods, 'kernel/kernel/kheaders.ko.xz'), how: 'walk' });
    rmSync(join(mods, 'kernel'), { recursive: true });
    const got = await readRunningArchive({ root, isRoot: false, env: stubs('works').env });
    assert.equal(got.path, join(mods, 'extra/kheaders.ko.zst'));
    assert.ok(got.archive.equals(mod.ref));
  });

  void it('modules.dep names a file that is gone: the walk still finds the module', async () => {
    put('updates/kheaders.ko', mod.ko, mods);
    put('modules.dep', 'kernel/kernel/kheaders.ko.zst:\n', mods);
    assert.deepEqual(await findModuleFile(root, REL), { path: join(mods, 'updates/kheaders.ko'), how: 'walk' });
  });

  void it('sysfs wins over the module file', async () => {
    put('kernel/kernel/kheaders.ko', 'never read', mods);
    put('sys/kernel/kheaders.tar.xz', mod.ref);
    const got = await readRunningArchive({ root, isRoot: false, env: stubs('works').env });
    assert.equal(got.via, 'sysfs');
  });

  void it('a module file that is not a module is an error, not a reason to load anything', async () => {
    put('kernel/kernel/kheaders.ko', 'garbage', mods);
    const s = stubs('works');
    await rejectsWith(readRunningArchive({ root, isRoot: false, env: s.env }), 'BAD_INPUT', /kheaders\.ko is not/);
    assert.deepEqual(s.calls(), []);
  });

  void it('extractArchive warns when the module file holds another kernel than uname -r', async () => {
    put('proc/sys/kernel/osrelease', '6.18.0-other\n');
    put('kernel/kernel/kheaders.ko', mod.ko, join(root, 'lib/modules/6.18.0-other'));
    const c = collector();
    const r = await extractArchive({ from: 'running', root, isRoot: false, archive: join(dir, 'out.tar.xz') }, c.log);
    assert.equal(r.release, '6.18.0-other');
    assert.match(c.lines.warning.join('\n'), new RegExp(`is for kernel ${REL}, but the running kernel is 6\\.18\\.0-other \\(uname -r\\)`));
  });
});

void describe('no module file: load it, as root or with sudo -n', () => {
  void it('not root, passwordless sudo: sudo -n modprobe kheaders, read, sudo -n rmmod kheaders', async () => {
    const s = stubs('works');
    const c = collector();
    const got = await readRunningArchive({ root, isRoot: false, env: s.env, log: c.log });
    assert.ok(got.archive.equals(mod.ref));
    assert.equal(got.via, 'loaded');
    assert.equal(got.loadedModule, true);
    assert.deepEqual(s.calls(), ['sudo -n true', 'sudo -n modprobe kheaders', 'modprobe kheaders', 'sudo -n rmmod kheaders', 'rmmod kheaders']);
    assert.equal(existsSync(join(root, 'sys/kernel/kheaders.tar.xz')), false, 'unloaded again');
    assert.match(c.lines.info.join('\n'), /no module file under .*; loading the kheaders module with sudo -n/);
  });

  void it('not root, sudo asks for a password: the clear error, nothing loaded', async () => {
    const s = stubs('password');
    await rejectsWith(readRunningArchive({ root, isRoot: false, env: s.env }), 'NOT_FOUND',
      new RegExp(`no kheaders\\.ko\\[\\.xz\\|\\.zst\\|\\.gz\\] under ${mods.replace(/[.+]/g, '\\$&')}; .*needs root, and \`sudo -n true\` failed`), /passwordless sudo/);
    assert.deepEqual(s.calls(), ['sudo -n true']);
  });

  void it('not root, no sudo on PATH: the same error', async () => {
    const empty = mkdtempSync(join(dir, 'nobin-'));
    await rejectsWith(readRunningArchive({ root, isRoot: false, env: { PATH: empty } }), 'NOT_FOUND', /needs root/);
  });

  void it('root: modprobe itself, never sudo', async () => {
    const s = stubs('works');
    const got = await readRunningArchive({ root, isRoot: true, env: s.env, loader: { load: async () => { copyFileSync(mod.archive, put('sys/kernel/kheaders.tar.xz', '')); }, unload: async () => { rmSync(join(root, 'sys/kernel/kheaders.tar.xz')); } } });
    assert.equal(got.via, 'loaded');
    assert.deepEqual(s.calls(), []);
  });

  void it('as nobody, a module file nobody may read: falls through to loading (and says what is missing)', { skip: !isRoot && 'needs root (to run as nobody)' }, async () => {
    const p = put('kernel/kernel/kheaders.ko', mod.ko, mods);
    chmodSync(p, 0o600);
    const empty = mkdtempSync(join(dir, 'nobin-'));
    chmodSync(empty, 0o755);
    for (const d of [dir, root, join(root, 'proc'), join(root, 'proc/sys'), join(root, 'proc/sys/kernel')]) chmodSync(d, 0o755);
    await rejectsWith(asNobody(dir, `
      const { readRunningArchive } = await import(SRC + '/core/extract/from-running.js');
      await readRunningArchive({ root: ${JSON.stringify(root)}, env: { PATH: ${JSON.stringify(empty)} } });`), 'NOT_FOUND', /needs root/);
  });
});
