import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { machine, tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { resolveArch, subarchOf } from '../../src/core/kernel/arch.js';
import { KheadersError } from '../../src/core/errors.js';

// Kernel facts: ARCH words and what the top Makefile makes of them.
const ARCH_WORDS: Array<[string, string]> = [
  ['x86', 'x86'], ['i386', 'x86'], ['x86_64', 'x86'],
  ['sparc', 'sparc'], ['sparc32', 'sparc'], ['sparc64', 'sparc'],
  ['parisc', 'parisc'], ['parisc64', 'parisc'], ['sh', 'sh'], ['sh64', 'sh'],
  ['arm', 'arm'], ['arm64', 'arm64'], ['powerpc', 'powerpc'], ['riscv', 'riscv'],
  ['s390', 's390'], ['mips', 'mips'], ['loongarch', 'loongarch'], ['um', 'um'],
  ['m68k', 'm68k'], ['xtensa', 'xtensa'], ['alpha', 'alpha'],
];

// `uname -m` outputs, the ARCH the SUBARCH rules give, and SRCARCH.
const MACHINES: Array<[string, string, string]> = [
  ['i686', 'x86', 'x86'], ['i386', 'i386', 'x86'], ['x86_64', 'x86_64', 'x86'],
  ['aarch64', 'arm64', 'arm64'], ['aarch64_be', 'arm64', 'arm64'],
  ['armv7l', 'arm', 'arm'], ['armv6l', 'arm', 'arm'], ['sa110', 'arm', 'arm'],
  ['ppc64le', 'powerpc', 'powerpc'], ['ppc', 'powerpc', 'powerpc'],
  ['s390x', 's390', 's390'], ['mips64', 'mips', 'mips'], ['mipsel', 'mips', 'mips'],
  ['sh4', 'sh', 'sh'], ['sh4a', 'sh', 'sh'], ['sun4u', 'sparc64', 'sparc'],
  ['riscv64', 'riscv', 'riscv'], ['loongarch64', 'loongarch', 'loongarch'],
  // Node's process.arch and distro names
  ['x64', 'x86_64', 'x86'], ['amd64', 'x86_64', 'x86'], ['ia32', 'i386', 'x86'], ['loong64', 'loongarch', 'loongarch'],
];

const tmp = mkdtempSync(join(tmpdir(), 'kh-arch-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('resolveArch', () => {
  for (const [word, srcarch] of ARCH_WORDS) {
    it(`ARCH=${word} -> SRCARCH ${srcarch}, make ARCH kept`, () => {
      assert.deepEqual(resolveArch(word), { srcarch, makeArch: word });
    });
  }
  for (const [name, makeArch, srcarch] of MACHINES) {
    it(`machine ${name} -> ARCH ${makeArch}, SRCARCH ${srcarch}`, () => {
      assert.deepEqual(resolveArch(name), { srcarch, makeArch });
    });
  }

  it('defaults to this machine', () => {
    const host = resolveArch(undefined);
    assert.deepEqual(resolveArch(''), host);
    assert.equal(host.srcarch, resolveArch(machine()).srcarch);
  });

  it('rejects an unknown arch and lists the known ones', () => {
    assert.throws(() => resolveArch('vax'), (e: unknown) => {
      assert.ok(e instanceof KheadersError);
      assert.match(e.message, /"vax"/);
      assert.match(e.fix ?? '', /arm64/);
      return true;
    });
  });

  it('checks a tree: only its arch/ dirs count, and they are listed', () => {
    const tree = join(tmp, 'tree');
    for (const a of ['x86', 'arm64', 'myvendorarch']) mkdirSync(join(tree, 'arch', a), { recursive: true });
    assert.deepEqual(resolveArch('x86_64', tree), { srcarch: 'x86', makeArch: 'x86_64' });
    assert.deepEqual(resolveArch('aarch64', tree), { srcarch: 'arm64', makeArch: 'arm64' });
    assert.deepEqual(resolveArch('myvendorarch', tree), { srcarch: 'myvendorarch', makeArch: 'myvendorarch' });
    assert.throws(() => resolveArch('riscv64', tree), (e: unknown) => {
      assert.ok(e instanceof KheadersError);
      assert.match(e.message, /"riscv64"/);
      assert.match(e.message, new RegExp(tree.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.match(e.fix ?? '', /arm64, myvendorarch, x86/);
      return true;
    });
  });

  it('rejects names with shell or path characters', () => {
    assert.throws(() => resolveArch('../x86'), KheadersError);
    assert.throws(() => resolveArch('..', join(tmp, 'tree')), KheadersError);
    assert.throws(() => resolveArch('x86; rm -rf /'), KheadersError);
  });
});

// Oracle: the SUBARCH sed rules of a real kernel tree, run by real sed.
const SUBARCH = '/tmp/ksrc/linux-source-6.1/scripts/subarch.include';
describe('subarchOf against the kernel sed rules', { skip: !existsSync(SUBARCH) && 'no kernel tree at /tmp/ksrc' }, () => {
  it('agrees with sed for each machine name', () => {
    const text = readFileSync(SUBARCH, 'utf8').replace(/\\\n/g, ' ');
    const exprs = [...text.matchAll(/-e\s+(s\/[^\s)]+)/g)].map((m) => m[1]!);
    assert.ok(exprs.length >= 10, 'could not read the sed rules');
    const args = exprs.flatMap((e) => ['-e', e]);
    for (const [name] of MACHINES.filter(([n]) => !['x64', 'amd64', 'ia32', 'loong64'].includes(n))) {
      const want = execFileSync('sed', args, { input: `${name}\n` }).toString().trim();
      assert.equal(subarchOf(name), want, name);
    }
  });
});
