import { readdirSync, statSync } from 'node:fs';
import { machine } from 'node:os';
import { join } from 'node:path';
import { KheadersError } from '../errors.js';
import { didYouMean } from '../suggest.js';

/** The arch words we need: one for file paths, one for make. */
export interface ArchInfo {
  /** Kernel SRCARCH: the directory under arch/ (x86, arm64, sparc, ...). */
  srcarch: string;
  /** What we pass as make ARCH= (the user's word when make knows it, e.g. x86_64). */
  makeArch: string;
}

/** ARCH values that the top Makefile maps to another SRCARCH (union over kernel versions). */
const ARCH_TO_SRCARCH: Readonly<Record<string, string>> = {
  i386: 'x86',
  x86_64: 'x86',
  sparc32: 'sparc',
  sparc64: 'sparc',
  parisc64: 'parisc',
  sh64: 'sh',
};

/**
 * The Makefile's SUBARCH rules, which turn `uname -m` into an ARCH. Each is a
 * sed-style substitution of the first match, applied in this order.
 */
const SUBARCH_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/i.86/, 'x86'],
  [/x86_64/, 'x86'],
  [/sun4u/, 'sparc64'],
  [/arm.*/, 'arm'],
  [/sa110/, 'arm'],
  [/s390x/, 's390'],
  [/ppc.*/, 'powerpc'],
  [/mips.*/, 'mips'],
  [/sh[234].*/, 'sh'],
  [/aarch64.*/, 'arm64'],
  [/riscv.*/, 'riscv'],
  [/loongarch.*/, 'loongarch'],
];

/** Names from Node's process.arch and distro packaging that differ from uname -m. */
const ALIASES: Readonly<Record<string, string>> = {
  x64: 'x86_64',
  amd64: 'x86_64',
  ia32: 'i386',
  loong64: 'loongarch64',
};

/** SRCARCH directories that mainline has had (used when no tree is given). */
const KNOWN_SRCARCH = new Set([
  'alpha', 'arc', 'arm', 'arm64', 'csky', 'hexagon', 'ia64', 'loongarch', 'm68k',
  'microblaze', 'mips', 'nds32', 'nios2', 'openrisc', 'parisc', 'powerpc', 'riscv',
  's390', 'sh', 'sparc', 'um', 'x86', 'xtensa',
  // removed from mainline, still found in old or vendor trees
  'avr32', 'blackfin', 'c6x', 'cris', 'frv', 'h8300', 'm32r', 'metag', 'mn10300',
  'score', 'tile', 'unicore32',
]);

/** Apply the SUBARCH rules to a machine name (as `uname -m | sed ...` does). */
export function subarchOf(machineName: string): string {
  let s = machineName;
  for (const [re, to] of SUBARCH_RULES) s = s.replace(re, to);
  return s;
}

/** SRCARCH for a make ARCH value (as the top Makefile does). */
export function srcarchOf(makeArch: string): string {
  return ARCH_TO_SRCARCH[makeArch] ?? makeArch;
}

function treeArches(srctree: string): string[] {
  try {
    return readdirSync(join(srctree, 'arch'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Resolve a user's arch word (kernel ARCH, `uname -m` name, or Node arch name)
 * to SRCARCH and make ARCH. Default: this machine. With srctree, the answer
 * must have an arch/<srcarch>/ directory there.
 */
export function resolveArch(input: string | undefined, srctree?: string): ArchInfo {
  const word = (input ?? '').trim();
  const given = word !== '';
  const raw = given ? word : machine();
  const known = (srcarch: string): boolean =>
    srctree !== undefined ? isDir(join(srctree, 'arch', srcarch)) : KNOWN_SRCARCH.has(srcarch);

  // 1. A make ARCH as is (x86_64, arm64, sparc32, um, ...), or
  if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(raw)) {
    // 2. A Node/distro alias of one (x64, amd64, ia32).
    const word2 = ALIASES[raw] ?? raw;
    if (known(srcarchOf(word2))) return { srcarch: srcarchOf(word2), makeArch: word2 };
    // 3. A machine name, through the SUBARCH rules (i686, aarch64, ppc64le).
    const sub = subarchOf(word2);
    if (known(srcarchOf(sub))) return { srcarch: srcarchOf(sub), makeArch: sub };
  }

  const label = given ? `arch "${word}"` : `this machine's arch "${raw}"`;
  const where = srctree !== undefined ? ` in the kernel tree ${srctree}` : '';
  const choices = srctree !== undefined ? treeArches(srctree) : [...KNOWN_SRCARCH].sort();
  const words = [...choices, ...Object.keys(ARCH_TO_SRCARCH), ...Object.keys(ALIASES), 'aarch64', 'ppc64le', 'ppc64', 'riscv64', 's390x', 'loongarch64'];
  throw new KheadersError('UNKNOWN_ARCH',
    `unknown ${label}: no matching arch/<SRCARCH>/ directory${where}${given ? didYouMean(word, words) : ''}`,
    `pass one of: ${choices.join(', ') || '(the tree has no arch/ directories)'}` +
      ' (machine names such as x86_64, aarch64, ppc64le, riscv64 also work)',
  );
}
