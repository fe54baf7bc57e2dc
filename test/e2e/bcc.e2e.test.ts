// End-to-end with the real consumer: bcc 0.26 (Debian's bpfcc-tools and
// python3-bpfcc) on headers kheaders extracted from archives the 6.1 tree's own
// make built (scripts/bcc-archives.sh). Debian's amd64 config has
// CONFIG_BPF_SYSCALL: bcc's clang compiles and loads a program, and the real
// syscount-bpfcc counts syscalls. x86_64_defconfig lacks it: bcc's own #error.
// And a compile-only check with bcc's flags and clang's BPF back end for each
// archive's arch, so that arm64 headers are covered where this kernel cannot run them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BCC_PROGRAM, bccArchives, bccFlags, CLANG_TARGET, CLI, COMPILE_ONLY_PROGRAM, inKernel, PYTHON, requireBcc, sh, unshareRefused, writeNsExec, type Run } from '../helpers/bcc.js';

let work: string;
let archives: Awaited<ReturnType<typeof bccArchives>>;
/** Why bcc cannot attach here: tracefs is not mounted and no namespace may mount it. */
let noTracefs: string | false = false;

/** bcc needs tracefs at /sys/kernel/tracing: mounted in a private namespace when the host has none. */
function bcc(argv: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const full = { ...process.env, TMPDIR: path.join(work, 'tmp'), ...env };
  return existsSync('/sys/kernel/tracing/events') ? sh(argv, { env: full, timeoutMs: 180_000 }) : inKernel(work, {}, argv, full);
}

/** kheaders extract through the bundled CLI; returns the BCC_KERNEL_SOURCE it printed. */
async function extract(archive: string, name: string): Promise<string> {
  const r = await sh([process.execPath, CLI, 'extract', '--from', archive, '--output', path.join(work, name)]);
  assert.equal(r.code, 0, r.stderr);
  const dir = /export BCC_KERNEL_SOURCE=(\S+)/.exec(r.stderr)?.[1];
  assert.ok(dir, `no BCC_KERNEL_SOURCE line in:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /kconfig\.h is missing/);
  return dir;
}

const show = (label: string, text: string): void => {
  for (const line of text.trimEnd().split('\n')) console.log(`${label}: ${line}`);
};

before(async () => {
  requireBcc();
  archives = await bccArchives();
  work = await mkdtemp(path.join(os.tmpdir(), 'kh-e2e-bcc-'));
  await chmod(work, 0o755);
  await mkdir(path.join(work, 'tmp'), { mode: 0o1777 });
  await chmod(path.join(work, 'tmp'), 0o1777);
  await writeFile(path.join(work, 'prog.py'), BCC_PROGRAM);
  writeNsExec(work);
  const refused = existsSync('/sys/kernel/tracing/events') ? undefined : unshareRefused();
  if (refused) noTracefs = `tracefs is not mounted at /sys/kernel/tracing and ${refused}`;
}, { timeout: 3_600_000 });

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('bcc on our headers', { timeout: 600_000 }, () => {
  test('6.1, Debian amd64 config: extract, then bcc compiles and loads a program including <linux/sched.h>', async (t) => {
    if (noTracefs) return t.skip(noTracefs);
    const dir = await extract(archives.debian, 'hdr-debian');
    const r = await bcc([PYTHON, path.join(work, 'prog.py')], { BCC_KERNEL_SOURCE: dir });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const n = Number(/execs counted: (\d+)/.exec(r.stdout)?.[1]);
    assert.ok(n >= 3, `the program counted ${n} execs:\n${r.stdout}`);
    show('bcc (BCC_KERNEL_SOURCE from kheaders extract)', r.stdout);
  });

  test('6.1, Debian amd64 config: the real syscount-bpfcc -d 1 with the printed BCC_KERNEL_SOURCE counts syscalls', async (t) => {
    if (noTracefs) return t.skip(noTracefs);
    const dir = await extract(archives.debian, 'hdr-debian-2');
    const r = await bcc(['timeout', '60', 'syscount-bpfcc', '-d', '1'], { BCC_KERNEL_SOURCE: dir, PATH: `${process.env.PATH ?? ''}:/usr/sbin` });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^SYSCALL\s+COUNT$/m);
    assert.match(r.stdout, /^[a-z_0-9]+\s+\d+$/m, 'at least one syscall counted');
    show('syscount-bpfcc -d 1', r.stdout);
  });

  test('6.1, x86_64_defconfig (no CONFIG_BPF_SYSCALL): bcc refuses the headers with its own clear #error', async (t) => {
    if (noTracefs) return t.skip(noTracefs);
    const dir = await extract(archives.defconfig, 'hdr-defconfig');
    assert.doesNotMatch(await readFile(path.join(dir, 'include/generated/autoconf.h'), 'utf8'), /CONFIG_BPF_SYSCALL 1/);
    const r = await bcc([PYTHON, path.join(work, 'prog.py')], { BCC_KERNEL_SOURCE: dir });
    assert.notEqual(r.code, 0);
    const line = /^.*#error "CONFIG_BPF_SYSCALL is undefined, please check your \.config.*$/m.exec(r.stderr)?.[0];
    assert.ok(line, `no CONFIG_BPF_SYSCALL #error from bcc:\n${r.stderr}`);
    assert.match(r.stderr, /Failed to compile BPF module/);
    show('bcc on x86_64_defconfig', line);
  });
});

describe('compile-only: bcc\'s flags, clang for the archive\'s arch, then the BPF back end', { timeout: 600_000 }, () => {
  const cases = [['Debian amd64', 'debian'], ['x86_64_defconfig', 'defconfig'], ['arm64 defconfig', 'arm64']] as const;
  for (const [label, key] of cases) {
    test(`${label}: a program including <linux/sched.h> compiles to an EM_BPF object`, async () => {
      const dir = await extract(archives[key], `cc-${key}`);
      const arches = await readdir(path.join(dir, 'arch'));
      assert.equal(arches.length, 1, `one arch in the archive, got ${arches.join(', ')}`);
      const arch = arches[0];
      const target = CLANG_TARGET[arch];
      assert.ok(target, `no clang target for ${arch}`);
      const resource = (await sh(['clang', '-print-resource-dir'])).stdout.trim();
      const src = path.join(work, `cc-${key}.c`);
      await writeFile(src, COMPILE_ONLY_PROGRAM);
      const bc = path.join(work, `cc-${key}.bc`);
      const obj = path.join(work, `cc-${key}.o`);
      const cc = await sh(['clang', '-target', target, ...bccFlags(arch, resource), '-x', 'c', '-c', src, '-o', bc], { cwd: dir });
      assert.equal(cc.code, 0, `clang -target ${target} failed:\n${cc.stderr}`);
      assert.doesNotMatch(cc.stderr, /error:/);
      const llc = await sh(['llc', '-march=bpf', '-filetype=obj', bc, '-o', obj]);
      assert.equal(llc.code, 0, llc.stderr);
      const elf = await readFile(obj);
      assert.equal(elf.readUInt16LE(18), 247, 'e_machine is EM_BPF');
      const sections = (await sh(['llvm-objdump', '-h', obj])).stdout;
      assert.match(sections, /kprobe\/do_nanosleep/);
      console.log(`compile-only ${label}: arch/${arch}, clang -target ${target} + bcc's flags | llc -march=bpf -> EM_BPF object, ${elf.length} bytes`);
    });
  }
});
