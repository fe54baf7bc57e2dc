// End-to-end: the unit-level checks that need a real kernel tree, run on the
// pristine Debian 6.1 source prepared and cached by scripts/kernel-tree.sh
// (its srctree=). Without that tree these tests fail; they never skip.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { collectHeaders } from '../../src/core/build/collect.js';
import { subarchOf } from '../../src/core/kernel/arch.js';
import { defaultRules, detectVariant } from '../../src/core/kernel/script.js';
import { nullLogger } from '../../src/core/log.js';
import { verifyArchive } from '../../src/core/verify/verify.js';
import { assertSameSet, IN_TREE, key, OBJ, SRC } from '../helpers/collect-fixtures.js';
import { listArchive, type OracleEntry } from '../helpers/fileset-oracle.js';
import { kernelTree } from '../helpers/e2e-tree.js';
import { holdLock } from '../helpers/flock.js';
import { writeTree, type Node } from '../helpers/kernel-tree.js';
import { MACHINES, NODE_ARCH_NAMES } from '../helpers/machines.js';
import { oracleArchive, writeKernel } from '../helpers/verify-tree.js';

const BIG = 64 * 1024 * 1024;

interface Prepared {
  lock: string;
  tree: string;
  srctree: string;
}

async function prepare(): Promise<Prepared> {
  const get = await kernelTree(['--no-objtree']);
  return { lock: path.join(get('cache'), '.lock'), tree: get('tree'), srctree: get('srctree') };
}

/** Names in the archive, as GNU tar lists them (normalized). */
function tarNames(archive: string): string[] {
  return execFileSync('tar', ['-tJf', archive], { encoding: 'utf8', maxBuffer: BIG }).split('\n').filter((l) => l !== '')
    .map((l) => l.replace(/^\.\//, '').replace(/\/$/, '') || '.');
}

describe('unit checks on the real 6.1 tree (scripts/kernel-tree.sh)', () => {
  let prep: Prepared;
  let ksrc: string;
  let tmp: string;
  let unlock: (() => Promise<void>) | undefined;
  let seq = 0;
  const tree = (nodes: Record<string, Node>): string => {
    const dir = path.join(tmp, `t${seq++}`);
    writeTree(dir, nodes);
    return dir;
  };

  before(async () => {
    prep = await prepare();
    unlock = await holdLock(prep.lock);
    ksrc = prep.srctree;
    tmp = await mkdtemp(path.join(os.tmpdir(), 'kheaders-tree-e2e-'));
  }, { timeout: 3_600_000 });

  after(async () => {
    if (unlock) await unlock();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  // From test/unit/arch.test.ts. Oracle: the SUBARCH sed rules of the tree, run by real sed.
  test('subarchOf agrees with the kernel\'s SUBARCH sed rules for each machine name', async () => {
    const text = (await readFile(path.join(ksrc, 'scripts/subarch.include'), 'utf8')).replace(/\\\n/g, ' ');
    const exprs = [...text.matchAll(/-e\s+(s\/[^\s)]+)/g)].map((m) => m[1]!);
    assert.ok(exprs.length >= 10, 'could not read the sed rules');
    const args = exprs.flatMap((e) => ['-e', e]);
    for (const [name] of MACHINES.filter(([n]) => !NODE_ARCH_NAMES.has(n))) {
      const want = execFileSync('sed', args, { input: `${name}\n` }).toString().trim();
      assert.equal(subarchOf(name), want, name);
    }
  });

  // From test/unit/variant.test.ts.
  test('detectVariant reads the 6.1 script as cpio with excludes, keeping utsversion.h', async () => {
    const info = await detectVariant(ksrc);
    const { excludeSillyRename, dropUtsversion, objOverrides } = info.rules;
    // By reading 6.1's kernel/gen_kheaders.sh: find | cpio -pdu (objtree files override),
    // --exclude=".__afs*" --exclude=".nfs*", and no rm of include/generated/utsversion.h.
    assert.deepEqual([info.variant, info.known, { excludeSillyRename, dropUtsversion, objOverrides }],
      ['cpio', true, { excludeSillyRename: true, dropUtsversion: false, objOverrides: true }], info.reason);
  });

  // From test/unit/collect.test.ts.
  test('collectHeaders lists what find lists for 6.1 x86 (cpio rules), quickly', async () => {
    const rules = defaultRules('cpio');
    await collectHeaders({ srctree: ksrc, srcarch: 'x86', variant: 'cpio', rules }); // warm the cache
    const t0 = performance.now();
    const ours = await collectHeaders({ srctree: ksrc, srcarch: 'x86', variant: 'cpio', rules });
    const ms = performance.now() - t0;
    console.log(`# collected ${ours.length} entries from ${ksrc} in ${ms.toFixed(0)} ms`);
    assert.ok(ms < 2000, `took ${ms} ms`);
    // The tree has no .nfs*/.__afs* names, so find alone is the oracle here.
    const r = spawnSync('find', ['include/', 'arch/x86/include/', '-name', '*.h', '-printf', '%p\\0%y\\0%l\\0'], {
      cwd: ksrc, maxBuffer: 1 << 26,
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

  /** Runs the 6.1 tree's own gen_kheaders.sh in cwd (the objtree) and lists its archive. */
  function runKernelScript(cwd: string, srctree: string | undefined): { entries: OracleEntry[]; cleanup: () => void } {
    mkdirSync(path.join(cwd, 'kernel'), { recursive: true });
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], SRCARCH: 'x86', XZ: 'xz', LC_ALL: 'C' };
    if (srctree !== undefined) Object.assign(env, { srctree, building_out_of_srctree: '1' });
    const r = spawnSync('sh', [path.join(ksrc, 'kernel/gen_kheaders.sh'), 'kernel/kheaders_data.tar.xz'], { cwd, env });
    assert.equal(r.status, 0, r.stderr.toString());
    return listArchive(path.join(cwd, 'kernel/kheaders_data.tar.xz'));
  }

  // From test/unit/collect.test.ts.
  test('collectHeaders: in-tree and out-of-tree archives of the 6.1 gen_kheaders.sh hold exactly our entries', async () => {
    const { variant, rules } = await detectVariant(ksrc);
    const cases: Array<[string, string | undefined]> = [[tree(IN_TREE), undefined], [tree(SRC), tree(OBJ)]];
    for (const [first, second] of cases) {
      const cwd = path.join(tmp, `run${seq++}`);
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

  // From test/unit/verify.test.ts.
  test('verify: an archive made by the 6.1 gen_kheaders.sh itself verifies clean (O=, strict)', async () => {
    const base = path.join(tmp, `v${seq++}`);
    const src = path.join(base, 'src');
    const obj = path.join(base, 'obj');
    writeKernel(src, obj);
    const archive = oracleArchive(src, obj, path.join(ksrc, 'kernel/gen_kheaders.sh'));
    assert.ok(path.relative(obj, archive).startsWith('kernel'));
    const r = await verifyArchive({ archive, source: src, objtree: obj, strict: true }, nullLogger);
    assert.equal(r.result, 'match', JSON.stringify(r.findings, null, 1));
    assert.equal(r.counts.match, tarNames(archive).length);
    assert.equal(r.strict?.reproducible, true);
  });
});
