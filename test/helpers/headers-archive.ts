// A small kheaders-like archive made with real GNU tar + xz, for fetch/extract tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { kernelTarFlags } from './gnutar.js';

export interface HeadersFixture {
  /** The unpacked tree the archive was made from. */
  tree: string;
  /** The .tar.xz file. */
  archive: string;
  release: string;
}

/** Writes a tree like the kernel's (include/, arch/x86/include/, a relative symlink) and packs it as gen_kheaders.sh does. */
export function makeHeadersArchive(dir: string, opts: { release?: string; name?: string; filler?: number } = {}): HeadersFixture {
  const release = opts.release ?? '6.1.0-kh-test+';
  const tree = join(dir, `${opts.name ?? 'fixture'}-tree`);
  const files: Record<string, string> = {
    'include/linux/kconfig.h': '#ifndef _LINUX_KCONFIG_H\n#define _LINUX_KCONFIG_H\n#endif\n',
    'include/linux/types.h': '#ifndef _LINUX_TYPES_H\n#define _LINUX_TYPES_H\ntypedef int kh_t;\n#endif\n',
    'include/generated/utsrelease.h': `#define UTS_RELEASE "${release}"\n`,
    'include/config/auto.conf': 'CONFIG_IKHEADERS=m\n',
    'arch/x86/include/asm/kh.h': '#define KH_ARCH 1\n',
    'arch/x86/include/generated/asm/big.h': `/* ${'x'.repeat(opts.filler ?? 70000)} */\n`,
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(tree, name)), { recursive: true });
    writeFileSync(join(tree, name), text);
  }
  symlinkSync('types.h', join(tree, 'include/linux/types-link.h'));
  const archive = join(dir, `${opts.name ?? 'fixture'}.tar.xz`);
  execFileSync('tar', [...kernelTarFlags(1700000000), '-I', 'xz -6', '-cf', archive, '-C', `${tree}/`, '.'], { env: { ...process.env, LC_ALL: 'C' } });
  return { tree, archive, release };
}
