// The real kernel/gen_kheaders.sh texts in ../shared/kernel-scripts, run as
// oracles the way kbuild runs them, and a tree holding what the forms treat
// differently. Nothing of the scripts' text is copied here.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeTree, type Node } from './kernel-tree.js';

export const CORPUS = resolve(import.meta.dirname, '../../../shared/kernel-scripts');

export interface Form {
  name: string;
  script: string;
  /** kernel/Makefile text for the list forms. */
  makefile?: string;
}

/** Every form in the corpus; throws (so the test fails) when the corpus is missing. */
export function corpusForms(dir = CORPUS): Form[] {
  if (!existsSync(dir)) throw new Error(`the script corpus ${dir} is missing (it comes with ../shared)`);
  return readdirSync(dir).filter((n) => n.endsWith('.gen_kheaders.sh')).sort().map((n) => {
    const base = n.replace(/\.gen_kheaders\.sh$/, '');
    const mk = join(dir, `${base}.kernel-Makefile`);
    return { name: base, script: readFileSync(join(dir, n), 'utf8'), ...(existsSync(mk) ? { makefile: readFileSync(mk, 'utf8') } : {}) };
  });
}

const SPDX = '/* SPDX-License-Identifier: GPL-2.0 */\n';

/** Source-tree nodes with what the forms treat differently (symlinks, *.cmd, dotfiles, silly renames, x.h dirs, sort-sensitive names). */
export function formSourceNodes(): Record<string, Node> {
  return {
    Makefile: 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n',
    Kconfig: 'mainmenu "forms"\n',
    'include/linux/kernel.h': `${SPDX}/* drop */\n#define K 1 /* and this */\n`,
    'include/linux/types.h': '/*\n * multi\n */\ntypedef int s32;\n',
    'include/linux/link.h': { link: 'kernel.h' },
    'include/linux/.hidden.h': '#define HIDDEN 1\n',
    'include/linux/.kernel.h.cmd': 'cmd_x := gcc\n',
    'include/linux/.nfs0000001': 'silly rename\n',
    'include/linux/notes.txt': 'not a header\n',
    'include/linux/odd.h/inner.txt': 'in a dir named odd.h\n',
    'include/linux/odd.h/inner.h': '#define INNER 1\n',
    'include/.__afs1234/x.h': '#define AFS 1\n',
    'include/uapi/linux/Kbuild': 'header-y += a.h\n',
    'arch/x86/include/asm/vdso.h': '#define VDSO 1\n',
    'arch/x86/include/asm/vdso/gettime.h': '#define GT 1\n',
    'arch/x86/include/asm/vdso-x.h': '#define VX 1\n',
    'arch/x86/include/asm/vdso_y.h': '#define VY 1\n',
    'arch/x86/include/asm/exec.h': '#define EXEC 1\n',
    'arch/x86/include/uapi/asm/unistd.h': { link: '../../asm/vdso.h' },
    // Stale generated headers in the source tree: the forms differ on taking them in O= builds.
    'include/generated/stale.h': '#define STALE 1\n',
    'arch/x86/include/generated/asm/stale.h': '#define STALE_ASM 1\n',
  };
}

/** Generated headers (prepare's output), placed in the objtree (or the srctree in-tree). */
export function formGeneratedNodes(): Record<string, Node> {
  return {
    'include/generated/autoconf.h': '#define CONFIG_X86 1\n',
    'include/generated/utsrelease.h': '#define UTS_RELEASE "6.1.0-forms"\n',
    'include/generated/utsversion.h': '#define UTS_VERSION "#1 SMP"\n',
    'include/generated/uapi/linux/version.h': '#define LINUX_VERSION_CODE 393472\n',
    'include/config/auto.conf.cmd': 'deps := x\n',
    'arch/x86/include/generated/asm/syscalls_64.h': '/* gen */\n__SYSCALL(0, read)\n',
    'arch/x86/include/generated/uapi/asm/unistd_64.h': '#define __NR_read 0\n',
  };
}

/** Writes a tree (and objtree) for the forms, with the form installed and any extra source nodes; returns [src, obj or undefined]. */
export function writeFormTree(root: string, form: Form, outOfTree: boolean, extra: Record<string, Node> = {}): [string, string | undefined] {
  const src = join(root, 'src');
  const obj = outOfTree ? join(root, 'obj') : undefined;
  writeTree(src, { ...formSourceNodes(), ...extra, 'kernel/gen_kheaders.sh': form.script, 'kernel/Makefile': form.makefile ?? 'obj-y += fork.o\n' });
  chmodSync(join(src, 'kernel/gen_kheaders.sh'), 0o755);
  chmodSync(join(src, 'arch/x86/include/asm/exec.h'), 0o755);
  chmodSync(join(src, 'include/linux/types.h'), 0o600);
  writeTree(obj ?? src, formGeneratedNodes());
  if (obj) mkdirSync(join(obj, 'kernel'), { recursive: true });
  return [src, obj];
}

/** A make recipe (`filechk_NAME = \` ...) from kernel/Makefile as shell text. */
function recipe(makefile: string, name: string, srctree: string): string {
  const m = new RegExp(`^filechk_${name}\\s*=\\s*\\\\\\n((?:.*\\\\\\n)*.*)$`, 'm').exec(makefile);
  if (!m) throw new Error(`kernel/Makefile has no filechk_${name}`);
  return m[1]!.replace(/\\\n/g, '\n').replace(/\$\(srctree\)/g, srctree).replace(/\$\(SRCARCH\)/g, 'x86').replace(/\$\$/g, '$');
}

/** Runs the form as kbuild runs it (cwd: the objtree; srctree "." in-tree) and returns the archive path. */
export function runForm(form: Form, src: string, obj: string | undefined, timestamp: string | undefined, extraEnv: NodeJS.ProcessEnv = {}): string {
  const cwd = obj ?? src;
  const srctree = obj ? src : '.';
  const out = 'kernel/kheaders_data.tar.xz';
  rmSync(join(cwd, out), { force: true });
  rmSync(join(cwd, 'kernel/kheaders.md5'), { force: true });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, srctree, objtree: '.', SRCARCH: 'x86', XZ: 'xz', TAR: 'tar', quiet: 'silent_', ...extraEnv };
  if (obj) env.building_out_of_srctree = '1';
  if (timestamp !== undefined) env.KBUILD_BUILD_TIMESTAMP = timestamp;
  const script = join(src, 'kernel/gen_kheaders.sh');
  const shell = /^#!\s*(\S+)/.exec(form.script)?.[1] ?? '/bin/sh';
  const args = [script, out];
  if (form.makefile) {
    for (const list of ['srclist', 'objlist']) {
      const listed = execFileSync('sh', ['-c', recipe(form.makefile, `kheaders_${list}`, srctree)], { cwd, env, stdio: ['ignore', 'pipe', 'ignore'] });
      writeFileSync(join(cwd, `kernel/kheaders-${list}`), listed);
    }
    args.push('kernel/kheaders-srclist', 'kernel/kheaders-objlist', timestamp ?? '');
  }
  execFileSync(shell, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  return join(cwd, out);
}

/** Copies the form's archive aside (the next run overwrites it). */
export function keep(archive: string, to: string): string {
  copyFileSync(archive, to);
  return to;
}
