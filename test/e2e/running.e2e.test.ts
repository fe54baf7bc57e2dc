// End-to-end: a kheaders kernel, emulated in a private mount namespace (a tmpfs
// over /sys/kernel with tracefs and btf recreated, the real Debian-config 6.1
// archive as a root-owned 0444 kheaders.tar.xz, or only its module file under an
// emulated /lib/modules/$(uname -r)). `kheaders extract --from running` as root
// and as nobody; the bundled action on Node 24 (mode running, export-env) as
// nobody, with and without a sudo stub, after which bcc's tool works from the
// exported variables; and bcc's own fallback reusing the directory we made.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { node24, runActionProcess, type ActionRun } from '../helpers/action-run.js';
import { NODE24_MISSING } from '../helpers/action-job.js';
import { BCC_PROGRAM, bccArchives, CLI, inKernel, kernelEnv, NOBODY, PYTHON, requireBcc, unshareRefused, writeNsExec, writeNsNode24, type Kernel, type Run } from '../helpers/bcc.js';

const REL = os.release();
let w: string;
let refused: string | undefined;
let archive: Buffer;
let sha: string;
let debianArchive: string;
let debianKo: string;
let node: string;
const mods: Record<'dep' | 'walk' | 'none', string> = { dep: '', walk: '', none: '' };
let n = 0;

/** A fresh TMPDIR (like /tmp: sticky, world-writable), where both kheaders and bcc put kheaders-<release>. */
function tmp(): string {
  const t = path.join(w, `tmp${n++}`);
  mkdirSync(t);
  chmodSync(t, 0o1777);
  return t;
}

/** A /lib/modules with only the Debian-config kheaders.o, packed as the distros do. */
function modulesTree(name: string, file: string, packer: string[], dep: boolean): string {
  const root = path.join(w, name);
  const dir = path.join(root, REL, 'kernel/kernel');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, file), execFileSync(packer[0], packer.slice(1), { input: readFileSync(debianKo), maxBuffer: 1 << 28 }));
  if (dep) writeFileSync(path.join(root, REL, 'modules.dep'), `kernel/fs/fat/fat.ko.xz:\nkernel/kernel/${file}:\n`);
  execFileSync('chmod', ['-R', 'a+rX', root]);
  return root;
}
function cli(k: Kernel, t: string): Promise<Run> {
  return inKernel(w, k, [process.execPath, CLI, 'extract', '--from', 'running'], { TMPDIR: t });
}

/** What extract left at t/kheaders-<uname -r>: owner, kconfig.h, and that the record names the real archive. */
function assertHeaders(t: string, uid: number): string {
  const dir = path.join(t, `kheaders-${REL}`);
  assert.equal(lstatSync(dir).uid, uid);
  assert.ok(existsSync(path.join(dir, 'include/linux/kconfig.h')));
  assert.match(readFileSync(path.join(dir, 'include/generated/utsrelease.h'), 'utf8'), /"6\.1\.\d+"/);
  assert.equal(readFileSync(`${dir}.kheaders.sha256`, 'utf8').slice(0, 64), sha, 'the record names the archive we exposed');
  return dir;
}

/** The bundled action on Node 24 in the emulated kernel; KH_AS runs it as that user (setpriv, environment kept). */
function action(k: Kernel, t: string, extra: { path?: string; env?: Record<string, string> } = {}): Promise<ActionRun> {
  const job = path.join(w, `job${n++}`);
  mkdirSync(job);
  const wrapper = path.join(w, 'ns-node24');
  return runActionProcess({
    node: wrapper, dir: job, inputs: { mode: 'running', 'export-env': 'true' }, path: extra.path,
    env: { ...kernelEnv(w, k), TMPDIR: t, KH_NODE: node, ...extra.env },
  });
}

/** Stub sudo/modprobe/rmmod first on PATH: each logs its argv; sudo either runs the rest or wants a password. */
function stubs(sudo: 'works' | 'password'): { path: string; log: string; env: Record<string, string> } {
  const bin = mkdtempSync(path.join(w, 'bin-'));
  chmodSync(bin, 0o755);
  const log = path.join(bin, 'calls.log');
  writeFileSync(log, '', { mode: 0o666 });
  chmodSync(log, 0o666);
  const script = (name: string, body: string): void => writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> "$STUB_LOG"\n${body}\n`, { mode: 0o755 });
  script('sudo', sudo === 'works' ? '[ "$1" = -n ] && shift\nexec "$@"' : 'echo "sudo: a password is required" >&2\nexit 1');
  script('modprobe', 'cp "$STUB_ARCHIVE" /sys/kernel/kheaders.tar.xz');
  script('rmmod', 'rm -f /sys/kernel/kheaders.tar.xz');
  return { path: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, log, env: { STUB_LOG: log, STUB_ARCHIVE: debianArchive } };
}

const calls = (log: string): string[] => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
const why = (r: ActionRun): string => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

before(async () => {
  requireBcc();
  const a = await bccArchives();
  w = mkdtempSync(path.join(os.tmpdir(), 'kh-e2e-running-'));
  chmodSync(w, 0o755);
  debianArchive = path.join(w, 'debian-amd64.tar.xz'); // readable by nobody (the stub modprobe copies it)
  copyFileSync(a.debian, debianArchive);
  chmodSync(debianArchive, 0o644);
  debianKo = a.debianKo;
  archive = readFileSync(a.debian);
  sha = createHash('sha256').update(archive).digest('hex');
  node = node24() ?? assert.fail(NODE24_MISSING);
  writeFileSync(path.join(w, 'prog.py'), BCC_PROGRAM);
  writeNsNode24(w, writeNsExec(w));
  mods.dep = modulesTree('modules-dep', 'kheaders.ko.xz', ['xz', '-c', '--check=crc32'], true);
  mods.walk = modulesTree('modules-walk', 'kheaders.ko.zst', ['zstd', '-q', '-c'], false);
  mods.none = path.join(w, 'modules-none');
  mkdirSync(mods.none, { mode: 0o755 });
  refused = unshareRefused();
}, { timeout: 3_600_000 });

after(() => {
  if (w) rmSync(w, { recursive: true, force: true });
});

describe('kheaders extract --from running in an emulated kheaders kernel', { timeout: 600_000 }, () => {
  for (const [who, uid] of [['root', 0], ['nobody', NOBODY]] as const) {
    test(`${who}: the archive in sysfs (root-owned, 0444)`, async (t) => {
      if (refused) return t.skip(refused);
      const dir = tmp();
      const r = await cli({ emulate: true, sysfs: debianArchive, modules: mods.none, as: uid || undefined }, dir);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`read ${archive.length} bytes from /sys/kernel/kheaders\\.tar\\.xz`));
      assert.match(r.stderr, new RegExp(`is for kernel 6\\.1\\.\\d+, but the running kernel is ${REL.replace(/[.+]/g, '\\$&')} \\(uname -r\\)`), 'the release warning');
      assert.match(r.stderr, new RegExp(`export BCC_KERNEL_SOURCE=${path.join(dir, `kheaders-${REL}`).replace(/[.+]/g, '\\$&')}`));
      assertHeaders(dir, uid);
    });

    test(`${who}: only the module file under /lib/modules/$(uname -r), through modules.dep and through a walk`, async (t) => {
      if (refused) return t.skip(refused);
      for (const [tree, file, how] of [[mods.dep, 'kheaders.ko.xz', 'modules.dep'], [mods.walk, 'kheaders.ko.zst', 'walk']] as const) {
        const dir = tmp();
        const r = await cli({ emulate: true, modules: tree, as: uid || undefined }, dir);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, new RegExp(`installed module /lib/modules/${REL.replace(/[.+]/g, '\\$&')}/kernel/kernel/${file.replace('.', '\\.')} \\(found through ${how}.*no loading needed`));
        assert.doesNotMatch(r.stderr, /modprobe|sudo/);
        assertHeaders(dir, uid);
      }
    });
  }
});

describe('the bundled action on Node 24, mode running, export-env: true', { timeout: 600_000 }, () => {
  test('nobody, archive in sysfs: exports BCC_KERNEL_SOURCE, and the real syscount-bpfcc works from it', async (t) => {
    if (refused) return t.skip(refused);
    const dir = tmp();
    const r = await action({ emulate: true, sysfs: debianArchive, modules: mods.none, as: NOBODY }, dir);
    assert.equal(r.code, 0, why(r));
    const headers = path.join(dir, `kheaders-${REL}`);
    assert.deepEqual([r.outputs.origin, r.outputs['headers-dir'], r.outputs['kernel-release']], ['running', headers, REL]);
    assert.equal(r.exported.BCC_KERNEL_SOURCE, headers);
    assert.equal(r.exported.BPFTRACE_KERNEL_SOURCE, headers);
    assert.ok(r.annotations.some((a) => a.level === 'warning' && /is for kernel 6\.1\.\d+, but the running kernel is/.test(a.message)), why(r));
    assertHeaders(dir, NOBODY);
    // As a workflow's next step would: sudo --preserve-env=BCC_KERNEL_SOURCE syscount-bpfcc.
    const s = await inKernel(w, {}, ['timeout', '60', 'syscount-bpfcc', '-d', '1'], { BCC_KERNEL_SOURCE: r.exported.BCC_KERNEL_SOURCE, PATH: `${process.env.PATH ?? ''}:/usr/sbin` });
    assert.equal(s.code, 0, s.stderr + s.stdout);
    assert.match(s.stdout, /^SYSCALL\s+COUNT$/m);
    for (const line of s.stdout.trimEnd().split('\n')) console.log(`syscount-bpfcc -d 1 (exported by the action): ${line}`);
  });

  test('nobody, only the module file: no sudo asked (a sudo that wants a password is on PATH)', async (t) => {
    if (refused) return t.skip(refused);
    const dir = tmp();
    const st = stubs('password');
    const r = await action({ emulate: true, modules: mods.dep, as: NOBODY }, dir, { path: st.path, env: st.env });
    assert.equal(r.code, 0, why(r));
    assert.match(r.stdout, /installed module .*kheaders\.ko\.xz/);
    assert.deepEqual(calls(st.log), []);
    assertHeaders(dir, NOBODY);
  });

  test('nobody, no archive and no module file, passwordless sudo: sudo -n modprobe kheaders, read, sudo -n rmmod kheaders', async (t) => {
    if (refused) return t.skip(refused);
    const dir = tmp();
    const st = stubs('works');
    const r = await action({ emulate: true, modules: mods.none, sysfsUid: NOBODY, as: NOBODY }, dir, { path: st.path, env: st.env });
    assert.equal(r.code, 0, why(r));
    assert.deepEqual(calls(st.log), ['sudo -n true', 'sudo -n modprobe kheaders', 'modprobe kheaders', 'sudo -n rmmod kheaders', 'rmmod kheaders']);
    assert.match(r.stdout, /loading the kheaders module with sudo -n/);
    assertHeaders(dir, NOBODY);
  });

  test('nobody, no archive and no module file, sudo wants a password: the clear error, nothing loaded', async (t) => {
    if (refused) return t.skip(refused);
    const dir = tmp();
    const st = stubs('password');
    const r = await action({ emulate: true, modules: mods.none, as: NOBODY }, dir, { path: st.path, env: st.env });
    assert.equal(r.code, 1, why(r));
    const err = r.annotations.find((a) => a.level === 'error');
    assert.match(err?.message ?? '', /no kheaders\.ko\[\.xz\|\.zst\|\.gz\] under \/lib\/modules\/.*needs root, and `sudo -n true` failed/, why(r));
    assert.match(err?.message ?? '', /passwordless sudo/);
    assert.deepEqual(calls(st.log), ['sudo -n true']);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('root: then bcc\'s own fallback (no BCC_KERNEL_SOURCE, no /lib/modules) uses the directory we made; a second extract keeps it', async (t) => {
    if (refused) return t.skip(refused);
    const dir = tmp();
    const r = await action({ emulate: true, sysfs: debianArchive, modules: mods.none }, dir);
    assert.equal(r.code, 0, why(r));
    const headers = assertHeaders(dir, 0);
    const ino = lstatSync(headers).ino;
    // Debian's bcc 0.26 extracts a copy into a mkdtemp sibling, fails to rename it over ours,
    // deletes the copy and uses ours (docs/extract.md#the-shared-headers-directory).
    const b = await inKernel(w, { emulate: true, sysfs: debianArchive, modules: mods.none }, [PYTHON, path.join(w, 'prog.py'), 'debug'], { TMPDIR: dir, BCC_KERNEL_SOURCE: undefined });
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.match(b.stdout, new RegExp(`Running from kernel directory at: ${headers.replace(/[.+]/g, '\\$&')}`));
    assert.ok(Number(/execs counted: (\d+)/.exec(b.stdout)?.[1]) >= 3, b.stdout);
    for (const line of b.stdout.trimEnd().split('\n').filter((l) => /Running from|execs counted/.test(l))) console.log(`bcc fallback: ${line}`);
    assert.equal(lstatSync(headers).ino, ino);
    assert.deepEqual(readdirSync(dir).sort(), [`kheaders-${REL}`, `kheaders-${REL}.kheaders.sha256`], 'our tree, untouched; bcc\'s copy is gone');
    const again = await cli({ emulate: true, sysfs: debianArchive, modules: mods.none }, dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /kept .*already holds this archive/);
    assert.equal(lstatSync(headers).ino, ino);
  });
});
