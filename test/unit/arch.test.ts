import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { machine, tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { resolveArch } from '../../src/core/kernel/arch.js';
import { throwsWith } from '../helpers/errors.js';
import { MACHINES } from '../helpers/machines.js';

// Kernel facts: ARCH words and what the top Makefile makes of them.
const ARCH_WORDS: Array<[string, string]> = [
  ['x86', 'x86'], ['i386', 'x86'], ['x86_64', 'x86'],
  ['sparc', 'sparc'], ['sparc32', 'sparc'], ['sparc64', 'sparc'],
  ['parisc', 'parisc'], ['parisc64', 'parisc'], ['sh', 'sh'], ['sh64', 'sh'],
  ['arm', 'arm'], ['arm64', 'arm64'], ['powerpc', 'powerpc'], ['riscv', 'riscv'],
  ['s390', 's390'], ['mips', 'mips'], ['loongarch', 'loongarch'], ['um', 'um'],
  ['m68k', 'm68k'], ['xtensa', 'xtensa'], ['alpha', 'alpha'],
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
    throwsWith(() => resolveArch('vax'), 'UNKNOWN_ARCH', undefined, /arm64/);
  });

  it('checks a tree: only its arch/ dirs count, and they are listed', () => {
    const tree = join(tmp, 'tree');
    for (const a of ['x86', 'arm64', 'myvendorarch']) mkdirSync(join(tree, 'arch', a), { recursive: true });
    assert.deepEqual(resolveArch('x86_64', tree), { srcarch: 'x86', makeArch: 'x86_64' });
    assert.deepEqual(resolveArch('aarch64', tree), { srcarch: 'arm64', makeArch: 'arm64' });
    assert.deepEqual(resolveArch('myvendorarch', tree), { srcarch: 'myvendorarch', makeArch: 'myvendorarch' });
    throwsWith(() => resolveArch('riscv64', tree), 'UNKNOWN_ARCH', undefined, /: arm64, myvendorarch, x86 /);
  });

  it('rejects names with shell or path characters', () => {
    throwsWith(() => resolveArch('../x86'), 'UNKNOWN_ARCH');
    throwsWith(() => resolveArch('..', join(tmp, 'tree')), 'UNKNOWN_ARCH');
    throwsWith(() => resolveArch('x86; rm -rf /'), 'UNKNOWN_ARCH');
  });
});

// subarchOf against the real tree's SUBARCH sed rules: test/e2e/tree.e2e.test.ts.
