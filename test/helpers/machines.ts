// `uname -m` outputs (and Node/distro arch names), with the make ARCH the
// kernel's SUBARCH rules give for each and its SRCARCH. Shared by the unit
// test of resolveArch and the e2e check of subarchOf against the real sed rules.

/** [name, ARCH, SRCARCH] */
export const MACHINES: Array<[string, string, string]> = [
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

/** The names above that are not `uname -m` outputs, so the kernel's sed rules do not know them. */
export const NODE_ARCH_NAMES: ReadonlySet<string> = new Set(['x64', 'amd64', 'ia32', 'loong64']);
