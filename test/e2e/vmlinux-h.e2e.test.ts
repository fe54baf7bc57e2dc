// vmlinux-h end to end: vmlinux.h and BTF from the 6.1 x86_64 and arm64
// defconfig archives (built by our CLI), checked against the DWARF of real
// objects the kernel's own make built with KCFLAGS=-g (read by pahole), every
// struct and union member by member; a CO-RE program built on the header loads
// into the running kernel, and one built on a wrong struct does not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getInputs } from '../../src/action/inputs.js';
import { execute } from '../../src/action/run.js';
import { KheadersError } from '../../src/core/errors.js';
import { nullLogger } from '../../src/core/log.js';
import { vmlinuxHeader, type VmlinuxHResult } from '../../src/core/btf/vmlinux-h.js';
import { ROOT, sh } from '../helpers/bcc.js';
import { btfLayouts, compareLayouts, objectBtf, sameLayout } from '../helpers/btf-layout.js';
import { CORE_PROGRAM, oracleTree, requireVmlinuxTools, type OracleTree } from '../helpers/vmlinux-h.js';

let work: string;
const trees = new Map<string, OracleTree>();
const results = new Map<string, VmlinuxHResult & { archive: string; seconds: number }>();

async function buildArchive(arch: 'x86' | 'arm64', t: OracleTree): Promise<string> {
  const out = path.join(work, `${arch}.tar.xz`);
  const args = ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'build', '--source', t.srctree, '--objtree', t.objtree,
    '--arch', arch, '--output', out, '--no-cache'];
  const r = await sh([process.execPath, ...args], { cwd: ROOT, timeoutMs: 600_000 });
  assert.equal(r.code, 0, r.stderr);
  return out;
}

before(async () => {
  requireVmlinuxTools();
  work = await mkdtemp(path.join(os.tmpdir(), 'kh-e2e-vmlinux-h-'));
  for (const arch of ['x86', 'arm64'] as const) {
    const t = await oracleTree(arch);
    trees.set(arch, t);
    const archive = await buildArchive(arch, t);
    const t0 = performance.now();
    const r = await vmlinuxHeader(archive, { cacheDir: path.join(work, 'cache'), output: path.join(work, `${arch}.vmlinux.h`), btf: path.join(work, `${arch}.btf`) });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`${arch}: vmlinux.h in ${seconds.toFixed(1)} s (${Object.entries(r.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(", ")}): ${r.included} headers, ${r.leftOut.length} left out, ${r.structs} structs`);
    results.set(arch, { ...r, archive, seconds });
  }
}, { timeout: 7_200_000 });

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

for (const arch of ['x86', 'arm64'] as const) {
  describe(`vmlinux-h, 6.1 ${arch} defconfig`, { timeout: 1_800_000 }, () => {
    test('every struct and union in both has the size, members and bit offsets of the kernel\'s own DWARF', async () => {
      const r = results.get(arch);
      const t = trees.get(arch);
      assert.ok(r && t);
      assert.equal(r.srcarch, arch);
      const ours = await btfLayouts(path.join(work, `${arch}.btf`));
      const oracle = new Map<string, Awaited<ReturnType<typeof btfLayouts>> extends Map<string, infer V> ? V : never>();
      for (const [i, o] of t.objects.entries()) {
        for (const [name, layouts] of await btfLayouts(await objectBtf(o, work, i))) {
          const seen = oracle.get(name) ?? [];
          oracle.set(name, [...seen, ...layouts.filter((l) => !seen.some((s) => sameLayout(s, l)))]);
        }
      }
      const c = compareLayouts(ours, oracle);
      // The comparison itself can fail: one member moved by a byte is caught.
      const ts = ours.get('task_struct')?.[0];
      assert.ok(ts);
      const moved = new Map(ours).set('task_struct', [{ ...ts, members: ts.members.map((m, i) => (i === 3 ? m.replace(/@(\d+)/, (_, n: string) => `@${Number(n) + 8}`) : m)) }]);
      assert.equal(compareLayouts(moved, oracle).mismatches.length, 1);
      console.log(`${arch}: ${c.common} of ${c.oracle} oracle struct/union types present (coverage ${(100 * c.common / c.oracle).toFixed(1)}%), ${c.members} members compared, ${c.mismatches.length} mismatches`);
      assert.deepEqual(c.mismatches, []);
      assert.ok(c.common >= 300, `only ${c.common} oracle types in common`);
      for (const name of ['task_struct', 'mm_struct', 'sk_buff', 'inode', 'cred', 'bpf_prog']) assert.ok(ours.has(name), `${name} missing`);
    });

    test('same archive, same bytes: from the cached outputs, from the cached header list, and past a tampered cache', async () => {
      const r = results.get(arch);
      assert.ok(r);
      const cache = path.join(work, 'cache');
      const want = await readFile(path.join(work, `${arch}.vmlinux.h`), 'utf8');
      const wantBtf = await readFile(path.join(work, `${arch}.btf`));
      const same = (x: VmlinuxHResult): void => {
        assert.equal(x.header, want);
        assert.deepEqual(x.btf, wantBtf);
        assert.deepEqual([x.included, x.leftOut, x.structs, x.release], [r.included, r.leftOut, r.structs, r.release]);
      };
      const base = path.join(cache, 'vmlinux-h', r.md5);
      assert.ok(existsSync(`${base}.probe.json`) && existsSync(`${base}.json`));
      const hit = await vmlinuxHeader(r.archive, { cacheDir: cache });
      assert.equal(hit.outputCached, true);
      same(hit);
      // A cached header that no longer matches its sha256 is not served: the run compiles again, from the cached list.
      await writeFile(`${base}.h`, want.replace('struct task_struct {', 'struct task_struct  {'));
      const listed = await vmlinuxHeader(r.archive, { cacheDir: cache });
      assert.deepEqual([listed.outputCached, listed.probeCached], [false, true]);
      same(listed);
      assert.equal(await readFile(`${base}.h`, 'utf8'), want);
    });

    test('the header comment names the arch and every left-out header with its reason', async () => {
      const r = results.get(arch);
      assert.ok(r);
      const comment = r.header.slice(0, r.header.indexOf('*/'));
      assert.match(comment, new RegExp(`arch ${arch} \\(clang --target=`));
      assert.match(comment, new RegExp(`md5 ${r.md5}`));
      for (const l of r.leftOut) assert.ok(comment.includes(` *   ${l.header}: `), `${l.header} not listed`);
      // Headers the archive lacks are named as clang would, without the probe's temp paths.
      assert.match(comment, /: error: '[^']+' file not found in the archive/);
      assert.doesNotMatch(comment, /kheaders-vmlinux-h-|stubs\/d\//);
      assert.ok(r.header.includes('#ifndef __VMLINUX_H__'));
    });
  });
}

describe('a CO-RE program built on our vmlinux.h', { timeout: 600_000 }, () => {
  test('loads into the running kernel (BPF_CORE_READ(p, real_parent, tgid) relocates)', async () => {
    const r = results.get('x86');
    assert.ok(r);
    const dir = path.join(work, 'good');
    await mkdir(dir, { recursive: true });
    const out = await loadProgramWith(r.header, CORE_PROGRAM, dir);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /tracing\s+name on_exec/);
  });

  test('with a deliberately wrong struct (real_parent renamed) it fails to load', async () => {
    const r = results.get('x86');
    assert.ok(r);
    const wrong = r.header.replace(/(struct task_struct \{[^]*?\tstruct task_struct __rcu \*|struct task_struct \{[^]*?\tstruct task_struct \*)real_parent;/, '$1real_parent_wrong;');
    assert.notEqual(wrong, r.header, 'real_parent not found in struct task_struct');
    const bad = CORE_PROGRAM.replace('real_parent, tgid', 'real_parent_wrong, tgid');
    const dir = path.join(work, 'wrong');
    await mkdir(dir, { recursive: true });
    const out = await loadProgramWith(wrong, bad, dir);
    assert.notEqual(out.code, 0, 'a program relocated against a field the kernel lacks was loaded');
    assert.match(out.stderr, /real_parent_wrong|relocat/i);
  });

  /** Compiles program against header and loads it with bpftool (pinned in a bpffs of a private mount namespace, gone with it). */
  async function loadProgramWith(header: string, program: string, dir: string): Promise<{ code: number | null; stderr: string }> {
    await writeFile(path.join(dir, 'vmlinux.h'), header);
    await writeFile(path.join(dir, 'prog.bpf.c'), program);
    const cc = await sh(['clang', '-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I', dir, '-c', path.join(dir, 'prog.bpf.c'), '-o', path.join(dir, 'prog.bpf.o')]);
    assert.equal(cc.code, 0, cc.stderr);
    const pin = path.join(dir, 'bpffs');
    await mkdir(pin);
    const r = await sh(['unshare', '-m', '--propagation', 'private', 'sh', '-c', 'mount -t bpf bpf "$1" && bpftool prog load "$2" "$1/prog" && bpftool prog show pinned "$1/prog"', 'sh', pin, path.join(dir, 'prog.bpf.o')]);
    return { code: r.code, stderr: r.stderr + r.stdout };
  }
});

describe('kheaders vmlinux-h (the CLI)', { timeout: 600_000 }, () => {
  const cli = (args: string[]): ReturnType<typeof sh> => sh([process.execPath, '--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'vmlinux-h', ...args], { cwd: ROOT, timeoutMs: 600_000 });

  test('--from ARCHIVE -o FILE --btf FILE writes the same bytes as the core, and prints the path', async () => {
    const r = results.get('arm64');
    assert.ok(r);
    const out = path.join(work, 'cli', 'vmlinux.h');
    const btf = path.join(work, 'cli', 'vmlinux.btf');
    await mkdir(path.dirname(out), { recursive: true });
    const run = await cli(['--from', r.archive, '-o', out, '--btf', btf, '--cache-dir', path.join(work, 'cache')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), out);
    assert.match(run.stderr, /wrote .*vmlinux\.h: Linux 6\.1\.\d+ arm64, \d+ structs from \d+ headers/);
    assert.equal(await readFile(out, 'utf8'), r.header);
    assert.deepEqual(await readFile(btf), r.btf);
  });

  test('no source, or both sources, is a usage error (exit 2) naming the fix', async () => {
    const none = await cli(['-o', path.join(work, 'x.h')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /needs --from SOURCE or --source TREE/);
    const both = await cli(['--from', 'running', '--source', '.']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /contradict/);
  });
});

describe('the action\'s vmlinux-h input', { timeout: 600_000 }, () => {
  test('mode verify with vmlinux-h: vmlinux.h and the .btf next to it, same bytes; the output names it', async () => {
    const r = results.get('x86');
    const t = trees.get('x86');
    assert.ok(r && t);
    const saved = { ...process.env };
    try {
      // The action's cache dir is the CLI's default: XDG_CACHE_HOME of this test, given the probe list of the first run.
      const xdg = path.join(work, 'xdg');
      await mkdir(path.join(xdg, 'kheaders', 'vmlinux-h'), { recursive: true });
      const probe = `vmlinux-h/${r.md5}.probe.json`;
      await copyFile(path.join(work, 'cache', probe), path.join(xdg, 'kheaders', probe));
      const ws = path.join(work, 'ws');
      await mkdir(ws, { recursive: true });
      const inputs = { mode: 'verify', archive: r.archive, source: t.srctree, objtree: t.objtree, arch: 'x86', cache: 'false', 'vmlinux-h': 'out/vmlinux.h' };
      for (const [k, v] of Object.entries(inputs)) process.env[`INPUT_${k.toUpperCase()}`] = v;
      Object.assign(process.env, { GITHUB_WORKSPACE: ws, RUNNER_TEMP: ws, XDG_CACHE_HOME: xdg });
      const res = await execute(getInputs(), {}, nullLogger);
      assert.equal(res.vmlinuxH, path.join(ws, 'out/vmlinux.h'));
      assert.equal(await readFile(path.join(ws, 'out/vmlinux.h'), 'utf8'), r.header);
      assert.deepEqual(await readFile(path.join(ws, 'out/vmlinux.btf')), r.btf);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});

describe('vmlinux-h errors', { timeout: 600_000 }, () => {
  async function syntheticArchive(name: string, files: Record<string, string>): Promise<string> {
    const dir = path.join(work, name);
    for (const [p, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, p)), { recursive: true });
      await writeFile(path.join(dir, p), text);
    }
    const out = path.join(work, `${name}.tar.xz`);
    const r = await sh(['tar', '-C', dir, '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-cJf', out, ...Object.keys(files).map((p) => p.split('/')[0]).filter((v, i, a) => a.indexOf(v) === i)]);
    assert.equal(r.code, 0, r.stderr);
    return out;
  }

  test('an arch clang has no target for is refused, naming the arch', async () => {
    const archive = await syntheticArchive('alpha', {
      'arch/alpha/include/asm/types.h': 'struct alpha_only { int x; };\n',
      'include/generated/autoconf.h': '#define CONFIG_ALPHA 1\n#define CONFIG_64BIT 1\n',
      'include/linux/types.h': 'struct t { int x; };\n',
    });
    await assert.rejects(vmlinuxHeader(archive, { cacheDir: false }), (e: unknown) => {
      assert.ok(e instanceof KheadersError);
      assert.equal(e.code, 'UNKNOWN_ARCH');
      assert.match(e.message, /arch "alpha"/);
      assert.match(e.fix ?? '', /x86/);
      return true;
    });
  });

  test('an arch whose basic headers do not compile for clang\'s target gives COMPILE_FAILED naming the arch', async () => {
    const archive = await syntheticArchive('riscv', {
      'arch/riscv/include/asm/types.h': 'struct riscv_only { int x; };\n',
      'include/generated/autoconf.h': '#define CONFIG_RISCV 1\n#define CONFIG_64BIT 1\n',
      'include/linux/types.h': '#include <asm/bitsperlong.h>\nstruct t { int x; };\n',
      'include/linux/kernel.h': 'struct k { int x; };\n',
    });
    await assert.rejects(vmlinuxHeader(archive, { cacheDir: false }), (e: unknown) => {
      assert.ok(e instanceof KheadersError);
      assert.equal(e.code, 'COMPILE_FAILED');
      assert.match(e.message, /arch "riscv".*riscv64-linux-gnu.*bitsperlong\.h/);
      return true;
    });
  });

  test('a missing tool is named, with how to install it', async () => {
    const r = results.get('x86');
    assert.ok(r);
    for (const tool of ['clang', 'pahole', 'bpftool'] as const) {
      const tools = { clang: 'clang', pahole: 'pahole', bpftool: 'bpftool', [tool]: path.join(work, 'no-such-dir', tool) };
      await assert.rejects(vmlinuxHeader(r.archive, { cacheDir: false, tools }), (e: unknown) => {
        assert.ok(e instanceof KheadersError);
        assert.equal(e.code, 'MISSING_TOOL');
        assert.match(e.message, new RegExp(`^${tool} not found`));
        assert.match(e.fix ?? '', /apt-get install/);
        return true;
      });
    }
  });
});
