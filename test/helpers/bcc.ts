// The real consumers for the e2e tests: bcc (Debian's bpfcc-tools and
// python3-bpfcc), clang's BPF back end, and a kheaders kernel emulated in a
// private mount namespace. Every mount lives in a child `unshare -m` and dies with it.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

export const ROOT = resolve(import.meta.dirname, '../..');
/** Debian's bcc is for the system python, not whatever python3 comes first on PATH. */
export const PYTHON = '/usr/bin/python3';
export const CLI = join(ROOT, 'dist/cli.js');
export const NOBODY = 65534;

export interface Run { code: number | null; stdout: string; stderr: string }

/** Runs argv (no shell) with a timeout; never throws on a non-zero exit. */
export function sh(argv: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string; cwd?: string } = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 120_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** The archives scripts/bcc-archives.sh makes (and caches) with the 6.1 tree's own make. */
export async function bccArchives(): Promise<{ debian: string; debianKo: string; arm64: string; defconfig: string }> {
  const r = await sh(['bash', join(ROOT, 'scripts/bcc-archives.sh')], { timeoutMs: 3_600_000 });
  assert.equal(r.code, 0, `scripts/bcc-archives.sh failed:\n${r.stderr.slice(-4000)}`);
  const get = (k: string): string => {
    const v = new RegExp(`^${k}=(.+)$`, 'm').exec(r.stdout)?.[1];
    assert.ok(v, `scripts/bcc-archives.sh printed no ${k}= line:\n${r.stdout}`);
    return v;
  };
  return { debian: get('debian'), debianKo: get('debian_ko'), arm64: get('arm64'), defconfig: get('defconfig') };
}

/** bcc must be there: a missing bcc fails the suite (it must not pass without having run). */
export function requireBcc(): void {
  const fix = 'apt-get install -y --no-install-recommends bpfcc-tools python3-bpfcc clang llvm lld (as .ci/run does)';
  assert.equal(spawnSync(PYTHON, ['-c', 'import bcc'], { stdio: 'ignore' }).status, 0, `python3-bpfcc is not installed: ${fix}`);
  for (const tool of ['syscount-bpfcc', 'clang', 'llc', 'unshare', 'setpriv', 'runuser']) {
    assert.equal(spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore', env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } }).status, 0, `${tool} not found: ${fix}`);
  }
}

/** Why a private mount namespace cannot be made here (a container without CAP_SYS_ADMIN), or undefined. */
export function unshareRefused(): string | undefined {
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'mount', '-t', 'tmpfs', 'kh-probe', '/mnt'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `unshare -m (with a mount) is not permitted here: ${(r.stderr || String(r.error)).trim()}`;
}

/**
 * Set-up run as root inside `unshare -m --propagation private`, then exec "$@".
 * KH_EMULATE=1 makes a kheaders kernel: a tmpfs over /sys/kernel (owner
 * KH_SYSFS_UID) with tracing (tracefs) and btf recreated, KH_SYSFS placed there
 * as a root-owned 0444 kheaders.tar.xz, the kernel's config (/proc/config.gz,
 * /boot/config-*) saying CONFIG_IKHEADERS=m, and KH_MODULES bind-mounted on
 * /lib/modules (over an overlay of /lib when there is none). Otherwise only
 * tracefs is mounted when it is not. KH_AS=uid runs the command as that user.
 */
const NS_SETUP = `set -eu
if [ "\${KH_EMULATE:-0}" = 1 ]; then
  if [ -d /sys/kernel/btf ]; then mkdir -p "$KH_W/.btf"; mount --bind /sys/kernel/btf "$KH_W/.btf"; fi
  mount -t tmpfs -o "mode=0755,uid=\${KH_SYSFS_UID:-0}" kh-sysfs /sys/kernel
  mkdir /sys/kernel/tracing /sys/kernel/btf
  mount -t tracefs nodev /sys/kernel/tracing
  if [ -d "$KH_W/.btf" ]; then mount --move "$KH_W/.btf" /sys/kernel/btf; fi
  if [ -n "\${KH_SYSFS:-}" ]; then install -m 0444 -o 0 -g 0 "$KH_SYSFS" /sys/kernel/kheaders.tar.xz; fi
  # The kernel's config says CONFIG_IKHEADERS=m, wherever it is readable.
  if [ -e /proc/config.gz ]; then mount --bind "$KH_W/config.gz" /proc/config.gz; fi
  if [ -e "/boot/config-$(uname -r)" ]; then mount --bind "$KH_W/config" "/boot/config-$(uname -r)"; fi
  if [ -n "\${KH_MODULES:-}" ]; then
    if [ ! -d /lib/modules ]; then
      lib=$(readlink -f /lib); ovl=$(mktemp -d "$KH_W/.ovl-XXXXXX"); mkdir "$ovl/up" "$ovl/work"
      mount -t overlay kh-lib -o "lowerdir=$lib,upperdir=$ovl/up,workdir=$ovl/work" "$lib"
      mkdir /lib/modules
    fi
    mount --bind "$KH_MODULES" /lib/modules
  fi
elif [ ! -d /sys/kernel/tracing/events ]; then
  mount -t tracefs nodev /sys/kernel/tracing
fi
if [ -n "\${KH_AS:-}" ]; then exec setpriv --reuid="$KH_AS" --regid="$KH_AS" --clear-groups -- "$@"; fi
exec "$@"
`;

export interface Kernel {
  /** Emulate a kheaders kernel (else: this machine's kernel, with tracefs). */
  emulate?: boolean;
  /** Archive to expose as /sys/kernel/kheaders.tar.xz. */
  sysfs?: string;
  /** Directory to mount on /lib/modules. */
  modules?: string;
  /** Owner of the emulated /sys/kernel (a stub modprobe run as nobody writes there). */
  sysfsUid?: number;
  /** Run the command as this uid (setpriv, environment kept). */
  as?: number;
}

/** KH_* variables for the set-up script. */
export function kernelEnv(w: string, k: Kernel): Record<string, string> {
  return {
    KH_W: w, KH_EMULATE: k.emulate ? '1' : '0', KH_SYSFS: k.sysfs ?? '', KH_MODULES: k.modules ?? '',
    KH_SYSFS_UID: String(k.sysfsUid ?? 0), KH_AS: k.as === undefined ? '' : String(k.as),
  };
}

/** Writes the set-up script, and `ns-exec` (unshare + set-up + "$@"), into w; returns ns-exec. */
export function writeNsExec(w: string): string {
  writeFileSync(join(w, 'ns-setup.sh'), NS_SETUP);
  mkdirSync(join(w, 'cwd'), { recursive: true });
  writeFileSync(join(w, 'config'), 'CONFIG_BPF_SYSCALL=y\nCONFIG_IKHEADERS=m\n', { mode: 0o644 });
  writeFileSync(join(w, 'config.gz'), gzipSync(readFileSync(join(w, 'config'))), { mode: 0o644 });
  const exec = join(w, 'ns-exec');
  writeFileSync(exec, `#!/bin/sh\nexec unshare -m --propagation private sh ${JSON.stringify(join(w, 'ns-setup.sh'))} "$@"\n`);
  chmodSync(exec, 0o755);
  return exec;
}

/**
 * Writes w/ns-node24: runs `KH_NODE dist/index.js` through ns-exec (so the
 * bundled action runs in the kernel that KH_* describes). The runner's files
 * must be writable by the user the action runs as; and INPUT_EXPORT-ENV is no
 * shell variable, so it crosses the set-up shell as an argument to env(1).
 */
export function writeNsNode24(w: string, exec: string): string {
  const wrapper = join(w, 'ns-node24');
  writeFileSync(wrapper, `#!${process.execPath}
const { chmodSync } = require('node:fs');
const { execFileSync, spawnSync } = require('node:child_process');
const e = process.env;
for (const f of [e.GITHUB_OUTPUT, e.GITHUB_ENV, e.GITHUB_STEP_SUMMARY, e.GITHUB_STATE]) chmodSync(f, 0o666);
execFileSync('chown', ['-R', e.KH_AS || '0', e.RUNNER_TEMP, e.GITHUB_WORKSPACE]);
const odd = Object.entries(e).filter(([k]) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)).map(([k, v]) => k + '=' + v);
const r = spawnSync(${JSON.stringify(exec)}, ['env', ...odd, e.KH_NODE, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
`, { mode: 0o755 });
  return wrapper;
}

/**
 * Runs argv in a fresh private mount namespace set up as k says, in the scratch
 * directory w/cwd: Debian's bcc 0.26 runs `rm -rf` on words of a message in its
 * working directory when it finds $TMPDIR/kheaders-<release> (its cleanup patch).
 */
export function inKernel(w: string, k: Kernel, argv: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Promise<Run> {
  // A variable given as undefined is removed (e.g. BCC_KERNEL_SOURCE for bcc's own fallback).
  const all = Object.fromEntries(Object.entries({ ...process.env, ...env, ...kernelEnv(w, k) }).filter(([, v]) => v !== undefined));
  return sh([join(w, 'ns-exec'), ...argv], { env: all, timeoutMs, cwd: join(w, 'cwd') });
}

/**
 * A bcc program from Python that includes <linux/sched.h>: compiled by bcc's
 * own clang, loaded, attached to the sched_process_exec tracepoint, and shown to
 * count three execs. argv[1] = "debug" adds DEBUG_PREPROCESSOR (bcc names the headers dir).
 */
export const BCC_PROGRAM = `import subprocess, sys, time
from bcc import BPF
b = BPF(text='''
#include <linux/sched.h>
BPF_ARRAY(n, u64, 1);
TRACEPOINT_PROBE(sched, sched_process_exec) {
  struct task_struct *t = (struct task_struct *)bpf_get_current_task();
  int k = 0; u64 *v = n.lookup(&k);
  if (v && t) __sync_fetch_and_add(v, 1);
  return 0;
}
''', debug=4 if sys.argv[1:] == ['debug'] else 0)
for _ in range(3): subprocess.run(['true'])
time.sleep(0.3)
print('bcc: compiled and loaded a program including <linux/sched.h>; execs counted:', b['n'][0].value, flush=True)
`;

/** bcc's clang target for a SRCARCH (loader.cc, get_clang_target_cb). */
export const CLANG_TARGET: Record<string, string> = {
  x86: 'x86_64-unknown-linux-gnu', arm64: 'aarch64-unknown-linux-gnu', riscv: 'riscv64-unknown-linux-gnu',
  powerpc: 'powerpc64le-unknown-linux-gnu', s390: 's390x-ibm-linux-gnu', loongarch: 'loongarch64-unknown-linux-gnu',
};

/** bcc's include flags for ARCH (kbuild_helper.cc, get_flags) and its loader flags (loader.cc), relative to the headers dir. */
export function bccFlags(arch: string, resourceDir: string): string[] {
  return [
    '-O2', '-emit-llvm', '-D__BPF_TRACING__', '-Wno-deprecated-declarations', '-Wno-gnu-variable-sized-type-not-at-end',
    '-Wno-pragma-once-outside-header', '-Wno-address-of-packed-member', '-Wno-unknown-warning-option', '-Wno-macro-redefined',
    '-fno-color-diagnostics', '-fno-unwind-tables', '-fno-asynchronous-unwind-tables', '-fno-jump-tables', '-g', '-gdwarf-4',
    '-nostdinc', '-isystem', join(resourceDir, 'include'),
    `-I./arch/${arch}/include`, `-Iarch/${arch}/include/generated/uapi`, `-Iarch/${arch}/include/generated`, '-Iinclude',
    `-I./arch/${arch}/include/uapi`, `-Iarch/${arch}/include/generated/uapi`, '-I./include/uapi', '-Iinclude/generated/uapi',
    '-include', './include/linux/kconfig.h', '-D__KERNEL__', '-D__HAVE_BUILTIN_BSWAP16__', '-D__HAVE_BUILTIN_BSWAP32__',
    '-D__HAVE_BUILTIN_BSWAP64__', `-D__TARGET_ARCH_${arch}`, '-Wno-unused-value', '-Wno-pointer-sign', '-fno-stack-protector',
  ];
}

/** A BPF program for the compile-only check: kernel types from <linux/sched.h>, a kprobe-style section. */
export const COMPILE_ONLY_PROGRAM = `#include <linux/sched.h>
#include <linux/ptrace.h>
#include <uapi/linux/bpf.h>
__attribute__((section("kprobe/do_nanosleep"), used))
int probe(struct pt_regs *ctx) {
  struct task_struct *t = (struct task_struct *)ctx;
  return t->pid + (int)sizeof(t->comm) + (int)sizeof(struct task_struct);
}
char _license[] __attribute__((section("license"), used)) = "GPL";
`;
