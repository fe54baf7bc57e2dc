// Trees for the collectHeaders tests (in-tree, and an O= pair whose objtree
// overrides the srctree), and the comparison of our entry list with an oracle's
// (find/cpio/tar, or the archive of a real gen_kheaders.sh).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { collectHeaders } from '../../src/core/build/collect.js';
import type { FileRules } from '../../src/core/kernel/script.js';
import type { HeaderEntry, Variant } from '../../src/core/types.js';
import { oracleFileSet, type OracleEntry } from './fileset-oracle.js';
import { tempDir, writeTree, type Node } from './kernel-tree.js';

/** Each file's text names its tree and path, so content shows where it came from. */
export function files(tag: string, names: string[]): Record<string, Node> {
  return Object.fromEntries(names.map((n) => [n, `// ${tag}:${n}\n`]));
}

export const IN_TREE: Record<string, Node> = {
  ...files('t', [
    'include/linux/a.h', 'include/linux/readme.txt', 'include/generated/autoconf.h',
    'include/generated/utsversion.h', 'arch/x86/include/asm/b.h', 'arch/x86/include/generated/asm/c.h',
    'arch/x86/include/uapi/asm/u.h', 'arch/arm64/include/asm/d.h', 'arch/x86/Makefile',
    'include/weird.h/inner.h', 'include/weird.h/note.txt', 'include/weird.h/sub/deep.txt',
    'include/.nfs0001.h', 'include/linux/.__afs12.h', 'include/.nfsdir/x.h', 'include/onlynfs/.nfs9.h',
    'include/foo.nfs.h', 'arch/x86/include/generated/.nfsZ.h', 'include/ünï/cödé.h', 'include/日本.h',
    'include/😀.h', 'include/ｆ.h', 'include/a-b.h', 'include/a/b.h', 'include/.h', 'include/Z.h',
  ]),
  'include/weird.h/empty': { dir: true },
  'include/dt-bindings/l.h': { link: '../../scripts/dtc/include-prefixes/x.h' },
  'include/linux/rel.h': { link: 'a.h' },
  'include/symdir': { link: 'linux' },
  'include/sd.h': { link: 'linux' },
};

export const SRC: Record<string, Node> = files('s', [
  'include/linux/a.h', 'include/linux/srconly.h', 'include/generated/stale.h', 'include/sym.h',
  'arch/x86/include/asm/b.h', 'arch/x86/include/generated/asm/stale2.h', 'include/.nfsS.h', 'include/x.h/in.h',
]);
export const OBJ: Record<string, Node> = {
  ...files('o', [
    'include/linux/a.h', 'include/linux/objonly.h', 'include/generated/autoconf.h',
    'include/generated/utsversion.h', 'arch/x86/include/generated/asm/c.h', 'arch/x86/include/generated/uapi/asm/u2.h',
    'include/x.h/obj.txt', 'arch/arm64/include/generated/asm/no.h',
  ]),
  'include/sym.h': { link: 'linux/a.h' },
};

export function key(e: { kind: string; name: string; target?: string }): string {
  return `${e.kind} ${e.name}${e.target === undefined ? '' : ` -> ${e.target}`}`;
}

function parentsOf(name: string): string[] {
  const out: string[] = [];
  for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) out.push(name.slice(0, i));
  return out;
}

/** Our list must equal the oracle's: same non-directories, same directories once parents are added. */
export function assertSameSet(ours: HeaderEntry[], oracle: OracleEntry[]): void {
  const nonDir = (l: Array<{ kind: string; name: string; target?: string }>): string[] =>
    l.filter((e) => e.kind !== 'dir').map(key).sort();
  assert.deepEqual(nonDir(ours), nonDir(oracle));
  const oracleDirs = oracle.filter((e) => e.kind === 'dir').map((e) => e.name).sort();
  const implied = new Set<string>();
  for (const e of ours) {
    if (e.kind === 'dir') {
      assert.ok(oracleDirs.includes(e.name), `dir ${e.name} not in the oracle`);
      implied.add(e.name);
    }
    for (const p of parentsOf(e.name)) implied.add(p);
  }
  assert.deepEqual([...implied].sort(), oracleDirs);
  const copies = new Map(oracle.map((e) => [e.name, e.copy]));
  for (const e of ours.filter((x) => x.kind === 'file')) {
    assert.deepEqual(readFileSync(e.path), readFileSync(copies.get(e.name)!), `content of ${e.name}`);
  }
  for (let i = 1; i < ours.length; i++) {
    assert.ok(Buffer.compare(Buffer.from(ours[i - 1]!.name), Buffer.from(ours[i]!.name)) < 0, 'byte order');
  }
}

/**
 * For a test file: `tree` writes trees into a temp dir removed after its
 * tests; `check` runs collectHeaders (x86) and asserts the oracle's set.
 */
export function collectHarness(): {
  /** The temp dir. */
  dir: string;
  tree(nodes: Record<string, Node>): string;
  check(variant: Variant, src: string, obj: string | undefined, rules: FileRules): Promise<HeaderEntry[]>;
} {
  const tmp = tempDir('kh-collect-');
  after(tmp.cleanup);
  let seq = 0;
  return {
    dir: tmp.dir,
    tree(nodes) {
      const dir = join(tmp.dir, `t${seq++}`);
      writeTree(dir, nodes);
      return dir;
    },
    async check(variant, src, obj, rules) {
      const ours = await collectHeaders({ srctree: src, objtree: obj, srcarch: 'x86', variant, rules });
      const o = oracleFileSet({ src, obj, arch: 'x86', variant, rules });
      try {
        assertSameSet(ours, o.entries);
      } finally {
        o.cleanup();
      }
      return ours;
    },
  };
}
