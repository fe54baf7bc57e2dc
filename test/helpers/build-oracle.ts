// The whole pipeline against the kernel's own tools: the oracle copies the
// tree with find/cpio/tar per variant, strips with perl, packs with GNU tar
// and compresses with xz -6; buildArchive must give the same bytes.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildArchive } from '../../src/core/build/build.js';
import { nullLogger } from '../../src/core/log.js';
import type { Compression } from '../../src/core/settings.js';
import type { Variant } from '../../src/core/types.js';
import type { FileRules } from '../../src/core/kernel/script.js';
import { oracleFileSet } from './fileset-oracle.js';
import { gnuTar } from './gnutar.js';
import { kernelSkeleton, tempDir, writeTree, type Node } from './kernel-tree.js';
import { variantFiles } from './variant-scripts.js';

const MTIME = 1704067200;
export const tmp = tempDir('kh-build-');
after(tmp.cleanup);
let n = 0;

const C = (body: string): string => `/* SPDX-License-Identifier: GPL-2.0 */\n/* doc */\n${body} /* trailing */\n/* unterminated`;

export function srcTree(variant: Variant): string {
  const dir = join(tmp.dir, `src${n++}`);
  const nodes: Record<string, Node> = {
    ...kernelSkeleton(variantFiles(variant)),
    'include/linux/a.h': C('#define A 1'),
    'include/linux/b.h': '/*/ not closed here */ int b;\r\n/* SPDX in */ /* x */',
    'include/uapi/linux/ünïcödé.h': C('int u;'),
    [`include/${'d'.repeat(90)}/${'f'.repeat(20)}.h`]: C('int long_name;'),
    'include/dt-bindings/x/link.h': { link: '../../linux/a.h' },
    'include/linux/.nfs0001.h': 'stale',
    'include/linux/notes.txt': 'not a header',
    'include/generated/autoconf.h': '#define CONFIG_X 1 /* set */\n',
    'include/generated/utsversion.h': '#define UTS_VERSION "#1"\n',
    'include/generated/utsrelease.h': '#define UTS_RELEASE "6.1.0"\n',
    'arch/x86/include/asm/c.h': C('int c;'),
    'arch/x86/include/generated/asm/d.h': C('int d;'),
    'arch/arm64/include/asm/other.h': 'other arch',
  };
  writeTree(dir, nodes);
  return dir;
}

function objTree(): string {
  const dir = join(tmp.dir, `obj${n++}`);
  writeTree(dir, {
    'include/generated/autoconf.h': '#define CONFIG_X 2 /* from objtree */\n',
    'include/generated/utsrelease.h': '#define UTS_RELEASE "6.1.0-obj"\n',
    'include/generated/utsversion.h': '#define UTS_VERSION "#2"\n',
    'include/linux/a.h': 'objtree copy wins /* c */',
    'arch/x86/include/generated/asm/d.h': C('int d_obj;'),
  });
  return dir;
}

export const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * The file rules of the scripts variantFiles() writes, read off their text (not
 * from detectVariant, which buildArchive itself uses): cpio('-pdu') has both
 * silly-rename excludes, keeps utsversion.h and copies the objtree with -u
 * (overriding); tarScript('') has no excludes, removes utsversion.h and its
 * tar -x overrides; the Makefile lists skip utsversion.h in the objtree, have
 * no excludes, and the objtree list is extracted last (overriding).
 */
const RULES: Record<Variant, FileRules> = {
  cpio: { excludeSillyRename: true, dropUtsversion: false, objOverrides: true },
  tar: { excludeSillyRename: false, dropUtsversion: true, objOverrides: true },
  makefile: { excludeSillyRename: false, dropUtsversion: true, objOverrides: true },
};

/** The kernel's own tools, end to end: copy, perl strip, GNU tar, xz -6. */
async function oracle(src: string, obj: string | undefined, variant: Variant): Promise<{ tar: Buffer; xz: Buffer }> {
  const set = oracleFileSet({ src, obj, arch: 'x86', variant, rules: RULES[variant] });
  try {
    const e = set.entries[0]!;
    const root = e.copy.slice(0, e.copy.length - e.name.length - 1);
    const files = set.entries.filter((x) => x.kind === 'file').map((x) => x.copy);
    execFileSync('perl', ['-pi', '-e', 'BEGIN {undef $/;}; s/\\/\\*((?!SPDX).)*?\\*\\///smg;', ...files]);
    const tar = await gnuTar(root, MTIME);
    return { tar, xz: execFileSync('xz', ['-6', '-T1', '-c'], { input: tar, maxBuffer: 1 << 28 }) };
  } finally {
    set.cleanup();
  }
}

export async function ours(src: string, obj: string | undefined, compression: Compression, threads = 2): Promise<Buffer> {
  const output = join(tmp.dir, `out${n++}.tar.xz`);
  await buildArchive({
    tree: { source: src, objtree: obj, arch: 'x86', makeArch: 'x86_64' },
    pack: { mtime: { epoch: MTIME, origin: 'test' }, compression, threads },
    output,
  }, nullLogger);
  return readFileSync(output);
}

export const unxz = (b: Buffer): Buffer => execFileSync('xz', ['-dc'], { input: b, maxBuffer: 1 << 28 });

/** The build against the kernel's own tools, per variant (cpio needs cpio: test/tools/build-cpio.test.ts). */
export function describeBuildEqualsKernel(variants: readonly Variant[]): void {
for (const variant of variants) {
  describe(`buildArchive equals the kernel's tools (${variant} variant)`, () => {
    it('in-tree build: same sha256 as find/cpio|tar + perl + GNU tar + xz -6', async () => {
      const src = srcTree(variant);
      const want = await oracle(src, undefined, variant);
      assert.equal(sha(await ours(src, undefined, 'compat')), sha(want.xz));
    });
    it('O= build: objtree overrides srctree, same sha256', async () => {
      const src = srcTree(variant);
      const obj = objTree();
      const want = await oracle(src, obj, variant);
      const got = await ours(src, obj, 'compat');
      assert.equal(sha(got), sha(want.xz));
    });
  });
}
}
