// vmlinux-h's steps that need no clang: the arch from an unpacked archive, the
// candidate order, the marked unit, tracing clang's errors to headers, the
// header comment, and the CLI's settings. The compile itself is in test/e2e.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli } from '../../src/cli/args.js';
import { headerComment } from '../../src/core/btf/comment.js';
import { parseUnitErrors } from '../../src/core/btf/diagnostics.js';
import { loadOutput, saveOutput } from '../../src/core/btf/output-cache.js';
import { parseDeps } from '../../src/core/btf/stubs.js';
import { listCandidates, rank } from '../../src/core/btf/candidates.js';
import { compileFlags, detectTarget } from '../../src/core/btf/target.js';
import { checkTools } from '../../src/core/btf/tools.js';
import { MARKER, STUB_ERROR, unitText } from '../../src/core/btf/unit.js';
import { KheadersError } from '../../src/core/index.js';
import { tempDir, writeTree } from '../helpers/kernel-tree.js';

const AUTOCONF = 'include/generated/autoconf.h';

async function targetOf(files: Record<string, string>): Promise<Awaited<ReturnType<typeof detectTarget>>> {
  const { dir, cleanup } = tempDir('kh-vmlinux-h-');
  try {
    writeTree(dir, files);
    return await detectTarget(dir);
  } finally {
    cleanup();
  }
}

describe('the arch, from the archive', () => {
  test('x86 with CONFIG_X86_64 is x86_64-linux-gnu with the kernel code model; without it i386', async () => {
    const t = await targetOf({ 'arch/x86/include/asm/a.h': '', [AUTOCONF]: '#define CONFIG_X86_64 1\n#define CONFIG_64BIT 1\n', 'include/linux/kconfig.h': '' });
    assert.equal(t.triple, 'x86_64-linux-gnu');
    assert.ok(t.flags.includes('-mcmodel=kernel'));
    assert.deepEqual(t.forced, ['include/linux/kconfig.h']);
    const flags = compileFlags(t);
    assert.ok(flags.includes('--target=x86_64-linux-gnu') && flags.includes('-D__KERNEL__') && flags.includes('-nostdinc'));
    assert.deepEqual(flags.slice(flags.indexOf('-include'), flags.indexOf('-include') + 2), ['-include', 'include/linux/kconfig.h']);
    const t32 = await targetOf({ 'arch/x86/include/asm/a.h': '', [AUTOCONF]: '#define CONFIG_X86_32 1\n' });
    assert.equal(t32.triple, 'i386-linux-gnu');
  });

  test('arm64, little and big endian', async () => {
    assert.equal((await targetOf({ 'arch/arm64/include/asm/a.h': '', [AUTOCONF]: '#define CONFIG_ARM64 1\n' })).triple, 'aarch64-linux-gnu');
    assert.equal((await targetOf({ 'arch/arm64/include/asm/a.h': '', [AUTOCONF]: '#define CONFIG_CPU_BIG_ENDIAN 1\n' })).triple, 'aarch64_be-linux-gnu');
  });

  test('an arch with no clang target, no arch directory, two of them, or no autoconf.h: clear errors', async () => {
    await assert.rejects(targetOf({ 'arch/alpha/include/asm/a.h': '', [AUTOCONF]: '' }), (e: KheadersError) => e.code === 'UNKNOWN_ARCH' && /arch "alpha"/.test(e.message));
    await assert.rejects(targetOf({ [AUTOCONF]: '' }), (e: KheadersError) => e.code === 'BAD_INPUT' && /no arch\/\*\/ directory/.test(e.message));
    await assert.rejects(targetOf({ 'arch/x86/include/a.h': '', 'arch/arm64/include/a.h': '', [AUTOCONF]: '' }), (e: KheadersError) => /several arch directories \(arm64, x86\)/.test(e.message));
    await assert.rejects(targetOf({ 'arch/x86/include/a.h': '' }), (e: KheadersError) => e.code === 'BAD_INPUT' && /autoconf\.h/.test(e.message));
  });
});

describe('candidates', () => {
  test('headers that define a type, kernel-internal first, byte order within a rank; mentions and the rest only counted', async () => {
    const { dir, cleanup } = tempDir('kh-vmlinux-h-');
    try {
      writeTree(dir, {
        'include/uapi/linux/u.h': 'struct u { int x; };\n',
        'include/linux/b.h': 'typedef int b_t;\n',
        'include/linux/a.h': 'enum a { A };\n',
        'arch/x86/include/asm/c.h': 'union c { int x; };\n',
        'include/dt-bindings/clock/d.h': '#define CLK 1\n',
        'include/asm-generic/e.h': 'enum {\n E };\n',
        'include/linux/f.h': 'struct f\n{\n int x;\n};\n',
        // Mentions only: a forward declaration and a prototype add nothing to the BTF.
        'include/linux/g.h': 'struct g;\nint g_get(struct g *g, union h *h);\n',
        'include/trace/events/t.h': 'TRACE_EVENT(t, TP_PROTO(struct g *g), TP_STRUCT__entry(__field(int, x)));\n',
        'include/linux/readme.txt': 'struct not_a_header {',
      });
      const c = await listCandidates(dir, 'x86');
      assert.deepEqual(c.headers, ['include/linux/a.h', 'include/linux/b.h', 'include/linux/f.h', 'arch/x86/include/asm/c.h', 'include/uapi/linux/u.h', 'include/asm-generic/e.h']);
      assert.equal(c.noTypes, 3);
      assert.deepEqual([...c.otherWidth], []);
      assert.ok(rank('include/net/sock.h', 'x86') < rank('include/uapi/linux/bpf.h', 'x86'));
      // The arch's headers for the other word size are left out, with why; others with such names stay.
      writeTree(dir, { 'arch/x86/include/asm/suspend_32.h': 'struct saved_context { int a; };\n', 'arch/x86/include/asm/suspend_64.h': 'struct saved_context { long a; };\n',
        'arch/x86/include/uapi/asm/posix_types_32.h': 'typedef int t32;\n', 'include/linux/x_32.h': 'struct x { int a; };\n' });
      const c64 = await listCandidates(dir, 'x86', true);
      assert.deepEqual([...c64.otherWidth.keys()].sort(), ['arch/x86/include/asm/suspend_32.h', 'arch/x86/include/uapi/asm/posix_types_32.h']);
      assert.match(c64.otherWidth.get('arch/x86/include/asm/suspend_32.h') ?? '', /for 32-bit kernels; this config is 64-bit/);
      assert.ok(c64.headers.includes('arch/x86/include/asm/suspend_64.h') && c64.headers.includes('include/linux/x_32.h'));
      const c32 = await listCandidates(dir, 'x86', false);
      assert.deepEqual([...c32.otherWidth.keys()], ['arch/x86/include/asm/suspend_64.h']);
    } finally {
      cleanup();
    }
  });
});

describe('the marked unit and its errors', () => {
  test('each header follows a marker; errors are traced to the header whose marker came last', () => {
    const text = unitText(['include/linux/a.h', 'include/linux/b.h']);
    assert.match(text, /#include "include\/linux\/types\.h"[^]*#pragma message\("kheaders-unit:0"\)\n#include "include\/linux\/a\.h"[^]*kheaders-unit:1"\)\n#include "include\/linux\/b\.h"/);
    const stderr = [
      `.kheaders-unit-1.c:5:9: warning: ${MARKER}0 [-W#pragma-messages]`,
      `.kheaders-unit-1.c:8:9: warning: ${MARKER}1 [-W#pragma-messages]`,
      'In file included from .kheaders-unit-1.c:9:',
      './include/linux/b.h:3:10: fatal error: \'asm/x.h\' file not found',
      './include/linux/b.h:4:1: error: later',
    ].join('\n');
    const r = parseUnitErrors(stderr);
    assert.deepEqual([...r.errors], [[1, "include/linux/b.h:3: fatal error: 'asm/x.h' file not found"]]);
    assert.equal(r.fatal, true);
    assert.equal(r.reached, 1);
    assert.equal(r.prelude, undefined);
    assert.equal(parseUnitErrors('include/linux/types.h:1:2: error: boom\n').prelude, 'include/linux/types.h:1: error: boom');
  });
});

describe('the include tree (-H): errors reach later includers', () => {
  const unit = '.kheaders-unit-1.c';
  const mark = (i: number): string => `${unit}:${5 + 3 * i}:9: warning: ${MARKER}${i} [-W#pragma-messages]`;
  test('a clash in a file marks its own header, and later headers that include it as broken; earlier ones stay clean', () => {
    const stderr = [
      '. include/linux/types.h',
      mark(0), '. ./include/linux/a.h', '.. include/linux/shared.h',
      mark(1), '. ./include/linux/b.h', '.. include/linux/shared.h',
      'In file included from .kheaders-unit-1.c:9:',
      'In file included from ./include/linux/b.h:2:',
      './include/linux/shared.h:7:3: error: redefinition of \'x\'',
      mark(2), '. ./include/linux/c.h', '.. ./include/linux/b.h',
      mark(3), '. ./include/linux/d.h', '.. include/linux/other.h',
    ].join('\n');
    const r = parseUnitErrors(stderr);
    assert.deepEqual([...r.errors], [[1, "include/linux/shared.h:7: error: redefinition of 'x'"]]);
    // shared.h is unguarded here (entered again under b.h), so a.h, before the error, is not blamed.
    assert.deepEqual([...r.broken], [2]);
    assert.deepEqual([...r.missing], []);
  });
  test('a missing header\'s stub names the header as clang would, for its includer and every later one', () => {
    const stub = '/tmp/x/stubs/d/d/asm/rheap.h';
    const stderr = [
      mark(0), '. ./include/linux/ok.h',
      mark(1), '. ./include/linux/sram.h', `.. ${stub}`,
      'In file included from .kheaders-unit-1.c:9:',
      './include/linux/sram.h:6:10: note: ignored',
      'In file included from ./include/linux/sram.h:6:',
      `${stub}:1:2: error: "${STUB_ERROR} asm/rheap.h"`,
      mark(2), '. ./include/linux/bestcomm.h', '.. ./include/linux/sram.h',
    ].join('\n');
    const r = parseUnitErrors(stderr);
    const text = "include/linux/sram.h:6: error: 'asm/rheap.h' file not found in the archive";
    assert.deepEqual([...r.missing], [[1, text], [2, text]]);
    assert.deepEqual([...r.errors], [[1, text]]);
    assert.ok(!r.errors.has(0) && !r.missing.has(0));
  });
  test('make\'s dependency list, continued lines and escaped spaces', () => {
    assert.deepEqual(parseDeps('x.o: a.h \\\n  include/b\\ c.h ../../../d.h\n'), ['a.h', 'include/b c.h', '../../../d.h']);
  });
});

describe('the cached outputs', () => {
  test('served only for the same tools and while each file matches its sha256', async () => {
    const { dir, cleanup } = tempDir('kh-vmlinux-h-');
    try {
      const meta = { release: '6.1.0', srcarch: 'x86', triple: 'x86_64-linux-gnu', included: 2, noTypes: 1, leftOut: [{ header: 'include/linux/b.h', reason: 'r' }], structs: 1 };
      const md5 = 'a'.repeat(32);
      assert.equal(await loadOutput(dir, md5, 'tools'), undefined);
      assert.equal(await saveOutput(dir, md5, 'tools', meta, 'struct x {};\n', Buffer.from([1, 2, 3])), true);
      const got = await loadOutput(dir, md5, 'tools');
      assert.deepEqual(got, { ...meta, header: 'struct x {};\n', btf: Buffer.from([1, 2, 3]) });
      assert.equal(await loadOutput(dir, md5, 'other tools'), undefined);
      assert.equal(await loadOutput(dir, 'b'.repeat(32), 'tools'), undefined);
      await writeFile(join(dir, 'vmlinux-h', `${md5}.btf`), Buffer.from([1, 2, 4]));
      assert.equal(await loadOutput(dir, md5, 'tools'), undefined);
    } finally {
      cleanup();
    }
  });
});

describe('the header comment', () => {
  test('names the archive, tools and every left-out header; an error text cannot close the comment', () => {
    const c = headerComment({ release: '6.1.0', srcarch: 'x86', triple: 'x86_64-linux-gnu', md5: 'f'.repeat(32),
      tools: { clang: 'clang 14', pahole: 'v1.24', bpftool: 'bpftool v7.1.0' }, included: 2, noTypes: 3,
      leftOut: [{ header: 'include/linux/x.h', reason: 'error: bad */ int evil;' }] });
    assert.match(c, /^\/\*\n \* vmlinux\.h for Linux 6\.1\.0, arch x86 \(clang --target=x86_64-linux-gnu\)/);
    assert.match(c, / \*   include\/linux\/x\.h: error: bad \* \/ int evil;\n/);
    assert.equal(c.indexOf('*/'), c.lastIndexOf('*/'));
    assert.ok(c.endsWith(' */\n\n'));
  });
});

describe('tools', () => {
  test('a missing tool is MISSING_TOOL, naming it and the package to install', async () => {
    await assert.rejects(checkTools({ clang: 'node', pahole: '/nonexistent/pahole', bpftool: 'bpftool' }), (e: KheadersError) => {
      assert.equal(e.code, 'MISSING_TOOL');
      assert.match(e.message, /^pahole not found/);
      assert.match(e.fix ?? '', /dwarves/);
      return true;
    });
  });
});

describe('kheaders vmlinux-h arguments', () => {
  const parse = (args: string[]): ReturnType<typeof parseCli> => parseCli(['vmlinux-h', ...args], { XDG_CACHE_HOME: '/xdg' }, '/w');

  test('--from FILE: resolved, default -o ./vmlinux.h, the default cache dir', () => {
    const r = parse(['--from', 'k.tar.xz', '--btf', 'v.btf']);
    assert.ok(r.kind === 'run' && r.settings.command === 'vmlinux-h');
    assert.deepEqual(r.settings.source, { kind: 'from', from: '/w/k.tar.xz', sha256: undefined, md5: undefined, release: undefined });
    assert.equal(r.settings.output, '/w/vmlinux.h');
    assert.equal(r.settings.btf, '/w/v.btf');
    assert.equal(r.settings.cacheDir, '/xdg/kheaders');
  });

  test('--source TREE with --objtree, --arch and --config, as build takes them; --no-cache', () => {
    const r = parse(['--source', 'linux', '--objtree', 'out', '--arch', 'aarch64', '--config', 'defconfig', '-o', 'v.h', '--no-cache']);
    assert.ok(r.kind === 'run' && r.settings.command === 'vmlinux-h' && r.settings.source.kind === 'tree');
    assert.equal(r.settings.source.tree.source, '/w/linux');
    assert.equal(r.settings.source.tree.objtree, '/w/out');
    assert.equal(r.settings.source.tree.arch, 'arm64');
    assert.deepEqual(r.settings.source.tree.config, { kind: 'target', target: 'defconfig' });
    assert.equal(r.settings.cacheDir, undefined);
  });

  test('no source, both, tree options with --from, stdout: usage errors', () => {
    for (const [args, re] of [[[], /needs --from SOURCE or --source TREE/], [['--from', 'running', '--source', '.'], /contradict/],
      [['--from', 'running', '--arch', 'x86'], /go with --source/], [['--from', 'running', '-o', '-'], /not stdout/],
      [['--source', '.', '--md5', 'a'.repeat(32)], /go with --from/]] as const) {
      assert.throws(() => parse([...args]), (e: KheadersError) => e.code === 'USAGE' && re.test(e.message), args.join(' '));
    }
  });
});
