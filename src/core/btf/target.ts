// The arch an archive is for, read from the archive itself (its one arch/*/
// directory and autoconf.h), and clang's matching -target and arch flags.
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KheadersError } from '../errors.js';

export interface Target {
  /** The kernel's SRCARCH (x86, arm64, ...). */
  srcarch: string;
  /** clang's --target triple. */
  triple: string;
  /** The arch's own flags and defines, as its arch Makefile passes them. */
  flags: string[];
  /** CONFIG_* from autoconf.h that are set (y, m or a value). */
  config: ReadonlyMap<string, string>;
  /** The headers the kernel's Makefile forces into every file (-include), those the archive has. */
  forced: string[];
}

/** What the top Makefile puts before every file, in its order (compiler-version.h is 5.12+). */
const FORCED = ['include/linux/compiler-version.h', 'include/linux/kconfig.h', 'include/linux/compiler_types.h'];

export const AUTOCONF_H = 'include/generated/autoconf.h';

/** `#define CONFIG_X value` lines of autoconf.h. */
export function parseAutoconf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^#define (CONFIG_\w+) (.*)$/gm)) out.set(m[1], m[2].trim());
  return out;
}

type Rule = (on: (name: string) => boolean) => { triple: string; flags: string[] };

/** SRCARCH -> triple and flags. x86 and arm64 are tested; the rest are best effort. */
const RULES: Readonly<Record<string, Rule>> = {
  x86: (on) => on('CONFIG_X86_64')
    ? { triple: 'x86_64-linux-gnu', flags: ['-m64', '-mno-red-zone', '-mcmodel=kernel'] }
    : { triple: 'i386-linux-gnu', flags: ['-m32', '-mregparm=3', '-freg-struct-return'] },
  arm64: (on) => ({ triple: on('CONFIG_CPU_BIG_ENDIAN') ? 'aarch64_be-linux-gnu' : 'aarch64-linux-gnu', flags: ['-mgeneral-regs-only'] }),
  arm: (on) => {
    const v = ['7', '6', '5', '4'].find((n) => on(`CONFIG_CPU_32v${n}`) || on(`CONFIG_CPU_32v${n}K`)) ?? '7';
    return { triple: on('CONFIG_CPU_BIG_ENDIAN') ? 'armeb-linux-gnueabi' : 'arm-linux-gnueabi', flags: ['-mabi=aapcs-linux', `-D__LINUX_ARM_ARCH__=${v}`] };
  },
  riscv: (on) => ({ triple: on('CONFIG_64BIT') ? 'riscv64-linux-gnu' : 'riscv32-linux-gnu', flags: [] }),
  powerpc: (on) => ({
    triple: on('CONFIG_PPC64') ? (on('CONFIG_CPU_LITTLE_ENDIAN') ? 'powerpc64le-linux-gnu' : 'powerpc64-linux-gnu') : 'powerpc-linux-gnu',
    flags: [],
  }),
  s390: () => ({ triple: 's390x-linux-gnu', flags: [] }),
  mips: (on) => {
    const el = on('CONFIG_CPU_LITTLE_ENDIAN') ? 'el' : '';
    return { triple: on('CONFIG_64BIT') ? `mips64${el}-linux-gnuabi64` : `mips${el}-linux-gnu`, flags: [] };
  },
  loongarch: () => ({ triple: 'loongarch64-linux-gnu', flags: [] }),
  sparc: (on) => ({ triple: on('CONFIG_64BIT') ? 'sparc64-linux-gnu' : 'sparc-linux-gnu', flags: [] }),
};

/** The arch of an unpacked archive at root: its one arch/<SRCARCH>/ and its autoconf.h. */
export async function detectTarget(root: string): Promise<Target> {
  const arches = await readdir(join(root, 'arch')).catch(() => [] as string[]);
  if (arches.length !== 1) {
    throw new KheadersError('BAD_INPUT', `the archive holds ${arches.length === 0 ? 'no arch/*/ directory' : `several arch directories (${arches.sort().join(', ')})`}, so its arch is unknown`,
      'pass a kheaders archive as the kernel builds it (one arch/<SRCARCH>/include)');
  }
  const srcarch = arches[0];
  const text = await readFile(join(root, AUTOCONF_H), 'utf8').catch(() => undefined);
  if (text === undefined) {
    throw new KheadersError('BAD_INPUT', `the archive has no ${AUTOCONF_H}, so its config is unknown`, 'pass a kheaders archive as the kernel builds it');
  }
  const config = parseAutoconf(text);
  const rule = RULES[srcarch];
  if (!rule) {
    throw new KheadersError('UNKNOWN_ARCH', `vmlinux-h cannot compile for arch "${srcarch}": no clang target is known for it`,
      `supported: ${Object.keys(RULES).sort().join(', ')} (x86 and arm64 tested); use a BTF dump of that kernel instead`);
  }
  const { triple, flags } = rule((name) => config.has(name));
  const forced: string[] = [];
  for (const f of FORCED) if (await access(join(root, f)).then(() => true, () => false)) forced.push(f);
  return { srcarch, triple, flags, config, forced };
}

/** clang's arguments for compiling the archive's headers as kernel code, include paths relative to root. */
export function compileFlags(t: Target): string[] {
  const a = `arch/${t.srcarch}/include`;
  return [
    `--target=${t.triple}`, '-nostdinc', '-D__KERNEL__', ...t.flags,
    // kbuild names every object; headers' macros (pr_fmt, NL_SET_ERR_MSG_MOD) use these.
    '-DKBUILD_MODFILE="kheaders"', '-DKBUILD_BASENAME="kheaders"', '-DKBUILD_MODNAME="kheaders"',
    '-I', a, '-I', `${a}/generated`, '-I', 'include', '-I', `${a}/uapi`, '-I', `${a}/generated/uapi`,
    '-I', 'include/uapi', '-I', 'include/generated/uapi',
    ...t.forced.flatMap((f) => ['-include', f]),
    '-std=gnu11', '-fno-PIE', '-fno-strict-aliasing', '-fno-color-diagnostics', '-fno-caret-diagnostics',
  ];
}
