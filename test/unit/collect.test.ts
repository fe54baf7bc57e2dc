import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { collectHeaders } from '../../src/core/build/collect.js';
import { KheadersError } from '../../src/core/errors.js';
import type { HeaderEntry, Variant } from '../../src/core/types.js';
import { defaultRules, detectVariant, type FileRules } from '../../src/core/kernel/script.js';
import { listArchive, oracleFileSet, type OracleEntry } from '../helpers/fileset-oracle.js';
import { tempDir, writeTree, type Node } from '../helpers/kernel-tree.js';

const tmp = tempDir('kh-collect-');
after(tmp.cleanup);
let seq = 0;
function tree(nodes: Record<string, Node>): string {
  const dir = join(tmp.dir, `t${seq++}`);
  writeTree(dir, nodes);
  return dir;
}

/** Each file's text names its tree and path, so content shows where it came from. */
function files(tag: string, names: string[]): Record<string, Node> {
  return Object.fromEntries(names.map((n) => [n, `// ${tag}:${n}\n`]));
}

const IN_TREE: Record<string, Node> = {
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

const SRC: Record<string, Node> = files('s', [
  'include/linux/a.h', 'include/linux/srconly.h', 'include/generated/stale.h', 'include/sym.h',
  'arch/x86/include/asm/b.h', 'arch/x86/include/generated/asm/stale2.h', 'include/.nfsS.h', 'include/x.h/in.h',
]);
const OBJ: Record<string, Node> = {
  ...files('o', [
    'include/linux/a.h', 'include/linux/objonly.h', 'include/generated/autoconf.h',
    'include/generated/utsversion.h', 'arch/x86/include/generated/asm/c.h', 'arch/x86/include/generated/uapi/asm/u2.h',
    'include/x.h/obj.txt', 'arch/arm64/include/generated/asm/no.h',
  ]),
  'include/sym.h': { link: 'linux/a.h' },
};

function key(e: { kind: string; name: string; target?: string }): string {
  return `${e.kind} ${e.name}${e.target === undefined ? '' : ` -> ${e.target}`}`;
}

function parentsOf(name: string): string[] {
  const out: string[] = [];
  for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) out.push(name.slice(0, i));
  return out;
}

/** Our list must equal the oracle's: same non-directories, same directories once parents are added. */
function assertSameSet(ours: HeaderEntry[], oracle: OracleEntry[]): void {
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

async function check(variant: Variant, src: string, obj: string | undefined, rules: FileRules): Promise<HeaderEntry[]> {
  const ours = await collectHeaders({ srctree: src, objtree: obj, srcarch: 'x86', variant, rules });
  const o = oracleFileSet({ src, obj, arch: 'x86', variant, rules });
  try {
    assertSameSet(ours, o.entries);
  } finally {
    o.cleanup();
  }
  return ours;
}

const VARIANTS: Variant[] = ['cpio', 'tar', 'makefile'];

describe('collectHeaders against find/cpio/tar', () => {
  const inTree = tree(IN_TREE);
  const src = tree(SRC);
  const obj = tree(OBJ);

  for (const v of VARIANTS) {
    it(`${v}: in-tree build`, async () => {
      const ours = await check(v, inTree, undefined, defaultRules(v));
      const names = ours.map((e) => e.name);
      assert.ok(!names.some((n) => n.startsWith('arch/arm64')), 'other arches are ignored');
      assert.ok(names.indexOf('include/ｆ.h') < names.indexOf('include/😀.h'), 'UTF-8 byte order, not UTF-16');
      assert.ok(ours.every((e) => e.from === 'src'));
      assert.equal(ours.find((e) => e.name === 'include/sd.h')?.kind, 'symlink');
    });

    it(`${v}: out-of-tree build, objtree over srctree`, async () => {
      const ours = await check(v, src, obj, defaultRules(v));
      const a = ours.find((e) => e.name === 'include/linux/a.h')!;
      assert.equal(a.from, v === 'makefile' ? 'src' : 'obj');
      assert.equal(ours.find((e) => e.name === 'include/generated/autoconf.h')?.from, 'obj');
    });

    it(`${v}: passing objtree equal to srctree (or a link to it) is in-tree`, async () => {
      const link = join(tmp.dir, `link-${v}`);
      symlinkSync(inTree, link);
      const plain = await collectHeaders({ srctree: inTree, srcarch: 'x86', variant: v });
      assert.deepEqual(await collectHeaders({ srctree: inTree, objtree: inTree, srcarch: 'x86', variant: v }), plain);
      const viaLink = await collectHeaders({ srctree: inTree, objtree: link, srcarch: 'x86', variant: v });
      assert.deepEqual(viaLink.map(key), plain.map(key));
    });
  }

  it('cpio without -u (old scripts): srctree wins', async () => {
    const rules = { excludeSillyRename: false, dropUtsversion: false, objOverrides: false };
    const ours = await check('cpio', src, obj, rules);
    assert.equal(ours.find((e) => e.name === 'include/linux/a.h')?.from, 'src');
  });

  it('tar with the silly-rename excludes (v6.14)', async () => {
    await check('tar', inTree, undefined, { excludeSillyRename: true, dropUtsversion: true, objOverrides: true });
    await check('tar', src, obj, { excludeSillyRename: true, dropUtsversion: true, objOverrides: true });
  });

  it('makefile variant keeping utsversion.h when the Makefile does not skip it', async () => {
    await check('makefile', inTree, undefined, { excludeSillyRename: false, dropUtsversion: false, objOverrides: true });
  });

  it('a missing arch/<SRCARCH>/include is skipped, as find does', async () => {
    const t = tree(files('m', ['include/linux/only.h']));
    for (const v of VARIANTS) await check(v, t, undefined, defaultRules(v));
  });
});

describe('collectHeaders on bad names and files', () => {
  const base = (): string => tree(files('b', ['include/linux/ok.h']));

  it('rejects a header whose name is not UTF-8, naming it', async () => {
    const t = base();
    writeFileSync(Buffer.from(`${t}/include/linux/bad\xff.h`, 'latin1'), 'x');
    await assert.rejects(collectHeaders({ srctree: t, srcarch: 'x86', variant: 'cpio' }), (e: unknown) => {
      assert.ok(e instanceof KheadersError);
      assert.match(e.message, /not valid UTF-8/);
      assert.match(e.message, /include\/linux\/bad/);
      return true;
    });
  });

  it('ignores a non-header file with a bad name, as find -name does', async () => {
    const t = base();
    writeFileSync(Buffer.from(`${t}/include/linux/bad\xff.txt`, 'latin1'), 'x');
    mkdirSync(Buffer.from(`${t}/include/dir\xfe`, 'latin1'));
    const got = await collectHeaders({ srctree: t, srcarch: 'x86', variant: 'tar' });
    assert.deepEqual(got.map((e) => e.name), ['include/linux/ok.h']);
  });

  it('rejects a header under a directory with a bad name', async () => {
    const t = base();
    const d = Buffer.from(`${t}/include/dir\xfe`, 'latin1');
    mkdirSync(d);
    writeFileSync(Buffer.concat([d, Buffer.from('/in.h')]), 'x');
    await assert.rejects(collectHeaders({ srctree: t, srcarch: 'x86', variant: 'cpio' }), /not valid UTF-8/);
  });

  it('rejects a header name with a newline', async () => {
    const t = base();
    writeFileSync(join(t, 'include/linux/new\nline.h'), 'x');
    await assert.rejects(collectHeaders({ srctree: t, srcarch: 'x86', variant: 'makefile' }), /newline/);
  });

  it('rejects a FIFO named *.h', async () => {
    const t = base();
    const r = spawnSync('mkfifo', [join(t, 'include/linux/pipe.h')]);
    assert.equal(r.status, 0);
    await assert.rejects(collectHeaders({ srctree: t, srcarch: 'x86', variant: 'cpio' }), /not a regular file/);
  });
});

const KSRC = '/tmp/ksrc/linux-source-6.1';
describe('collectHeaders on a real kernel tree', { skip: !existsSync(KSRC) && 'no kernel tree at /tmp/ksrc' }, () => {
  it('lists what find lists for 6.1 x86 (cpio rules), quickly', async () => {
    const rules = defaultRules('cpio');
    await collectHeaders({ srctree: KSRC, srcarch: 'x86', variant: 'cpio', rules }); // warm the cache
    const t0 = performance.now();
    const ours = await collectHeaders({ srctree: KSRC, srcarch: 'x86', variant: 'cpio', rules });
    const ms = performance.now() - t0;
    console.log(`# collected ${ours.length} entries from ${KSRC} in ${ms.toFixed(0)} ms`);
    assert.ok(ms < 2000, `took ${ms} ms`);
    // The tree has no .nfs*/.__afs* names, so find alone is the oracle here.
    const r = spawnSync('find', ['include/', 'arch/x86/include/', '-name', '*.h', '-printf', '%p\\0%y\\0%l\\0'], {
      cwd: KSRC, maxBuffer: 1 << 26,
    });
    const parts = r.stdout.toString('utf8').split('\0');
    const want: string[] = [];
    for (let i = 0; i + 2 < parts.length; i += 3) {
      const kind = parts[i + 1] === 'd' ? 'dir' : parts[i + 1] === 'l' ? 'symlink' : 'file';
      want.push(key({ kind, name: parts[i]!, target: kind === 'symlink' ? parts[i + 2] : undefined }));
    }
    assert.ok(want.length > 5000);
    assert.deepEqual(ours.map(key).sort(), want.sort());
  });
});

/** Run the 6.1 tree's own gen_kheaders.sh in cwd (the objtree) and list its archive. */
function runKernelScript(cwd: string, srctree: string | undefined): { entries: OracleEntry[]; cleanup: () => void } {
  mkdirSync(join(cwd, 'kernel'), { recursive: true });
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], SRCARCH: 'x86', XZ: 'xz', LC_ALL: 'C' };
  if (srctree !== undefined) Object.assign(env, { srctree, building_out_of_srctree: '1' });
  const r = spawnSync('sh', [join(KSRC, 'kernel/gen_kheaders.sh'), 'kernel/kheaders_data.tar.xz'], { cwd, env });
  assert.equal(r.status, 0, r.stderr.toString());
  return listArchive(join(cwd, 'kernel/kheaders_data.tar.xz'));
}

describe('collectHeaders against the 6.1 gen_kheaders.sh itself', { skip: !existsSync(KSRC) && 'no kernel tree at /tmp/ksrc' }, () => {
  it('in-tree and out-of-tree archives hold exactly our entries', async () => {
    const { variant, rules } = await detectVariant(KSRC);
    const cases: Array<[string, string | undefined]> = [[tree(IN_TREE), undefined], [tree(SRC), tree(OBJ)]];
    for (const [first, second] of cases) {
      const cwd = join(tmp.dir, `run${seq++}`);
      cpSync(second ?? first, cwd, { recursive: true, verbatimSymlinks: true });
      const srctree = second === undefined ? undefined : first;
      const ours = await collectHeaders({ srctree: srctree ?? cwd, objtree: cwd, srcarch: 'x86', variant, rules });
      const got = runKernelScript(cwd, srctree);
      try {
        assertSameSet(ours.filter((e) => !e.name.startsWith('kernel/')), got.entries);
      } finally {
        got.cleanup();
      }
    }
  });
});
